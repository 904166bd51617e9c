// SPDX-License-Identifier: Apache-2.0
// The message layer (RFC 7252 §4): retransmission of CON messages, matching of ACK and
// RST, NSTART, deduplication of requests, and the transmit queue.
#include "coap/reliability.hpp"

#include <cstring>

#include "coap/engine_core.hpp"
#include "lwm2m/config.hpp"
#include "millis32.hpp"
#include "small_divide.hpp"

namespace lwm2m::coap::detail {

// ---------------------------------------------------------------------------------------
// Deduplication cache

CacheEntry* DedupCache::find(PeerId peer, uint16_t mid, Tick now, CacheEntry*& victim) noexcept {
  // The victim: the first free or expired entry not being transmitted, else the oldest
  // live one not being transmitted.
  victim = nullptr;
  bool victim_free = false;
  for (uint16_t i = 0; i < count_; ++i) {
    CacheEntry& c = entries_[i];
    const bool live = c.state != CacheEntry::State::free && c.expires > now;
    if (live && c.peer == peer && c.mid == mid) return &c;
    if (c.in_tx || victim_free) continue;
    if (!live || !victim || c.expires < victim->expires) {
      victim = &c;
      victim_free = !live;
    }
  }
  return nullptr;
}

CacheEntry* DedupCache::insert(CacheEntry* victim, PeerId peer, uint16_t mid) noexcept {
  if (!victim) return nullptr;
  ResponseStore::forget(*victim);
  victim->state = CacheEntry::State::pending;
  victim->peer = peer;
  victim->mid = mid;
  victim->len = 0;
  return victim;
}

Status DedupCache::store_empty_ack(CacheEntry& c) noexcept {
  uint8_t* out = reserve(wire::kEmptySize);
  if (!out) return Errc::no_space;
  wire::write_empty(Type::ack, c.mid, out);
  commit(c, wire::kEmptySize);
  c.state = CacheEntry::State::ready;
  return {};
}

void DedupCache::release() noexcept {
  for (uint16_t i = 0; i < count_; ++i)
    ResponseStore::forget(entries_[i]);
}

// ---------------------------------------------------------------------------------------
// Transmit queue

TxEntry& TxQueue::push(TxEntry::Kind kind, PeerId peer) noexcept {
  TxEntry& t = entries_[(head_ + count_++) % capacity_];
  t.kind = kind;
  t.peer = peer;
  return t;
}

bool TxQueue::push_empty(PeerId peer, Type type, uint16_t mid) noexcept {
  if (full()) return false;
  wire::write_empty(type, mid, push(TxEntry::Kind::empty, peer).bytes);
  return true;
}

bool TxQueue::push_exchange(PeerId peer, uint16_t index, uint16_t generation) noexcept {
  if (full()) return false;
  TxEntry& t = push(TxEntry::Kind::exchange, peer);
  t.index = index;
  t.generation = generation;
  return true;
}

bool TxQueue::push_cache(PeerId peer, uint16_t index) noexcept {
  if (full()) return false;
  push(TxEntry::Kind::cache, peer).index = index;
  return true;
}

TxEntry TxQueue::pop() noexcept {
  TxEntry t = entries_[head_];
  head_ = static_cast<uint16_t>((head_ + 1) % capacity_);
  --count_;
  return t;
}

Tick period_of(Duration d) noexcept {
  const uint32_t ms = lwm2m::detail::saturated_ms(d);
  return ms < kMaxPeriod ? ms : kMaxPeriod;
}

Tick initial_timeout(const EngineSettings& tx, Random& rng) noexcept {
  uint32_t spread = tx.ack_random_factor_permille - 1000u;
  uint32_t r = spread ? rng.next_u32() % (spread + 1) : 0;
  return period_of(Duration{lwm2m::detail::divide(int64_t{tx.ack_timeout_ms} * (1000 + r), 1000)});
}

// ---------------------------------------------------------------------------------------
// The clock

Tick EngineCore::tick(TimePoint now) noexcept {
  const int64_t since = to_millis(now) - to_millis(epoch);
  if (since < 0) return 0;  // a clock that went back: as the epoch, never earlier
  if (since < kRebaseAt) return static_cast<Tick>(since);
  // Called from a handler (send_request(), notify()...): the input being handled holds
  // ticks of the current epoch, so the epoch moves between inputs only; until then the
  // clock stands at its last tick (one plus kMaxPeriod still below kNeverTick).
  if (busy()) return kRebaseAt - 1;
  rebase(now);
  return kRebaseAt / 2;
}

// Out of line: it runs once in 12 days at most.
[[gnu::noinline]] void EngineCore::rebase(TimePoint now) noexcept {
  // `now` becomes half of kRebaseAt (so that a period of up to kMaxPeriod from it still
  // fits below kNeverTick, and the next rebase is 12 days away at the earliest); every
  // stored tick moves back by as much, one in the past stopping at 0.
  const TimePoint next = now - Duration{kRebaseAt / 2};
  const int64_t by = to_millis(next) - to_millis(epoch);  // at least kRebaseAt / 2
  const Tick shift = by < kNeverTick ? static_cast<Tick>(by) : kNeverTick;
  epoch = next;
  auto back = [shift](Tick& t) noexcept {
    if (t != kNeverTick) t = t > shift ? t - shift : 0;
  };
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    back(exchanges[i].deadline);
    // Only an observation of ours reads it (a build without Observe holds none).
    if (LWM2M_WITH_OBSERVE) back(exchanges[i].last_notification);
  }
  for (uint16_t i = 0; i < cache.size(); ++i)
    back(cache[i].expires);
  if (LWM2M_WITH_BLOCKWISE && reassembly) back(reassembly->expires_);
}

TimePoint EngineCore::time_of(Tick t) const noexcept {
  return epoch + Duration{t};
}

// ---------------------------------------------------------------------------------------
// Exchanges

void EngineCore::queue_exchange(Exchange& e) noexcept {
  if (e.in_tx) return;
  if (tx.push_exchange(e.peer, index_of(e), e.generation)) e.in_tx = true;
}

void EngineCore::queue_cache(CacheEntry& c) noexcept {
  if (c.in_tx || c.state != CacheEntry::State::ready || c.len == 0) return;
  if (tx.push_cache(c.peer, cache.index_of(c))) c.in_tx = true;
}

Exchange* EngineCore::free_slot() const noexcept {
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    Exchange& e = exchanges[i];
    if (e.state == Exchange::State::free && !e.in_tx) return &e;
  }
  return nullptr;
}

Exchange* EngineCore::alloc_exchange() noexcept {
  Exchange* e = free_slot();
  if (!e) return nullptr;
  uint16_t gen = static_cast<uint16_t>(e->generation + 1);
  uint8_t* buf = e->buf;
  MessagePool* pool = config.shared_messages;
  if (pool && !(buf = pool->take())) return nullptr;  // none free: as if busy
  *e = Exchange{};
  e->state = Exchange::State::reserved;
  e->generation = gen;
  e->buf = buf;
  return e;
}

void EngineCore::free_exchange(Exchange& e) noexcept {
  // Notifications (and the relations they belong to) exist only in a build with Observe.
  if (LWM2M_WITH_OBSERVE && e.kind == Exchange::Kind::notification &&
      e.observation < config.observations) {
    ServedObservation& o = observations[e.observation];
    if (o.exchange == index_of(e)) o.exchange = kNoExchange;
  }
  e.state = Exchange::State::free;
  e.handler = nullptr;
  e.generation = static_cast<uint16_t>(e.generation + 1);
  if (config.shared_messages && e.buf) {
    config.shared_messages->give(e.buf);  // its bytes stay until another exchange takes it
    e.buf = nullptr;
  }
}

void EngineCore::start_transmission(Exchange& e, Tick now) noexcept {
  if (e.type == Type::con) {
    e.state = Exchange::State::wait_ack;
    e.retransmits = 0;
    e.timeout = initial_timeout(config, rng);
    e.deadline = now + e.timeout;
  } else if (e.kind == Exchange::Kind::request) {
    e.state = Exchange::State::wait_response;
    e.deadline = now + exchange_lifetime;
  } else {
    e.state = Exchange::State::transmit_once;
    e.deadline = kNeverTick;
  }
  queue_exchange(e);
}

// NSTART (RFC 7252 §4.7): queued CON exchanges start, oldest first, while fewer than
// NSTART wait for their ACK.
void EngineCore::promote_queued(PeerId peer, Tick now) noexcept {
  for (;;) {
    uint32_t in_flight = 0;
    Exchange* oldest = nullptr;
    for (uint16_t i = 0; i < config.exchanges; ++i) {
      Exchange& e = exchanges[i];
      if (e.peer != peer) continue;
      if (e.state == Exchange::State::wait_ack) ++in_flight;
      if (e.state == Exchange::State::queued && (!oldest || e.sequence < oldest->sequence))
        oldest = &e;
    }
    if (!oldest || in_flight >= config.nstart) return;
    start_transmission(*oldest, now);
  }
}

void EngineCore::fail_exchange(Exchange& e, Errc why) noexcept {
  ResponseHandler* h = e.handler;
  RequestId id{index_of(e), e.generation};
  // A failed child fetch leaves the observation running: its handler already has the
  // first block, and the next notification starts a new fetch.
  bool tell = e.kind == Exchange::Kind::request && !e.deregistering && e.parent == Exchange::kNone;
  free_exchange(e);
  if (tell && h) h->on_error(id, why);
}

// A CON of ours got no ACK, or was answered with RST: the exchange ends.
namespace {
void end_unanswered(EngineCore& core, Exchange& e, Errc why) noexcept {
  if (LWM2M_WITH_OBSERVE && e.kind == Exchange::Kind::notification) {
    // An RST or an unacknowledged CON notification ends the relation (RFC 7641 §3.6, §4.5).
    if (core.observations[e.observation].generation == e.observation_generation)
      core.end_observation(e.observation, why, true);
    if (e.state != Exchange::State::free) core.free_exchange(e);
  } else if (e.kind == Exchange::Kind::request) {
    core.fail_exchange(e, why);
  } else {
    core.free_exchange(e);
  }
}
}  // namespace

void EngineCore::on_ack_or_rst(PeerId peer, const Message& m, Tick now) noexcept {
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    Exchange& e = exchanges[i];
    if (e.state != Exchange::State::wait_ack || e.peer != peer || e.mid != m.message_id) continue;
    if (m.type == Type::rst) {
      end_unanswered(*this, e, Errc::reset);
    } else if (m.code.is_empty()) {
      if (e.kind == Exchange::Kind::request) {
        // Separate response follows (RFC 7252 §5.2.2).
        e.state = LWM2M_WITH_OBSERVE && e.observe && e.got_notification
                      ? Exchange::State::observing
                      : Exchange::State::wait_response;
        e.deadline = now + exchange_lifetime;
      } else {
        free_exchange(e);
      }
    } else if (e.kind == Exchange::Kind::request && m.code.is_response() && e.token == m.token) {
      deliver_response(i, m, now);
    } else {
      return;  // an ACK carrying something that is not our response
    }
    promote_queued(peer, now);
    return;
  }
  if (LWM2M_WITH_OBSERVE && m.type == Type::rst) {
    // RST to a NON notification cancels the relation (RFC 7641 §3.6).
    for (uint16_t i = 0; i < config.observations; ++i) {
      ServedObservation& o = observations[i];
      if (o.active && o.peer == peer && o.last_mid_valid && o.last_mid == m.message_id) {
        end_observation(i, Errc::reset, true);
        return;
      }
    }
  }
}

void EngineCore::handle_timeout(Tick now) noexcept {
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    Exchange& e = exchanges[i];
    if (e.deadline > now) continue;
    if (e.state == Exchange::State::wait_ack) {
      if (e.retransmits < config.max_retransmit) {
        ++e.retransmits;
        ++stats.retransmissions;
        e.timeout = e.timeout < kMaxPeriod / 2 ? 2 * e.timeout : kMaxPeriod;
        e.deadline = now + e.timeout;
        queue_exchange(e);
        continue;
      }
      PeerId peer = e.peer;
      end_unanswered(*this, e, Errc::timeout);
      promote_queued(peer, now);
    } else if (e.state == Exchange::State::wait_response) {
      fail_exchange(e, Errc::timeout);
    }
  }
}

std::optional<Datagram> EngineCore::poll_transmit() noexcept {
  while (!tx.empty()) {
    TxEntry t = tx.pop();
    switch (t.kind) {
      case TxEntry::Kind::empty:
        std::memcpy(transmit, t.bytes, wire::kEmptySize);
        return Datagram{t.peer, ByteView{transmit, wire::kEmptySize}};
      case TxEntry::Kind::cache: {
        CacheEntry& c = cache[t.index];
        c.in_tx = false;
        if (c.state != CacheEntry::State::ready || !c.buf) continue;
        return Datagram{t.peer, ByteView{c.buf, c.len}};
      }
      case TxEntry::Kind::exchange: {
        Exchange& e = exchanges[t.index];
        e.in_tx = false;
        if (e.generation != t.generation || e.state == Exchange::State::free) continue;
        const Datagram d{t.peer, ByteView{e.buf, e.len}};
        if (e.state == Exchange::State::transmit_once) free_exchange(e);
        return d;
      }
    }
  }
  return std::nullopt;
}

TimePoint EngineCore::next_deadline() const noexcept {
  Tick next = kNeverTick;
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    const Exchange& e = exchanges[i];
    if ((e.state == Exchange::State::wait_ack || e.state == Exchange::State::wait_response) &&
        e.deadline < next)
      next = e.deadline;
  }
  return next == kNeverTick ? kNever : time_of(next);
}

}  // namespace lwm2m::coap::detail
