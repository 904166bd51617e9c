// SPDX-License-Identifier: Apache-2.0
// The message layer's parts on their own: the deduplication cache, the transmit queue and
// the one encoder of empty ACKs and RSTs (RFC 7252 §4.2, §4.3, §4.5).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <vector>

#include "coap/engine_fixture.hpp"
#include "coap/reliability.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using coap::Type;
using coap::detail::CacheEntry;
using coap::detail::DedupCache;
using coap::detail::Tick;
using coap::detail::TxEntry;
using coap::detail::TxQueue;

constexpr TimePoint kT0 = from_millis(5'000);

// §3 and §4.2/§4.3: version 1, the type, TKL 0, code 0.00, then the MID, nothing else.
TEST(EmptyMessage, AckAndRstAreTheFourBytesOfRfc7252) {
  uint8_t b[coap::wire::kEmptySize];
  coap::wire::write_empty(Type::ack, 0x1234, b);
  EXPECT_EQ(Bytes(b, b + 4), (Bytes{0x60, 0x00, 0x12, 0x34}));
  coap::wire::write_empty(Type::rst, 0xBEEF, b);
  EXPECT_EQ(Bytes(b, b + 4), (Bytes{0x70, 0x00, 0xBE, 0xEF}));
}

class Dedup : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_.attach(entries_.data(), static_cast<uint16_t>(entries_.size()), &store_);
  }
  // The engine's clock (coap/tick.hpp) counts from 0 here: ticks are the milliseconds.
  static Tick tick(TimePoint t) { return static_cast<Tick>(to_millis(t)); }
  // What the engine does with a request: one scan finds a retransmission's entry or,
  // failing that, the entry a new answer takes.
  CacheEntry* find(coap::PeerId peer, uint16_t mid, TimePoint now) {
    CacheEntry* victim = nullptr;
    return cache_.find(peer, mid, tick(now), victim);
  }
  CacheEntry* insert(coap::PeerId peer, uint16_t mid, TimePoint now) {
    CacheEntry* victim = nullptr;
    if (cache_.find(peer, mid, tick(now), victim)) return nullptr;
    return DedupCache::insert(victim, peer, mid);
  }
  CacheEntry* answer(coap::PeerId peer, uint16_t mid, TimePoint now, Duration lifetime) {
    CacheEntry* c = insert(peer, mid, now);
    if (c) {
      c->expires = tick(now + lifetime);
      EXPECT_TRUE(cache_.store_empty_ack(*c).ok());
    }
    return c;
  }
  // Room for the three entries' empty ACKs whatever the header size.
  alignas(std::max_align_t) std::array<uint8_t, 3 * coap::ResponseStore::min_size(16)> memory_{};
  coap::ResponseStore store_{memory_};
  std::array<CacheEntry, 3> entries_{};
  DedupCache cache_;
};

// The same (peer, MID) finds the same answer, byte for byte, until it expires; another
// peer with that MID is another exchange.
TEST_F(Dedup, ReplaysTheSameAnswerUntilItExpires) {
  CacheEntry* c = answer(1, 0x42, kT0, 10s);
  ASSERT_NE(c, nullptr);
  CacheEntry* again = find(1, 0x42, kT0 + 9s);
  ASSERT_EQ(again, c);
  EXPECT_EQ(Bytes(again->buf, again->buf + again->len), (Bytes{0x60, 0x00, 0x00, 0x42}));
  EXPECT_EQ(find(2, 0x42, kT0), nullptr);
  EXPECT_EQ(find(1, 0x43, kT0), nullptr);
  EXPECT_EQ(find(1, 0x42, kT0 + 10s), nullptr) << "expired";
}

// When full, the entry that expires first gives way; one being transmitted never does.
TEST_F(Dedup, EvictsTheOldestButNeverOneBeingSent) {
  answer(1, 1, kT0, 10s);
  answer(1, 2, kT0 + 1s, 10s);
  answer(1, 3, kT0 + 2s, 10s);
  entries_[0].in_tx = true;
  ASSERT_NE(answer(1, 4, kT0 + 3s, 10s), nullptr);
  EXPECT_NE(find(1, 1, kT0 + 3s), nullptr) << "in transmission: kept";
  EXPECT_EQ(find(1, 2, kT0 + 3s), nullptr) << "the oldest of the others: evicted";
  EXPECT_NE(find(1, 3, kT0 + 3s), nullptr);
  for (auto& e : entries_)
    e.in_tx = true;
  EXPECT_EQ(insert(1, 5, kT0 + 4s), nullptr);
}

// A free or expired entry is taken before any live one is evicted, wherever it lies.
TEST_F(Dedup, TakesAnExpiredEntryBeforeEvictingALiveOne) {
  answer(1, 1, kT0, 10s);
  answer(1, 2, kT0 + 1s, 2s);  // expires at kT0 + 3s
  answer(1, 3, kT0 + 2s, 10s);
  CacheEntry* c = answer(1, 4, kT0 + 4s, 10s);
  EXPECT_EQ(c, &entries_[1]);
  EXPECT_NE(find(1, 1, kT0 + 4s), nullptr) << "the oldest live entry is kept";
  EXPECT_NE(find(1, 3, kT0 + 4s), nullptr);
}

// Datagrams leave in the order queued; a full queue refuses more.
TEST(TransmitQueue, FirstInFirstOutAndBounded) {
  std::array<TxEntry, 3> entries{};
  TxQueue q;
  q.attach(entries.data(), 3);
  EXPECT_TRUE(q.push_empty(7, Type::rst, 0x0102));
  EXPECT_TRUE(q.push_exchange(8, 2, 9));
  EXPECT_TRUE(q.push_cache(9, 1));
  EXPECT_FALSE(q.push_empty(7, Type::ack, 1));
  TxEntry t = q.pop();
  EXPECT_EQ(t.kind, TxEntry::Kind::empty);
  EXPECT_EQ(t.peer, 7);
  EXPECT_EQ(Bytes(t.bytes, t.bytes + 4), (Bytes{0x70, 0x00, 0x01, 0x02}));
  t = q.pop();
  EXPECT_EQ(t.kind, TxEntry::Kind::exchange);
  EXPECT_EQ(t.index, 2);
  EXPECT_EQ(t.generation, 9);
  EXPECT_TRUE(q.push_empty(7, Type::ack, 1)) << "room again, across the wrap";
  EXPECT_EQ(q.pop().kind, TxEntry::Kind::cache);
  EXPECT_EQ(q.pop().kind, TxEntry::Kind::empty);
  EXPECT_TRUE(q.empty());
}

class EngineEmptyMessages : public EngineTest {};

// Every empty message the engine sends is those four bytes: the RST to a ping, the empty
// ACK of a deferred request, and the ACK of a CON response to our request.
TEST_F(EngineEmptyMessages, AreExactlyFourBytesWithTheMid) {
  start();
  peer_raw(empty_message(Type::con, 0x4242));
  server_.serve = [](const coap::IncomingRequest&, coap::Response& r) { (void)r.defer(); };
  peer_send(request(Type::con, coap::codes::get, 0x1357, token({1}), "slow"));
  send_get("x", P);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  peer_send(response(Type::con, coap::codes::content, 0x2468, got[2].tok()));
  got = received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].bytes(), (Bytes{0x70, 0x00, 0x42, 0x42}));
  EXPECT_EQ(got[1].bytes(), (Bytes{0x60, 0x00, 0x13, 0x57}));
  EXPECT_EQ(got[3].bytes(), (Bytes{0x60, 0x00, 0x24, 0x68}));
}

}  // namespace
}  // namespace lwm2m::test
