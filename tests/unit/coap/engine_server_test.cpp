// SPDX-License-Identifier: Apache-2.0
// Engine in the server role, seen from a scripted client on the wire: piggybacked and
// separate responses, rejection of pings and malformed messages, option checks and
// deduplication (RFC 7252 §4, §5.2, §5.4.1, §5.7.2).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::content;
using coap::codes::get;

class EngineServer : public EngineTest {};

// RFC 7252 §5.2.1: the response to a CON request goes in the ACK, with the request's MID
// and token.
TEST_F(EngineServer, ConGetGetsPiggybackedResponse) {
  start();
  peer_send(request(Type::con, get, 0x1234, token({0xA1, 0xB2, 0xC3}), "hello"));

  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].ok());
  EXPECT_EQ(got[0].type(), Type::ack);
  EXPECT_EQ(got[0].mid(), 0x1234);
  EXPECT_EQ(got[0].tok(), token({0xA1, 0xB2, 0xC3}));
  EXPECT_EQ(got[0].code(), content);
  EXPECT_EQ(got[0].payload(), "hello");
  EXPECT_EQ(got[0]->content_format(), 0);
  EXPECT_EQ(arrival_times(peer_)[0], kStart);  // answered at once

  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_EQ(server_.calls[0].path, "hello");
  EXPECT_EQ(server_.calls[0].peer, P);
  EXPECT_EQ(server_.calls[0].type, Type::con);

  // An ACK is never retransmitted (§4.2): the engine has nothing to do and stays silent.
  EXPECT_EQ(engine().next_deadline(), kNever);
  run_for(300s);
  EXPECT_EQ(received().size(), 1u);
}

// RFC 7252 §5.2.3: a NON request gets a NON response carrying the request's token.
TEST_F(EngineServer, NonRequestGetsNonResponse) {
  start();
  peer_send(request(Type::non, get, 0x2000, token({7}), "hello"));

  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), Type::non);
  EXPECT_EQ(got[0].tok(), token({7}));
  EXPECT_EQ(got[0].code(), content);
  EXPECT_EQ(got[0].payload(), "hello");
  EXPECT_EQ(engine().next_deadline(), kNever);  // NON: no retransmission
  run_for(300s);
  EXPECT_EQ(received().size(), 1u);
  EXPECT_EQ(server_.calls.size(), 1u);
}

// RFC 7252 §5.2.2: an empty ACK first; the separate response is a CON with the request's
// token and a new MID, retransmitted (§4.2) until the client acknowledges it.
TEST_F(EngineServer, DeferredResponseIsEmptyAckThenRetransmittedCon) {
  start();
  std::optional<coap::DeferredId> deferred;
  server_.serve = [&](const coap::IncomingRequest&, Response& r) {
    auto d = r.defer();
    ASSERT_TRUE(d.ok());
    deferred = *d;
  };
  const Message req = request(Type::con, get, 0x3000, token({9, 9}), "slow");
  peer_send(req, 1s);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].is_empty_ack()) << "not a 4-byte empty ACK";
  EXPECT_EQ(got[0].mid(), 0x3000);
  ASSERT_TRUE(deferred.has_value());

  // The client retransmits its request: the same empty ACK again, the handler is not rerun.
  peer_send(req, 4s);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].bytes(), got[0].bytes());
  EXPECT_EQ(server_.calls.size(), 1u);

  const TimePoint t0 = now();
  ASSERT_TRUE(engine()
                  .respond_deferred(*deferred, now(),
                                    [](Response& r) {
                                      r.set_code(coap::codes::changed);
                                      r.write("later");
                                    })
                  .ok());
  // Acknowledge the third copy of the separate response.
  peer_.on_receive = [&](ScriptedPeer& self, const ScriptedPeer::Received& r) {
    Parsed p(r.bytes);
    if (p.type() == Type::con && self.received_count() == 5)
      self.send(E, empty_message(Type::ack, p.mid()));
  };
  run_for(300s);

  got = received();
  ASSERT_EQ(got.size(), 5u) << "separate response + 2 retransmissions, then silence";
  auto at = arrival_times(peer_);
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(got[i].type(), Type::con);
    EXPECT_EQ(got[i].code(), coap::codes::changed);
    EXPECT_EQ(got[i].tok(), token({9, 9}));
    EXPECT_EQ(got[i].payload(), "later");
    EXPECT_EQ(got[i].bytes(), got[2].bytes()) << "a retransmission is the same message";
  }
  EXPECT_NE(got[2].mid(), 0x3000);
  EXPECT_EQ(at[2], t0);
  const Duration first = at[3] - at[2];
  EXPECT_GE(first, 2000ms);
  EXPECT_LE(first, 3000ms);
  EXPECT_EQ(at[4] - at[3], 2 * first);
  EXPECT_EQ(engine().next_deadline(), kNever);
  EXPECT_EQ(server_.calls.size(), 1u);
}

// A deferred NON request gets no empty ACK, and a NON separate response.
TEST_F(EngineServer, DeferredNonRequestGetsNonResponse) {
  start();
  std::optional<coap::DeferredId> deferred;
  server_.serve = [&](const coap::IncomingRequest&, Response& r) { deferred = *r.defer(); };
  peer_send(request(Type::non, get, 0x3100, token({4}), "slow"), 1s);
  EXPECT_EQ(received().size(), 0u);
  ASSERT_TRUE(deferred.has_value());
  ASSERT_TRUE(engine().respond_deferred(*deferred, now(), [](Response& r) { r.write("x"); }).ok());
  run_for(100s);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), Type::non);
  EXPECT_EQ(got[0].tok(), token({4}));
  EXPECT_EQ(got[0].payload(), "x");
  // A deferred id is used once.
  EXPECT_FALSE(engine().respond_deferred(*deferred, now(), [](Response&) {}).ok());
}

// RFC 7252 §4.3: an Empty CON ("CoAP ping") is answered with RST carrying its MID.
TEST_F(EngineServer, PingGetsRst) {
  start();
  peer_raw(empty_message(Type::con, 0x4242));
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].is_rst());
  EXPECT_EQ(got[0].mid(), 0x4242);
  EXPECT_TRUE(server_.calls.empty());
}

// RFC 7252 §4.2/§4.3: a CON that cannot be parsed is rejected with RST (when the MID is
// readable); a malformed NON, a short datagram or a foreign version are silently ignored.
TEST_F(EngineServer, MalformedConGetsRstAndMalformedNonIsDropped) {
  start();
  // TKL 9 (reserved, §3) in a CON GET.
  peer_raw({0x49, 0x01, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].is_rst());
  EXPECT_EQ(got[0].mid(), 0xBEEF);

  // An option that runs past the end of a CON (§3.1): RST too.
  peer_raw({0x40, 0x01, 0x00, 0x07, 0xB5, 'a', 'b'});
  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].is_rst());
  EXPECT_EQ(got[1].mid(), 0x0007);

  peer_raw({0x59, 0x01, 0xBE, 0xF0, 1, 2, 3, 4, 5, 6, 7, 8, 9});  // NON, TKL 9
  peer_raw({0x40, 0x01, 0x00});                                   // 3 bytes
  peer_raw({0x80, 0x01, 0x00, 0x08});                             // version 2
  run_for(10s);
  EXPECT_EQ(received().size(), 2u);
  EXPECT_TRUE(server_.calls.empty());
  EXPECT_EQ(engine().stats().malformed, 5u);
}

// RFC 7252 §5.4.1: an unrecognised critical option in a CON request gets 4.02 Bad Option
// (piggybacked); in a NON request the message is rejected, which for a NON means ignored.
TEST_F(EngineServer, UnknownCriticalOption) {
  start();
  constexpr auto kUnknownCritical = static_cast<OptionNumber>(2049);  // odd: critical
  Message con = request(Type::con, get, 0x5000, token({1}), "hello");
  ASSERT_TRUE(con.add_string(kUnknownCritical, "x").ok());
  peer_send(con);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), Type::ack);
  EXPECT_EQ(got[0].mid(), 0x5000);
  EXPECT_EQ(got[0].tok(), token({1}));
  EXPECT_EQ(got[0].code(), coap::codes::bad_option);

  Message non = request(Type::non, get, 0x5001, token({2}), "hello");
  ASSERT_TRUE(non.add_string(kUnknownCritical, "x").ok());
  peer_send(non, 10s);
  EXPECT_EQ(received().size(), 1u);
  EXPECT_TRUE(server_.calls.empty());
  EXPECT_EQ(engine().stats().rejected_options, 2u);
}

// RFC 7252 §5.4.1, §5.4.5: a critical option that occurs more often than it may, or whose
// value has a length outside its format, is an unrecognised option: 4.02 Bad Option. A
// repeatable one (Uri-Path) may repeat, and a repeated elective one (Max-Age) is ignored.
TEST_F(EngineServer, RepeatedOrMisSizedCriticalOptionsGetBadOption) {
  start();
  Message twice = request(Type::con, get, 0x5400, token({1}), "hello");
  ASSERT_TRUE(twice.add_uint(OptionNumber::accept, 0).ok());
  ASSERT_TRUE(twice.add_uint(OptionNumber::accept, 11542).ok());
  peer_send(twice);
  Message too_long = request(Type::con, get, 0x5401, token({2}), "hello");
  ASSERT_TRUE(too_long.add_uint(OptionNumber::accept, 0x10000).ok());  // 3 bytes, at most 2
  peer_send(too_long);
  Message host_empty = request(Type::con, get, 0x5402, token({3}), "hello");
  ASSERT_TRUE(host_empty.add_string(OptionNumber::uri_host, "").ok());  // 1 byte at least
  peer_send(host_empty);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (const auto& g : got)
    EXPECT_EQ(g.code(), coap::codes::bad_option);
  EXPECT_TRUE(server_.calls.empty());
  EXPECT_EQ(engine().stats().rejected_options, 3u);

  Message fine = request(Type::con, get, 0x5403, token({4}), "a/b");
  ASSERT_TRUE(fine.add_uint(OptionNumber::max_age, 1).ok());
  ASSERT_TRUE(fine.add_uint(OptionNumber::max_age, 2).ok());  // elective: ignored
  ASSERT_TRUE(fine.add_uint(OptionNumber::accept, 0).ok());
  peer_send(fine, 10s);
  got = received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].code(), content);
  EXPECT_EQ(server_.calls.size(), 1u);
}

// RFC 7252 §5.4.1: an unrecognised elective option is silently ignored.
TEST_F(EngineServer, UnknownElectiveOptionIsIgnored) {
  start();
  Message con = request(Type::con, get, 0x5100, token({1}), "hello");
  ASSERT_TRUE(con.add_string(static_cast<OptionNumber>(2048), "x").ok());
  peer_send(con);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), content);
  EXPECT_EQ(got[0].payload(), "hello");
  EXPECT_EQ(server_.calls.size(), 1u);
}

// RFC 7252 §5.7.2: a server that is not a proxy answers Proxy-Uri with 5.05.
TEST_F(EngineServer, ProxyUriGetsProxyingNotSupported) {
  start();
  Message con = request(Type::con, get, 0x5200, token({3}));
  ASSERT_TRUE(con.add_string(OptionNumber::proxy_uri, "coap://example.net/x").ok());
  peer_send(con);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type(), Type::ack);
  EXPECT_EQ(got[0].code(), coap::codes::proxying_not_supported);
  EXPECT_TRUE(server_.calls.empty());
}

// A response holds coap::kResponseOptions options (eight: more than any LwM2M answer has):
// the handler's ninth is refused, and the peer receives the eight.
TEST_F(EngineServer, ResponseHoldsEightOptionsAndRefusesANinth) {
  start();
  std::vector<Status> added;
  size_t capacity = 0;
  server_.serve = [&](const coap::IncomingRequest&, Response& r) {
    capacity = r.message().option_capacity();
    for (const char* seg : {"a", "b", "c", "d", "e", "f", "g", "h", "i"})
      added.push_back(r.message().add_string(OptionNumber::location_path, seg));
    r.set_code(coap::codes::created);
  };
  peer_send(request(Type::con, coap::codes::post, 0x5300, token({5}), "store"));
  EXPECT_EQ(capacity, coap::kResponseOptions);
  ASSERT_EQ(added.size(), 9u);
  for (size_t i = 0; i < 8; ++i)
    EXPECT_TRUE(added[i].ok()) << i;
  EXPECT_EQ(added[8].error(), Errc::no_space);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), coap::codes::created);
  std::string_view segs[10];
  ASSERT_EQ(got[0]->strings(OptionNumber::location_path, segs), 8u);
  EXPECT_EQ(segs[0], "a");
  EXPECT_EQ(segs[7], "h");
}

// RFC 7252 §4.5: a CON retransmitted within EXCHANGE_LIFETIME gets the same ACK again and
// the request is processed once; a new MID is a new request.
TEST_F(EngineServer, RetransmittedConIsAnsweredFromTheCache) {
  start();
  int n = 0;
  server_.serve = [&](const coap::IncomingRequest&, Response& r) {
    r.write("call " + std::to_string(++n));
  };
  const Message req = request(Type::con, get, 0x6000, token({1, 1}), "counter");
  peer_send(req, 2500ms);
  peer_send(req, 60s);
  peer_send(req, 100s);  // 162.5 s after the first copy, < EXCHANGE_LIFETIME (247 s)
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].payload(), "call 1");
  EXPECT_EQ(got[1].bytes(), got[0].bytes());
  EXPECT_EQ(got[2].bytes(), got[0].bytes());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(engine().stats().duplicates, 2u);

  Message again = req;
  again.message_id = 0x6001;
  peer_send(again);
  got = received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].mid(), 0x6001);
  EXPECT_EQ(got[3].payload(), "call 2");
  EXPECT_EQ(n, 2);
}

// After EXCHANGE_LIFETIME the MID may be reused (§4.4): it is a new request then.
TEST_F(EngineServer, MessageIdIsNewAgainAfterExchangeLifetime) {
  start();
  const Message req = request(Type::con, get, 0x6100, token({1}), "hello");
  peer_send(req, coap::TransmissionParams{}.exchange_lifetime() + 1ms);  // start()'s default
  peer_send(req);
  EXPECT_EQ(received().size(), 2u);
  EXPECT_EQ(server_.calls.size(), 2u);
}

// The engine keeps its periods in 31 bits of milliseconds (its clock, src/coap/tick.hpp): a
// configuration whose EXCHANGE_LIFETIME is longer (here about 100 days) deduplicates for
// 2^31 - 1 ms (24.8 days).
TEST_F(EngineServer, ExchangeLifetimeBeyond24DaysCountsAs24Days) {
  coap::EngineConfig cfg;
  cfg.tx.max_latency = Duration{int64_t{1} << 32};
  start(cfg);
  const Message req = request(Type::con, get, 0x6100, token({1}), "hello");
  peer_send(req, Duration{int64_t{INT32_MAX} - 1000});
  peer_send(req, 1001ms);  // a duplicate: answered from the cache
  peer_send(req);          // 2^31 ms after the first: a new request
  EXPECT_EQ(received().size(), 3u);
  EXPECT_EQ(server_.calls.size(), 2u);
}

// RFC 7252 §4.5: a duplicated NON is silently ignored and processed once.
TEST_F(EngineServer, DuplicatedNonRequestIsProcessedOnceAndIgnored) {
  start();
  const Message req = request(Type::non, get, 0x6200, token({5}), "hello");
  peer_send(req, 1s);
  peer_send(req, 1s);
  EXPECT_EQ(server_.calls.size(), 1u);
  EXPECT_EQ(received().size(), 1u) << "the duplicate NON must not be answered again";
}

// Deduplication against a real client over a lossy link: every CON request that reaches
// the server at least once runs the handler exactly once, and every copy of the answer to
// one MID is the same datagram.
TEST_F(EngineServer, DeduplicationHoldsOverALossyLink) {
  coap::EngineConfig cfg;
  cfg.dedup_entries = 64;  // more than the requests of the run: no eviction
  start(cfg);
  XorShiftRandom client_rng(99);
  RecordingResponseHandler results(net_);
  coap::Engine client(coap::EngineConfig{}, client_rng, nullptr);
  ASSERT_TRUE(client.valid());
  SansIoNode<coap::Engine> client_node(client);
  const NodeId C = net_.add(client_node);
  net_.set_link({.drop_permille = 200,
                 .duplicate_permille = 300,
                 .reorder_permille = 100,
                 .latency = 20ms,
                 .jitter = 400ms,
                 .reorder_delay = 1500ms});

  std::map<uint16_t, int> handled;  // handler runs per request MID
  server_.serve = [&](const coap::IncomingRequest& req, Response& r) {
    ++handled[req.message.message_id];
    r.write("r" + std::to_string(req.message.message_id));
  };
  constexpr int kRequests = 40;
  int sent = 0;
  auto next = [&] {
    Message m;
    m.code = get;
    (void)m.add_path(OptionNumber::uri_path, "x");
    ASSERT_TRUE(client.send_request(E, m, results, net_.now()).ok());
    ++sent;
  };
  results.then = [&](const RecordingResponseHandler::Event&) {
    if (sent < kRequests) next();
  };
  next();
  ASSERT_TRUE(net_.run_until([&] { return results.events.size() == kRequests; }, now() + 3600s));

  // Requests on the wire, by MID, and whether a copy reached the server.
  std::set<uint16_t> delivered_mids;
  size_t request_copies_delivered = 0;
  for (const WireRecord* r : net_.sent(C, E)) {
    Parsed p(r->bytes);
    ASSERT_EQ(p.type(), Type::con);
    if (r->delivered > 0) delivered_mids.insert(p.mid());
    request_copies_delivered += r->delivered;
  }
  EXPECT_GT(request_copies_delivered, delivered_mids.size()) << "the link produced no duplicate";
  EXPECT_EQ(handled.size(), delivered_mids.size());
  for (const auto& [mid, count] : handled)
    EXPECT_EQ(count, 1) << "MID " << mid;
  EXPECT_EQ(server_.calls.size(), delivered_mids.size());

  std::map<uint16_t, Bytes> answer;
  for (const WireRecord* r : net_.sent(E, C)) {
    Parsed p(r->bytes);
    ASSERT_EQ(p.type(), Type::ack);
    auto [it, inserted] = answer.emplace(p.mid(), r->bytes);
    if (!inserted) {
      EXPECT_EQ(it->second, r->bytes) << "MID " << p.mid();
    }
  }
  // Every success the client saw is the server's one answer to that request.
  size_t ok = 0;
  for (const auto& e : results.events) {
    if (e.is_error) continue;
    ++ok;
    EXPECT_EQ(e.payload.substr(0, 1), "r");
  }
  EXPECT_GT(ok, kRequests * 9 / 10);
}

}  // namespace
}  // namespace lwm2m::test
