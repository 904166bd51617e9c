// SPDX-License-Identifier: Apache-2.0
// The store of cached responses (RFC 7252 §4.5): each response kept at its own size, a
// retransmitted request answered byte for byte from it, the oldest response giving way
// when the store runs short, one being transmitted never; one store shared by engines.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using coap::Engine;
using coap::EngineConfig;
using coap::ResponseStore;
using coap::Type;

/// Answers every request with its MID in text, counting the requests it served.
class Counter final : public coap::RequestHandler {
 public:
  void on_request(const coap::IncomingRequest& req, coap::Response& r) noexcept override {
    ++served;
    r.write("answer " + std::to_string(req.message.message_id) + std::string(pad, '.'));
  }
  int served = 0;
  size_t pad = 0;  // makes answers longer
};

EngineConfig small() {
  EngineConfig c;
  c.max_message_size = 192;
  c.block_size = 128;
  c.exchanges = 1;
  c.dedup_entries = 8;
  c.block1_buffer = 0;
  return c;
}

/// One engine and what it sends.
struct Node {
  explicit Node(const EngineConfig& cfg) : engine(cfg, rng, &app) {}
  /// A CON GET with `mid` from peer 1: the datagrams the engine sends back, unparsed.
  std::vector<Bytes> get(uint16_t mid, bool poll = true) {
    const Bytes b = encode(request(Type::con, coap::codes::get, mid, token({7}), "x"));
    engine.handle_datagram(1, {b.data(), b.size()}, from_millis(1000));
    return poll ? sent() : std::vector<Bytes>{};
  }
  std::vector<Bytes> sent() {
    std::vector<Bytes> out;
    while (auto d = engine.poll_transmit())
      out.emplace_back(d->bytes.begin(), d->bytes.end());
    return out;
  }
  XorShiftRandom rng{3};
  Counter app;
  Engine engine;
};

// Small answers take little room: a store with room for three whole messages keeps eight
// short answers (beside the room to build the next), and each retransmission gets its
// own back, byte for byte, without the handler running again.
TEST(ResponseStore, KeepsManyShortAnswersInTheRoomOfThreeMessages) {
  EngineConfig cfg = small();
  cfg.response_bytes = 3 * ResponseStore::min_size(cfg.max_message_size);
  Node n(cfg);
  ASSERT_TRUE(n.engine.valid());
  std::vector<Bytes> first;
  for (uint16_t mid = 1; mid <= 8; ++mid) {
    auto got = n.get(mid);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(Parsed(got[0]).payload(), "answer " + std::to_string(mid));
    first.push_back(got[0]);
  }
  for (uint16_t mid = 1; mid <= 8; ++mid) {
    auto again = n.get(mid);
    ASSERT_EQ(again.size(), 1u) << mid;
    EXPECT_EQ(again[0], first[mid - 1]) << mid;
  }
  EXPECT_EQ(n.app.served, 8);
  EXPECT_EQ(n.engine.stats().duplicates, 8u);
}

// When the store runs short the oldest answer gives way with its entry: its
// retransmission is served again as a new request, while the newer ones are replayed.
TEST(ResponseStore, TheOldestAnswerGivesWayWhenTheStoreRunsShort) {
  EngineConfig cfg = small();
  cfg.response_bytes = ResponseStore::min_size(cfg.max_message_size);
  Node n(cfg);
  ASSERT_TRUE(n.engine.valid());
  n.app.pad = 120;  // two answers do not fit beside the room for a third
  const Bytes a = n.get(1).at(0);
  const Bytes b = n.get(2).at(0);
  EXPECT_EQ(n.get(2).at(0), b) << "the latest is kept";
  EXPECT_EQ(n.app.served, 2);
  const Bytes a2 = n.get(1).at(0);
  EXPECT_EQ(n.app.served, 3) << "the oldest was forgotten, so served again";
  EXPECT_EQ(a2, a) << "with the same answer";
}

// An answer not yet handed to poll_transmit() is never evicted: a request that would
// need its room is dropped (its peer retransmits), and is served once there is room.
TEST(ResponseStore, AnAnswerWaitingToBeSentIsNeverEvicted) {
  EngineConfig cfg = small();
  cfg.response_bytes = ResponseStore::min_size(cfg.max_message_size);
  Node n(cfg);
  ASSERT_TRUE(n.engine.valid());
  n.app.pad = 120;
  n.get(1, false);
  n.get(2, false);
  auto out = n.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Parsed(out[0]).mid(), 1);
  EXPECT_EQ(n.app.served, 1);
  auto retry = n.get(2);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(Parsed(retry[0]).mid(), 2);
  EXPECT_EQ(n.app.served, 2);
}

// Engines sharing one store answer their own retransmissions from it; a store shared
// by an engine that is destroyed keeps working for the others.
TEST(ResponseStore, SharedByEnginesEachReplaysItsOwnAnswers) {
  std::vector<uint8_t> memory(3 * ResponseStore::min_size(192));
  ResponseStore store(memory);
  EngineConfig cfg = small();
  cfg.dedup_entries = 2;
  cfg.shared_responses = &store;
  EngineConfig own = cfg;
  own.shared_responses = nullptr;
  EXPECT_LE(Engine::storage_size(cfg) + 2 * 192, Engine::storage_size(own))
      << "no room of its own for answers";
  auto a = std::make_unique<Node>(cfg);
  Node b(cfg);
  ASSERT_TRUE(a->engine.valid());
  ASSERT_TRUE(b.engine.valid());
  const Bytes a1 = a->get(1).at(0);
  const Bytes b1 = b.get(1).at(0);
  EXPECT_EQ(a->get(1).at(0), a1);
  EXPECT_EQ(b.get(1).at(0), b1);
  EXPECT_EQ(a->app.served, 1);
  EXPECT_EQ(b.app.served, 1);
  a.reset();
  b.app.pad = 100;
  for (uint16_t mid = 2; mid < 40; ++mid)
    EXPECT_EQ(b.get(mid).size(), 1u);
  const Bytes last = b.get(39).at(0);
  EXPECT_EQ(Parsed(last).mid(), 39);
  EXPECT_EQ(b.app.served, 39);
}

// A store that cannot hold one whole message makes the engine invalid.
TEST(ResponseStore, TooSmallForOneMessageIsRejected) {
  EngineConfig cfg = small();
  cfg.response_bytes = ResponseStore::min_size(cfg.max_message_size) - 1;
  XorShiftRandom rng(1);
  EXPECT_FALSE(Engine(cfg, rng, nullptr).valid());
  std::vector<uint8_t> memory(ResponseStore::min_size(cfg.max_message_size) - 8);
  ResponseStore store(memory);
  cfg.response_bytes = 0;
  cfg.shared_responses = &store;
  EXPECT_FALSE(Engine(cfg, rng, nullptr).valid());
}

// ---- MessagePool: exchange buffers taken while an exchange runs

/// Never answers: a request it sends stays in flight until cancelled.
class Quiet final : public coap::ResponseHandler {
 public:
  void on_response(coap::RequestId, const coap::Message&, bool) noexcept override {}
  void on_error(coap::RequestId, Errc) noexcept override {}
};

// Engines sharing a pool of one buffer: a request in flight holds it, so another engine's
// request is refused (no_space, as when its exchange slots are busy) until the first
// exchange ends; its datagram went out whole.
TEST(MessagePool, ARunningExchangeHoldsABufferUntilItEnds) {
  std::vector<uint8_t> memory(coap::MessagePool::buffer_bytes(192));
  coap::MessagePool pool(memory, 192);
  EXPECT_EQ(pool.available(), 1u);
  EngineConfig cfg = small();
  cfg.shared_messages = &pool;
  EngineConfig own = cfg;
  own.shared_messages = nullptr;
  EXPECT_LE(Engine::storage_size(cfg) + 192, Engine::storage_size(own));
  Node a(cfg), b(cfg);
  ASSERT_TRUE(a.engine.valid());
  ASSERT_TRUE(b.engine.valid());
  Quiet quiet;
  coap::Message get = request(Type::con, coap::codes::get, 0, {}, "temperature");
  auto first = a.engine.send_request(1, get, quiet, from_millis(0));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(pool.available(), 0u);
  auto sent = a.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(Parsed(sent[0]).path(), "temperature");
  auto refused = b.engine.send_request(1, get, quiet, from_millis(0));
  EXPECT_EQ(refused.status().error(), Errc::no_space);
  // Serving requests needs no exchange buffer.
  EXPECT_EQ(b.get(5).size(), 1u);
  a.engine.cancel(*first, from_millis(10));
  EXPECT_EQ(pool.available(), 1u);
  EXPECT_TRUE(b.engine.send_request(1, get, quiet, from_millis(20)).ok());
}

// An engine destroyed with an exchange running gives its buffer back.
TEST(MessagePool, ADestroyedEngineGivesItsBuffersBack) {
  std::vector<uint8_t> memory(2 * coap::MessagePool::buffer_bytes(192));
  coap::MessagePool pool(memory, 192);
  EXPECT_EQ(pool.available(), 2u);
  EngineConfig cfg = small();
  cfg.exchanges = 2;
  cfg.shared_messages = &pool;
  Quiet quiet;
  coap::Message get = request(Type::con, coap::codes::get, 0, {}, "x");
  {
    Node a(cfg);
    ASSERT_TRUE(a.engine.send_request(1, get, quiet, from_millis(0)).ok());
    EXPECT_EQ(pool.available(), 1u);
  }
  EXPECT_EQ(pool.available(), 2u);
  // Buffers smaller than the engine's messages make it invalid.
  std::vector<uint8_t> small_memory(coap::MessagePool::buffer_bytes(128));
  coap::MessagePool small_pool(small_memory, 128);
  cfg.shared_messages = &small_pool;
  XorShiftRandom rng(1);
  EXPECT_FALSE(Engine(cfg, rng, nullptr).valid());
}

/// Accepts every Observe registration, answering "v0".
class Observed final : public coap::RequestHandler {
 public:
  void on_request(const coap::IncomingRequest& req, coap::Response& r) noexcept override {
    if (req.observe_register)
      if (auto id = r.accept_observe(1)) relation = *id;
    r.write("v0");
  }
  std::optional<coap::ObservationId> relation;
};

// A NON notification's exchange ends, and its buffer goes back to the pool, as
// poll_transmit() hands the datagram out: the datagram must still be whole when sent.
TEST(MessagePool, ANonNotificationLeavesWholeThoughItsBufferIsBackInThePool) {
  std::vector<uint8_t> memory(coap::MessagePool::buffer_bytes(192));
  coap::MessagePool pool(memory, 192);
  EngineConfig cfg = small();
  cfg.shared_messages = &pool;
  XorShiftRandom rng(5);
  Observed app;
  Engine engine(cfg, rng, &app);
  ASSERT_TRUE(engine.valid());
  coap::Message reg = request(Type::con, coap::codes::get, 9, token({0x0B}), "x");
  ASSERT_TRUE(reg.add_uint(coap::OptionNumber::observe, 0).ok());
  const Bytes b = encode(reg);
  engine.handle_datagram(1, {b.data(), b.size()}, from_millis(0));
  while (engine.poll_transmit()) {
  }
  ASSERT_TRUE(app.relation);
  ASSERT_TRUE(
      engine.notify(*app.relation, false, from_millis(10), [](coap::Response& r) { r.write("v1"); })
          .ok());
  auto d = engine.poll_transmit();
  ASSERT_TRUE(d);
  EXPECT_EQ(pool.available(), 1u) << "the exchange ended as its datagram was handed out";
  Parsed p(d->bytes);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.type(), Type::non);
  EXPECT_EQ(p.tok(), token({0x0B}));
  EXPECT_TRUE(p.observe());
  EXPECT_EQ(p.payload(), "v1");
}

}  // namespace
}  // namespace lwm2m::test
