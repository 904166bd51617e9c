// SPDX-License-Identifier: Apache-2.0
// Observe (RFC 7641) in both roles: registration, notifications and their sequence numbers,
// cancellation by RST, by timeout and by deregistration, replacement of an outstanding CON
// notification, error notifications, and the client's freshness rule (§3.4).
#include <gtest/gtest.h>

#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::ObservationId;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::content;
using coap::codes::get;

class EngineObserveServer : public EngineTest {
 protected:
  void SetUp() override {
    server_.serve = [this](const coap::IncomingRequest& req, Response& r) {
      if (req.observe_register) {
        auto id = r.accept_observe(42);
        if (id.ok()) obs_ = *id;
      }
      if (fail_next_) r.set_code(coap::codes::not_found);
      r.write("v0");
    };
  }
  /// Peer P registers (GET /obs, Observe 0) with token 0x0B.
  void register_observer(Type type = Type::con, uint16_t mid = 0x100) {
    Message m = request(type, get, mid, token({0x0B}), "obs");
    ASSERT_TRUE(m.add_uint(OptionNumber::observe, 0).ok());
    peer_send(m);
  }
  Status notify(bool con, std::string body) {
    return engine().notify(*obs_, con, now(), [&](Response& r) { r.write(body); });
  }
  /// Peer P acknowledges every CON it receives.
  void ack_everything() {
    peer_.on_receive = [this](ScriptedPeer& self, const ScriptedPeer::Received& r) {
      Parsed p(r.bytes);
      if (p.type() == Type::con) self.send(E, empty_message(Type::ack, p.mid()));
    };
  }
  std::optional<ObservationId> obs_;
  bool fail_next_ = false;
};

// RFC 7641 §4.1/§4.2: the response to a registration carries Observe and the request's
// token; notifications carry the same token and increasing Observe numbers (§4.4), as
// NON or CON as asked.
TEST_F(EngineObserveServer, NotificationsCarryTokenAndIncreasingObserve) {
  start();
  ack_everything();
  register_observer();
  ASSERT_TRUE(obs_.has_value());
  EXPECT_TRUE(engine().observing(*obs_));
  EXPECT_EQ(engine().observation_count(), 1u);
  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_TRUE(server_.calls[0].observe_register);

  ASSERT_TRUE(notify(false, "a").ok());
  run_for(1s);
  ASSERT_TRUE(notify(false, "b").ok());
  run_for(1s);
  ASSERT_TRUE(notify(true, "c").ok());
  run_for(1s);
  ASSERT_TRUE(notify(false, "d").ok());
  run_for(100s);

  auto got = received();
  ASSERT_EQ(got.size(), 5u);  // registration response + 4 notifications, no retransmission
  EXPECT_EQ(got[0].type(), Type::ack);
  EXPECT_EQ(got[0].mid(), 0x100);
  const Type types[] = {Type::ack, Type::non, Type::non, Type::con, Type::non};
  const char* bodies[] = {"v0", "a", "b", "c", "d"};
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].type(), types[i]);
    EXPECT_EQ(got[i].code(), content);
    EXPECT_EQ(got[i].tok(), token({0x0B}));
    EXPECT_EQ(got[i].payload(), bodies[i]);
    ASSERT_TRUE(got[i].observe().has_value());
    if (i > 0) {
      EXPECT_GT(*got[i].observe(), *got[i - 1].observe());
      EXPECT_NE(got[i].mid(), got[i - 1].mid());
    }
  }
  EXPECT_TRUE(engine().observing(*obs_));
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// RFC 7641 §3.6/§4.5: RST in reply to a CON notification removes the observer.
TEST_F(EngineObserveServer, RstToConNotificationCancels) {
  start();
  register_observer();
  ASSERT_TRUE(notify(true, "a").ok());
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  peer_raw(empty_message(Type::rst, got[1].mid()), 100s);

  ASSERT_EQ(server_.cancelled.size(), 1u);
  EXPECT_EQ(server_.cancelled[0].id, *obs_);
  EXPECT_EQ(server_.cancelled[0].cookie, 42u);
  EXPECT_EQ(server_.cancelled[0].reason, Errc::reset);
  EXPECT_FALSE(engine().observing(*obs_));
  EXPECT_EQ(received().size(), 2u) << "no retransmission after RST";
  EXPECT_EQ(notify(false, "b"), Errc::invalid_state);
  EXPECT_EQ(engine().observation_count(), 0u);
}

// RFC 7641 §3.6/§4.5: RST in reply to a NON notification removes the observer as well.
TEST_F(EngineObserveServer, RstToNonNotificationCancels) {
  start();
  register_observer();
  ASSERT_TRUE(notify(false, "a").ok());
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  ASSERT_EQ(got[1].type(), Type::non);
  peer_raw(empty_message(Type::rst, got[1].mid()));
  ASSERT_EQ(server_.cancelled.size(), 1u);
  EXPECT_EQ(server_.cancelled[0].reason, Errc::reset);
  EXPECT_FALSE(engine().observing(*obs_));
}

// An RST whose MID matches no notification leaves the relation alone.
TEST_F(EngineObserveServer, UnrelatedRstDoesNotCancel) {
  start();
  register_observer();
  ASSERT_TRUE(notify(false, "a").ok());
  run_for(0ms);
  auto got = received();
  peer_raw(empty_message(Type::rst, static_cast<uint16_t>(got[1].mid() + 100)));
  EXPECT_TRUE(server_.cancelled.empty());
  EXPECT_TRUE(engine().observing(*obs_));
}

// RFC 7641 §4.5: a CON notification that is never acknowledged (after MAX_RETRANSMIT
// retransmissions, RFC 7252 §4.2) ends the relation.
TEST_F(EngineObserveServer, UnacknowledgedConNotificationEndsTheRelation) {
  start();
  register_observer();
  const TimePoint t0 = now();
  ASSERT_TRUE(notify(true, "a").ok());
  run_for(300s);
  auto got = received();
  auto at = arrival_times(peer_);
  ASSERT_EQ(got.size(), 6u);  // response + notification + 4 retransmissions
  for (size_t i = 2; i < 6; ++i)
    EXPECT_EQ(got[i].bytes(), got[1].bytes());
  const Duration t = at[2] - at[1];
  EXPECT_GE(t, 2000ms);
  EXPECT_LE(t, 3000ms);
  ASSERT_EQ(server_.cancelled.size(), 1u);
  EXPECT_EQ(server_.cancelled[0].reason, Errc::timeout);
  EXPECT_EQ(server_.cancelled[0].cookie, 42u);
  EXPECT_FALSE(engine().observing(*obs_));
  EXPECT_EQ(engine().next_deadline(), kNever);
  (void)t0;
}

// RFC 7641 §3.6/§4.1: GET with Observe 1 and the same token deregisters; the response has no
// Observe option.
TEST_F(EngineObserveServer, GetWithObserve1Deregisters) {
  start();
  register_observer();
  Message m = request(Type::con, get, 0x101, token({0x0B}), "obs");
  ASSERT_TRUE(m.add_uint(OptionNumber::observe, 1).ok());
  peer_send(m);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].code(), content);
  EXPECT_FALSE(got[1].observe().has_value());
  ASSERT_EQ(server_.calls.size(), 2u);
  EXPECT_TRUE(server_.calls[1].observe_deregister);
  ASSERT_EQ(server_.cancelled.size(), 1u);
  EXPECT_EQ(server_.cancelled[0].reason, Errc::cancelled);
  EXPECT_FALSE(engine().observing(*obs_));
  EXPECT_EQ(engine().observation_count(), 0u);
}

// RFC 7641 §4.1: a registration with the same endpoint and token replaces the entry.
TEST_F(EngineObserveServer, ReRegistrationReplacesTheEntry) {
  start();
  register_observer(Type::con, 0x100);
  const ObservationId first = *obs_;
  register_observer(Type::con, 0x101);
  EXPECT_NE(*obs_, first);
  EXPECT_EQ(engine().observation_count(), 1u);
  EXPECT_FALSE(engine().observing(first));
  EXPECT_TRUE(engine().observing(*obs_));
}

// RFC 7641 §4.5.2: while a CON notification is outstanding, a newer state replaces it: the
// next (re)transmission carries the new state with a new MID and Observe number, on the
// schedule of the old one; the old one is not sent again; only one is in flight.
TEST_F(EngineObserveServer, NewNotificationReplacesTheOutstandingCon) {
  start();
  register_observer();
  const TimePoint t0 = now();
  ASSERT_TRUE(notify(true, "old").ok());
  run_for(1s);
  ASSERT_TRUE(notify(true, "new").ok());
  ASSERT_TRUE(net_.run_until([&] { return peer_.received_count() == 3; }, now() + 10s));
  auto got = received();
  auto at = arrival_times(peer_);
  EXPECT_EQ(got[1].payload(), "old");
  EXPECT_EQ(at[1], t0);
  EXPECT_EQ(got[2].type(), Type::con);
  EXPECT_EQ(got[2].payload(), "new");
  EXPECT_NE(got[2].mid(), got[1].mid());
  EXPECT_GT(*got[2].observe(), *got[1].observe());
  const Duration t = at[2] - t0;
  EXPECT_GE(t, 2000ms) << "the retransmission schedule was reset";
  EXPECT_LE(t, 3000ms);

  peer_raw(empty_message(Type::ack, got[2].mid()), 200s);
  EXPECT_EQ(received().size(), 3u) << "acknowledged: nothing more, old state never resent";
  EXPECT_TRUE(engine().observing(*obs_));
  EXPECT_TRUE(server_.cancelled.empty());
}

// RFC 7641 §4.2 and §3.2: a non-2.xx notification ends the relation and carries no Observe
// option.
TEST_F(EngineObserveServer, ErrorNotificationEndsTheRelation) {
  start();
  register_observer();
  ASSERT_TRUE(
      engine()
          .notify(*obs_, false, now(), [](Response& r) { r.set_code(coap::codes::not_found); })
          .ok());
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].code(), coap::codes::not_found);
  EXPECT_EQ(got[1].tok(), token({0x0B}));
  EXPECT_FALSE(got[1].observe().has_value()) << "RFC 7641 §3.2: no Observe in a non-2.xx";
  EXPECT_FALSE(engine().observing(*obs_));
  EXPECT_EQ(notify(false, "x"), Errc::invalid_state);
}

// RFC 7641 §4.1: an error response to a registration establishes nothing and carries no
// Observe option.
TEST_F(EngineObserveServer, ErrorResponseToRegistrationIsNotObserved) {
  start();
  fail_next_ = true;
  register_observer();
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), coap::codes::not_found);
  EXPECT_FALSE(got[0].observe().has_value());
  EXPECT_EQ(engine().observation_count(), 0u);
}

// RFC 7641 §4.5: a NON notification is sent as NON; but at least one CON goes out every
// 24 hours. The 24 hours count from the registration, whatever the clock's origin.
TEST_F(EngineObserveServer, NonNotificationsAndTheDailyCon) {
  start();
  ack_everything();
  run_for(30 * 24h);  // a device that has been up for a month
  register_observer();
  run_for(1h);
  ASSERT_TRUE(notify(false, "a").ok());
  run_for(23h);
  ASSERT_TRUE(notify(false, "b").ok());
  run_for(2h);  // 26 h after the registration
  ASSERT_TRUE(notify(false, "c").ok());
  run_for(1h);
  ASSERT_TRUE(notify(false, "d").ok());
  run_for(1s);
  auto got = received();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[1].type(), Type::non);
  EXPECT_EQ(got[2].type(), Type::non);
  EXPECT_EQ(got[3].type(), Type::con) << "no CON for more than 24 h";
  EXPECT_EQ(got[4].type(), Type::non);
}

// The engine keeps the last CON's time in units of 1,024 ms: the daily CON still comes
// no sooner than 24 h after the last one, and at most 1,024 ms after, wherever the
// relation started within a unit.
TEST_F(EngineObserveServer, TheDailyConIsNeverEarlyAndAtMostOneUnitLate) {
  start();
  ack_everything();
  run_for(30 * 24h + 1023ms);  // the registration's answer (a CON's) at the end of a unit
  register_observer();
  run_for(24h);
  ASSERT_TRUE(notify(false, "a").ok());
  run_for(1024ms);
  ASSERT_TRUE(notify(false, "b").ok());
  run_for(1s);
  ASSERT_TRUE(notify(false, "c").ok());
  run_for(1s);
  auto got = received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1].type(), Type::non) << "24 h after the last CON: not more";
  EXPECT_EQ(got[2].type(), Type::con) << "24 h and 1,024 ms after the last CON";
  EXPECT_EQ(got[3].type(), Type::non);
}

// ---- client role ----------------------------------------------------------------------

class EngineObserveClient : public EngineTest {
 protected:
  /// Registers on /obs at peer P, who answers with a piggybacked 2.05 Observe `seq`.
  coap::RequestId observe(uint32_t seq) {
    const coap::RequestId id = send_get("obs", P, {}, 0u);
    run_for(0ms);
    auto got = received();
    EXPECT_EQ(got.size(), 1u);
    if (got.empty()) return id;
    EXPECT_EQ(got[0].observe(), 0u);
    token_ = got[0].tok();
    Message m = response(Type::ack, content, got[0].mid(), token_);
    EXPECT_TRUE(m.add_uint(OptionNumber::observe, seq).ok());
    std::string body = "v" + std::to_string(seq);
    m.payload = as_bytes(body);
    peer_send(m);
    return id;
  }
  /// Peer P sends a notification with Observe `seq`.
  void notification(Type type, uint16_t mid, uint32_t seq, Duration after = 0ms) {
    Message m = response(type, content, mid, token_);
    EXPECT_TRUE(m.add_uint(OptionNumber::observe, seq).ok());
    std::string body = "v" + std::to_string(seq);
    m.payload = as_bytes(body);
    peer_send(m, after);
  }
  std::vector<std::string> payloads() const {
    std::vector<std::string> out;
    for (const auto& e : client_.events)
      out.push_back(e.payload);
    return out;
  }
  coap::Token token_;
};

// RFC 7641 §3.2/§3.3: notifications keep arriving through the handler with final=false;
// CON ones are acknowledged (RFC 7252 §4.2), NON ones are not.
TEST_F(EngineObserveClient, NotificationsAreDeliveredUntilCancelled) {
  start();
  const coap::RequestId id = observe(5);
  notification(Type::con, 0x900, 6);
  notification(Type::non, 0x901, 7);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);  // the GET and the ACK of the CON notification
  EXPECT_TRUE(got[1].is_empty_ack());
  EXPECT_EQ(got[1].mid(), 0x900);
  ASSERT_EQ(client_.events.size(), 3u);
  for (const auto& e : client_.events) {
    EXPECT_EQ(e.id, id);
    EXPECT_FALSE(e.final);
    EXPECT_FALSE(e.is_error);
  }
  EXPECT_EQ(payloads(), (std::vector<std::string>{"v5", "v6", "v7"}));
  EXPECT_TRUE(engine().active(id));
  EXPECT_EQ(engine().next_deadline(), kNever);
  run_for(1000s);  // an observation does not time out
  EXPECT_TRUE(engine().active(id));
  EXPECT_EQ(client_.events.size(), 3u);
}

// RFC 7641 §3.4: a notification older than the newest one (by the 24-bit serial number
// rule) is not delivered, unless more than 128 s have passed; a CON one is still
// acknowledged.
TEST_F(EngineObserveClient, StaleNotificationsAreDropped) {
  start();
  observe(5);
  notification(Type::non, 0x901, 7);
  notification(Type::non, 0x902, 6);               // reordered: older
  notification(Type::con, 0x903, 6);               // older, CON
  notification(Type::non, 0x904, 7 + (1u << 23));  // exactly 2^23 ahead: not newer
  notification(Type::non, 0x905, 8);
  EXPECT_EQ(payloads(), (std::vector<std::string>{"v5", "v7", "v8"}));
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].is_empty_ack());
  EXPECT_EQ(got[1].mid(), 0x903);

  run_for(129s);
  notification(Type::non, 0x906, 3);  // an older number, but 129 s later: fresh
  EXPECT_EQ(payloads().back(), "v3");
}

// The serial number wraps at 2^24 (RFC 7641 §4.4): 0xFFFFF0 -> 2 is newer.
TEST_F(EngineObserveClient, ObserveNumbersWrapAround) {
  start();
  observe(0xFFFFF0);
  notification(Type::non, 0x901, 2);
  notification(Type::non, 0x902, 0xFFFFF5);  // older than 2 after the wrap
  EXPECT_EQ(payloads(), (std::vector<std::string>{"v16777200", "v2"}));
}

// RFC 7641 §3.6: cancel() sends the same GET with Observe 1 (same token and path) and the
// handler hears nothing more; a later notification is rejected with RST.
TEST_F(EngineObserveClient, CancelDeregistersAndDeliversNothingFurther) {
  start();
  const coap::RequestId id = observe(5);
  engine().cancel(id, now());
  EXPECT_FALSE(engine().active(id));
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].type(), Type::con);
  EXPECT_EQ(got[1].code(), get);
  EXPECT_EQ(got[1].path(), "obs");
  EXPECT_EQ(got[1].tok(), token_);
  EXPECT_EQ(got[1].observe(), 1u);
  EXPECT_NE(got[1].mid(), got[0].mid());

  peer_send(response(Type::ack, content, got[1].mid(), token_));  // deregistration answer
  notification(Type::con, 0x910, 9, 1s);
  got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[2].is_rst());
  EXPECT_EQ(got[2].mid(), 0x910);
  ASSERT_EQ(client_.events.size(), 1u);  // only the registration response
  run_for(300s);
  EXPECT_EQ(received().size(), 3u) << "the deregistration is not retransmitted once answered";
}

// abandon() ends an observation reactively (RFC 7641 §3.6): nothing is sent, and the next
// notification is answered with RST without reaching the handler.
TEST_F(EngineObserveClient, AbandonSendsNothingAndRejectsTheNextNotification) {
  start();
  const coap::RequestId id = observe(5);
  engine().abandon(id, now());
  EXPECT_FALSE(engine().active(id));
  run_for(300s);
  ASSERT_EQ(received().size(), 1u) << "no deregistration is sent";
  notification(Type::con, 0x910, 9);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].is_rst());
  EXPECT_EQ(got[1].mid(), 0x910);
  EXPECT_EQ(client_.events.size(), 1u);  // only the registration response
}

// The deregistration is a CON: retransmitted until answered.
TEST_F(EngineObserveClient, DeregistrationIsRetransmitted) {
  start();
  const coap::RequestId id = observe(5);
  engine().cancel(id, now());
  run_for(5s);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].bytes(), got[1].bytes());
  EXPECT_EQ(client_.events.size(), 1u);
}

// RFC 7641 §3.2: a non-2.xx notification ends the observation (final=true).
TEST_F(EngineObserveClient, ErrorNotificationEndsTheObservation) {
  start();
  const coap::RequestId id = observe(5);
  peer_send(response(Type::con, coap::codes::not_found, 0x920, token_));
  ASSERT_EQ(client_.events.size(), 2u);
  EXPECT_TRUE(client_.events[1].final);
  EXPECT_EQ(client_.events[1].code, coap::codes::not_found);
  EXPECT_FALSE(engine().active(id));
  notification(Type::con, 0x921, 9);
  auto got = received();
  EXPECT_TRUE(got.back().is_rst());
  EXPECT_EQ(client_.events.size(), 2u);
}

// RFC 7641 §3.1: a response without Observe means the server did not register us: final.
TEST_F(EngineObserveClient, ResponseWithoutObserveIsFinal) {
  start();
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  peer_send(response(Type::ack, content, got[0].mid(), got[0].tok()));
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].final);
  EXPECT_FALSE(engine().active(id));
}

// RFC 7959 §2.6: a notification larger than a block arrives as its first block with
// Observe; the client gets the rest with plain GETs (Block2, no Observe) on a token of
// their own, and the observation goes on. Before the fix, follow_block2 was ignored for
// notifications and the handler only ever saw the first block.
class EngineObserveClientBlocks : public EngineObserveClient {
 protected:
  /// Peer P answers `to` (a GET for block `num` of `rep`) piggybacked, in 16-byte blocks,
  /// with Observe `observe` when given.
  void answer_block(const Parsed& to, const std::string& rep, uint32_t num,
                    std::optional<uint32_t> observe = std::nullopt) {
    Message m = response(Type::ack, content, to.mid(), to.tok());
    if (observe) {
      EXPECT_TRUE(m.add_uint(OptionNumber::observe, *observe).ok());
    }
    const size_t off = num * 16;
    const bool more = off + 16 < rep.size();
    EXPECT_TRUE(m.add_uint(OptionNumber::block2, coap::BlockOption{num, more, 0}.encode()).ok());
    m.payload = as_bytes(std::string_view(rep).substr(off, 16));
    peer_send(m);
  }
  /// The same, as a CON notification with message ID `mid`.
  void notify_first_block(uint16_t mid, const std::string& rep, uint32_t observe) {
    Message m = response(Type::con, content, mid, token_);
    EXPECT_TRUE(m.add_uint(OptionNumber::observe, observe).ok());
    EXPECT_TRUE(m.add_uint(OptionNumber::block2, coap::BlockOption{0, true, 0}.encode()).ok());
    m.payload = as_bytes(std::string_view(rep).substr(0, 16));
    peer_send(m);
  }
  std::string joined(size_t from) const {
    std::string s;
    for (size_t i = from; i < client_.events.size(); ++i)
      s += client_.events[i].payload;
    return s;
  }
};

TEST_F(EngineObserveClientBlocks, LargeNotificationsAreCompletedWithPlainGets) {
  start();
  const std::string first = "registration-response-of-39-bytes-long!";
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  token_ = got[0].tok();
  answer_block(got[0], first, 0, 5u);

  // Blocks 1 and 2 are asked for with GET /obs, Block2 n/0/16, no Observe, a new token.
  for (uint32_t num = 1; num <= 2; ++num) {
    got = received();
    ASSERT_EQ(got.size(), num + 1);
    const Parsed& get_block = got.back();
    EXPECT_EQ(get_block.type(), Type::con);
    EXPECT_EQ(get_block.code(), get);
    EXPECT_EQ(get_block.path(), "obs");
    EXPECT_FALSE(get_block.observe().has_value());
    EXPECT_NE(get_block.tok(), token_);
    ASSERT_TRUE(get_block.block2().has_value());
    EXPECT_EQ(get_block.block2()->num, num);
    EXPECT_EQ(get_block.block2()->szx, 0);
    answer_block(get_block, first, num);
  }
  run_for(10s);
  EXPECT_EQ(received().size(), 3u) << "nothing more is asked for after the last block";
  ASSERT_EQ(client_.events.size(), 3u);
  for (const auto& e : client_.events) {
    EXPECT_EQ(e.id, id);
    EXPECT_FALSE(e.final);
    EXPECT_FALSE(e.is_error);
  }
  EXPECT_EQ(joined(0), first);
  EXPECT_TRUE(engine().active(id));

  // The next notification is completed the same way.
  const std::string second = "second-state-of-the-resource-is-36b!";
  notify_first_block(0x930, second, 6);
  got = received();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got[3].is_empty_ack());
  EXPECT_EQ(got[4].block2()->num, 1u);
  EXPECT_FALSE(got[4].observe().has_value());
  answer_block(got[4], second, 1);
  got = received();
  ASSERT_EQ(got.size(), 6u);
  answer_block(got[5], second, 2);
  EXPECT_EQ(joined(3), second);
  EXPECT_EQ(client_.events.size(), 6u);
  EXPECT_EQ(client_.events.back().block2->more, false);
  EXPECT_TRUE(engine().active(id));
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// cancel() during a fetch stops it: only the deregistration goes out from then on, and the
// handler hears nothing more.
TEST_F(EngineObserveClientBlocks, CancelStopsTheFetchOfANotification) {
  start();
  const std::string rep = "a-representation-that-spans-3-blocks";
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  run_for(0ms);
  auto got = received();
  token_ = got[0].tok();
  answer_block(got[0], rep, 0, 5u);
  ASSERT_EQ(received().size(), 2u);  // GET for block 1, unanswered
  engine().cancel(id, now());
  run_for(100s);
  got = received();
  ASSERT_GE(got.size(), 3u);
  for (size_t i = 2; i < got.size(); ++i) {
    EXPECT_EQ(got[i].observe(), 1u) << "datagram " << i << " is not the deregistration";
    EXPECT_EQ(got[i].tok(), token_);
  }
  EXPECT_EQ(client_.events.size(), 1u);
}

// abandon() during a fetch ends the fetch too: nothing more goes out.
TEST_F(EngineObserveClientBlocks, AbandonStopsTheFetchOfANotificationSilently) {
  start();
  const std::string rep = "a-representation-that-spans-3-blocks";
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  run_for(0ms);
  answer_block(received()[0], rep, 0, 5u);
  ASSERT_EQ(received().size(), 2u);  // GET for block 1, unanswered
  engine().abandon(id, now());
  run_for(100s);
  EXPECT_EQ(received().size(), 2u) << "neither the fetch nor a deregistration is sent";
  EXPECT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// A failed fetch (the server never answers) leaves the observation running, and the
// handler gets no error for it: the next notification starts over.
TEST_F(EngineObserveClientBlocks, LostFetchDoesNotEndTheObservation) {
  start();
  const std::string rep = "a-representation-that-spans-3-blocks";
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  run_for(0ms);
  token_ = received()[0].tok();
  answer_block(received()[0], rep, 0, 5u);
  run_for(300s);  // the GET for block 1 is retransmitted, then given up
  EXPECT_EQ(received().size(), 2u + 4u);
  EXPECT_TRUE(engine().active(id));
  ASSERT_EQ(client_.events.size(), 1u);
  notify_first_block(0x940, rep, 6);
  auto got = received();
  EXPECT_EQ(got.back().block2()->num, 1u);
  EXPECT_EQ(client_.events.size(), 2u);
}

}  // namespace
}  // namespace lwm2m::test
