// SPDX-License-Identifier: Apache-2.0
// The public names a user meets first agree with each other: the float data type and the
// float value constructor, and the error accessor of Status and Result. The former names
// stay as aliases with the same meaning.
#include <gtest/gtest.h>

#include "lwm2m/dm/value.hpp"
#include "lwm2m/status.hpp"

// The former names are deprecated: this test is the one place that still uses them.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace lwm2m {
namespace {

TEST(ApiNames, FloatingTypeMatchesTheFloatingValue) {
  const auto v = dm::Value::floating(1.5);
  EXPECT_EQ(v.type(), dm::DataType::floating);
  EXPECT_EQ(dm::DataType::float_, dm::DataType::floating);
  EXPECT_STREQ(dm::to_string(dm::DataType::floating), dm::to_string(dm::DataType::float_));
}

TEST(ApiNames, StatusAndResultNameTheirErrorAlike) {
  const Status s = Errc::no_space;
  const Result<int> r = Errc::no_space;
  EXPECT_EQ(s.error(), Errc::no_space);
  EXPECT_EQ(s.error(), r.error());
  EXPECT_EQ(s.code(), s.error());
  EXPECT_EQ(Status{}.error(), Errc::ok);
  EXPECT_EQ(Result<int>{7}.error(), Errc::ok);
}

}  // namespace
}  // namespace lwm2m
