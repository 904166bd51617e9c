// SPDX-License-Identifier: Apache-2.0
// The engine's 32-bit clock (src/coap/tick.hpp): milliseconds since an epoch that moves
// forward when a tick would reach 2^31, every stored deadline and expiry moving back by as
// much. Nothing a peer sees changes with the time of day: retransmission timing (RFC 7252
// §4.2) and deduplication (§4.5) hold across the epoch's moves, and an expired answer
// stays expired however long the engine is left without input.
#include <gtest/gtest.h>

#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::Type;
using coap::codes::get;

class EngineClock : public EngineTest {
 protected:
  /// Runs the idle network until `t`.
  void run_until(TimePoint t) { ASSERT_TRUE(net_.run_until(t)); }

  /// A CON GET from now on: its 4 retransmissions at t, 3t, 7t and 15t after the first
  /// copy, and its timeout at 31t (t in [2 s, 3 s]).
  void expect_rfc_backoff() {
    const size_t sent_before = peer_.inbox().size();
    const size_t events_before = client_.events.size();
    const TimePoint t0 = now();
    const coap::RequestId id = send_get("a", P);
    run_for(300s);
    const auto at = arrival_times(peer_);
    ASSERT_EQ(at.size(), sent_before + 5);
    const auto* first = &at[sent_before];
    EXPECT_EQ(first[0], t0);
    const Duration t = first[1] - first[0];
    EXPECT_GE(t, 2000ms);
    EXPECT_LE(t, 3000ms);
    EXPECT_EQ(first[2] - first[1], 2 * t);
    EXPECT_EQ(first[3] - first[2], 4 * t);
    EXPECT_EQ(first[4] - first[3], 8 * t);
    ASSERT_EQ(client_.events.size(), events_before + 1);
    EXPECT_EQ(client_.events.back().error, Errc::timeout);
    EXPECT_EQ(client_.events.back().at, t0 + 31 * t);
    EXPECT_FALSE(engine().active(id));
    EXPECT_EQ(engine().next_deadline(), kNever);
  }
};

// The exchanges straddle 2^31 ms and 2^32 ms after the engine's first epoch (where a tick
// kept without moving the epoch would turn negative, then wrap), and run on a clock far
// from 0 (milliseconds since 1970): the same backoff every time.
TEST_F(EngineClock, RetransmissionsKeepTheirTimingWhereverTheClockIs) {
  start();
  for (const int64_t at :
       {(int64_t{1} << 31) - 5000, (int64_t{1} << 32) - 5000, int64_t{1'765'000'000'000}}) {
    SCOPED_TRACE(at);
    run_until(from_millis(at));
    expect_rfc_backoff();
  }
}

// next_deadline() is a TimePoint on the driver's clock whichever epoch the engine counts
// from.
TEST_F(EngineClock, NextDeadlineIsOnTheDriversClock) {
  start();
  run_until(from_millis(int64_t{1'765'000'000'000}));
  const TimePoint t0 = now();
  send_get("a", P);
  const TimePoint d = engine().next_deadline();
  EXPECT_GE(d, t0 + 2000ms);
  EXPECT_LE(d, t0 + 3000ms);
}

// A retransmitted request is answered from the cache across a move of the epoch (the
// expiry moves with it), and an answer left alone for 30 days (more than 2^31 ms: a 32-bit
// expiry compared with wrap-around would look live again) is gone: the same MID is a new
// request then.
TEST_F(EngineClock, DeduplicationHoldsAcrossTheEpochsMoveAndEndsAfterALongSilence) {
  start();
  int n = 0;
  server_.serve = [&](const coap::IncomingRequest&, coap::Response& r) {
    r.write("call " + std::to_string(++n));
  };
  run_until(from_millis((int64_t{1} << 31) - 100'000));
  const Message req = request(Type::con, get, 0x6300, token({3}), "counter");
  peer_send(req, 200s);  // the duplicate comes 200 s later, past 2^31 ms
  peer_send(req);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].bytes(), got[0].bytes());
  EXPECT_EQ(n, 1);

  run_for(Duration{int64_t{30} * 24 * 3600 * 1000});
  peer_send(req);
  got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].payload(), "call 2");
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace lwm2m::test
