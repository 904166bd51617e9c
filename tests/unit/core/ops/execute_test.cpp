// SPDX-License-Identifier: Apache-2.0
// ops::execute: arguments checked, the handler run, the core's effects after the answer.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, ExecuteRunsTheResourceAndTheCoreActsAfterwards) {
  start_and_register();
  EXPECT_EQ(call(codes::post, "/1/0/8", {}, {}, "0='x',1").code, codes::changed);
  ASSERT_TRUE(net.run_until([&] { return server.updates.size() == 1; }, net.now() + 5s));
  EXPECT_EQ(call(codes::post, "/1/0/8", {}, {}, "0='x").code, codes::bad_request);
  EXPECT_EQ(call(codes::post, "/3/0/0").code, codes::method_not_allowed);  // not executable
  EXPECT_EQ(call(codes::post, "/3/1/4").code, codes::not_found);
  rig.drain_events();
  EXPECT_EQ(call(codes::post, "/3/0/5").code, codes::changed);
  net.run_for(10ms);
  EXPECT_TRUE(has_event(rig.drain_events(), core::EventKind::factory_reset));
}

}  // namespace
}  // namespace lwm2m::test
