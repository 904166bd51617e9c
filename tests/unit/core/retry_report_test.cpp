// SPDX-License-Identifier: Apache-2.0
// What the client tells its driver about failed registration attempts, in simulated time:
// one event per failed attempt with the next one's due time in server_status(), the end of
// the retry sequence, gave_up() once nothing is left to try, and start() beginning again.
#include <gtest/gtest.h>

#include <cstring>

#include "core/client_fixture.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using coap::codes::forbidden;

struct RetryReportTest : ClientTest {
  core::ServerStatus status() { return rig.client->server_status(0); }
  size_t count(const std::vector<core::Event>& events, core::EventKind k) {
    size_t n = 0;
    for (const core::Event& e : events)
      n += e.kind == k;
    return n;
  }
};

TEST_F(RetryReportTest, EachFailedAttemptSaysWhyAndWhenTheNextIsDueThenTheSequenceEnds) {
  server.reject_register = forbidden;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  // Communication Retry Timer 2 s (the rig's Server object), doubled after each attempt;
  // Communication Retry Count 5: four retries are announced, the fifth failure ends it.
  for (uint32_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(net.run_until([&] { return status().failed_attempts == n; }, net.now() + 60s)) << n;
    EXPECT_STREQ(status().state, "waiting");
    EXPECT_EQ(status().next_due - net.now(), Duration{2000} * (1 << (n - 1))) << n;
    std::vector<core::Event> events = rig.drain_events();
    ASSERT_EQ(count(events, core::EventKind::register_attempt_failed), 1u) << n;
    EXPECT_EQ(events.back().error, Errc::forbidden);
    EXPECT_EQ(events.back().ssid, 101);
    EXPECT_FALSE(rig.client->gave_up());
  }
  ASSERT_TRUE(net.run_until([&] { return rig.client->gave_up(); }, net.now() + 60s));
  std::vector<core::Event> events = rig.drain_events();
  EXPECT_EQ(count(events, core::EventKind::register_attempt_failed), 0u);
  ASSERT_EQ(count(events, core::EventKind::registration_failed), 1u);
  EXPECT_EQ(events.back().error, Errc::forbidden);
  EXPECT_STREQ(status().state, "failed");
  EXPECT_EQ(status().next_due, kNever);
  EXPECT_EQ(server.registers.size(), 0u);
}

TEST_F(RetryReportTest, StartAfterGivingUpBeginsAFreshSequence) {
  server.reject_register = forbidden;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->gave_up(); }, net.now() + 120s));
  server.reject_register.reset();
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  EXPECT_FALSE(rig.client->gave_up());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 10s));
  EXPECT_STREQ(status().state, "registered");
  EXPECT_EQ(status().lifetime_s, 300u);
  EXPECT_EQ(status().failed_attempts, 0u);
  // The next Update is due before the lifetime runs out.
  EXPECT_LT(status().next_due, net.now() + 300s);
  EXPECT_GT(status().next_due, net.now() + 100s);
}

TEST_F(RetryReportTest, AClientThatIsRegisteredOrStoppedHasNotGivenUp) {
  EXPECT_FALSE(rig.client->gave_up());  // not started
  start_and_register();
  EXPECT_FALSE(rig.client->gave_up());
  rig.client->stop(net.now());
  ASSERT_TRUE(net.run_until([&] { return rig.client->stopped(); }, net.now() + 10s));
  EXPECT_FALSE(rig.client->gave_up());
  EXPECT_STREQ(status().state, "idle");
}

}  // namespace
}  // namespace lwm2m::test
