// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/coap/engine.hpp"

#include <cstring>
#include <new>
#include <type_traits>

#include "coap/engine_core.hpp"
#include "lwm2m/config.hpp"
#include "small_divide.hpp"

namespace lwm2m::coap {

using detail::CacheEntry;
using detail::EngineCore;
using detail::Exchange;

// ---------------------------------------------------------------------------------------
// Transmission parameters (RFC 7252 §4.8.2)

namespace {
// ACK_TIMEOUT * (2^doublings - 1) * ACK_RANDOM_FACTOR.
[[gnu::noinline]] Duration scaled(int64_t ack_timeout_ms, uint16_t factor_permille,
                                  unsigned doublings) noexcept {
  return Duration{lwm2m::detail::divide(
      ack_timeout_ms * ((int64_t{1} << doublings) - 1) * factor_permille, 1000)};
}
}  // namespace

Duration TransmissionParams::max_transmit_span() const noexcept {
  return scaled(ack_timeout.count(), ack_random_factor_permille, max_retransmit);
}
Duration TransmissionParams::max_transmit_wait() const noexcept {
  return scaled(ack_timeout.count(), ack_random_factor_permille, max_retransmit + 1u);
}
Duration TransmissionParams::exchange_lifetime() const noexcept {
  return max_transmit_span() + 2 * max_latency + processing_delay;
}
Duration TransmissionParams::non_lifetime() const noexcept {
  return max_transmit_span() + max_latency;
}

EngineSettings EngineSettings::of(const EngineConfig& c) noexcept {
  return {static_cast<uint32_t>(c.tx.ack_timeout.count()),
          c.tx.ack_random_factor_permille,
          c.tx.max_retransmit,
          c.tx.nstart,
          c.max_message_size,
          c.block_size,
          c.exchanges,
          c.observations,
          c.deferred,
          c.token_length,
          BlockOption::szx_for(c.block_size),
          c.shared_messages};
}

Duration EngineSettings::max_transmit_wait() const noexcept {
  return scaled(ack_timeout_ms, ack_random_factor_permille, max_retransmit + 1u);
}

// ---------------------------------------------------------------------------------------
// Storage

namespace {

// Lays out every table in one block; run once with base 0 to measure (the addresses it
// gives then are offsets, never used: as integers, no branch on the base per table).
struct Layout {
  uintptr_t base;
  size_t offset = 0;
  template <class T>
  void align() noexcept {
    offset = (offset + alignof(T) - 1) & ~(alignof(T) - 1);
  }
  // A table of n entries in the storage setup() zeroed: zero is the free state of every
  // entry (the other defaults of an entry's fields are set when it is taken into use),
  // and one memset of the storage is far less code than a constructor loop per table type.
  template <class T>
  T* take(size_t n) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    align<T>();
    return reinterpret_cast<T*>(bytes(sizeof(T) * n));
  }
  uint8_t* bytes(size_t n) noexcept {
    const uintptr_t at = base + offset;
    offset += n;
    return reinterpret_cast<uint8_t*>(at);
  }
};

// The bytes of the engine's own response store: as many whole messages as dedup entries
// unless the configuration says otherwise; none when it shares one.
size_t own_response_bytes(const EngineConfig& c) noexcept {
  if (c.shared_responses) return 0;
  return c.response_bytes ? c.response_bytes
                          : size_t{c.dedup_entries} * ResponseStore::min_size(c.max_message_size);
}

bool config_ok(const EngineConfig& c) noexcept {
  if (c.block_size < 16 || c.block_size > 1024 || (c.block_size & (c.block_size - 1)) != 0)
    return false;
  // Header, token and options of a block response or upload must fit beside the block.
  if (c.max_message_size < c.block_size + 64) return false;
  if (c.exchanges == 0 || c.dedup_entries == 0) return false;
  if (c.token_length > 8) return false;
  if (c.tx.max_retransmit > 20 || c.tx.ack_random_factor_permille < 1000) return false;
  // The engine keeps ACK_TIMEOUT in 32 bits of milliseconds (49 days).
  if (static_cast<uint64_t>(c.tx.ack_timeout.count()) >> 32) return false;
  // The store must hold at least one response of any size.
  const size_t store = c.shared_responses ? c.shared_responses->capacity() : own_response_bytes(c);
  if (c.shared_messages && c.shared_messages->message_size() < c.max_message_size) return false;
  return store >= ResponseStore::min_size(c.max_message_size);
}

uint16_t tx_capacity(const EngineConfig& c) noexcept {
  return static_cast<uint16_t>(c.exchanges + c.dedup_entries + c.empty_messages);
}

// Carves the tables of `core` from `l` (measures only when l.base is null).
void lay_out(Layout& l, const EngineConfig& c, EngineCore* core) noexcept {
  Exchange* exchanges = l.take<Exchange>(c.exchanges);
  // The exchanges' buffers, unless they take them from a shared pool while they run.
  uint8_t* ebufs = l.bytes(c.shared_messages ? 0 : size_t{c.exchanges} * c.max_message_size);
  CacheEntry* cache = l.take<CacheEntry>(c.dedup_entries);
  // The engine's own response store and its bytes, unless it shares one.
  const size_t own_bytes = own_response_bytes(c);
  l.align<ResponseStore>();
  uint8_t* own_store = l.bytes(own_bytes ? sizeof(ResponseStore) + own_bytes : 0);
  detail::ServedObservation* observations = l.take<detail::ServedObservation>(c.observations);
  detail::Deferred* deferred = l.take<detail::Deferred>(c.deferred);
  // No reassembly (nor its state) without a buffer, nor in a build without block-wise
  // transfers.
  const uint32_t block1_buffer = LWM2M_WITH_BLOCKWISE ? c.block1_buffer : 0;
  detail::Block1Reassembly* reassembly =
      block1_buffer ? l.take<detail::Block1Reassembly>(1) : nullptr;
  uint8_t* block1 = l.bytes(block1_buffer);
  detail::TxEntry* tx = l.take<detail::TxEntry>(tx_capacity(c));
  // Used within one call only: shared between engines when the driver says so.
  uint8_t* scratch = c.shared_scratch ? c.shared_scratch : l.bytes(Engine::scratch_size(c));
  if (!core) return;
  core->exchanges = exchanges;
  if (!c.shared_messages)
    for (uint16_t i = 0; i < c.exchanges; ++i)
      exchanges[i].buf = ebufs + size_t{i} * c.max_message_size;
  ResponseStore* store = c.shared_responses;
  if (!store) store = new (own_store) ResponseStore({own_store + sizeof(ResponseStore), own_bytes});
  core->cache.attach(cache, c.dedup_entries, store);
  core->observations = observations;
  core->deferred = deferred;
  core->reassembly = reassembly;
  if (reassembly) reassembly->attach(block1, block1_buffer);
  core->tx.attach(tx, tx_capacity(c));
  core->scratch = scratch;
}

// Room to align a caller's storage, which storage_size() includes.
constexpr size_t kAlignRoom = alignof(std::max_align_t);

}  // namespace

size_t Engine::storage_size(const EngineConfig& c) noexcept {
  Layout l{0};
  l.align<EngineCore>();
  l.offset += sizeof(EngineCore);
  lay_out(l, c, nullptr);
  return l.offset + kAlignRoom;
}

Engine::Engine(const EngineConfig& config, MutableByteView storage, Random& rng,
               RequestHandler* handler) noexcept
    : config_(EngineSettings::of(config)) {
  // At least storage_size(), whatever the alignment of the caller's bytes.
  if (config_ok(config) && storage.size() >= storage_size(config))
    setup(config, storage, rng, handler);
}

Engine::Engine(const EngineConfig& config, Random& rng, RequestHandler* handler) noexcept
    : config_(EngineSettings::of(config)) {
  if (!config_ok(config)) return;
  // new[] returns storage aligned for any fundamental type: no room to align it is needed
  // (one engine per client of a fleet, so the bytes count).
  const size_t n = storage_size(config) - kAlignRoom;
  owned_.reset(new (std::nothrow) uint8_t[n]);
  if (owned_) setup(config, {owned_.get(), n}, rng, handler);
}

void Engine::setup(const EngineConfig& config, MutableByteView storage, Random& rng,
                   RequestHandler* handler) noexcept {
  uintptr_t addr = reinterpret_cast<uintptr_t>(storage.data());
  size_t pad =
      (alignof(std::max_align_t) - addr % alignof(std::max_align_t)) % alignof(std::max_align_t);
  const size_t size = storage_size(config) - kAlignRoom;
  if (storage.size() < pad + size) return;  // core_ stays null: not valid
  std::memset(storage.data() + pad, 0, size);
  Layout l{reinterpret_cast<uintptr_t>(storage.data() + pad)};
  l.align<EngineCore>();
  core_ = new (reinterpret_cast<uint8_t*>(l.base + l.offset))
      EngineCore(config, config_, rng, handler, stats_, config.tx.max_transmit_span());
  l.offset += sizeof(EngineCore);
  lay_out(l, config, core_);
  core_->next_mid_value = static_cast<uint16_t>(rng.next_u32());
}

Engine::~Engine() {
  if (!core_) return;
  // A shared store and pool outlive the engine: the store's records must not name our
  // entries, and the buffers of exchanges still running go back to the pool.
  core_->cache.release();
  if (MessagePool* pool = config_.shared_messages)
    for (uint16_t i = 0; i < config_.exchanges; ++i)
      if (uint8_t* buf = core_->exchanges[i].buf) pool->give(buf);
}

MessagePool::MessagePool(MutableByteView memory, uint16_t message_size) noexcept
    : size_(message_size) {
  const size_t step = buffer_bytes(message_size);
  for (size_t at = 0; at + step <= memory.size(); at += step)
    give(memory.data() + at);
}

uint8_t* MessagePool::take() noexcept {
  uint8_t* buf = next();
  if (!buf) return nullptr;
  free_ = free_->next;
  --available_;
  return buf;
}

void MessagePool::give(uint8_t* buffer) noexcept {
  // The link goes after the message: its bytes stay as they were.
  free_ = new (buffer + link_offset(size_)) Free{free_};
  ++available_;
}

void Engine::set_handler(RequestHandler* handler) noexcept {
  if (core_) core_->handler = handler;
}

// ---------------------------------------------------------------------------------------
// The public API forwards to the core

MutableByteView Engine::receive_buffer() noexcept {
  if (!core_) return {};
  return {core_->scratch, config_.max_message_size};
}

MutableByteView Engine::request_buffer() noexcept {
  // The slot and buffer alloc_exchange() takes next.
  detail::Exchange* e = core_ ? core_->free_slot() : nullptr;
  if (!e) return {};
  MessagePool* pool = config_.shared_messages;
  uint8_t* buf = pool ? pool->next() : e->buf;
  if (!buf) return {};
  return {buf, config_.block_size};  // a valid engine's messages are 64 bytes longer
}

void Engine::handle_datagram(PeerId peer, ByteView datagram, TimePoint now) noexcept {
  if (!core_ || core_->busy()) return;
  const detail::Tick t = core_->tick(now);  // before dispatching: it may move the epoch
  core_->dispatching = true;
  core_->input = datagram.data();
  core_->handle_datagram(peer, datagram, t);
  core_->dispatching = false;
  core_->input = nullptr;
}
void Engine::handle_oversized(PeerId peer, ByteView datagram, size_t limit,
                              TimePoint now) noexcept {
  if (!core_ || core_->busy() || limit == 0) return;
  const detail::Tick t = core_->tick(now);
  core_->dispatching = true;
  core_->input = datagram.data();
  core_->answer_oversized(
      peer, datagram, {static_cast<uint32_t>(limit), static_cast<uint32_t>(datagram.size())}, t);
  core_->dispatching = false;
  core_->input = nullptr;
}
void Engine::handle_timeout(TimePoint now) noexcept {
  if (!core_ || core_->busy()) return;
  const detail::Tick t = core_->tick(now);
  core_->dispatching = true;
  core_->handle_timeout(t);
  core_->dispatching = false;
}
std::optional<Datagram> Engine::poll_transmit() noexcept {
  if (!core_) return std::nullopt;
  return core_->poll_transmit();
}
TimePoint Engine::next_deadline() const noexcept {
  return core_ ? core_->next_deadline() : kNever;
}
Result<RequestId> Engine::send_request(PeerId peer, const Message& request,
                                       ResponseHandler& handler, TimePoint now,
                                       RequestOptions opts) noexcept {
  if (!core_) return Errc::invalid_state;
  return core_->send_request(peer, request, handler, core_->tick(now), opts);
}
void Engine::cancel(RequestId id, TimePoint now) noexcept {
  if (core_) core_->cancel(id, core_->tick(now));
}
void Engine::abandon(RequestId id, TimePoint now) noexcept {
  if (core_) core_->abandon(id, core_->tick(now));
}
bool Engine::active(RequestId id) const noexcept {
  return core_ && core_->active(id);
}
void Engine::cancel_observation(ObservationId id) noexcept {
  if (core_ && core_->observing(id)) core_->end_observation(id.index, Errc::cancelled, false);
}
bool Engine::observing(ObservationId id) const noexcept {
  return core_ && core_->observing(id);
}
size_t Engine::observation_count() const noexcept {
  return core_ ? core_->observation_count() : 0;
}
Status Engine::notify_impl(ObservationId id, bool con, TimePoint now,
                           detail::ResponseFiller& f) noexcept {
  if (!core_) return Errc::invalid_state;
  return core_->notify(id, con, now, f);
}
Status Engine::respond_deferred_impl(DeferredId id, TimePoint now,
                                     detail::ResponseFiller& f) noexcept {
  if (!core_) return Errc::invalid_state;
  return core_->respond_deferred(id, now, f);
}

Result<ObservationId> Response::accept_observe(uint32_t cookie) noexcept {
  if (!LWM2M_WITH_OBSERVE) return Errc::unsupported;  // whatever the request (engine.hpp)
  if (!engine_ || !can_observe_) return Errc::invalid_state;
  if (observation_.valid()) return observation_;
  auto id = engine_->accept_observe(cookie);
  if (id) observation_ = *id;
  return id;
}

Result<DeferredId> Response::defer() noexcept {
  if (!engine_ || !can_defer_) return Errc::invalid_state;
  if (deferred_.valid()) return deferred_;
  auto id = engine_->defer();
  if (id) deferred_ = *id;
  return id;
}

namespace detail {

// ---------------------------------------------------------------------------------------
// Inputs

[[gnu::always_inline]] inline bool EngineCore::parse_datagram(PeerId peer, ByteView datagram,
                                                              Message& m) noexcept {
  ParseError err = parse(datagram, m);
  if (err == ParseError::none) return true;
  ++stats.malformed;
  // RFC 7252 §4.2/4.3: reject a malformed CON with RST when its MID is known; anything
  // else malformed is silently ignored.
  if (err != ParseError::too_short && err != ParseError::bad_version && m.type == Type::con)
    send_empty(peer, Type::rst, m.message_id);
  return false;
}

// Inlined into Engine::handle_datagram(), and on_request() into it: the engine's frames
// under a request's handler are one, which holds the request and the response being built.
[[gnu::always_inline]] inline void EngineCore::handle_datagram(PeerId peer, ByteView datagram,
                                                               Tick now) noexcept {
  Message m;
  if (!parse_datagram(peer, datagram, m)) return;
  switch (m.type) {
    case Type::ack:
    case Type::rst:
      on_ack_or_rst(peer, m, now);
      return;
    case Type::con:
    case Type::non:
      if (m.code.is_empty()) {
        if (m.type == Type::con) send_empty(peer, Type::rst, m.message_id);  // ping (§4.3)
        return;
      }
      if (m.code.is_request()) {
        on_request(peer, m, now);
      } else if (m.code.is_response()) {
        on_response_message(peer, m, now);
      } else if (m.type == Type::con) {
        send_empty(peer, Type::rst, m.message_id);
      }
      return;
  }
}

// Option checks (RFC 7252 §5.4.1, §5.7.2): the code to reject the request with, or 0.00.
namespace {
[[gnu::always_inline]] inline Code check_options(const Message& m) noexcept {
  Code reject{};
  // A parsed message's options are in wire order: a repeated option follows its first.
  uint16_t previous = 0;
  for (const Option& o : m.options()) {
    const wire::OptionRule* rule = wire::option_rule(o.number);
    bool bad = !rule || o.length < rule->min_length || o.length > rule->max_length ||
               (!rule->repeatable && o.number == previous);
    previous = o.number;
    // Built without block-wise transfers, Block1 and Block2 are critical options we do
    // not know (RFC 7252 §5.4.1: 4.02 Bad Option).
    if (!LWM2M_WITH_BLOCKWISE && (o.number == static_cast<uint16_t>(OptionNumber::block1) ||
                                  o.number == static_cast<uint16_t>(OptionNumber::block2)))
      bad = true;
    if (bad && is_critical(o.number)) return codes::bad_option;
    if (o.number == static_cast<uint16_t>(OptionNumber::proxy_uri) ||
        o.number == static_cast<uint16_t>(OptionNumber::proxy_scheme)) {
      reject = codes::proxying_not_supported;
    }
  }
  return reject;
}
}  // namespace

// Inlined into its two callers: a call costs more flash than it saves in on_request().
[[gnu::always_inline]] inline CacheEntry* EngineCore::admit_request(PeerId peer, const Message& m,
                                                                    Tick now, MessageBase& resp,
                                                                    uint8_t*& out) noexcept {
  CacheEntry* victim;
  if (CacheEntry* c = cache.find(peer, m.message_id, now, victim)) {
    // Retransmission: answer from the cache, never run the handler twice (§4.5). A
    // duplicated NON is silently ignored (§4.5), not answered again.
    ++stats.duplicates;
    if (c->state == CacheEntry::State::ready && m.type == Type::con) queue_cache(*c);
    return nullptr;
  }
  const Code reject = check_options(m);
  if (reject == codes::bad_option) ++stats.rejected_options;
  if (reject == codes::bad_option && m.type == Type::non) return nullptr;  // ignore a NON

  CacheEntry* c = DedupCache::insert(victim, peer, m.message_id);
  if (!c) return nullptr;  // every cache slot is being transmitted; the peer will retransmit
  out = cache.reserve(config.max_message_size);
  if (!out) {
    c->state = CacheEntry::State::free;  // no room for the answer yet: as above
    return nullptr;
  }
  c->expires = now + (m.type == Type::con ? exchange_lifetime : non_lifetime);

  resp.type = m.type == Type::con ? Type::ack : Type::non;
  resp.message_id = m.type == Type::con ? m.message_id : next_mid();
  resp.token = m.token;
  if (reject.raw == 0) return c;
  finish_simple(*c, out, resp, reject);
  return nullptr;
}

// Out of line: its options are not on the stack of the requests that reach a handler.
[[gnu::noinline]] void EngineCore::answer_block1(CacheEntry& c, uint8_t* out, MessageBase& resp,
                                                 Code reply, Tick now) noexcept {
  SimpleOptions options;
  if (reply == codes::continue_) options.block1 = reassembly->block();
  if (reply == codes::request_entity_too_large)
    options.size1 = reassembly ? reassembly->capacity() : 0;
  if (reply == codes::service_unavailable) options.max_age = reassembly->busy_seconds(now);
  finish_simple(c, out, resp, reply, options);
}

// Inlined into handle_datagram(), its one caller (see there).
[[gnu::always_inline]] inline void EngineCore::on_request(PeerId peer, const Message& m,
                                                          Tick now) noexcept {
  ResponseMessage resp;
  uint8_t* out;
  CacheEntry* c = admit_request(peer, m, now, resp, out);
  if (!c) return;

  ResponsePlan plan;
  // Filled in place (no copies of its parts on this frame, which is on every request's path).
  IncomingRequest req{peer, m, m.payload, false, false};
  if (!LWM2M_WITH_BLOCKWISE) {
    // Block1 was refused with 4.02 by check_options(): nothing to reassemble.
  } else if (m.has(OptionNumber::block1) && handler && handler->streams_block1(peer, m)) {
    req.block1 = m.block(OptionNumber::block1);
    if (!req.block1 || (req.block1->more && m.payload.size() != req.block1->size())) {
      finish_simple(*c, out, resp, codes::bad_request);
      return;
    }
    plan.block1_echo = req.block1->encode();
    plan.has_block1_echo = true;
  } else if (m.has(OptionNumber::block1)) {
    // Without a reassembly buffer (EngineConfig::block1_buffer 0) no body fits (Size1 0).
    const Code reply = reassembly ? reassembly->accept(peer, m, now, exchange_lifetime)
                       : m.block(OptionNumber::block1) ? codes::request_entity_too_large
                                                       : codes::bad_request;
    if (reply.raw != 0) return answer_block1(*c, out, resp, reply, now);
    req.body = reassembly->body();
    plan.block1_echo = reassembly->block().encode();
    plan.has_block1_echo = true;
  }

  // Observe registration / deregistration (RFC 7641 §2, §3.6, §4.1); a build without
  // Observe serves a GET with Observe as a plain GET (§4.1 lets a server).
  if (LWM2M_WITH_OBSERVE && (m.code == codes::get || m.code == codes::fetch)) {
    if (auto obs = m.observe()) {
      req.observe_register = *obs == 0;
      req.observe_deregister = *obs == 1;
      end_observations_of(peer, m.token);  // replaced or deregistered
    }
  }

  plan.request = &req;
  plan.allow_observe = req.observe_register;
  plan.allow_defer = true;
  ResponseOutcome outcome;
  auto n = build_response(plan, resp, {out, config.max_message_size}, outcome);
  // The 24-hour CON rule (RFC 7641 §4.5) counts from the registration, not from the
  // clock's origin.
  if (LWM2M_WITH_OBSERVE && outcome.observation.valid())
    observations[outcome.observation.index].last_con = time_of(now);
  if (outcome.deferred.valid()) {
    // Separate response: an empty ACK now for a CON, nothing for a NON (§5.2.2).
    if (m.type == Type::con) {
      (void)cache.store_empty_ack(*c);  // the reservation above leaves room for it
      queue_cache(*c);
    } else {
      c->state = CacheEntry::State::pending;
    }
    return;
  }
  if (!n) {
    finish_simple(*c, out, resp, codes::internal_server_error);
    return;
  }
  cache.commit(*c, *n);
  c->state = CacheEntry::State::ready;
  queue_cache(*c);
}

// Only Engine::handle_oversized() comes here, so an image whose driver never reports an
// oversized datagram does not carry this answer.
void EngineCore::answer_oversized(PeerId peer, ByteView datagram, OversizedDatagram d,
                                  Tick now) noexcept {
  Message m;
  if (!parse_datagram(peer, datagram, m)) return;
  if (!m.code.is_request() || (m.type != Type::con && m.type != Type::non)) return;
  ResponseMessage resp;
  uint8_t* out;
  CacheEntry* c = admit_request(peer, m, now, resp, out);
  if (!c) return;
  finish_simple(*c, out, resp, codes::request_entity_too_large, {.block1 = block1_that_fits(m, d)});
}

}  // namespace detail
}  // namespace lwm2m::coap
