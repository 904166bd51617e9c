// SPDX-License-Identifier: Apache-2.0
// ops::create and ops::remove: a new instance at the Location-Path the 2.01 names, gone
// after 2.02; the registration lists both changes.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, CreateAnswersTheNewLocationAndDeleteRemovesIt) {
  start_and_register();
  Reply r = call(codes::post, "/1", {}, kSenmlJson,
                 R"([{"bn":"/1/3/","n":"0","v":103},{"n":"1","v":60},{"n":"6","vb":false},)"
                 R"({"n":"7","vs":"U"}])");
  EXPECT_EQ(r.code, codes::created);
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(call(codes::get, "/1/3/0").payload, "103");
  ASSERT_TRUE(net.run_until([&] { return server.updates.size() == 1; }, net.now() + 5s));
  EXPECT_NE(server.update_payloads[0].find("</1/3>"), std::string::npos);
  EXPECT_EQ(call(codes::post, "/1", {}, kSenmlJson, R"([{"bn":"/1/3/","n":"0","v":104}])").code,
            codes::bad_request);  // exists already
  EXPECT_EQ(call(codes::post, "/9", {}, kSenmlJson, "[]").code, codes::not_found);

  EXPECT_EQ(call(codes::del, "/1/3").code, codes::deleted);
  EXPECT_EQ(call(codes::get, "/1/3").code, codes::not_found);
  EXPECT_EQ(call(codes::del, "/1/3").code, codes::not_found);
  ASSERT_TRUE(net.run_until([&] { return server.updates.size() == 2; }, net.now() + 5s));
  EXPECT_EQ(server.update_payloads[1].find("</1/3>"), std::string::npos);
}

// The client keeps the Location-Path segments until the engine encodes the 2.01: room for
// the longest ids (16-bit, five digits).
TEST_F(ClientTest, CreateAnswersTheLongestInstanceIdWhole) {
  start_and_register();
  Reply r = call(codes::post, "/1", {}, kSenmlJson,
                 R"([{"bn":"/1/65534/","n":"0","v":104},{"n":"1","v":60},{"n":"6","vb":false},)"
                 R"({"n":"7","vs":"U"}])");
  EXPECT_EQ(r.code, codes::created);
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "65534"}));
  EXPECT_EQ(call(codes::get, "/1/65534/0").payload, "104");
}

}  // namespace
}  // namespace lwm2m::test
