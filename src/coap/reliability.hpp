// SPDX-License-Identifier: Apache-2.0
// The message layer (RFC 7252 §4): outgoing exchanges with their retransmission state,
// the deduplication cache of answers to requests, and the queue of datagrams to send.
#pragma once

#include <cstdint>

#include "coap/request_writer.hpp"
#include "coap/tick.hpp"
#include "coap/wire.hpp"
#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// One outgoing exchange: our request (with its blocks and observation), a CON separate
/// response, or a notification. Its datagram stays in `buf` for retransmission.
struct Exchange {
  // reserved: claimed while its datagram is being built (a filler may send requests
  // meanwhile, which must not take the same slot).
  enum class State : uint8_t {
    free,
    reserved,
    queued,
    wait_ack,
    wait_response,
    observing,
    transmit_once
  };
  enum class Kind : uint8_t { request, separate_response, notification };
  static constexpr uint16_t kNone = 0xFFFF;

  // Members in falling order of alignment, so that no padding comes between them: an
  // engine keeps one per exchange slot.
  Tick deadline = kNeverTick;
  Tick last_notification = 0;
  ResponseHandler* handler = nullptr;
  ByteView body;  // whole request body for Block1 uploads (caller-owned)
  uint8_t* buf = nullptr;
  uint32_t sequence = 0;
  uint32_t last_observe = 0;
  Tick timeout = 0;  // the retransmission timeout, kMaxPeriod at most
  // Request kind: the block and observe options of the datagram in buf, as values, for
  // building the next one.
  VaryingOptions options;
  PeerId peer = 0;
  uint16_t mid = 0;
  uint16_t generation = 0;
  uint16_t observation = 0;             // notification kind: index into the observations
  uint16_t observation_generation = 0;  // ... and that relation's generation
  // A fetch of the remaining Block2 blocks of a notification (RFC 7959 §2.6) runs in its
  // own exchange, a child of the observation's; responses reach the observation's handler.
  uint16_t parent = kNone;
  uint16_t parent_generation = 0;
  uint16_t child = kNone;
  uint16_t len = 0;
  State state = State::free;
  Kind kind = Kind::request;
  Type type = Type::con;
  bool in_tx = false;
  bool follow_block2 = true;
  bool observe = false;  // we asked to observe
  bool got_notification = false;
  bool deregistering = false;  // cancel() sent Observe 1; swallow the answer
  uint8_t retransmits = 0;
  Code code;
  Token token;
};

/// The answer given to a request, kept to answer its retransmissions (RFC 7252 §4.5).
struct CacheEntry {
  enum class State : uint8_t { free, pending, ready };
  State state = State::free;
  bool in_tx = false;
  PeerId peer = 0;
  uint16_t mid = 0;
  uint16_t len = 0;
  Tick expires = 0;
  uint8_t* buf = nullptr;  ///< its response in the ResponseStore; null: none kept
};

/// Deduplication by (peer, MID) over a fixed table, the responses in a ResponseStore; the
/// oldest entry gives way, and so does the oldest response when the store runs short.
class DedupCache {
 public:
  void attach(CacheEntry* entries, uint16_t count, ResponseStore* store) noexcept {
    entries_ = entries;
    count_ = count;
    store_ = store;
  }
  /// Room to write the response of a new entry, `max` bytes (null: none; see
  /// ResponseStore::reserve()), and keeping the `len` bytes written there.
  uint8_t* reserve(size_t max) noexcept { return store_->reserve(max); }
  void commit(CacheEntry& c, size_t len) noexcept { store_->commit(c, len); }
  /// Lets go of every response of this table (the store may outlive the engine).
  void release() noexcept;
  /// The live entry for a (peer, MID), or null; then `victim` is the entry a new one would
  /// take (null when every entry is being transmitted). One scan does both: a request
  /// that is not a retransmission always needs the second.
  CacheEntry* find(PeerId peer, uint16_t mid, Tick now, CacheEntry*& victim) noexcept;
  /// Makes `victim` (from find(), the cache unchanged since) the pending entry of a new
  /// (peer, MID); null when it is null.
  static CacheEntry* insert(CacheEntry* victim, PeerId peer, uint16_t mid) noexcept;
  /// Makes `c` the empty ACK of its MID (no_space when the store has no room for it).
  Status store_empty_ack(CacheEntry& c) noexcept;
  uint16_t index_of(const CacheEntry& c) const noexcept {
    return static_cast<uint16_t>(&c - entries_);
  }
  CacheEntry& operator[](uint16_t i) noexcept { return entries_[i]; }
  uint16_t size() const noexcept { return count_; }

 private:
  CacheEntry* entries_ = nullptr;
  ResponseStore* store_ = nullptr;
  uint16_t count_ = 0;
};

/// Datagrams waiting for poll_transmit(), in order. An entry names an exchange or a cache
/// entry (whose bytes may change before it is sent: the latest ones go out) or holds an
/// empty ACK/RST inline.
struct TxEntry {
  enum class Kind : uint8_t { exchange, cache, empty };
  Kind kind = Kind::empty;
  uint16_t index = 0;
  uint16_t generation = 0;
  PeerId peer = 0;
  uint8_t bytes[wire::kEmptySize] = {};
};

class TxQueue {
 public:
  void attach(TxEntry* entries, uint16_t capacity) noexcept {
    entries_ = entries;
    capacity_ = capacity;
  }
  /// False when full: the datagram is dropped, and the peer's or our retransmission
  /// covers it.
  bool push_empty(PeerId peer, Type type, uint16_t mid) noexcept;
  bool push_exchange(PeerId peer, uint16_t index, uint16_t generation) noexcept;
  bool push_cache(PeerId peer, uint16_t index) noexcept;
  bool full() const noexcept { return count_ >= capacity_; }
  bool empty() const noexcept { return count_ == 0; }
  TxEntry pop() noexcept;

 private:
  TxEntry& push(TxEntry::Kind kind, PeerId peer) noexcept;
  TxEntry* entries_ = nullptr;
  uint16_t capacity_ = 0, head_ = 0, count_ = 0;
};

/// Uniform in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (RFC 7252 §4.2), kMaxPeriod at
/// most.
Tick initial_timeout(const EngineSettings& tx, Random& rng) noexcept;

}  // namespace lwm2m::coap::detail
