// SPDX-License-Identifier: Apache-2.0
// The engine's state and the parts it is composed of. Engine (the public facade) owns one
// EngineCore, placed in the engine's storage with every table. Each concern's functions
// live in their own file:
//   reliability.cpp  CON/ACK/RST, retransmission, NSTART, deduplication, transmit queue
//   blockwise.cpp    Block1 reassembly (server); next Block1/Block2 requests (client)
//   observe.cpp      served relations and notifications; received notifications
//   response.cpp     piggybacked, separate and error responses, Block2 windows
//   client.cpp       our requests: sending, matching and delivering their responses
//   engine.cpp       the public facade, storage, dispatch of inputs, serving a request
#pragma once

#include <cstdint>
#include <optional>

#include "coap/blockwise.hpp"
#include "coap/observe.hpp"
#include "coap/reliability.hpp"
#include "coap/response.hpp"
#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

struct EngineCore {
  // `span`: c.tx.max_transmit_span(), computed once for both lifetimes (RFC 7252 §4.8.2).
  EngineCore(const EngineConfig& c, const EngineSettings& kept, Random& r, RequestHandler* h,
             Engine::Stats& s, Duration span) noexcept
      : config(kept),
        exchange_lifetime(period_of(span + 2 * c.tx.max_latency + c.tx.processing_delay)),
        non_lifetime(period_of(span + c.tx.max_latency)),
        rng(r),
        handler(h),
        stats(s) {}

  /// Tick 0 of the engine's clock (see Tick).
  TimePoint epoch{};
  const EngineSettings& config;  // the Engine's (an Engine never moves)
  // From config.tx, computed once: every request received needs one of them. In ticks
  // (EXCHANGE_LIFETIME is 247 s by default; kMaxPeriod at most).
  const Tick exchange_lifetime;
  const Tick non_lifetime;
  Random& rng;
  RequestHandler* handler;
  Engine::Stats& stats;

  Exchange* exchanges = nullptr;
  DedupCache cache;
  TxQueue tx;
  ServedObservation* observations = nullptr;
  Deferred* deferred = nullptr;
  /// Block1 bodies, in the storage when EngineConfig::block1_buffer is not 0; else null.
  Block1Reassembly* reassembly = nullptr;
  /// One message: a notification that replaces one in flight, and the driver's receive
  /// buffer (Engine::receive_buffer()).
  uint8_t* scratch = nullptr;
  /// The datagram handle_datagram() or handle_oversized() is handling, else null: when the
  /// driver received it into scratch (receive_buffer()), a notification that replaces one
  /// in flight, built in scratch, would overwrite it, so it is refused meanwhile.
  const uint8_t* input = nullptr;
  bool input_in_scratch() const noexcept {
    const auto at = reinterpret_cast<uintptr_t>(input);
    const auto start = reinterpret_cast<uintptr_t>(scratch);
    return at >= start && at < start + config.max_message_size;
  }
  // The members below in falling order of alignment: 96 bytes on a 32-bit target, which
  // the tables after it (8-aligned) follow without padding.
  uint8_t transmit[wire::kEmptySize] = {};  ///< the empty ACK/RST being handed out
  uint32_t sequence = 0;                    ///< orders queued requests (NSTART) by submission
  uint16_t next_mid_value = 0;
  // The request being served, for Response::accept_observe() and defer().
  PeerId current_peer = 0;
  /// Set while a handler or filler writes a response: notify() and respond_deferred() from
  /// there are refused (see the re-entry rules in engine.hpp).
  bool filling = false;
  /// Set while handle_datagram() or handle_timeout() runs: a handler feeding the engine
  /// input from there would be handled against half-updated tables, so it is ignored.
  bool dispatching = false;
  bool busy() const noexcept { return filling || dispatching; }
  Type current_type = Type::con;
  Token current_token;

  uint16_t next_mid() noexcept { return next_mid_value++; }
  uint16_t index_of(const Exchange& e) const noexcept {
    return static_cast<uint16_t>(&e - exchanges);
  }

  // ---- engine.cpp: dispatch, serving a request
  void handle_datagram(PeerId peer, ByteView datagram, Tick now) noexcept;
  /// Parses `datagram`; a malformed one is counted (and a CON answered RST): false.
  bool parse_datagram(PeerId peer, ByteView datagram, Message& m) noexcept;
  /// Deduplication, option checks and a cache slot for request `m`, whose response header
  /// goes in `resp` and whose encoding goes to `out` (room for one message in the store):
  /// the slot to answer in, or null when the request is already answered (from the cache,
  /// or rejected for its options) or ignored.
  CacheEntry* admit_request(PeerId peer, const Message& m, Tick now, MessageBase& resp,
                            uint8_t*& out) noexcept;
  void on_request(PeerId peer, const Message& m, Tick now) noexcept;
  /// Answers a Block1 request whose body is not reassembled yet (2.31, 4.13, 5.03...).
  void answer_block1(CacheEntry& c, uint8_t* out, MessageBase& resp, Code reply, Tick now) noexcept;
  /// A request larger than the driver's receive buffer: 4.13 with a Block1 size that fits
  /// (RFC 7959 §2.9.3), from cache and option checks like any request; anything else dropped.
  void answer_oversized(PeerId peer, ByteView datagram, OversizedDatagram d, Tick now) noexcept;

  // ---- client.cpp
  void on_response_message(PeerId peer, const Message& m, Tick now) noexcept;
  void deliver_response(uint16_t index, const Message& m, Tick now) noexcept;
  Result<RequestId> send_request(PeerId peer, const Message& request, ResponseHandler& on_response,
                                 Tick now, RequestOptions opts) noexcept;
  void cancel(RequestId id, Tick now) noexcept;
  void abandon(RequestId id, Tick now) noexcept;
  void end_exchange(Exchange& e, Tick now) noexcept;
  bool active(RequestId id) const noexcept;
  Token fresh_token() noexcept;

  // ---- reliability.cpp
  /// `now` on the engine's clock, the epoch moved first when it is kRebaseAt away.
  Tick tick(TimePoint now) noexcept;
  void rebase(TimePoint now) noexcept;
  TimePoint time_of(Tick t) const noexcept;
  void handle_timeout(Tick now) noexcept;
  std::optional<Datagram> poll_transmit() noexcept;
  TimePoint next_deadline() const noexcept;
  void on_ack_or_rst(PeerId peer, const Message& m, Tick now) noexcept;
  void send_empty(PeerId peer, Type type, uint16_t mid) noexcept {
    (void)tx.push_empty(peer, type, mid);
  }
  void queue_exchange(Exchange& e) noexcept;
  void queue_cache(CacheEntry& c) noexcept;
  /// The slot alloc_exchange() takes next (Engine::request_buffer() lends its buffer).
  Exchange* free_slot() const noexcept;
  Exchange* alloc_exchange() noexcept;
  void free_exchange(Exchange& e) noexcept;
  void start_transmission(Exchange& e, Tick now) noexcept;
  void promote_queued(PeerId peer, Tick now) noexcept;
  void fail_exchange(Exchange& e, Errc why) noexcept;

  // ---- blockwise.cpp (client role)
  void continue_block1(Exchange& e, const Message& m, Tick now) noexcept;
  void follow_block2(Exchange& e, BlockOption received, Tick now) noexcept;
  void start_notification_fetch(uint16_t observation, BlockOption first, Tick now) noexcept;
  void deliver_block_of_notification(Exchange& e, const Message& m, Tick now) noexcept;
  void drop_child(Exchange& observation, Tick now) noexcept;
  /// The exchange's next datagram, with a new MID, from its current one and `options`;
  /// its payload is `*payload`, or the current one's when `payload` is null.
  Status rebuild_request(Exchange& e, const VaryingOptions& options,
                         const ByteView* payload) noexcept;
  Status build_block2_request(Exchange& e, BlockOption block) noexcept;

  // ---- observe.cpp
  Result<ObservationId> accept_observe(uint32_t cookie) noexcept;
  void end_observation(uint16_t index, Errc why, bool tell) noexcept;
  void end_observations_of(PeerId peer, const Token& token) noexcept;
  bool observing(ObservationId id) const noexcept;
  size_t observation_count() const noexcept;
  Status notify(ObservationId id, bool con, TimePoint now, ResponseFiller& f) noexcept;
  /// A notification to an observation of ours: false when it is older than the last one.
  bool accept_notification(Exchange& e, uint32_t observe, Tick now) noexcept;
  Status deregister(Exchange& e, Tick now) noexcept;

  // ---- response.cpp
  Result<size_t> build_response(const ResponsePlan& plan, MessageBase& resp, MutableByteView out,
                                ResponseOutcome& outcome) noexcept;
  // `extra` by reference: the common call without options then passes one address rather
  // than three empty optionals on the stack.
  void finish_simple(CacheEntry& c, uint8_t* out, MessageBase& resp, Code code,
                     const SimpleOptions& extra = kNoSimpleOptions) noexcept;
  Result<DeferredId> defer() noexcept;
  Status respond_deferred(DeferredId id, TimePoint now, ResponseFiller& f) noexcept;
};

}  // namespace lwm2m::coap::detail
