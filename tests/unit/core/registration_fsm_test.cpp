// SPDX-License-Identifier: Apache-2.0
#include "core/registration_fsm.hpp"

#include <gtest/gtest.h>

namespace lwm2m::core {
namespace {

using std::chrono::seconds;
using A = RegistrationAction;
using S = RegistrationState;

TimePoint at(int64_t s) {
  return from_millis(s * 1000);
}

TEST(RegistrationFsm, RegistersAtOnceThenUpdatesBeforeLifetimeRunsOut) {
  RegistrationFsm fsm;
  fsm.set_lifetime(300);
  fsm.start(at(0));
  EXPECT_EQ(fsm.poll(at(0)), A::send_register);
  EXPECT_EQ(fsm.poll(at(0)), A::none);
  fsm.on_register_response(true, at(1));
  EXPECT_EQ(fsm.state(), S::registered);
  // max(300/2, 300 - 93) = 207 s after the registration.
  EXPECT_EQ(fsm.deadline(), at(208));
  EXPECT_EQ(fsm.poll(at(207)), A::none);
  EXPECT_EQ(fsm.poll(at(208)), A::send_update);
  fsm.on_update_response(true, false, at(209));
  EXPECT_EQ(fsm.deadline(), at(416));
}

TEST(RegistrationFsm, ChangeDuringTheRegisterInFlightIsSentInAnUpdateRightAfter) {
  RegistrationFsm fsm;
  fsm.set_lifetime(300);
  fsm.start(at(0));
  fsm.request_update(at(0));  // before the Register: it carries the change
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.request_update(at(0));  // while it is in flight: its payload is already stale
  fsm.on_register_response(true, at(1));
  EXPECT_EQ(fsm.poll(at(1)), A::send_update);
  fsm.on_update_response(true, false, at(1));
  EXPECT_EQ(fsm.deadline(), at(208));  // then back to the lifetime schedule

  // A change before the Register went out needs no Update of its own.
  RegistrationFsm fresh;
  fresh.set_lifetime(300);
  fresh.start(at(0));
  fresh.request_update(at(0));
  ASSERT_EQ(fresh.poll(at(0)), A::send_register);
  fresh.on_register_response(true, at(1));
  EXPECT_EQ(fresh.poll(at(1)), A::none);
}

TEST(RegistrationFsm, ShortLifetimeUpdatesAtHalfLifetime) {
  RegistrationFsm fsm;
  fsm.set_lifetime(20);
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_register_response(true, at(0));
  EXPECT_EQ(fsm.deadline(), at(10));
  EXPECT_LT(fsm.deadline(), at(20));  // before the registration expires
}

TEST(RegistrationFsm, InfiniteLifetimeSchedulesNoUpdate) {
  RegistrationFsm fsm;
  fsm.set_lifetime(0);
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_register_response(true, at(0));
  EXPECT_EQ(fsm.deadline(), kNever);
}

TEST(RegistrationFsm, UpdateAnsweredNotFoundLeadsToFreshRegister) {
  RegistrationFsm fsm;
  fsm.set_lifetime(60);
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_register_response(true, at(0));
  fsm.request_update(at(5));
  ASSERT_EQ(fsm.poll(at(5)), A::send_update);
  fsm.on_update_response(false, true, at(6));
  EXPECT_EQ(fsm.state(), S::waiting);
  EXPECT_EQ(fsm.poll(at(6)), A::send_register);
}

TEST(RegistrationFsm, LostUpdateDoesNotStallTheClient) {
  RegistrationFsm fsm;
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_register_response(true, at(0));
  fsm.request_update(at(1));
  ASSERT_EQ(fsm.poll(at(1)), A::send_update);
  fsm.on_timeout(at(94));
  EXPECT_EQ(fsm.poll(at(94)), A::send_register);
}

TEST(RegistrationFsm, RetriesWithExponentialBackoffThenGivesUp) {
  RetryPolicy p;  // 5 attempts, 60 s doubling, 1 sequence
  RegistrationFsm fsm(p);
  fsm.start(at(0));
  int64_t t = 0;
  const int64_t waits[] = {60, 120, 240, 480};
  for (int64_t w : waits) {
    ASSERT_EQ(fsm.poll(at(t)), A::send_register);
    fsm.on_timeout(at(t));
    EXPECT_EQ(fsm.state(), S::waiting);
    EXPECT_EQ(fsm.deadline(), at(t + w));
    EXPECT_EQ(fsm.poll(at(t + w - 1)), A::none);
    t += w;
  }
  ASSERT_EQ(fsm.poll(at(t)), A::send_register);
  fsm.on_register_response(false, at(t));
  EXPECT_EQ(fsm.state(), S::failed);
  EXPECT_EQ(fsm.deadline(), kNever);
}

TEST(RegistrationFsm, SequenceDelayBetweenSequences) {
  RetryPolicy p;
  p.communication_retry_count = 2;
  p.communication_retry_timer_s = 10;
  p.sequence_delay_timer_s = 1000;
  p.sequence_retry_count = 2;
  RegistrationFsm fsm(p);
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_timeout(at(0));
  EXPECT_EQ(fsm.deadline(), at(10));
  ASSERT_EQ(fsm.poll(at(10)), A::send_register);
  fsm.on_timeout(at(10));
  EXPECT_EQ(fsm.deadline(), at(1010));  // second sequence after the delay
  ASSERT_EQ(fsm.poll(at(1010)), A::send_register);
  fsm.on_register_response(true, at(1011));
  EXPECT_EQ(fsm.state(), S::registered);
  EXPECT_EQ(fsm.attempt(), 0u);
}

TEST(RegistrationFsm, DeregisterWhenRegisteredAndSilentlyOtherwise) {
  RegistrationFsm fsm;
  fsm.start(at(0));
  fsm.request_deregister(at(0));  // not registered yet: nothing to send
  EXPECT_EQ(fsm.state(), S::idle);
  EXPECT_EQ(fsm.poll(at(0)), A::none);

  fsm.start(at(1));
  ASSERT_EQ(fsm.poll(at(1)), A::send_register);
  fsm.request_deregister(at(1));  // while the Register is in flight
  fsm.on_register_response(true, at(2));
  EXPECT_EQ(fsm.poll(at(2)), A::send_deregister);
  fsm.on_deregister_done(at(3));
  EXPECT_EQ(fsm.state(), S::idle);
  EXPECT_EQ(fsm.deadline(), kNever);
}

TEST(RegistrationFsm, UpdateRequestedDuringUpdateIsSentAfterwards) {
  RegistrationFsm fsm;
  fsm.start(at(0));
  ASSERT_EQ(fsm.poll(at(0)), A::send_register);
  fsm.on_register_response(true, at(0));
  fsm.request_update(at(1));
  ASSERT_EQ(fsm.poll(at(1)), A::send_update);
  fsm.request_update(at(2));
  EXPECT_EQ(fsm.poll(at(2)), A::none);
  fsm.on_update_response(true, false, at(3));
  EXPECT_EQ(fsm.poll(at(3)), A::send_update);
}

}  // namespace
}  // namespace lwm2m::core
