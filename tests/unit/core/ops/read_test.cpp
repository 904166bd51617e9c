// SPDX-License-Identifier: Apache-2.0
// ops::read: values in the negotiated format and the spec's error codes.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, ReadAnswersAValueInTheAcceptedFormatOrTheSpecError) {
  start_and_register();
  Reply r = call(codes::get, "/1/0/1");
  EXPECT_EQ(r.code, codes::content);
  EXPECT_EQ(r.content_format, kText);
  EXPECT_EQ(r.payload, "300");
  r = call(codes::get, "/1/0", kSenmlJson);
  EXPECT_EQ(r.content_format, kSenmlJson);
  EXPECT_NE(r.payload.find(R"("n":"1","v":300)"), std::string::npos) << r.payload;
  EXPECT_EQ(call(codes::get, "/1/9").code, codes::not_found);
  EXPECT_EQ(call(codes::get, "/1/0/8").code, codes::method_not_allowed);  // executable
  EXPECT_EQ(call(codes::get, "/1/0", kText).code, codes::not_acceptable);
}

}  // namespace
}  // namespace lwm2m::test
