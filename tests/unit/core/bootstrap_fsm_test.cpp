// SPDX-License-Identifier: Apache-2.0
// BootstrapFsm on simulated time: hold-off, request, wait for Finish, retries with a
// doubling delay, giving up, and finishing.
#include "core/bootstrap_fsm.hpp"

#include <gtest/gtest.h>

namespace lwm2m::test {
namespace {

using core::BootstrapAction;
using core::BootstrapFsm;
using core::BootstrapState;

TimePoint at(int64_t ms) {
  return from_millis(ms);
}

BootstrapFsm fsm_with(uint8_t attempts = 3) {
  core::BootstrapPolicy p;
  p.timeout = Duration{10000};
  p.retry = Duration{5000};
  p.attempts = attempts;
  return BootstrapFsm(p);
}

TEST(BootstrapFsm, IdleUntilStartedThenRequestsAfterTheHoldOff) {
  BootstrapFsm fsm = fsm_with();
  EXPECT_EQ(fsm.poll(at(0)), BootstrapAction::none);
  EXPECT_FALSE(fsm.active());
  EXPECT_EQ(fsm.deadline(), kNever);
  fsm.start(at(0), Duration{3000});
  EXPECT_TRUE(fsm.active());
  EXPECT_EQ(fsm.deadline(), at(3000));
  EXPECT_EQ(fsm.poll(at(2999)), BootstrapAction::none);
  EXPECT_EQ(fsm.poll(at(3000)), BootstrapAction::send_request);
  EXPECT_EQ(fsm.state(), BootstrapState::requesting);
  EXPECT_EQ(fsm.attempts(), 1);
  EXPECT_EQ(fsm.deadline(), kNever);  // the exchange's own timeout reports failure
  EXPECT_EQ(fsm.poll(at(9000)), BootstrapAction::none);
}

TEST(BootstrapFsm, WaitsForFinishAndTimesOutWithoutIt) {
  BootstrapFsm fsm = fsm_with();
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  fsm.on_request_response(true, at(100));
  EXPECT_EQ(fsm.state(), BootstrapState::in_progress);
  EXPECT_EQ(fsm.deadline(), at(10100));
  // Each request of the bootstrap server restarts the wait.
  fsm.on_server_request(at(5000));
  EXPECT_EQ(fsm.deadline(), at(15000));
  EXPECT_EQ(fsm.poll(at(14999)), BootstrapAction::none);
  EXPECT_EQ(fsm.poll(at(15000)), BootstrapAction::timed_out);
  EXPECT_EQ(fsm.state(), BootstrapState::hold_off);
  EXPECT_EQ(fsm.deadline(), at(20000));  // the first retry delay
}

// The periods are kept in 32 bits of milliseconds: 49 days and a bit to the millisecond,
// longer counts as 2^32 - 1 ms; the doubled retry delay is not cut to 32 bits.
TEST(BootstrapFsm, PeriodsCountToTheMillisecondUpTo49Days) {
  const int64_t max32 = int64_t{UINT32_MAX};
  core::BootstrapPolicy p;
  p.timeout = Duration{max32};
  p.retry = Duration{max32 - 1};
  p.attempts = 3;
  BootstrapFsm fsm(p);
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  fsm.on_request_response(true, at(1));
  EXPECT_EQ(fsm.deadline(), at(1 + max32));
  ASSERT_EQ(fsm.poll(at(1 + max32)), BootstrapAction::timed_out);
  EXPECT_EQ(fsm.deadline(), at(1 + max32 + max32 - 1));
  ASSERT_EQ(fsm.poll(at(1 + max32 + max32 - 1)), BootstrapAction::send_request);
  EXPECT_FALSE(fsm.on_failure(at(0)));
  EXPECT_EQ(fsm.deadline(), at(2 * (max32 - 1)));  // doubled beyond 32 bits

  p.timeout = Duration{max32 + 1000};  // beyond 32 bits: counts as 2^32 - 1 ms
  p.retry = Duration{-5};              // negative: no delay
  fsm.set_policy(p);
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  fsm.on_request_response(true, at(0));
  EXPECT_EQ(fsm.deadline(), at(max32));
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  EXPECT_FALSE(fsm.on_failure(at(10)));
  EXPECT_EQ(fsm.deadline(), at(10));
}

TEST(BootstrapFsm, RetriesWithADoublingDelayThenGivesUp) {
  BootstrapFsm fsm = fsm_with(3);
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  EXPECT_FALSE(fsm.on_failure(at(1000)));
  EXPECT_EQ(fsm.deadline(), at(6000));  // 5 s
  ASSERT_EQ(fsm.poll(at(6000)), BootstrapAction::send_request);
  fsm.on_request_response(false, at(7000));  // an error answer counts the same
  EXPECT_EQ(fsm.deadline(), at(17000));      // 10 s
  ASSERT_EQ(fsm.poll(at(17000)), BootstrapAction::send_request);
  EXPECT_EQ(fsm.attempts(), 3);
  EXPECT_TRUE(fsm.on_failure(at(18000)));  // the third attempt was the last
  EXPECT_TRUE(fsm.gave_up());
  EXPECT_FALSE(fsm.active());
  EXPECT_EQ(fsm.deadline(), kNever);
  EXPECT_EQ(fsm.poll(at(100000)), BootstrapAction::none);
  // A new start (e.g. the Bootstrap-Request Trigger) counts afresh.
  fsm.start(at(200000), Duration{0});
  EXPECT_FALSE(fsm.gave_up());
  EXPECT_EQ(fsm.poll(at(200000)), BootstrapAction::send_request);
  EXPECT_EQ(fsm.attempts(), 1);
}

TEST(BootstrapFsm, FinishIsReportedOnceAtTheNextPollAndEndsTheBootstrap) {
  BootstrapFsm fsm = fsm_with();
  fsm.start(at(0), Duration{0});
  ASSERT_EQ(fsm.poll(at(0)), BootstrapAction::send_request);
  fsm.on_request_response(true, at(100));
  fsm.on_finish_accepted(at(2000));
  EXPECT_TRUE(fsm.active());
  EXPECT_EQ(fsm.deadline(), at(2000));  // due at once, after the 2.04 went out
  EXPECT_EQ(fsm.poll(at(2000)), BootstrapAction::finished);
  EXPECT_FALSE(fsm.active());
  EXPECT_EQ(fsm.attempts(), 0);
  EXPECT_EQ(fsm.poll(at(50000)), BootstrapAction::none);
}

TEST(BootstrapFsm, AServerInitiatedBootstrapStartsFromIdle) {
  BootstrapFsm fsm = fsm_with();
  fsm.on_server_request(at(1000));
  EXPECT_EQ(fsm.state(), BootstrapState::in_progress);
  EXPECT_EQ(fsm.deadline(), at(11000));
  fsm.on_finish_accepted(at(3000));
  EXPECT_EQ(fsm.poll(at(3000)), BootstrapAction::finished);
}

TEST(BootstrapFsm, ARequestDuringHoldOffDoesNotCancelOurs) {
  BootstrapFsm fsm = fsm_with();
  fsm.start(at(0), Duration{5000});
  fsm.on_server_request(at(1000));
  EXPECT_EQ(fsm.state(), BootstrapState::hold_off);
  EXPECT_EQ(fsm.poll(at(5000)), BootstrapAction::send_request);
}

TEST(BootstrapFsm, StopEndsEverything) {
  BootstrapFsm fsm = fsm_with();
  fsm.start(at(0), Duration{0});
  fsm.stop();
  EXPECT_FALSE(fsm.active());
  EXPECT_EQ(fsm.poll(at(1000)), BootstrapAction::none);
}

}  // namespace
}  // namespace lwm2m::test
