#include "lwm2m/coap/engine.hpp"

#include <cstring>
#include <new>

namespace lwm2m::coap {

// ---------------------------------------------------------------------------------------
// Transmission parameters (RFC 7252 §4.8.2)

namespace {
Duration scaled(Duration base, int64_t mult, uint16_t permille) noexcept {
  return Duration{base.count() * mult * permille / 1000};
}
}  // namespace

Duration TransmissionParams::max_transmit_span() const noexcept {
  return scaled(ack_timeout, (int64_t{1} << max_retransmit) - 1, ack_random_factor_permille);
}
Duration TransmissionParams::max_transmit_wait() const noexcept {
  return scaled(ack_timeout, (int64_t{1} << (max_retransmit + 1)) - 1, ack_random_factor_permille);
}
Duration TransmissionParams::exchange_lifetime() const noexcept {
  return max_transmit_span() + 2 * max_latency + processing_delay;
}
Duration TransmissionParams::non_lifetime() const noexcept {
  return max_transmit_span() + max_latency;
}

// ---------------------------------------------------------------------------------------
// Tables

struct Engine::Exchange {
  enum class State : uint8_t { free, queued, wait_ack, wait_response, observing, transmit_once };
  enum class Kind : uint8_t { request, separate_response, notification };
  State state = State::free;
  Kind kind = Kind::request;
  Type type = Type::con;
  bool in_tx = false;
  bool follow_block2 = true;
  bool observe = false;  // we asked to observe
  bool got_notification = false;
  bool deregistering = false;  // cancel() sent Observe 1; swallow the answer
  PeerId peer = 0;
  uint16_t mid = 0;
  uint16_t generation = 0;
  uint16_t observation = 0;             // notification kind: index into observations_
  uint16_t observation_generation = 0;  // ... and that relation's generation
  uint8_t retransmits = 0;
  // A fetch of the remaining Block2 blocks of a notification (RFC 7959 §2.6) runs in its
  // own exchange, a child of the observation's; responses reach the observation's handler.
  uint16_t parent = kNone;
  uint16_t parent_generation = 0;
  uint16_t child = kNone;
  static constexpr uint16_t kNone = 0xFFFF;
  Token token;
  Duration timeout{0};
  TimePoint deadline = kNever;
  uint32_t sequence = 0;
  ResponseHandler* handler = nullptr;
  ByteView body;  // whole request body for Block1 uploads (caller-owned)
  uint32_t last_observe = 0;
  TimePoint last_notification{};
  uint16_t len = 0;
  uint8_t* buf = nullptr;
};

struct Engine::CacheEntry {
  enum class State : uint8_t { free, pending, ready };
  State state = State::free;
  bool in_tx = false;
  PeerId peer = 0;
  uint16_t mid = 0;
  uint16_t len = 0;
  TimePoint expires{};
  uint8_t* buf = nullptr;
};

struct Engine::Observation {
  bool active = false;
  bool last_mid_valid = false;
  uint16_t generation = 0;
  PeerId peer = 0;
  uint16_t last_mid = 0;
  int32_t exchange = -1;  // pending CON notification
  Token token;
  uint32_t seq = 0;
  uint32_t cookie = 0;
  TimePoint last_con{};
};

struct Engine::Deferred {
  bool active = false;
  uint16_t generation = 0;
  PeerId peer = 0;
  Type request_type = Type::con;
  Token token;
};

struct Engine::Reassembly {
  bool active = false;
  PeerId peer = 0;
  uint32_t key = 0;
  uint32_t received = 0;
  TimePoint expires{};
  uint8_t* buf = nullptr;
};

struct Engine::TxEntry {
  enum class Kind : uint8_t { exchange, cache, inline_bytes };
  Kind kind = Kind::inline_bytes;
  uint16_t index = 0;
  uint16_t generation = 0;
  PeerId peer = 0;
  uint8_t bytes[4] = {};
};

namespace {

// Lays out every table in one block; run once with base == nullptr to measure.
struct Layout {
  uint8_t* base;
  size_t offset = 0;
  template <class T>
  T* take(size_t n) noexcept {
    offset = (offset + alignof(T) - 1) & ~(alignof(T) - 1);
    T* p = base ? reinterpret_cast<T*>(base + offset) : nullptr;
    if (base)
      for (size_t i = 0; i < n; ++i)
        new (p + i) T();
    offset += sizeof(T) * n;
    return p;
  }
  uint8_t* bytes(size_t n) noexcept {
    uint8_t* p = base ? base + offset : nullptr;
    offset += n;
    return p;
  }
};

bool config_ok(const EngineConfig& c) noexcept {
  if (c.block_size < 16 || c.block_size > 1024 || (c.block_size & (c.block_size - 1)) != 0)
    return false;
  // Header, token and options of a block response or upload must fit beside the block.
  if (c.max_message_size < c.block_size + 64) return false;
  if (c.exchanges == 0 || c.dedup_entries == 0) return false;
  if (c.token_length > 8) return false;
  if (c.tx.max_retransmit > 20 || c.tx.ack_random_factor_permille < 1000) return false;
  return true;
}

uint32_t hash_bytes(uint32_t h, ByteView b) noexcept {
  for (uint8_t c : b)
    h = (h ^ c) * 16777619u;  // FNV-1a
  return h;
}

// Identifies a Block1 transfer: method and target URI (RFC 7959 §2.5 matches by endpoint
// and request URI, since the token may change between blocks).
uint32_t request_key(const Message& m) noexcept {
  uint32_t h = 2166136261u ^ m.code.raw;
  for (const Option& o : m.options()) {
    if (o.number == static_cast<uint16_t>(OptionNumber::uri_path) ||
        o.number == static_cast<uint16_t>(OptionNumber::uri_query)) {
      uint8_t n = static_cast<uint8_t>(o.number);
      h = hash_bytes(h, {&n, 1});
      h = hash_bytes(h, o.value());
    }
  }
  return h;
}

bool observe_fresh(uint32_t v1, uint32_t v2, TimePoint t1, TimePoint t2) noexcept {
  // RFC 7641 §3.4, with 24-bit sequence numbers.
  constexpr uint32_t half = 1u << 23;
  return (v1 < v2 && v2 - v1 < half) || (v1 > v2 && v1 - v2 > half) || t2 > t1 + Duration{128000};
}

}  // namespace

size_t Engine::storage_size(const EngineConfig& c) noexcept {
  Layout l{nullptr};
  l.take<Exchange>(c.exchanges);
  l.bytes(size_t{c.exchanges} * c.max_message_size);
  l.take<CacheEntry>(c.dedup_entries);
  l.bytes(size_t{c.dedup_entries} * c.max_message_size);
  l.take<Observation>(c.observations);
  l.take<Deferred>(c.deferred);
  l.take<Reassembly>(1);
  l.bytes(c.block1_buffer);
  l.take<TxEntry>(size_t{c.exchanges} + c.dedup_entries + 8);
  l.bytes(c.max_message_size);
  l.bytes(c.block_size);
  return l.offset + alignof(std::max_align_t);
}

Engine::Engine(const EngineConfig& config, MutableByteView storage, Random& rng,
               RequestHandler* handler) noexcept
    : config_(config), rng_(rng), handler_(handler) {
  valid_ = config_ok(config) && setup(storage);
}

Engine::Engine(const EngineConfig& config, Random& rng, RequestHandler* handler) noexcept
    : config_(config), rng_(rng), handler_(handler) {
  if (!config_ok(config)) return;
  size_t n = storage_size(config);
  owned_.reset(new (std::nothrow) uint8_t[n]);
  if (owned_) valid_ = setup({owned_.get(), n});
}

Engine::~Engine() = default;

bool Engine::setup(MutableByteView storage) noexcept {
  if (storage.size() < storage_size(config_)) return false;
  uintptr_t addr = reinterpret_cast<uintptr_t>(storage.data());
  size_t pad =
      (alignof(std::max_align_t) - addr % alignof(std::max_align_t)) % alignof(std::max_align_t);
  Layout l{storage.data() + pad};
  exchanges_ = l.take<Exchange>(config_.exchanges);
  uint8_t* ebufs = l.bytes(size_t{config_.exchanges} * config_.max_message_size);
  for (uint16_t i = 0; i < config_.exchanges; ++i)
    exchanges_[i].buf = ebufs + size_t{i} * config_.max_message_size;
  cache_ = l.take<CacheEntry>(config_.dedup_entries);
  uint8_t* cbufs = l.bytes(size_t{config_.dedup_entries} * config_.max_message_size);
  for (uint16_t i = 0; i < config_.dedup_entries; ++i)
    cache_[i].buf = cbufs + size_t{i} * config_.max_message_size;
  observations_ = l.take<Observation>(config_.observations);
  deferred_ = l.take<Deferred>(config_.deferred);
  reassembly_ = l.take<Reassembly>(1);
  reassembly_->buf = l.bytes(config_.block1_buffer);
  tx_capacity_ = static_cast<uint16_t>(config_.exchanges + config_.dedup_entries + 8);
  tx_ = l.take<TxEntry>(tx_capacity_);
  scratch_ = l.bytes(config_.max_message_size);
  payload_scratch_ = l.bytes(config_.block_size);
  block_szx_ = BlockOption::szx_for(config_.block_size);
  next_mid_ = static_cast<uint16_t>(rng_.next_u32());
  return true;
}

// ---------------------------------------------------------------------------------------
// Small helpers

Token Engine::fresh_token() noexcept {
  Token t;
  t.length = config_.token_length;
  for (;;) {
    for (uint8_t i = 0; i < t.length; i += 4) {
      uint32_t r = rng_.next_u32();
      for (uint8_t k = 0; k < 4 && i + k < t.length; ++k)
        t.bytes[i + k] = static_cast<uint8_t>(r >> (8 * k));
    }
    bool clash = false;
    for (uint16_t i = 0; i < config_.exchanges; ++i) {
      const Exchange& e = exchanges_[i];
      if (e.state != Exchange::State::free && e.kind == Exchange::Kind::request && e.token == t)
        clash = true;
    }
    if (!clash || t.length == 0) return t;
  }
}

Duration Engine::initial_timeout() noexcept {
  // Uniform in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR].
  uint32_t spread = config_.tx.ack_random_factor_permille - 1000u;
  uint32_t r = spread ? rng_.next_u32() % (spread + 1) : 0;
  return Duration{config_.tx.ack_timeout.count() * (1000 + r) / 1000};
}

void Engine::queue_inline(PeerId peer, Type type, uint16_t mid) noexcept {
  if (tx_count_ >= tx_capacity_) return;  // the peer will retransmit
  TxEntry& t = tx_[(tx_head_ + tx_count_++) % tx_capacity_];
  t.kind = TxEntry::Kind::inline_bytes;
  t.peer = peer;
  t.bytes[0] = static_cast<uint8_t>(0x40 | (static_cast<uint8_t>(type) << 4));
  t.bytes[1] = 0;
  t.bytes[2] = static_cast<uint8_t>(mid >> 8);
  t.bytes[3] = static_cast<uint8_t>(mid);
}

void Engine::send_rst(PeerId peer, uint16_t mid) noexcept {
  queue_inline(peer, Type::rst, mid);
}
void Engine::send_empty_ack(PeerId peer, uint16_t mid) noexcept {
  queue_inline(peer, Type::ack, mid);
}

void Engine::queue_exchange(uint16_t index) noexcept {
  Exchange& e = exchanges_[index];
  if (e.in_tx || tx_count_ >= tx_capacity_) return;
  e.in_tx = true;
  TxEntry& t = tx_[(tx_head_ + tx_count_++) % tx_capacity_];
  t.kind = TxEntry::Kind::exchange;
  t.index = index;
  t.generation = e.generation;
  t.peer = e.peer;
}

void Engine::queue_cache(uint16_t index) noexcept {
  CacheEntry& c = cache_[index];
  if (c.in_tx || c.state != CacheEntry::State::ready || c.len == 0 || tx_count_ >= tx_capacity_)
    return;
  c.in_tx = true;
  TxEntry& t = tx_[(tx_head_ + tx_count_++) % tx_capacity_];
  t.kind = TxEntry::Kind::cache;
  t.index = index;
  t.peer = c.peer;
}

Engine::CacheEntry* Engine::cache_find(PeerId peer, uint16_t mid, TimePoint now) noexcept {
  for (uint16_t i = 0; i < config_.dedup_entries; ++i) {
    CacheEntry& c = cache_[i];
    if (c.state != CacheEntry::State::free && c.peer == peer && c.mid == mid && c.expires > now)
      return &c;
  }
  return nullptr;
}

Engine::CacheEntry* Engine::cache_insert(PeerId peer, uint16_t mid, TimePoint now) noexcept {
  CacheEntry* victim = nullptr;
  for (uint16_t i = 0; i < config_.dedup_entries; ++i) {
    CacheEntry& c = cache_[i];
    if (c.in_tx) continue;
    if (c.state == CacheEntry::State::free || c.expires <= now) {
      victim = &c;
      break;
    }
    if (!victim || c.expires < victim->expires) victim = &c;  // evict the oldest
  }
  if (!victim) return nullptr;
  victim->state = CacheEntry::State::pending;
  victim->peer = peer;
  victim->mid = mid;
  victim->len = 0;
  return victim;
}

Engine::Exchange* Engine::alloc_exchange() noexcept {
  for (uint16_t i = 0; i < config_.exchanges; ++i) {
    Exchange& e = exchanges_[i];
    if (e.state == Exchange::State::free && !e.in_tx) {
      uint16_t gen = static_cast<uint16_t>(e.generation + 1);
      uint8_t* buf = e.buf;
      e = Exchange{};
      e.generation = gen;
      e.buf = buf;
      return &e;
    }
  }
  return nullptr;
}

void Engine::free_exchange(Exchange& e) noexcept {
  if (e.kind == Exchange::Kind::notification && e.observation < config_.observations) {
    Observation& o = observations_[e.observation];
    if (o.exchange == &e - exchanges_) o.exchange = -1;
  }
  e.state = Exchange::State::free;
  e.handler = nullptr;
  e.generation = static_cast<uint16_t>(e.generation + 1);
}

void Engine::start_transmission(Exchange& e, TimePoint now) noexcept {
  if (e.type == Type::con) {
    e.state = Exchange::State::wait_ack;
    e.retransmits = 0;
    e.timeout = initial_timeout();
    e.deadline = now + e.timeout;
  } else if (e.kind == Exchange::Kind::request) {
    e.state = Exchange::State::wait_response;
    e.deadline = now + config_.tx.exchange_lifetime();
  } else {
    e.state = Exchange::State::transmit_once;
    e.deadline = kNever;
  }
  queue_exchange(static_cast<uint16_t>(&e - exchanges_));
}

void Engine::promote_queued(PeerId peer, TimePoint now) noexcept {
  for (;;) {
    uint32_t in_flight = 0;
    Exchange* oldest = nullptr;
    for (uint16_t i = 0; i < config_.exchanges; ++i) {
      Exchange& e = exchanges_[i];
      if (e.peer != peer) continue;
      if (e.state == Exchange::State::wait_ack) ++in_flight;
      if (e.state == Exchange::State::queued && (!oldest || e.sequence < oldest->sequence))
        oldest = &e;
    }
    if (!oldest || in_flight >= config_.tx.nstart) return;
    start_transmission(*oldest, now);
  }
}

void Engine::fail_exchange(Exchange& e, Errc why) noexcept {
  ResponseHandler* h = e.handler;
  RequestId id{static_cast<uint16_t>(&e - exchanges_), e.generation};
  // A failed child fetch leaves the observation running: its handler already has the
  // first block, and the next notification starts a new fetch.
  bool tell = e.kind == Exchange::Kind::request && !e.deregistering && e.parent == Exchange::kNone;
  free_exchange(e);
  if (tell && h) h->on_error(id, why);
}

void Engine::end_observation(uint16_t index, Errc why, bool tell) noexcept {
  Observation& o = observations_[index];
  if (!o.active) return;
  ObservationId id{index, o.generation};
  uint32_t cookie = o.cookie;
  if (o.exchange >= 0) {
    Exchange& e = exchanges_[o.exchange];
    o.exchange = -1;
    free_exchange(e);
  }
  o.active = false;
  o.generation = static_cast<uint16_t>(o.generation + 1);
  if (tell && handler_) handler_->on_observe_cancelled(id, cookie, why);
}

// ---------------------------------------------------------------------------------------
// Inputs

void Engine::handle_datagram(PeerId peer, ByteView datagram, TimePoint now) noexcept {
  if (!valid_) return;
  Message m;
  ParseError err = parse(datagram, m);
  if (err != ParseError::none) {
    ++stats_.malformed;
    // RFC 7252 §4.2/4.3: reject a malformed CON with RST when its MID is known; anything
    // else malformed is silently ignored.
    if (err != ParseError::too_short && err != ParseError::bad_version && m.type == Type::con)
      send_rst(peer, m.message_id);
    return;
  }
  switch (m.type) {
    case Type::ack:
    case Type::rst:
      on_ack_or_rst(peer, m, now);
      return;
    case Type::con:
    case Type::non:
      if (m.code.is_empty()) {
        if (m.type == Type::con) send_rst(peer, m.message_id);  // CoAP ping (§4.3)
        return;
      }
      if (m.code.is_request()) {
        on_request(peer, m, now);
      } else if (m.code.is_response()) {
        on_response_message(peer, m, now);
      } else if (m.type == Type::con) {
        send_rst(peer, m.message_id);
      }
      return;
  }
}

void Engine::on_ack_or_rst(PeerId peer, const Message& m, TimePoint now) noexcept {
  for (uint16_t i = 0; i < config_.exchanges; ++i) {
    Exchange& e = exchanges_[i];
    if (e.state != Exchange::State::wait_ack || e.peer != peer || e.mid != m.message_id) continue;
    if (m.type == Type::rst) {
      if (e.kind == Exchange::Kind::notification) {
        if (observations_[e.observation].generation == e.observation_generation)
          end_observation(e.observation, Errc::reset, true);
        if (e.state != Exchange::State::free) free_exchange(e);
      } else if (e.kind == Exchange::Kind::request) {
        fail_exchange(e, Errc::reset);
      } else {
        free_exchange(e);
      }
    } else if (m.code.is_empty()) {
      if (e.kind == Exchange::Kind::request) {
        // Separate response follows (RFC 7252 §5.2.2).
        e.state = e.observe && e.got_notification ? Exchange::State::observing
                                                  : Exchange::State::wait_response;
        e.deadline = now + config_.tx.exchange_lifetime();
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
  if (m.type == Type::rst) {
    // RST to a NON notification cancels the relation (RFC 7641 §3.6).
    for (uint16_t i = 0; i < config_.observations; ++i) {
      Observation& o = observations_[i];
      if (o.active && o.peer == peer && o.last_mid_valid && o.last_mid == m.message_id) {
        end_observation(i, Errc::reset, true);
        return;
      }
    }
  }
}

void Engine::on_response_message(PeerId peer, const Message& m, TimePoint now) noexcept {
  if (m.type == Type::con) {
    if (CacheEntry* c = cache_find(peer, m.message_id, now)) {
      ++stats_.duplicates;
      queue_cache(static_cast<uint16_t>(c - cache_));
      return;
    }
  }
  Exchange* match = nullptr;
  for (uint16_t i = 0; i < config_.exchanges; ++i) {
    Exchange& e = exchanges_[i];
    if (e.kind != Exchange::Kind::request || e.peer != peer || !(e.token == m.token)) continue;
    if (e.state == Exchange::State::wait_ack || e.state == Exchange::State::wait_response ||
        e.state == Exchange::State::observing) {
      match = &e;
      break;
    }
  }
  if (!match) {
    // Unknown token: reject (RFC 7252 §5.3.2; RFC 7641 §3.6 reactive cancellation).
    send_rst(peer, m.message_id);
    return;
  }
  if (m.type == Type::con) {
    if (CacheEntry* c = cache_insert(peer, m.message_id, now)) {
      c->expires = now + config_.tx.exchange_lifetime();
      c->buf[0] = 0x60;  // ver 1, ACK, TKL 0
      c->buf[1] = 0;
      c->buf[2] = static_cast<uint8_t>(m.message_id >> 8);
      c->buf[3] = static_cast<uint8_t>(m.message_id);
      c->len = 4;
      c->state = CacheEntry::State::ready;
      queue_cache(static_cast<uint16_t>(c - cache_));
    } else {
      send_empty_ack(peer, m.message_id);
    }
  }
  bool was_waiting_ack = match->state == Exchange::State::wait_ack;
  deliver_response(static_cast<uint16_t>(match - exchanges_), m, now);
  if (was_waiting_ack) promote_queued(peer, now);
}

void Engine::deliver_response(uint16_t index, const Message& m, TimePoint now) noexcept {
  Exchange& e = exchanges_[index];
  RequestId id{index, e.generation};
  if (e.deregistering) {
    free_exchange(e);
    return;
  }
  if (e.parent != Exchange::kNone) {
    deliver_block_of_notification(e, m, now);
    return;
  }
  // Block1 upload: the server wants the next block (RFC 7959 §2.5).
  if (!e.body.empty() && m.code == codes::continue_) {
    auto b1 = m.block(OptionNumber::block1);
    if (!b1) {
      fail_exchange(e, Errc::malformed);
      return;
    }
    // Continue right after what we sent, in the server's block size, which may be
    // smaller than ours (RFC 7959 §2.5: "1:0/1/128" answered with "1:0/1/32" goes on at
    // "1:4/1/32"). A larger size than we offered is a protocol error.
    Message sent;
    if (parse({e.buf, e.len}, sent) != ParseError::none) {
      fail_exchange(e, Errc::internal_error);
      return;
    }
    auto ours = sent.block(OptionNumber::block1);
    if (!ours || b1->szx > ours->szx || b1->num * b1->size() > ours->offset()) {
      fail_exchange(e, Errc::malformed);
      return;
    }
    uint32_t next_offset = ours->offset() + ours->size();
    if (next_offset >= e.body.size()) {
      fail_exchange(e, Errc::malformed);
      return;
    }
    BlockOption next{next_offset / b1->size(), false, b1->szx};
    if (!build_request_block(e, next.num | (uint32_t{next.szx} << 24), std::nullopt, false).ok()) {
      fail_exchange(e, Errc::internal_error);
      return;
    }
    start_transmission(e, now);
    return;
  }

  bool final = true;
  auto obs = m.observe();
  if (e.observe && obs && m.code.is_success()) {
    uint32_t seq = *obs & 0xFFFFFF;
    if (e.got_notification && !observe_fresh(e.last_observe, seq, e.last_notification, now))
      return;  // reordered, older than what we have
    e.got_notification = true;
    e.last_observe = seq;
    e.last_notification = now;
    e.state = Exchange::State::observing;
    e.deadline = kNever;
    final = false;
  }
  auto b2 = m.block(OptionNumber::block2);
  bool follow = false;
  if (final && b2 && b2->more && e.follow_block2 && m.code.is_success()) {
    final = false;
    follow = true;
  }
  // The first block of a notification: fetch the rest with plain GETs (RFC 7959 §2.6).
  const bool fetch_rest = !final && e.observe && e.follow_block2 && obs && m.code.is_success() &&
                          b2 && b2->more && b2->num == 0;
  ResponseHandler* h = e.handler;
  uint16_t gen = e.generation;
  if (final) free_exchange(e);
  if (h) h->on_response(id, m, final);
  if (fetch_rest && e.generation == gen && e.state == Exchange::State::observing)
    start_notification_fetch(index, *b2, now);
  if (!follow || e.generation != gen || e.state == Exchange::State::free) return;
  BlockOption next{b2->num + 1, false, b2->szx};
  if (!build_request_block(e, 0xFFFFFFFFu, next, false).ok()) {
    fail_exchange(e, Errc::internal_error);
    return;
  }
  start_transmission(e, now);
}

// Starts (or restarts, for a newer notification) the fetch of blocks 1.. of the
// notification whose first block just arrived on observation `index`.
void Engine::start_notification_fetch(uint16_t index, BlockOption first, TimePoint now) noexcept {
  Exchange& o = exchanges_[index];
  drop_child(o, now);  // superseded by the newer notification
  Exchange* c = alloc_exchange();
  if (!c) return;  // no slot: the handler has the first block and its M bit
  std::memcpy(c->buf, o.buf, o.len);
  c->len = o.len;
  c->kind = Exchange::Kind::request;
  c->type = Type::con;
  c->peer = o.peer;
  c->handler = o.handler;
  c->follow_block2 = true;
  c->parent = index;
  c->parent_generation = o.generation;
  c->sequence = sequence_++;
  c->token = fresh_token();
  if (!build_request_block(*c, 0xFFFFFFFFu, BlockOption{first.num + 1, false, first.szx}, false)
           .ok()) {
    free_exchange(*c);
    return;
  }
  o.child = static_cast<uint16_t>(c - exchanges_);
  c->state = Exchange::State::queued;
  promote_queued(c->peer, now);
}

void Engine::drop_child(Exchange& o, TimePoint now) noexcept {
  if (o.child == Exchange::kNone) return;
  Exchange& c = exchanges_[o.child];
  o.child = Exchange::kNone;
  if (c.parent != &o - exchanges_ || c.parent_generation != o.generation ||
      c.state == Exchange::State::free)
    return;
  const bool was_in_flight = c.state == Exchange::State::wait_ack;
  free_exchange(c);
  if (was_in_flight) promote_queued(o.peer, now);
}

// A response to a child fetch: handed to the observation's handler under its RequestId,
// never final (the observation goes on); the next block is asked for while M is set.
void Engine::deliver_block_of_notification(Exchange& e, const Message& m, TimePoint now) noexcept {
  Exchange& o = exchanges_[e.parent];
  if (o.generation != e.parent_generation || o.state != Exchange::State::observing ||
      o.deregistering) {
    free_exchange(e);  // the observation ended meanwhile
    return;
  }
  const RequestId id{e.parent, o.generation};
  auto b2 = m.block(OptionNumber::block2);
  const bool more = m.code.is_success() && b2 && b2->more;
  ResponseHandler* h = o.handler;
  const uint16_t gen = e.generation;
  if (!more) {
    o.child = Exchange::kNone;
    free_exchange(e);
  }
  if (h) h->on_response(id, m, false);
  if (!more || e.generation != gen || e.state == Exchange::State::free) return;
  if (!build_request_block(e, 0xFFFFFFFFu, BlockOption{b2->num + 1, false, b2->szx}, false).ok()) {
    o.child = Exchange::kNone;
    free_exchange(e);
    return;
  }
  start_transmission(e, now);
}

// Rebuilds exchange e's request from its stored bytes with a new MID: for the next Block1
// block (block1 = num | szx << 24, 0xFFFFFFFF for none), the next Block2 block, or an
// Observe deregistration.
Status Engine::build_request_block(Exchange& e, uint32_t block1, std::optional<BlockOption> block2,
                                   bool deregister) noexcept {
  Message m;
  if (parse({e.buf, e.len}, m) != ParseError::none) return Errc::internal_error;
  m.message_id = next_mid();
  m.token = e.token;
  e.mid = m.message_id;
  m.remove(OptionNumber::block2);
  if (block1 != 0xFFFFFFFFu) {
    BlockOption b{block1 & 0xFFFFFF, false, static_cast<uint8_t>(block1 >> 24)};
    size_t off = b.offset();
    size_t n = e.body.size() - off < b.size() ? e.body.size() - off : b.size();
    b.more = off + n < e.body.size();
    m.remove(OptionNumber::block1);
    m.remove(OptionNumber::size1);
    LWM2M_TRY(m.add_uint(OptionNumber::block1, b.encode()));
    m.payload = e.body.subspan(off, n);
  }
  if (block2) {
    // Later blocks of an observed resource are fetched with plain GETs (RFC 7959 §2.4).
    m.remove(OptionNumber::observe);
    m.remove(OptionNumber::block1);
    m.remove(OptionNumber::size1);
    // A FETCH body selects what the response holds, so it goes with every block request;
    // one that needed Block1 itself cannot be repeated from here and is left out.
    if (m.code != codes::fetch || !e.body.empty()) m.payload = {};
    LWM2M_TRY(m.add_uint(OptionNumber::block2, block2->encode()));
  }
  if (deregister) {
    m.remove(OptionNumber::observe);
    LWM2M_TRY(m.add_uint(OptionNumber::observe, 1));
  }
  auto n = encode(m, {scratch_, config_.max_message_size});
  if (!n) return n.status();
  std::memcpy(e.buf, scratch_, *n);
  e.len = static_cast<uint16_t>(*n);
  return Errc::ok;
}

void Engine::on_request(PeerId peer, const Message& m, TimePoint now) noexcept {
  if (CacheEntry* c = cache_find(peer, m.message_id, now)) {
    // Retransmission: answer from the cache, never run the handler twice (§4.5). A
    // duplicated NON is silently ignored (§4.5), not answered again.
    ++stats_.duplicates;
    if (c->state == CacheEntry::State::ready && m.type == Type::con) {
      queue_cache(static_cast<uint16_t>(c - cache_));
    }
    return;
  }

  // Option checks (RFC 7252 §5.4.1, §5.7.2).
  Code reject{};
  uint32_t seen_non_repeatable[4] = {};  // bitmap over the known option numbers < 128
  for (const Option& o : m.options()) {
    auto info = option_info(o.number);
    bool bad = !info || o.length < info->min_length || o.length > info->max_length;
    if (info && !info->repeatable && o.number < 128) {
      uint32_t& word = seen_non_repeatable[o.number / 32];
      uint32_t bit = 1u << (o.number % 32);
      if (word & bit) bad = true;
      word |= bit;
    }
    if (bad && is_critical(o.number)) {
      reject = codes::bad_option;
      break;
    }
    if (o.number == static_cast<uint16_t>(OptionNumber::proxy_uri) ||
        o.number == static_cast<uint16_t>(OptionNumber::proxy_scheme)) {
      reject = codes::proxying_not_supported;
    }
  }
  if (reject == codes::bad_option) ++stats_.rejected_options;
  if (reject == codes::bad_option && m.type == Type::non) return;  // reject = ignore a NON

  CacheEntry* c = cache_insert(peer, m.message_id, now);
  if (!c) return;  // every cache slot is being transmitted; the peer will retransmit
  c->expires =
      now + (m.type == Type::con ? config_.tx.exchange_lifetime() : config_.tx.non_lifetime());
  const uint16_t cache_index = static_cast<uint16_t>(c - cache_);

  Message resp;
  resp.type = m.type == Type::con ? Type::ack : Type::non;
  resp.message_id = m.type == Type::con ? m.message_id : next_mid();
  resp.token = m.token;

  auto finish_simple = [&](Code code, std::optional<uint32_t> size1 = std::nullopt,
                           std::optional<BlockOption> block1 = std::nullopt) {
    resp.code = code;
    resp.clear_options();
    resp.payload = {};
    if (block1) (void)resp.add_uint(OptionNumber::block1, block1->encode());
    if (size1) (void)resp.add_uint(OptionNumber::size1, *size1);
    auto n = encode(resp, {c->buf, config_.max_message_size});
    c->len = n ? static_cast<uint16_t>(*n) : 0;
    c->state = CacheEntry::State::ready;
    queue_cache(cache_index);
  };

  if (reject.raw != 0) {
    finish_simple(reject);
    return;
  }

  // Block1: reassemble the body (RFC 7959 §2.5).
  ByteView body = m.payload;
  std::optional<BlockOption> block1_echo;
  if (m.has(OptionNumber::block1)) {
    auto b1 = m.block(OptionNumber::block1);
    if (!b1) {
      finish_simple(codes::bad_request);
      return;
    }
    Reassembly& ra = *reassembly_;
    const uint32_t capacity = config_.block1_buffer;
    if (ra.active && ra.expires <= now) ra.active = false;
    auto size1 = m.uint_option(OptionNumber::size1);
    if ((size1 && *size1 > capacity) || capacity == 0) {
      ra.active = false;
      finish_simple(codes::request_entity_too_large, capacity);
      return;
    }
    if (b1->more && m.payload.size() != b1->size()) {
      finish_simple(codes::bad_request);
      return;
    }
    const uint32_t key = request_key(m);
    const uint32_t offset = b1->offset();
    if (offset == 0) {
      ra.active = true;
      ra.peer = peer;
      ra.key = key;
      ra.received = 0;
    } else if (!ra.active || ra.peer != peer || ra.key != key || offset != ra.received) {
      finish_simple(codes::request_entity_incomplete);
      return;
    }
    if (size_t{offset} + m.payload.size() > capacity) {
      ra.active = false;
      finish_simple(codes::request_entity_too_large, capacity);
      return;
    }
    if (!m.payload.empty()) std::memcpy(ra.buf + offset, m.payload.data(), m.payload.size());
    ra.received = offset + static_cast<uint32_t>(m.payload.size());
    ra.expires = now + config_.tx.exchange_lifetime();
    if (b1->more) {
      finish_simple(codes::continue_, std::nullopt, BlockOption{b1->num, true, b1->szx});
      return;
    }
    ra.active = false;
    body = ByteView{ra.buf, ra.received};
    block1_echo = BlockOption{b1->num, false, b1->szx};
  }

  // Observe registration / deregistration (RFC 7641 §2, §3.6, §4.1).
  bool observe_register = false, observe_deregister = false;
  if (m.code == codes::get || m.code == codes::fetch) {
    if (auto obs = m.observe()) {
      observe_register = *obs == 0;
      observe_deregister = *obs == 1;
      for (uint16_t i = 0; i < config_.observations; ++i) {
        Observation& o = observations_[i];
        if (o.active && o.peer == peer && o.token == m.token)
          end_observation(i, Errc::cancelled, true);  // replaced or deregistered
      }
    }
  }

  IncomingRequest req{peer, m, body, observe_register, observe_deregister};
  ObservationId obs_id;
  DeferredId deferred_id;
  auto n = build_response(req, resp, nullptr, {c->buf, config_.max_message_size}, observe_register,
                          true, &obs_id, &deferred_id);
  // The 24-hour CON rule (RFC 7641 §4.5) counts from the registration, not from the
  // clock's origin.
  if (obs_id.valid()) observations_[obs_id.index].last_con = now;
  if (deferred_id.valid()) {
    // Separate response: an empty ACK now for a CON, nothing for a NON (§5.2.2).
    if (m.type == Type::con) {
      c->buf[0] = 0x60;
      c->buf[1] = 0;
      c->buf[2] = static_cast<uint8_t>(m.message_id >> 8);
      c->buf[3] = static_cast<uint8_t>(m.message_id);
      c->len = 4;
      c->state = CacheEntry::State::ready;
      queue_cache(cache_index);
    } else {
      c->state = CacheEntry::State::pending;
    }
    return;
  }
  if (!n) {
    finish_simple(codes::internal_server_error);
    return;
  }
  if (block1_echo) {
    // Re-encode with the Block1 echo the final response carries (RFC 7959 §2.3).
    Message again;
    if (parse({c->buf, *n}, again) == ParseError::none &&
        again.add_uint(OptionNumber::block1, block1_echo->encode()).ok()) {
      auto n2 = encode(again, {scratch_, config_.max_message_size});
      if (n2) {
        std::memcpy(c->buf, scratch_, *n2);
        n = *n2;
      }
    }
  }
  c->len = static_cast<uint16_t>(*n);
  c->state = CacheEntry::State::ready;
  queue_cache(cache_index);
}

Result<size_t> Engine::build_response(const IncomingRequest& req, Message& resp, Filler* filler,
                                      MutableByteView out, bool allow_observe, bool allow_defer,
                                      ObservationId* obs, DeferredId* deferred) noexcept {
  resp.code = codes::content;
  resp.clear_options();
  resp.payload = {};
  const Message* request = filler ? nullptr : &req.message;

  // Block2 window: the peer's block size if smaller than ours (RFC 7959 §2.4).
  uint8_t szx = block_szx_;
  uint32_t offset = 0;
  bool block2_requested = false;
  if (request && request->has(OptionNumber::block2)) {
    auto b2 = request->block(OptionNumber::block2);
    if (!b2) {
      resp.code = codes::bad_request;
      return encode(resp, out);
    }
    block2_requested = true;
    offset = b2->offset();
    if (b2->szx < szx) szx = b2->szx;
  }
  const uint32_t size = 1u << (szx + 4);
  offset -= offset % size;
  Sink sink({payload_scratch_, size}, offset);
  Response r(resp, sink);
  r.engine_ = this;
  r.can_observe_ = allow_observe;
  r.can_defer_ = allow_defer;
  if (request) {
    current_peer_ = req.peer;
    current_type_ = request->type;
    current_token_ = request->token;
  }
  if (filler) {
    filler->fill(r);
  } else if (handler_) {
    handler_->on_request(req, r);
  } else {
    resp.code = codes::not_found;
  }
  if (obs) *obs = r.observation_;
  if (deferred) *deferred = r.deferred_;
  if (r.deferred_.valid()) {
    if (r.observation_.valid()) cancel_observation(r.observation_);
    return size_t{0};
  }
  if (r.observation_.valid()) {
    if (!resp.code.is_success()) {
      cancel_observation(r.observation_);  // an error ends the relation (RFC 7641 §4.2)
      if (obs) *obs = {};
    } else {
      resp.remove(OptionNumber::observe);
      LWM2M_TRY(resp.add_uint(OptionNumber::observe, observations_[r.observation_.index].seq));
    }
  }
  const size_t total = sink.total();
  if (block2_requested || sink.overflowed()) {
    if (offset > 0 && offset >= total) {
      // The block asked for lies beyond the representation.
      resp.clear_options();
      resp.code = codes::bad_option;
      return encode(resp, out);
    }
    resp.remove(OptionNumber::block2);
    LWM2M_TRY(resp.add_uint(OptionNumber::block2,
                            BlockOption{offset / size, sink.overflowed(), szx}.encode()));
    if (request && request->has(OptionNumber::size2))
      LWM2M_TRY(resp.add_uint(OptionNumber::size2, static_cast<uint32_t>(total)));
  }
  resp.payload = sink.window();
  return encode(resp, out);
}

void Engine::handle_timeout(TimePoint now) noexcept {
  if (!valid_) return;
  for (uint16_t i = 0; i < config_.exchanges; ++i) {
    Exchange& e = exchanges_[i];
    if (e.deadline > now) continue;
    if (e.state == Exchange::State::wait_ack) {
      if (e.retransmits < config_.tx.max_retransmit) {
        ++e.retransmits;
        ++stats_.retransmissions;
        e.timeout = e.timeout * 2;
        e.deadline = now + e.timeout;
        queue_exchange(i);
        continue;
      }
      PeerId peer = e.peer;
      if (e.kind == Exchange::Kind::notification) {
        // A CON notification never acknowledged ends the relation (RFC 7641 §4.5).
        if (observations_[e.observation].generation == e.observation_generation)
          end_observation(e.observation, Errc::timeout, true);
        if (e.state != Exchange::State::free) free_exchange(e);
      } else if (e.kind == Exchange::Kind::request) {
        fail_exchange(e, Errc::timeout);
      } else {
        free_exchange(e);
      }
      promote_queued(peer, now);
    } else if (e.state == Exchange::State::wait_response) {
      fail_exchange(e, Errc::timeout);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Outputs

std::optional<Datagram> Engine::poll_transmit() noexcept {
  while (tx_count_ > 0) {
    TxEntry t = tx_[tx_head_];
    tx_head_ = static_cast<uint16_t>((tx_head_ + 1) % tx_capacity_);
    --tx_count_;
    switch (t.kind) {
      case TxEntry::Kind::inline_bytes:
        std::memcpy(transmit_, t.bytes, 4);
        return Datagram{t.peer, ByteView{transmit_, 4}};
      case TxEntry::Kind::cache: {
        CacheEntry& c = cache_[t.index];
        c.in_tx = false;
        if (c.state != CacheEntry::State::ready) continue;
        return Datagram{t.peer, ByteView{c.buf, c.len}};
      }
      case TxEntry::Kind::exchange: {
        Exchange& e = exchanges_[t.index];
        e.in_tx = false;
        if (e.generation != t.generation || e.state == Exchange::State::free) continue;
        if (e.state == Exchange::State::transmit_once) free_exchange(e);
        return Datagram{t.peer, ByteView{e.buf, e.len}};
      }
    }
  }
  return std::nullopt;
}

TimePoint Engine::next_deadline() const noexcept {
  TimePoint next = kNever;
  if (!valid_) return next;
  for (uint16_t i = 0; i < config_.exchanges; ++i) {
    const Exchange& e = exchanges_[i];
    if ((e.state == Exchange::State::wait_ack || e.state == Exchange::State::wait_response) &&
        e.deadline < next)
      next = e.deadline;
  }
  return next;
}

// ---------------------------------------------------------------------------------------
// Client role

Result<RequestId> Engine::send_request(PeerId peer, const Message& request,
                                       ResponseHandler& handler, TimePoint now,
                                       RequestOptions opts) noexcept {
  if (!valid_) return Errc::invalid_state;
  if (!request.code.is_request()) return Errc::invalid_argument;
  Exchange* e = alloc_exchange();
  if (!e) return Errc::no_space;
  Message m = request;
  m.type = opts.confirmable ? Type::con : Type::non;
  m.message_id = next_mid();
  m.token = fresh_token();
  e->kind = Exchange::Kind::request;
  e->type = m.type;
  e->peer = peer;
  e->mid = m.message_id;
  e->token = m.token;
  e->handler = &handler;
  e->follow_block2 = opts.follow_block2;
  e->sequence = sequence_++;
  e->observe = m.observe() == 0u;
  const uint32_t block = config_.block_size;
  if (m.payload.size() > block) {
    // Block1 upload: first block now, the rest as the server continues.
    e->body = m.payload;
    m.remove(OptionNumber::block1);
    if (!m.add_uint(OptionNumber::block1, BlockOption{0, true, block_szx_}.encode()).ok() ||
        !m.add_uint(OptionNumber::size1, static_cast<uint32_t>(m.payload.size())).ok()) {
      free_exchange(*e);
      return Errc::no_space;
    }
    m.payload = m.payload.first(block);
  }
  auto n = encode(m, {e->buf, config_.max_message_size});
  if (!n) {
    free_exchange(*e);
    return n.status();
  }
  e->len = static_cast<uint16_t>(*n);
  RequestId id{static_cast<uint16_t>(e - exchanges_), e->generation};
  e->state = Exchange::State::queued;
  if (m.type == Type::con) {
    promote_queued(peer, now);  // starts it unless NSTART exchanges are in flight
  } else {
    start_transmission(*e, now);
  }
  return id;
}

bool Engine::active(RequestId id) const noexcept {
  if (!valid_ || id.index >= config_.exchanges) return false;
  const Exchange& e = exchanges_[id.index];
  return e.generation == id.generation && e.state != Exchange::State::free && !e.deregistering;
}

void Engine::cancel(RequestId id, TimePoint now) noexcept {
  if (!active(id)) return;
  Exchange& e = exchanges_[id.index];
  if (e.state == Exchange::State::observing) {
    drop_child(e, now);
    // Proactive deregistration: the same request with Observe 1 (RFC 7641 §3.6).
    e.deregistering = true;
    e.handler = nullptr;
    if (build_request_block(e, 0xFFFFFFFFu, std::nullopt, true).ok()) {
      e.type = Type::con;
      start_transmission(e, now);
      return;
    }
  }
  PeerId peer = e.peer;
  bool was_in_flight = e.state == Exchange::State::wait_ack;
  free_exchange(e);
  if (was_in_flight) promote_queued(peer, now);
}

// ---------------------------------------------------------------------------------------
// Server role

Result<ObservationId> Response::accept_observe(uint32_t cookie) noexcept {
  if (!engine_ || !can_observe_) return Errc::invalid_state;
  if (observation_.valid()) return observation_;
  Engine& en = *engine_;
  for (uint16_t i = 0; i < en.config_.observations; ++i) {
    Engine::Observation& o = en.observations_[i];
    if (o.active) continue;
    o.active = true;
    o.peer = en.current_peer_;
    o.token = en.current_token_;
    o.cookie = cookie;
    o.seq = 0;
    o.exchange = -1;
    o.last_mid_valid = false;
    o.last_con = TimePoint{};
    observation_ = ObservationId{i, o.generation};
    return observation_;
  }
  return Errc::no_space;
}

Result<DeferredId> Response::defer() noexcept {
  if (!engine_ || !can_defer_) return Errc::invalid_state;
  if (deferred_.valid()) return deferred_;
  Engine& en = *engine_;
  for (uint16_t i = 0; i < en.config_.deferred; ++i) {
    Engine::Deferred& d = en.deferred_[i];
    if (d.active) continue;
    d.active = true;
    d.peer = en.current_peer_;
    d.token = en.current_token_;
    d.request_type = en.current_type_;
    deferred_ = DeferredId{i, d.generation};
    return deferred_;
  }
  return Errc::no_space;
}

bool Engine::observing(ObservationId id) const noexcept {
  return valid_ && id.index < config_.observations && observations_[id.index].active &&
         observations_[id.index].generation == id.generation;
}

size_t Engine::observation_count() const noexcept {
  size_t n = 0;
  for (uint16_t i = 0; i < config_.observations; ++i)
    n += observations_[i].active ? 1 : 0;
  return n;
}

void Engine::cancel_observation(ObservationId id) noexcept {
  if (observing(id)) end_observation(id.index, Errc::cancelled, false);
}

Status Engine::notify_impl(ObservationId id, bool con, TimePoint now, Filler& f) noexcept {
  if (!observing(id)) return Errc::invalid_state;
  Observation& o = observations_[id.index];
  // RFC 7641 §4.5: at least one CON notification every 24 hours.
  if (!con && now - o.last_con > Duration{24LL * 3600 * 1000}) con = true;
  Exchange* e = nullptr;
  bool replacing = false;
  if (o.exchange >= 0) {
    // One CON notification in flight per relation: the new state replaces it and goes
    // out with the next retransmission (RFC 7641 §4.5.2).
    e = &exchanges_[o.exchange];
    replacing = true;
    con = true;
  } else {
    e = alloc_exchange();
    if (!e) return Errc::no_space;
  }
  o.seq = (o.seq + 1) & 0xFFFFFF;
  Message resp;
  resp.type = con ? Type::con : Type::non;
  resp.message_id = next_mid();
  resp.token = o.token;
  Message none;
  IncomingRequest dummy{o.peer, none, {}, false, false};
  auto n = build_response(dummy, resp, &f, {scratch_, config_.max_message_size}, false, false,
                          nullptr, nullptr);
  if (!n) {
    if (!replacing) free_exchange(*e);
    return n.status();
  }
  // build_response added no Observe (allow_observe false); add the sequence number now.
  // Non-2.xx responses carry no Observe (RFC 7641 §3.2, §4.2).
  Message withobs;
  if (parse({scratch_, *n}, withobs) != ParseError::none ||
      (resp.code.is_success() && !withobs.add_uint(OptionNumber::observe, o.seq).ok()))
    return Errc::internal_error;
  auto n2 = encode(withobs, {e->buf, config_.max_message_size});
  if (!n2) {
    if (!replacing) free_exchange(*e);
    return n2.status();
  }
  e->len = static_cast<uint16_t>(*n2);
  e->kind = Exchange::Kind::notification;
  e->observation = id.index;
  e->observation_generation = o.generation;
  e->peer = o.peer;
  e->mid = resp.message_id;
  e->token = o.token;
  e->type = resp.type;
  o.last_mid = resp.message_id;
  o.last_mid_valid = true;
  const bool ends = !resp.code.is_success();
  if (!replacing) {
    start_transmission(*e, now);
    if (con) o.exchange = static_cast<int32_t>(e - exchanges_);
  }
  if (con) o.last_con = now;
  if (ends) {
    // An error notification ends the relation (RFC 7641 §4.2); let it be delivered.
    o.exchange = -1;
    o.active = false;
    o.generation = static_cast<uint16_t>(o.generation + 1);
  }
  return Errc::ok;
}

Status Engine::respond_deferred_impl(DeferredId id, TimePoint now, Filler& f) noexcept {
  if (!valid_ || id.index >= config_.deferred) return Errc::invalid_state;
  Deferred& d = deferred_[id.index];
  if (!d.active || d.generation != id.generation) return Errc::invalid_state;
  Exchange* e = alloc_exchange();
  if (!e) return Errc::no_space;
  Message resp;
  resp.type = d.request_type == Type::con ? Type::con : Type::non;
  resp.message_id = next_mid();
  resp.token = d.token;
  Message none;
  IncomingRequest dummy{d.peer, none, {}, false, false};
  auto n = build_response(dummy, resp, &f, {e->buf, config_.max_message_size}, false, false,
                          nullptr, nullptr);
  if (!n) {
    free_exchange(*e);
    return n.status();
  }
  e->len = static_cast<uint16_t>(*n);
  e->kind = Exchange::Kind::separate_response;
  e->peer = d.peer;
  e->mid = resp.message_id;
  e->token = d.token;
  e->type = resp.type;
  d.active = false;
  d.generation = static_cast<uint16_t>(d.generation + 1);
  start_transmission(*e, now);
  return Errc::ok;
}

}  // namespace lwm2m::coap
