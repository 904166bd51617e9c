// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lwm2m::dm {
namespace {

std::string text(const Path& p) {
  char buf[Path::kMaxTextLength];
  return std::string(buf, p.format(buf));
}

TEST(Path, ParsesEveryDepth) {
  EXPECT_EQ(Path::parse("/").value(), Path{});
  EXPECT_EQ(Path::parse("/3").value(), Path(3));
  EXPECT_EQ(Path::parse("/3/0").value(), Path(3, 0));
  EXPECT_EQ(Path::parse("/3/0/11").value(), Path(3, 0, 11));
  EXPECT_EQ(Path::parse("/3/0/11/0").value(), Path(3, 0, 11, 0));
  EXPECT_EQ(Path::parse("/65534/65534/65534/65534").value().resource_instance(), 65534);
}

TEST(Path, RejectsMalformedText) {
  for (const char* bad :
       {"", "3/0", "/3/", "//3", "/3/0/1/2/3", "/65535", "/-1", "/+1", "/1a", "/123456"}) {
    EXPECT_FALSE(Path::parse(bad).ok()) << bad;
  }
}

TEST(Path, FormatsRoundTrip) {
  for (const char* s : {"/", "/3", "/3/0", "/3/0/11", "/3/0/11/0", "/65534/65534/65534/65534"}) {
    EXPECT_EQ(text(Path::parse(s).value()), s);
  }
}

TEST(Path, PrefixAndOrder) {
  EXPECT_TRUE(Path{}.is_prefix_of(Path(3, 0)));
  EXPECT_TRUE(Path(3).is_prefix_of(Path(3, 0, 1)));
  EXPECT_FALSE(Path(3, 1).is_prefix_of(Path(3, 0, 1)));
  EXPECT_FALSE(Path(3, 0, 1).is_prefix_of(Path(3, 0)));
  EXPECT_LT(Path(3), Path(3, 0));
  EXPECT_LT(Path(3, 0, 9), Path(3, 0, 10));
  EXPECT_LT(Path(1, 5), Path(3));
  EXPECT_EQ(Path(3, 0, 1).parent(), Path(3, 0));
  EXPECT_FALSE(Path(3, 0, 1, 2).child(1).ok());
  EXPECT_FALSE(Path(3).child(kInvalidId).ok());
}

TEST(Path, FromUriSegments) {
  std::string_view segs[] = {"3", "0", "1"};
  EXPECT_EQ(Path::from_segments(segs).value(), Path(3, 0, 1));
  std::string_view empty[] = {""};
  EXPECT_EQ(Path::from_segments(empty).value(), Path{});
  std::string_view bad[] = {"rd"};
  EXPECT_EQ(Path::from_segments(bad).error(), Errc::not_found);
}

}  // namespace
}  // namespace lwm2m::dm
