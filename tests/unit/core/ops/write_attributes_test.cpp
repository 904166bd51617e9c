// SPDX-License-Identifier: Apache-2.0
// ops::write_attributes: stored per server, refused where the spec refuses them.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, WriteAttributesStoresThemAndDiscoverShowsThem) {
  start_and_register();
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, {}, {}, {"pmin=10", "gt=50"}).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1", kLink).payload, "</1/0/1>;pmin=10;gt=50");
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, {}, {}, {"gt"}).code, codes::changed);  // removed
  EXPECT_EQ(call(codes::get, "/1/0/1", kLink).payload, "</1/0/1>;pmin=10");
  EXPECT_EQ(call(codes::put, "/1/0/7", {}, {}, {}, {"gt=1"}).code, codes::bad_request);
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, {}, {}, {"color=red"}).code, codes::bad_request);
  EXPECT_EQ(call(codes::put, "/1/0/1").code, codes::bad_request);  // nothing to write
  EXPECT_EQ(call(codes::put, "/1/3", {}, {}, {}, {"pmin=1"}).code, codes::not_found);
}

}  // namespace
}  // namespace lwm2m::test
