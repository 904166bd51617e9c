// SPDX-License-Identifier: Apache-2.0
// Engine construction: caller storage sized by storage_size(), owned storage, and rejection
// of invalid configurations. An engine is judged by what it does on the wire.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "coap/engine_fixture.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::test {
namespace {

using coap::Engine;
using coap::EngineConfig;
using coap::Message;
using coap::Type;

/// Sends a CON GET to `engine` and returns what it answers.
std::vector<Parsed> ping_get(Engine& engine) {
  Message m = request(Type::con, coap::codes::get, 0x0101, token({1, 2}), "x");
  const Bytes bytes = encode(m);
  engine.handle_datagram(3, {bytes.data(), bytes.size()}, from_millis(0));
  std::vector<Parsed> out;
  while (auto d = engine.poll_transmit()) {
    EXPECT_EQ(d->peer, 3);
    out.emplace_back(d->bytes);
  }
  return out;
}

class Hello final : public coap::RequestHandler {
 public:
  void on_request(const coap::IncomingRequest&, coap::Response& r) noexcept override {
    r.write("hi");
  }
};

// Caller storage of exactly storage_size() bytes, even misaligned, is enough: the engine
// works without allocating.
TEST(EngineConfig, RunsInCallerStorageOfStorageSize) {
  EngineConfig cfg;
  const size_t n = Engine::storage_size(cfg);
  EXPECT_GT(n, size_t{cfg.exchanges} * cfg.max_message_size);
  for (size_t misalign : {size_t{0}, size_t{1}, size_t{7}}) {
    SCOPED_TRACE(misalign);
    std::vector<std::max_align_t> block(n / sizeof(std::max_align_t) + 2);
    auto* base = reinterpret_cast<uint8_t*>(block.data()) + misalign;
    XorShiftRandom rng(1);
    Hello app;
    Engine engine(cfg, MutableByteView{base, n}, rng, &app);
    ASSERT_TRUE(engine.valid());
    auto got = ping_get(engine);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type(), Type::ack);
    EXPECT_EQ(got[0].mid(), 0x0101);
    EXPECT_EQ(got[0].payload(), "hi");
  }
}

// A smaller configuration needs less storage.
TEST(EngineConfig, StorageSizeFollowsTheConfiguration) {
  EngineConfig small;
  small.exchanges = 1;
  small.dedup_entries = 1;
  small.observations = 0;
  small.deferred = 0;
  small.block1_buffer = 0;
  small.block_size = 64;
  small.max_message_size = 128;
  EXPECT_LT(Engine::storage_size(small), Engine::storage_size(EngineConfig{}));
  std::vector<std::max_align_t> block(Engine::storage_size(small) / sizeof(std::max_align_t) + 1);
  XorShiftRandom rng(1);
  Hello app;
  Engine engine(
      small, MutableByteView{reinterpret_cast<uint8_t*>(block.data()), Engine::storage_size(small)},
      rng, &app);
  ASSERT_TRUE(engine.valid());
  EXPECT_EQ(ping_get(engine).size(), 1u);
}

// Pings answered without a poll in between: the transmit queue holds one datagram per
// exchange and dedup entry and `empty_messages` more; the rest are dropped (the peer
// pings again), and a smaller setting takes less storage.
TEST(EngineConfig, EmptyMessagesSizeTheTransmitQueue) {
  auto rsts_to_pings = [](uint8_t empty_messages) {
    EngineConfig cfg;
    cfg.exchanges = 1;
    cfg.dedup_entries = 1;
    cfg.empty_messages = empty_messages;
    XorShiftRandom rng(1);
    Hello app;
    Engine engine(cfg, rng, &app);
    EXPECT_TRUE(engine.valid());
    for (uint16_t mid = 1; mid <= 6; ++mid) {
      const Bytes ping = empty_message(Type::con, mid);
      engine.handle_datagram(3, {ping.data(), ping.size()}, from_millis(0));
    }
    size_t rsts = 0;
    while (auto d = engine.poll_transmit())
      rsts += Parsed(d->bytes).type() == Type::rst;
    return rsts;
  };
  EXPECT_EQ(rsts_to_pings(8), 6u);
  EXPECT_EQ(rsts_to_pings(1), 3u);
  EngineConfig few;
  few.empty_messages = 1;
  EXPECT_LT(Engine::storage_size(few), Engine::storage_size(EngineConfig{}));
}

TEST(EngineConfig, TooLittleStorageIsInvalid) {
  EngineConfig cfg;
  const size_t n = Engine::storage_size(cfg);
  std::vector<std::max_align_t> block(n / sizeof(std::max_align_t) + 1);
  XorShiftRandom rng(1);
  Engine engine(cfg, MutableByteView{reinterpret_cast<uint8_t*>(block.data()), n - 1}, rng,
                nullptr);
  EXPECT_FALSE(engine.valid());
}

// Engine::config() keeps what the engine runs by, in fewer bytes than the EngineConfig.
TEST(EngineConfig, ConfigReportsTheSettingsTheEngineRunsBy) {
  EngineConfig cfg;
  cfg.tx.ack_timeout = std::chrono::milliseconds(3000);
  cfg.tx.ack_random_factor_permille = 1250;
  cfg.tx.max_retransmit = 3;
  cfg.max_message_size = 512;
  cfg.block_size = 256;
  cfg.token_length = 8;
  XorShiftRandom rng(1);
  Engine engine(cfg, rng, nullptr);
  ASSERT_TRUE(engine.valid());
  EXPECT_EQ(engine.config().block_size, 256);
  EXPECT_EQ(engine.config().block_szx, 4);  // 2^(4 + 4) = 256
  EXPECT_EQ(engine.config().max_message_size, 512);
  EXPECT_EQ(engine.config().token_length, 8);
  EXPECT_EQ(engine.config().max_transmit_wait(), cfg.tx.max_transmit_wait());  // 56.25 s
  EXPECT_EQ(engine.receive_buffer().size(), 512u);
  EXPECT_LT(sizeof(coap::EngineSettings), sizeof(EngineConfig));
}

// The engine keeps ACK_TIMEOUT in 32 bits of milliseconds: more is refused, not truncated.
TEST(EngineConfig, AckTimeoutBeyond32BitsOfMillisecondsIsInvalid) {
  EngineConfig cfg;
  cfg.tx.ack_timeout = std::chrono::milliseconds(int64_t{UINT32_MAX} + 1);
  XorShiftRandom rng(1);
  EXPECT_FALSE(Engine(cfg, rng, nullptr).valid());
  cfg.tx.ack_timeout = std::chrono::milliseconds(int64_t{UINT32_MAX});
  EXPECT_TRUE(Engine(cfg, rng, nullptr).valid());
}

// Storage the engine allocates itself comes aligned from new[]: one allocation, without
// the room storage_size() keeps for aligning a caller's bytes (a fleet has an engine per
// client).
TEST(EngineConfig, OwnedStorageIsOneAllocationWithoutRoomToAlign) {
  EngineConfig cfg;
  XorShiftRandom rng(1);
  Hello app;
  test::AllocationScope scope;
  Engine engine(cfg, rng, &app);
  ASSERT_TRUE(engine.valid());
  EXPECT_EQ(scope.count(), 1u);
  EXPECT_EQ(scope.bytes(), Engine::storage_size(cfg) - alignof(std::max_align_t));
  EXPECT_EQ(ping_get(engine).size(), 1u);
}

TEST(EngineConfig, OwnedStorageConstructorWorks) {
  XorShiftRandom rng(1);
  Hello app;
  Engine engine(EngineConfig{}, rng, &app);
  ASSERT_TRUE(engine.valid());
  EXPECT_EQ(ping_get(engine).size(), 1u);
}

// Invalid configurations: the engine says so and does nothing.
TEST(EngineConfig, InvalidConfigurationsAreRejected) {
  auto valid = [](const EngineConfig& cfg) {
    XorShiftRandom rng(1);
    return Engine(cfg, rng, nullptr).valid();
  };
  EngineConfig cfg;
  cfg.block_size = 1000;  // not a power of two
  EXPECT_FALSE(valid(cfg));
  cfg.block_size = 2048;  // above 1024 (SZX 7 is BERT, TCP only)
  EXPECT_FALSE(valid(cfg));
  cfg.block_size = 8;
  EXPECT_FALSE(valid(cfg));

  cfg = EngineConfig{};
  cfg.block_size = 1024;
  cfg.max_message_size = 1024 + 63;  // < block_size + 64
  EXPECT_FALSE(valid(cfg));
  cfg.max_message_size = 1024 + 64;
  EXPECT_TRUE(valid(cfg));

  cfg = EngineConfig{};
  cfg.exchanges = 0;
  EXPECT_FALSE(valid(cfg));
  cfg = EngineConfig{};
  cfg.dedup_entries = 0;
  EXPECT_FALSE(valid(cfg));
  cfg = EngineConfig{};
  cfg.token_length = 9;
  EXPECT_FALSE(valid(cfg));
  cfg = EngineConfig{};
  cfg.tx.ack_random_factor_permille = 999;  // factor below 1
  EXPECT_FALSE(valid(cfg));
}

TEST(EngineConfig, InvalidEngineIsInert) {
  EngineConfig cfg;
  cfg.block_size = 1000;
  XorShiftRandom rng(1);
  Hello app;
  Engine engine(cfg, rng, &app);
  ASSERT_FALSE(engine.valid());
  EXPECT_TRUE(ping_get(engine).empty());
  EXPECT_EQ(engine.next_deadline(), kNever);
  struct Null final : coap::ResponseHandler {
    void on_response(coap::RequestId, const Message&, bool) noexcept override {}
    void on_error(coap::RequestId, Errc) noexcept override {}
  } null;
  Message m;
  m.code = coap::codes::get;
  EXPECT_EQ(engine.send_request(1, m, null, from_millis(0)).error(), Errc::invalid_state);
  engine.handle_timeout(from_millis(100000));
  EXPECT_FALSE(engine.poll_transmit().has_value());
}

// Table limits show up as no_space, not as corruption.
TEST(EngineConfig, ExchangeTableFullGivesNoSpace) {
  EngineConfig cfg;
  cfg.exchanges = 2;
  XorShiftRandom rng(1);
  Engine engine(cfg, rng, nullptr);
  struct Null final : coap::ResponseHandler {
    void on_response(coap::RequestId, const Message&, bool) noexcept override {}
    void on_error(coap::RequestId, Errc) noexcept override {}
  } null;
  Message m;
  m.code = coap::codes::get;
  EXPECT_TRUE(engine.send_request(1, m, null, from_millis(0)).ok());
  EXPECT_TRUE(engine.send_request(2, m, null, from_millis(0)).ok());
  EXPECT_EQ(engine.send_request(3, m, null, from_millis(0)).error(), Errc::no_space);
  Message response = m;
  response.code = coap::codes::content;
  EXPECT_EQ(engine.send_request(1, response, null, from_millis(0)).error(), Errc::invalid_argument);
}

}  // namespace
}  // namespace lwm2m::test
