// SPDX-License-Identifier: Apache-2.0
// Engine in the client role, against a scripted server: retransmission timing (RFC 7252
// §4.2, §4.8), RST, piggybacked and separate responses (§5.2), unknown tokens (§5.3.2),
// NSTART (§4.7), message IDs and tokens (§4.4, §5.3.1).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::Type;
using coap::codes::content;
using coap::codes::get;

class EngineClient : public EngineTest {
 protected:
  /// Peer P answers every CON request with a piggybacked 2.05 echoing its path.
  void auto_answer(ScriptedPeer& peer) {
    peer.on_receive = [this](ScriptedPeer& self, const ScriptedPeer::Received& r) {
      Parsed p(r.bytes);
      if (p.type() != Type::con || !p.code().is_request()) return;
      Message m = response(Type::ack, content, p.mid(), p.tok());
      std::string body = p.path();
      m.payload = as_bytes(body);
      self.send(E, encode(m));
    };
  }
};

// RFC 7252 §4.8.2 derived times for the default parameters.
TEST(TransmissionParams, DerivedTimesMatchRfc7252) {
  coap::TransmissionParams tx;
  EXPECT_EQ(tx.max_transmit_span(), 45s);
  EXPECT_EQ(tx.max_transmit_wait(), 93s);
  EXPECT_EQ(tx.exchange_lifetime(), 247s);
  EXPECT_EQ(tx.non_lifetime(), 145s);
}

// RFC 7252 §4.2: the first timeout is random in [ACK_TIMEOUT, ACK_TIMEOUT *
// ACK_RANDOM_FACTOR] = [2 s, 3 s]; each retransmission doubles it; after MAX_RETRANSMIT (4)
// retransmissions, the next timeout ends the attempt: at 31 times the first timeout.
TEST_F(EngineClient, ConRetransmitsWithExponentialBackoffThenTimesOut) {
  start();
  const TimePoint t0 = now();
  const coap::RequestId id = send_get("a/b", P);
  EXPECT_TRUE(engine().active(id));
  run_for(300s);

  auto got = received();
  auto at = arrival_times(peer_);
  ASSERT_EQ(got.size(), 5u);
  for (const Parsed& p : got) {
    EXPECT_EQ(p.type(), Type::con);
    EXPECT_EQ(p.code(), get);
    EXPECT_EQ(p.path(), "a/b");
    EXPECT_EQ(p.bytes(), got[0].bytes()) << "a retransmission is the same message";
  }
  EXPECT_EQ(at[0], t0);
  const Duration t = at[1] - at[0];
  EXPECT_GE(t, 2000ms);
  EXPECT_LE(t, 3000ms);
  EXPECT_EQ(at[2] - at[1], 2 * t);
  EXPECT_EQ(at[3] - at[2], 4 * t);
  EXPECT_EQ(at[4] - at[3], 8 * t);

  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].is_error);
  EXPECT_EQ(client_.events[0].error, Errc::timeout);
  EXPECT_EQ(client_.events[0].id, id);
  EXPECT_EQ(client_.events[0].at, t0 + 31 * t);
  EXPECT_FALSE(engine().active(id));
  EXPECT_EQ(engine().next_deadline(), kNever);
  EXPECT_EQ(engine().stats().retransmissions, 4u);
}

// The initial timeout is drawn afresh: over several seeds it takes several values, all in
// [2 s, 3 s].
TEST(EngineClientRandomness, InitialTimeoutIsRandomInRange) {
  std::set<int64_t> seen;
  for (uint64_t seed = 1; seed <= 32; ++seed) {
    XorShiftRandom rng(seed);
    coap::Engine engine(coap::EngineConfig{}, rng, nullptr);
    Message m;
    m.code = get;
    struct Null final : coap::ResponseHandler {
      void on_response(coap::RequestId, const Message&, bool) noexcept override {}
      void on_error(coap::RequestId, Errc) noexcept override {}
    } null;
    const TimePoint t0 = from_millis(5000);
    ASSERT_TRUE(engine.send_request(1, m, null, t0).ok());
    ASSERT_TRUE(engine.poll_transmit().has_value());
    const Duration first = engine.next_deadline() - t0;
    EXPECT_GE(first, 2000ms);
    EXPECT_LE(first, 3000ms);
    seen.insert(first.count());
  }
  EXPECT_GE(seen.size(), 8u);
}

// RFC 7252 §4.8: the parameters are configurable; with ACK_RANDOM_FACTOR 1.0 the timing is
// exact: timeouts of 500, 1000, 2000 ms, then the failure.
TEST_F(EngineClient, TransmissionParametersAreHonoured) {
  coap::EngineConfig cfg;
  cfg.tx.ack_timeout = 500ms;
  cfg.tx.ack_random_factor_permille = 1000;
  cfg.tx.max_retransmit = 2;
  start(cfg);
  const TimePoint t0 = now();
  send_get("x", P);
  run_for(60s);
  auto at = arrival_times(peer_);
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(at[0], t0);
  EXPECT_EQ(at[1], t0 + 500ms);
  EXPECT_EQ(at[2], t0 + 1500ms);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].error, Errc::timeout);
  EXPECT_EQ(client_.events[0].at, t0 + 3500ms);
}

TEST_F(EngineClient, RandomFactorSpreadsTheFirstTimeout) {
  coap::EngineConfig cfg;
  cfg.tx.ack_timeout = 1000ms;
  cfg.tx.ack_random_factor_permille = 2000;
  cfg.tx.max_retransmit = 1;
  start(cfg);
  const TimePoint t0 = now();
  send_get("x", P);
  run_for(60s);
  auto at = arrival_times(peer_);
  ASSERT_EQ(at.size(), 2u);
  EXPECT_GE(at[1] - t0, 1000ms);
  EXPECT_LE(at[1] - t0, 2000ms);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].at, t0 + 3 * (at[1] - t0));
}

// RFC 7252 §4.2: RST in reply to the CON ends the exchange (Errc::reset).
TEST_F(EngineClient, RstFailsTheRequestWithReset) {
  start();
  peer_.on_receive = [&](ScriptedPeer& self, const ScriptedPeer::Received& r) {
    self.send(E, empty_message(Type::rst, Parsed(r.bytes).mid()));
  };
  const coap::RequestId id = send_get("a", P);
  run_for(100s);
  EXPECT_EQ(received().size(), 1u) << "no retransmission after RST";
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].is_error);
  EXPECT_EQ(client_.events[0].error, Errc::reset);
  EXPECT_EQ(client_.events[0].id, id);
  EXPECT_EQ(client_.events[0].at, kStart);
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// RFC 7252 §5.2.1: the ACK carries the response; no retransmission afterwards.
TEST_F(EngineClient, PiggybackedResponse) {
  start();
  auto_answer(peer_);
  const coap::RequestId id = send_get("temp", P);
  run_for(100s);
  EXPECT_EQ(received().size(), 1u);
  ASSERT_EQ(client_.events.size(), 1u);
  const auto& e = client_.events[0];
  EXPECT_FALSE(e.is_error);
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.type, Type::ack);
  EXPECT_EQ(e.code, content);
  EXPECT_EQ(e.payload, "temp");
  EXPECT_TRUE(e.final);
  EXPECT_FALSE(engine().active(id));
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// RFC 7252 §5.2.2: an empty ACK stops retransmission; the CON separate response is
// acknowledged with an empty ACK carrying its MID; a duplicate of it is acknowledged again
// (§4.5) but delivered once.
TEST_F(EngineClient, SeparateResponseIsAcknowledgedAndDeliveredOnce) {
  start();
  const coap::RequestId id = send_get("slow", P);
  run_for(0ms);
  auto req = received();
  ASSERT_EQ(req.size(), 1u);
  peer_.send(E, empty_message(Type::ack, req[0].mid()));
  run_for(20s);
  EXPECT_EQ(received().size(), 1u) << "retransmitted after the empty ACK";
  EXPECT_TRUE(client_.events.empty());
  EXPECT_TRUE(engine().active(id));

  Message resp = response(Type::con, content, 0x7000, req[0].tok());
  resp.payload = as_bytes("done");
  peer_send(resp);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].is_empty_ack());
  EXPECT_EQ(got[1].mid(), 0x7000);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].payload, "done");
  EXPECT_TRUE(client_.events[0].final);
  EXPECT_EQ(client_.events[0].type, Type::con);

  peer_send(resp, 2s);  // our ACK was lost, the server retransmits
  got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].bytes(), got[1].bytes());
  EXPECT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// RFC 7252 §5.2.2: the separate response may arrive before the empty ACK (lost); it
// implies the acknowledgement, so retransmission stops.
TEST_F(EngineClient, SeparateResponseWithoutEmptyAckStopsRetransmission) {
  start();
  send_get("slow", P);
  run_for(0ms);
  auto req = received();
  ASSERT_EQ(req.size(), 1u);
  peer_send(response(Type::con, content, 0x7001, req[0].tok()));
  run_for(100s);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].is_empty_ack());
  EXPECT_EQ(got[1].mid(), 0x7001);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].final);
}

// A NON separate response is delivered and not acknowledged.
TEST_F(EngineClient, NonSeparateResponseIsNotAcknowledged) {
  start();
  send_get("slow", P);
  run_for(0ms);
  auto req = received();
  ASSERT_EQ(req.size(), 1u);
  peer_.send(E, empty_message(Type::ack, req[0].mid()));
  run_for(1s);
  peer_send(response(Type::non, content, 0x7002, req[0].tok()), 10s);
  EXPECT_EQ(received().size(), 1u);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].type, Type::non);
}

// RFC 7252 §5.3.2/§4.2: a response whose token matches no request is rejected with RST; an
// ACK whose MID matches nothing is ignored.
TEST_F(EngineClient, ResponseWithUnknownTokenGetsRst) {
  start();
  peer_send(response(Type::con, content, 0x7100, token({0xEE, 0xEE})));
  peer_send(response(Type::non, content, 0x7101, token({0xEF})));
  peer_send(response(Type::ack, content, 0x7102, token({0xF0})));
  peer_raw(empty_message(Type::ack, 0x7103));
  run_for(10s);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].is_rst());
  EXPECT_EQ(got[0].mid(), 0x7100);
  EXPECT_TRUE(got[1].is_rst());
  EXPECT_EQ(got[1].mid(), 0x7101);
  EXPECT_TRUE(client_.events.empty());
}

// A response from another endpoint with the right token is not ours (§5.3.2: token and
// endpoint match).
TEST_F(EngineClient, ResponseFromAnotherPeerDoesNotMatch) {
  start();
  send_get("a", P);
  run_for(0ms);
  auto req = received();
  ASSERT_EQ(req.size(), 1u);
  peer2_.send(E, encode(response(Type::con, content, 0x7200, req[0].tok())));
  run_for(1s);
  EXPECT_TRUE(client_.events.empty());
  auto got2 = received(peer2_);
  ASSERT_EQ(got2.size(), 1u);
  EXPECT_TRUE(got2[0].is_rst());
}

// RFC 7252 §4.7 with NSTART 1: a second CON to the same peer waits until the first is
// acknowledged; another peer is not blocked.
TEST_F(EngineClient, NstartHoldsTheSecondRequestToTheSamePeer) {
  start();
  send_get("first", P);
  send_get("second", P);
  send_get("other", P2);
  run_for(1s);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path(), "first");
  auto got2 = received(peer2_);
  ASSERT_EQ(got2.size(), 1u);
  EXPECT_EQ(got2[0].path(), "other");
  EXPECT_EQ(arrival_times(peer2_)[0], kStart);

  const TimePoint ack_at = now();
  peer_send(response(Type::ack, content, got[0].mid(), got[0].tok()));
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].path(), "second");
  EXPECT_EQ(arrival_times(peer_)[1], ack_at);
}

// An empty ACK ends the outstanding interaction (§4.7: "neither a response nor an
// Acknowledgment"), so the queued request starts.
TEST_F(EngineClient, NstartReleasedByEmptyAck) {
  start();
  send_get("first", P);
  send_get("second", P);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  peer_.send(E, empty_message(Type::ack, got[0].mid()));
  run_for(0ms);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].path(), "second");
}

// A failed first request releases the queue too, at the moment it fails.
TEST_F(EngineClient, NstartReleasedByTimeoutAndByReset) {
  start();
  const coap::RequestId first = send_get("first", P);
  send_get("second", P);
  ASSERT_TRUE(net_.run_until([&] { return !client_.events.empty(); }, now() + 200s));
  ASSERT_EQ(client_.events[0].id, first);
  const TimePoint failed_at = client_.events[0].at;
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 6u);  // 5 copies of the first, then the second
  EXPECT_EQ(got[5].path(), "second");
  EXPECT_EQ(arrival_times(peer_)[5], failed_at);

  const coap::RequestId third = send_get("third", P);
  peer_send(response(Type::rst, coap::codes::empty, got[5].mid(), coap::Token{}));
  got = received();
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[6].path(), "third");
  EXPECT_TRUE(engine().active(third));
}

// abandon() ends a request in flight without a word to the peer: no more retransmissions,
// no callback, a late response gets RST, and the request queued behind it starts at once.
TEST_F(EngineClient, AbandonEndsARequestSilentlyAndStartsTheNextOne) {
  start();
  const coap::RequestId first = send_get("first", P);
  send_get("second", P);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  const TimePoint abandoned_at = now();
  engine().abandon(first, now());
  EXPECT_FALSE(engine().active(first));
  run_for(0ms);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].path(), "second");
  EXPECT_EQ(arrival_times(peer_)[1], abandoned_at);
  peer_send(response(Type::ack, content, got[1].mid(), got[1].tok()));
  run_for(300s);
  got = received();
  ASSERT_EQ(got.size(), 2u) << "the abandoned request is not retransmitted";
  ASSERT_EQ(client_.events.size(), 1u);  // only the second request's response
  EXPECT_NE(client_.events[0].id, first);

  peer_send(response(Type::con, content, 0x777, got[0].tok()));  // late separate response
  got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[2].is_rst());
  EXPECT_EQ(client_.events.size(), 1u);
  engine().abandon(first, now());  // twice is harmless
}

// RFC 7252 §4.4: message IDs follow each other; §5.3.1: tokens are random, distinct and as
// long as configured.
TEST_F(EngineClient, MessageIdsIncreaseAndTokensAreRandomAndDistinct) {
  coap::EngineConfig cfg;
  cfg.token_length = 8;
  start(cfg);
  auto_answer(peer_);
  int remaining = 30;
  client_.then = [&](const RecordingResponseHandler::Event&) {
    if (--remaining > 0) send_get("n", P);
  };
  send_get("n", P);
  run_for(10s);
  auto got = received();
  ASSERT_EQ(got.size(), 30u);
  std::set<std::string> tokens;
  std::set<uint8_t> first_bytes;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].tok().length, 8);
    tokens.insert(hex(got[i].tok()));
    first_bytes.insert(got[i].tok().bytes[0]);
    if (i > 0) {
      EXPECT_EQ(got[i].mid(), static_cast<uint16_t>(got[i - 1].mid() + 1));
    }
  }
  EXPECT_EQ(tokens.size(), got.size());
  EXPECT_GT(first_bytes.size(), 10u) << "tokens look sequential, not random";
  EXPECT_EQ(client_.responses(), 30u);
}

// RFC 7252 §5.2.3: a NON request is sent once, never retransmitted; its NON response ends
// the exchange and is not acknowledged.
TEST_F(EngineClient, NonRequestIsSentOnce) {
  start();
  coap::RequestOptions non;
  non.confirmable = false;
  send_get("n", P, non);
  run_for(30s);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), Type::non);
  peer_send(response(Type::non, content, 0x7300, got[0].tok()), 10s);
  EXPECT_EQ(received().size(), 1u);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].final);
}

// next_deadline(): kNever when idle; the earliest retransmission otherwise.
TEST_F(EngineClient, NextDeadlineIsTheEarliestRetransmission) {
  start();
  EXPECT_EQ(engine().next_deadline(), kNever);
  send_get("a", P);
  const TimePoint da = engine().next_deadline();
  ASSERT_NE(da, kNever);
  run_for(500ms);
  send_get("b", P2);
  const TimePoint d = engine().next_deadline();
  ASSERT_TRUE(net_.run_until(
      [&] { return peer_.received_count() >= 2 && peer2_.received_count() >= 2; }, now() + 20s));
  const TimePoint ta = arrival_times(peer_)[1];
  const TimePoint tb = arrival_times(peer2_)[1];
  EXPECT_EQ(ta, da) << "the retransmission happens at the announced deadline";
  EXPECT_EQ(d, std::min(ta, tb));

  auto a = received();
  auto b = received(peer2_);
  peer_.send(E, encode(response(Type::ack, content, a.back().mid(), a.back().tok())));
  peer2_.send(E, encode(response(Type::ack, content, b.back().mid(), b.back().tok())));
  run_for(0ms);
  EXPECT_EQ(client_.responses(), 2u);
  EXPECT_EQ(engine().next_deadline(), kNever);
}

}  // namespace
}  // namespace lwm2m::test
