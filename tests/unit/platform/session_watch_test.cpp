// SPDX-License-Identifier: Apache-2.0
// When the runner gives up on a DTLS session that stopped working, with simulated time and
// RFC 7252's default timers (2-3 s to the first retransmission, then doubling): a request
// whose second retransmission is due with nothing heard since it left condemns the
// session (about 6-9 s instead of the exchange's ~93 s), and so does an idle time past the
// NAT timeout, unless the session has a Connection ID.
#include "platform/posix/session_watch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace lwm2m::posix {
namespace {

using namespace std::chrono_literals;
using V = SessionWatch::Verdict;

constexpr TimePoint kT0{Duration{1'000'000}};

std::vector<uint8_t> con(uint16_t mid) {
  return {0x44, 0x02, static_cast<uint8_t>(mid >> 8), static_cast<uint8_t>(mid), 1, 2, 3, 4};
}
std::vector<uint8_t> ack(uint16_t mid) {
  return {0x60, 0x45, static_cast<uint8_t>(mid >> 8), static_cast<uint8_t>(mid)};
}

struct Watch {
  SessionWatch w;
  uint8_t refresh_after = 2;
  Duration nat_timeout{0};
  bool cid = false;
  V send(const std::vector<uint8_t>& d, TimePoint t) {
    return w.before_send({d.data(), d.size()}, t, refresh_after, nat_timeout, cid);
  }
};

TEST(SessionWatch, ARequestUnansweredAtItsSecondRetransmissionCondemnsTheSession) {
  Watch s;
  s.w.established(kT0);
  EXPECT_EQ(s.send(con(7), kT0 + 10s), V::keep);            // the Update
  EXPECT_EQ(s.send(con(7), kT0 + 12500ms), V::keep);        // first retransmission
  EXPECT_EQ(s.send(con(7), kT0 + 17500ms), V::unanswered);  // second: replaced
  EXPECT_EQ(s.w.retransmissions(), 2);
  EXPECT_EQ(s.w.unanswered_for(kT0 + 17500ms), Duration{7500});
  // Over the new session the same message starts a new watch.
  s.w.established(kT0 + 17600ms);
  EXPECT_EQ(s.send(con(7), kT0 + 17600ms), V::keep);
  EXPECT_EQ(s.send(con(7), kT0 + 27s), V::keep);
}

TEST(SessionWatch, AnythingHeardMeansTheSessionWorks) {
  Watch s;
  s.w.established(kT0);
  EXPECT_EQ(s.send(con(1), kT0 + 1s), V::keep);
  EXPECT_EQ(s.send(con(1), kT0 + 3s), V::keep);
  s.w.heard(kT0 + 4s);  // a server request, or a late answer
  EXPECT_EQ(s.send(con(1), kT0 + 7s), V::keep);
  EXPECT_EQ(s.send(con(1), kT0 + 15s), V::keep) << "counted anew from the last answer";
  EXPECT_EQ(s.send(con(1), kT0 + 31s), V::unanswered);
}

TEST(SessionWatch, TheOldestUnansweredRequestIsTheOneWatched) {
  Watch s;
  s.w.established(kT0);
  EXPECT_EQ(s.send(con(1), kT0 + 1s), V::keep);
  EXPECT_EQ(s.send(con(2), kT0 + 2s), V::keep);  // a notification meanwhile
  EXPECT_EQ(s.send(ack(9), kT0 + 2s), V::keep);  // an answer of ours: not a request
  EXPECT_EQ(s.send(con(1), kT0 + 3s), V::keep);
  EXPECT_EQ(s.send(con(2), kT0 + 4s), V::keep);
  EXPECT_EQ(s.send(con(1), kT0 + 7s), V::unanswered);
}

TEST(SessionWatch, ZeroRetransmissionsNeverCondemns) {
  Watch s;
  s.refresh_after = 0;
  s.w.established(kT0);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(s.send(con(3), kT0 + std::chrono::seconds(1 << i)), V::keep);
}

TEST(SessionWatch, IdlePastTheNatTimeoutCondemnsTheSessionWithoutAConnectionId) {
  Watch s;
  s.nat_timeout = 60s;
  s.w.established(kT0);
  EXPECT_EQ(s.send(con(1), kT0 + 59s), V::keep);
  s.w.heard(kT0 + 59500ms);
  EXPECT_EQ(s.send(con(2), kT0 + 119s), V::keep) << "59.5 s since the last traffic";
  EXPECT_EQ(s.send(con(3), kT0 + 180s), V::idle);
  EXPECT_EQ(s.w.idle_for(), Duration{61000});
  // With a Connection ID the server finds the session from any address: kept.
  Watch c;
  c.nat_timeout = 60s;
  c.cid = true;
  c.w.established(kT0);
  EXPECT_EQ(c.send(con(1), kT0 + 600s), V::keep);
  // And no NAT timeout configured: kept.
  Watch n;
  n.w.established(kT0);
  EXPECT_EQ(n.send(con(1), kT0 + 600s), V::keep);
}

}  // namespace
}  // namespace lwm2m::posix
