// SPDX-License-Identifier: Apache-2.0
// The route tables, as a server sees them: what each (method, depth, options) gets.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, RoutesRequestsWithoutAnOperationTo405) {
  start_and_register();
  EXPECT_EQ(call(codes::get, "/").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::get, "/", kLink).code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::post, "/").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::put, "/3", {}, kText, "x").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::fetch, "/3", {}, kSenmlJson, "[]").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::ipatch, "/3", {}, kSenmlJson, "[]").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::patch, "/3/0").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::del, "/3/0/0").code, codes::method_not_allowed);
}

TEST_F(ClientTest, RoutesByOptionsAndResourceKind) {
  start_and_register();
  EXPECT_EQ(call(codes::get, "/3/0/0", kLink).payload, "</3/0/0>");   // Discover
  EXPECT_EQ(call(codes::get, "/3/0/0").payload, "Acme");              // Read
  EXPECT_EQ(call(codes::put, "/3/0/0", {}, {}, {}, {"pmin=5"}).code,  // Write-Attributes
            codes::changed);
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "77").code, codes::changed);  // Write
  EXPECT_EQ(call(codes::post, "/1/0/8").code, codes::changed);                  // Execute
  EXPECT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/1","v":78}])").code,
            codes::changed);  // Partial Update
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "78");
  // "/bs" is the bootstrap server's: nothing there for a management server.
  EXPECT_EQ(call(codes::post, "/bs").code, codes::not_found);
  // Security is the bootstrap server's too, whatever the method.
  EXPECT_EQ(call(codes::get, "/0", kLink).code, codes::unauthorized);
  EXPECT_EQ(call(codes::del, "/0/1").code, codes::unauthorized);
}

}  // namespace
}  // namespace lwm2m::test
