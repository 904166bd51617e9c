// SPDX-License-Identifier: Apache-2.0
#include "codec/number.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace lwm2m::codec::number {
namespace {

std::string fmt_double(double v) {
  char buf[kMaxChars];
  return {buf, format_double(v, buf)};
}

TEST(Number, FormatsShortestRoundTrip) {
  EXPECT_EQ(fmt_double(1.5), "1.5");
  EXPECT_EQ(fmt_double(-0.0), "-0");
  EXPECT_EQ(fmt_double(0.1), "0.1");
  EXPECT_EQ(fmt_double(1e300), "1e+300");
  // 2^64 as a double: fixed notation would look like an integer that overflows 64 bits.
  EXPECT_EQ(fmt_double(18446744073709551616.0), "1.8446744073709552e+19");
  EXPECT_EQ(fmt_double(std::nan("")), "");
  EXPECT_EQ(fmt_double(std::numeric_limits<double>::infinity()), "");
}

TEST(Number, FormatsIntegerExtremes) {
  char buf[kMaxChars];
  EXPECT_EQ(std::string(buf, format_int(INT64_MIN, buf)), "-9223372036854775808");
  EXPECT_EQ(std::string(buf, format_uint(UINT64_MAX, buf)), "18446744073709551615");
}

TEST(Number, ParsersAreStrict) {
  EXPECT_EQ(*parse_int("-42"), -42);
  EXPECT_EQ(parse_int("+42").error(), Errc::malformed);
  EXPECT_EQ(parse_int(" 42").error(), Errc::malformed);
  EXPECT_EQ(parse_int("42x").error(), Errc::malformed);
  EXPECT_EQ(parse_int("").error(), Errc::malformed);
  EXPECT_EQ(parse_int("9223372036854775808").error(), Errc::unsupported);
  EXPECT_EQ(*parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(*parse_uint("-0"), 0u);
  EXPECT_EQ(*parse_int("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(*parse_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_int("-9223372036854775809").error(), Errc::unsupported);
  EXPECT_EQ(parse_int("-").error(), Errc::malformed);
  EXPECT_EQ(parse_int("-x").error(), Errc::malformed);
  EXPECT_EQ(*parse_int("-0"), 0);
  EXPECT_EQ(*parse_int("007"), 7);
  // Out of range counts before what follows, as std::from_chars reports it.
  EXPECT_EQ(parse_uint("18446744073709551616x").error(), Errc::unsupported);
  EXPECT_EQ(parse_uint("184467440737095516150").error(), Errc::unsupported);
  EXPECT_EQ(parse_uint("1 ").error(), Errc::malformed);
  EXPECT_EQ(parse_uint("").error(), Errc::malformed);
  EXPECT_EQ(parse_uint("-1").error(), Errc::unsupported);
  EXPECT_DOUBLE_EQ(*parse_double("-1.25e2"), -125.0);
  EXPECT_EQ(parse_double("nan").error(), Errc::malformed);
  EXPECT_EQ(parse_double("inf").error(), Errc::malformed);
  EXPECT_EQ(parse_double(".5").error(), Errc::malformed);
  EXPECT_EQ(parse_double("1e999").error(), Errc::unsupported);
}

}  // namespace
}  // namespace lwm2m::codec::number
