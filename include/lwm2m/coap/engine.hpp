// SPDX-License-Identifier: Apache-2.0
// The sans-I/O CoAP engine: message layer (RFC 7252 §4), block-wise transfers (RFC 7959)
// and observe (RFC 7641), in both the server and the client role.
//
// Inputs:  handle_datagram(peer, bytes, now), handle_timeout(now), and application calls
//          (send_request, notify, respond_deferred, cancel).
// Outputs: poll_transmit() yields datagrams to send; next_deadline() says when to call
//          handle_timeout() at the latest. Requests are served through RequestHandler, and
//          responses to our requests arrive through ResponseHandler.
//
// The engine never touches a socket, a clock or a thread. Every table and buffer is sized
// by EngineConfig at construction; no call after construction allocates.
//
// Handlers are called synchronously from handle_datagram() and handle_timeout() only; a
// notify()/respond_deferred() filler from that call. What a handler or a filler may call
// on the engine meanwhile:
// - send_request() (with request_buffer()), cancel(), active(), cancel_observation(),
//   observing(): yes, with their usual effect. A RequestId or ObservationId of an exchange
//   that ended in the callback is stale at once; the engine finishes the message it was
//   handling without it (a cancelled observation, for one, is answered without Observe).
// - notify() and respond_deferred() from inside RequestHandler::on_request() or a filler:
//   refused with invalid_state; call them after the handler returns. From a
//   ResponseHandler or on_observe_cancelled(): yes, except a notify() that would replace a
//   CON notification in flight while the datagram being handled lies in receive_buffer()
//   (the new one is built there): invalid_state. A notify() filler that ends its own
//   relation sends nothing (invalid_state).
// - handle_datagram() and handle_timeout(): ignored; feed them from the driver's loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "lwm2m/bytes.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/random.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::coap {

/// A remote endpoint as the driver names it (an index into its own address table).
using PeerId = uint16_t;

class Response;
namespace detail {
struct EngineCore;
/// Writes a response the way a RequestHandler does (notify(), respond_deferred()).
struct ResponseFiller {
  virtual void fill(Response& r) noexcept = 0;
};
}  // namespace detail

/// RFC 7252 §4.8 transmission parameters; the defaults are the RFC's. The engine keeps the
/// periods it derives (a retransmission's timeout, EXCHANGE_LIFETIME, NON_LIFETIME) in 31
/// bits of milliseconds: one beyond 24.8 days (2^31 - 1 ms) counts as that.
struct TransmissionParams {
  /// First retransmission of a CON after this; 2^32-1 ms at most (the configuration is
  /// invalid above), a first timeout beyond 2^31-1 ms counting as that.
  Duration ack_timeout{2000};
  /// ACK_RANDOM_FACTOR as a ratio in thousandths (1500 = 1.5), to stay free of floats.
  uint16_t ack_random_factor_permille = 1500;
  uint8_t max_retransmit = 4;       ///< retransmissions of a CON message before the exchange fails
  uint8_t nstart = 1;               ///< outstanding CON exchanges per peer
  Duration max_latency{100000};     ///< longest time a datagram may take to reach the peer
  Duration processing_delay{2000};  ///< RFC: equal to ACK_TIMEOUT

  /// ACK_TIMEOUT * (2^MAX_RETRANSMIT - 1) * ACK_RANDOM_FACTOR
  Duration max_transmit_span() const noexcept;
  /// ACK_TIMEOUT * (2^(MAX_RETRANSMIT+1) - 1) * ACK_RANDOM_FACTOR (93 s by default)
  Duration max_transmit_wait() const noexcept;
  /// MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY + PROCESSING_DELAY (247 s by default)
  Duration exchange_lifetime() const noexcept;
  /// MAX_TRANSMIT_SPAN + MAX_LATENCY (145 s by default)
  Duration non_lifetime() const noexcept;
};

class ResponseStore;
class MessagePool;

/// Sizes and timing of a coap::Engine; every table is sized from here once, at construction.
struct EngineConfig {
  TransmissionParams tx;  ///< retransmission timing (RFC 7252 §4.8)
  /// Largest datagram the engine builds; retransmission buffers are this size each.
  /// RFC 7252 §4.6 recommends 1152 when nothing is known of the path MTU.
  uint16_t max_message_size = 1152;
  /// Block size the engine uses for Block2 responses and Block1 uploads (16..1024, power
  /// of two). A peer asking for smaller blocks gets them.
  uint16_t block_size = 1024;
  /// Concurrent outgoing exchanges: our requests, CON separate responses, notifications.
  uint16_t exchanges = 4;
  /// Responses remembered for deduplication of retransmitted requests (per peer and MID).
  uint16_t dedup_entries = 8;
  /// Bytes of the engine's ResponseStore, where those responses are kept at their own
  /// size (0: dedup_entries * max_message_size, room for as many whole messages; at least
  /// ResponseStore::min_size(max_message_size) otherwise). When it runs short, the oldest
  /// response gives way with its entry, as when the table is full.
  uint32_t response_bytes = 0;
  /// Observe relations this endpoint serves.
  uint16_t observations = 8;
  /// Requests answered later with a separate response.
  uint16_t deferred = 2;
  /// Reassembly buffer for incoming Block1 bodies; 0 refuses Block1 with 4.13.
  uint32_t block1_buffer = 4096;
  /// Token length for our requests (RFC 7252 §5.3.1 asks for enough randomness; 4..8).
  uint8_t token_length = 4;
  /// Empty ACK and RST messages the transmit queue holds besides one datagram per
  /// exchange and dedup entry; more are dropped (the peer's retransmission covers them).
  /// Each input queues one at most, so a driver that calls poll_transmit() after every
  /// input needs 1.
  uint8_t empty_messages = 8;
  /// A buffer the engine uses only inside one call (a notification that replaces one in
  /// flight, the driver's receive buffer): Engine::scratch_size(*this) bytes. Engines
  /// driven by one thread, one call at a time, may share one (thousands of clients in a
  /// process keep it once); null: the engine has its own in its storage.
  uint8_t* shared_scratch = nullptr;
  /// A response store shared by engines driven by one thread, one call at a time (their
  /// cached responses then take room in proportion to the requests they serve, not one
  /// message per dedup entry); null: the engine has its own of response_bytes.
  ResponseStore* shared_responses = nullptr;
  /// Buffers of max_message_size bytes shared by engines driven by one thread, one call at
  /// a time: an exchange takes one while it runs (its datagram, kept for retransmission)
  /// and gives it back when it ends, and when none is free a new exchange is refused as
  /// when every exchange slot is busy (no_space). Null: each exchange slot has its own.
  MessagePool* shared_messages = nullptr;
};

/// What an Engine keeps of its EngineConfig once built (Engine::config()): only what it
/// reads while it runs, so that a client per device (or ten thousand in a process) does not
/// carry the whole configuration.
struct EngineSettings {
  uint32_t ack_timeout_ms = 2000;              ///< TransmissionParams::ack_timeout
  uint16_t ack_random_factor_permille = 1500;  ///< TransmissionParams::ack_random_factor_permille
  uint8_t max_retransmit = 4;                  ///< TransmissionParams::max_retransmit
  uint8_t nstart = 1;                          ///< TransmissionParams::nstart
  uint16_t max_message_size = 1152;            ///< EngineConfig::max_message_size
  uint16_t block_size = 1024;                  ///< EngineConfig::block_size
  uint16_t exchanges = 4;                      ///< EngineConfig::exchanges
  uint16_t observations = 8;                   ///< EngineConfig::observations
  uint16_t deferred = 2;                       ///< EngineConfig::deferred
  uint8_t token_length = 4;                    ///< EngineConfig::token_length
  /// SZX of block_size (6 for 1024), kept where the members above leave a byte unused.
  uint8_t block_szx = 6;
  MessagePool* shared_messages = nullptr;  ///< EngineConfig::shared_messages

  /// The settings of `config`.
  static EngineSettings of(const EngineConfig& config) noexcept;
  /// TransmissionParams::max_transmit_wait() of the configuration (93 s by default).
  Duration max_transmit_wait() const noexcept;
};

/// Message buffers that engines take while an exchange runs and give back when it ends
/// (EngineConfig::shared_messages): clients that are mostly idle keep few in all instead
/// of one per exchange slot each. Must outlive the engines that use it.
class MessagePool {
 public:
  /// Buffers of `message_size` bytes (at least the engines' max_message_size) carved from
  /// `memory` (aligned as malloc() aligns), which must outlive the pool: `count` buffers
  /// need count * buffer_bytes(message_size) bytes.
  MessagePool(MutableByteView memory, uint16_t message_size) noexcept;
  /// Bytes of memory one buffer takes: the message and the pool's link to the next free
  /// buffer, kept after the message so that a datagram just given back stays whole until
  /// it is sent (a NON notification's buffer returns to the pool as poll_transmit()
  /// hands it out).
  static constexpr size_t buffer_bytes(uint16_t message_size) noexcept {
    return link_offset(message_size) + sizeof(Free);
  }
  MessagePool(const MessagePool&) = delete;
  MessagePool& operator=(const MessagePool&) = delete;
  /// The size of each buffer.
  uint16_t message_size() const noexcept { return size_; }
  /// Buffers not taken now.
  size_t available() const noexcept { return available_; }

 private:
  friend struct detail::EngineCore;
  friend class Engine;
  /// The buffer take() returns next, or null when all are taken.
  uint8_t* next() const noexcept {
    return free_ ? reinterpret_cast<uint8_t*>(free_) - link_offset(size_) : nullptr;
  }
  /// A buffer, or null when all are taken.
  uint8_t* take() noexcept;
  void give(uint8_t* buffer) noexcept;
  struct Free {
    Free* next;
  };
  static constexpr size_t link_offset(uint16_t message_size) noexcept {
    return (size_t{message_size} + alignof(Free) - 1) & ~(alignof(Free) - 1);
  }
  Free* free_ = nullptr;
  size_t available_ = 0;
  uint16_t size_ = 0;
};

namespace detail {
struct CacheEntry;
class DedupCache;
}  // namespace detail

/// The bytes of the responses an engine keeps to answer a retransmitted request again,
/// byte for byte (RFC 7252 §4.5): a ring in memory the caller gives, each response at its
/// own size, the oldest giving way to a new one. An engine has its own; engines driven by
/// one thread, one call at a time, may share one (EngineConfig::shared_responses), which
/// must outlive them.
class ResponseStore {
  struct Record {
    detail::CacheEntry* owner;  // null: forgotten
    uint32_t size;              // the whole record, header and padding included
  };

 public:
  /// The smallest store for messages of `max_message_size` bytes: one response and the
  /// room to build the next.
  static constexpr uint32_t min_size(uint16_t max_message_size) noexcept {
    return static_cast<uint32_t>(record_size(max_message_size));
  }
  /// A store in `memory` (aligned as malloc() aligns), which must outlive it.
  explicit ResponseStore(MutableByteView memory) noexcept
      : base_(memory.data()),
        size_(static_cast<uint32_t>(memory.size() & ~(alignof(Record) - 1))) {}
  ResponseStore(const ResponseStore&) = delete;
  ResponseStore& operator=(const ResponseStore&) = delete;
  /// Bytes the responses may take, their headers included.
  size_t capacity() const noexcept { return size_; }

 private:
  friend class detail::DedupCache;
  /// Room for a response of up to `max` bytes at the head, evicting the oldest responses
  /// as needed (their entries are freed); null when a response being transmitted is in
  /// the way. Nothing may be stored in between until commit().
  uint8_t* reserve(size_t max) noexcept;
  /// Keeps the `len` bytes written at reserve()'s pointer as `owner`'s response.
  void commit(detail::CacheEntry& owner, size_t len) noexcept;
  /// Detaches `owner` from its response (kept until the ring passes it).
  static void forget(detail::CacheEntry& owner) noexcept;

  static constexpr size_t record_size(size_t len) noexcept {
    return (sizeof(Record) + len + alignof(Record) - 1) & ~(alignof(Record) - 1);
  }
  Record* at(uint32_t offset) const noexcept { return reinterpret_cast<Record*>(base_ + offset); }

  uint8_t* base_ = nullptr;
  uint32_t size_ = 0;
  uint32_t head_ = 0;  // where the next record goes
  uint32_t tail_ = 0;  // the oldest record
  uint32_t end_ = 0;   // while wrapped: where the records before the wrap end
  bool wrapped_ = false;
};

// ---- server role --------------------------------------------------------------------

/// Identifies an observe relation we serve. Stable until on_observe_cancelled().
struct ObservationId {
  uint16_t index = 0xFFFF;  ///< slot in the engine's table; 0xFFFF: none
  uint16_t generation = 0;  ///< tells a reused slot from the relation it held before
  /// True when this names a relation (not a default-constructed id).
  bool valid() const noexcept { return index != 0xFFFF; }
  /// Same relation.
  friend bool operator==(ObservationId, ObservationId) noexcept = default;
};

/// Identifies a request whose answer comes later (respond_deferred()).
struct DeferredId {
  uint16_t index = 0xFFFF;  ///< slot in the engine's table; 0xFFFF: none
  uint16_t generation = 0;  ///< tells a reused slot from the request it held before
  /// True when this names a request (not a default-constructed id).
  bool valid() const noexcept { return index != 0xFFFF; }
};

/// A request as the engine hands it to a RequestHandler.
struct IncomingRequest {
  PeerId peer;             ///< who sent it
  const Message& message;  ///< options and the last block's payload
  ByteView body;           ///< the complete body (Block1 transfers reassembled)
  /// GET/FETCH with Observe 0: the handler may call Response::accept_observe(). Always
  /// false in a library built without Observe (LWM2M_WITH_OBSERVE 0), which serves no
  /// relation.
  bool observe_register;
  /// GET/FETCH with Observe 1; the engine has already removed the relation. Always false
  /// without Observe.
  bool observe_deregister;
  /// Set when the handler took this Block1 request block by block (streams_block1()):
  /// `body` is this block only. Answer 2.31 Continue while `more`, the final code after
  /// the last block; the engine echoes the Block1 option (RFC 7959 §2.3).
  std::optional<BlockOption> block1 = std::nullopt;
};

/// What a handler fills in. The payload goes through a windowed sink: write the whole
/// representation and the engine cuts the Block2 block the peer asked for.
class Response {
 public:
  /// A response written into `m`, its payload into `payload`.
  Response(MessageBase& m, Sink& payload) noexcept : msg_(m), sink_(payload) {}
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  /// Sets the response code (2.05 Content unless changed).
  void set_code(Code c) noexcept { msg_.code = c; }
  /// The response code set so far.
  Code code() const noexcept { return msg_.code; }
  /// For adding options (Content-Format, Location-Path, ETag...): a message of
  /// kResponseOptions options, some of which the engine adds (Observe, Block1, Block2, Size2).
  MessageBase& message() noexcept { return msg_; }
  /// Sets the Content-Format option, replacing any earlier one.
  Status set_content_format(uint16_t cf) noexcept {
    msg_.remove(OptionNumber::content_format);
    return msg_.add_uint(OptionNumber::content_format, cf);
  }
  /// Where the representation goes (a windowed sink: Block2 takes its block from it).
  Sink& payload() noexcept { return sink_; }
  /// Appends `bytes` to the payload.
  void write(ByteView bytes) noexcept { sink_.write(bytes); }
  /// Appends text to the payload.
  void write(std::string_view s) noexcept { sink_.write(as_bytes(s)); }

  /// Establishes an observe relation (only for a request with observe_register). `cookie`
  /// comes back in on_observe_cancelled(). no_space when the table is full: the response
  /// is then sent without Observe, which RFC 7641 §4.1 reads as "not observed"; unsupported
  /// in a library built without Observe (LWM2M_WITH_OBSERVE 0).
  Result<ObservationId> accept_observe(uint32_t cookie) noexcept;
  /// Answers later (separate response, RFC 7252 §5.2.2): a CON request gets an empty ACK
  /// now. no_space when the deferred table is full.
  Result<DeferredId> defer() noexcept;

 private:
  friend struct detail::EngineCore;
  MessageBase& msg_;
  Sink& sink_;
  detail::EngineCore* engine_ = nullptr;
  bool can_observe_ = false;
  bool can_defer_ = false;
  ObservationId observation_{};
  DeferredId deferred_{};
};

/// The server role's callback: serves the requests a peer sends.
class RequestHandler {
 public:
  /// Serve one request. The default response code is 2.05 with no payload.
  virtual void on_request(const IncomingRequest& request, Response& response) noexcept = 0;
  /// Whether a request carrying Block1 goes to on_request() one block at a time (a body
  /// too large to hold, such as a firmware image) instead of being reassembled first.
  virtual bool streams_block1(PeerId, const Message&) noexcept { return false; }
  /// An observe relation ended: reason is reset (RST from the peer), timeout (a CON
  /// notification was never acknowledged), cancelled (deregistration or replacement).
  virtual void on_observe_cancelled(ObservationId, uint32_t /*cookie*/, Errc /*reason*/) noexcept {}

 protected:
  // Not destroyed through this interface: no virtual destructor, whose vtable entries
  // would keep every handler's destructor in firmware that never destroys one.
  ~RequestHandler() = default;
};

// ---- client role --------------------------------------------------------------------

/// Identifies a request this endpoint sent (send_request()), until its exchange ends.
struct RequestId {
  uint16_t index = 0xFFFF;  ///< slot in the engine's table; 0xFFFF: none
  uint16_t generation = 0;  ///< tells a reused slot from the exchange it held before
  /// True when this names a request (not a default-constructed id).
  bool valid() const noexcept { return index != 0xFFFF; }
  /// Same request.
  friend bool operator==(RequestId, RequestId) noexcept = default;
};

/// The client role's callback: receives the responses and notifications of a request sent with
/// Engine::send_request().
class ResponseHandler {
 public:
  /// A response, one Block2 block of a response, or an observe notification.
  /// `final` is true when the exchange is over (no more blocks, not observing).
  /// A notification larger than one block arrives as its first block (with Observe),
  /// then, with follow_block2, its other blocks (Block2 without Observe, fetched by plain
  /// GETs, RFC 7959 §2.6), all with final false; Block2's M bit marks the last one.
  virtual void on_response(RequestId id, const Message& response, bool final) noexcept = 0;
  /// The exchange failed: timeout, reset, cancelled, or a protocol error.
  virtual void on_error(RequestId id, Errc error) noexcept = 0;

 protected:
  ~ResponseHandler() = default;  // as RequestHandler's
};

/// How Engine::send_request() sends a request.
struct RequestOptions {
  bool confirmable = true;  ///< CON (retransmitted until acknowledged) or NON
  /// Fetch the remaining Block2 blocks automatically after the first one.
  bool follow_block2 = true;
};

// ---- outputs ------------------------------------------------------------------------

/// A datagram the driver is to send.
struct Datagram {
  PeerId peer;     ///< to whom
  ByteView bytes;  ///< valid until the next call into the engine
};

/// A sans-I/O CoAP endpoint (RFC 7252, 7641 Observe, 7959 blocks): datagrams in, datagrams out,
/// time passed in; no sockets, clocks or threads inside.
class Engine {
 public:
  /// Bytes of storage the engine needs for `config`.
  static size_t storage_size(const EngineConfig& config) noexcept;
  /// Bytes of EngineConfig::shared_scratch for `config`: one message (a notification that
  /// replaces one in flight is encoded in it, and drivers may receive into it).
  static size_t scratch_size(const EngineConfig& config) noexcept {
    return config.max_message_size;
  }

  /// Carves every table from `storage` (at least storage_size(config) bytes, aligned to
  /// alignof(std::max_align_t)); nothing is allocated. `handler` may be null (client only).
  Engine(const EngineConfig& config, MutableByteView storage, Random& rng,
         RequestHandler* handler) noexcept;
  /// Same, with storage allocated once here. Check valid() afterwards.
  Engine(const EngineConfig& config, Random& rng, RequestHandler* handler) noexcept;
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// False if the configuration was invalid or storage too small/unavailable.
  bool valid() const noexcept { return core_ != nullptr; }
  /// What it keeps of the configuration it was built with.
  const EngineSettings& config() const noexcept { return config_; }
  /// Who serves incoming requests (null: requests are answered 4.04).
  void set_handler(RequestHandler* handler) noexcept;

  // ---- inputs ----
  /// Where a driver may receive a datagram, then hand its first bytes to handle_datagram()
  /// (or to handle_oversized() when it did not fit), so that it needs no receive buffer of
  /// its own: config().max_message_size bytes of the engine's scratch, which engines
  /// sharing EngineConfig::shared_scratch share too. Receive into it just before that call:
  /// any other call into the engine (or into an engine sharing it) may overwrite it.
  /// Empty when the engine is not valid.
  MutableByteView receive_buffer() noexcept;
  /// A datagram from `peer` arrived at `now`.
  void handle_datagram(PeerId peer, ByteView datagram, TimePoint now) noexcept;
  /// A datagram larger than the driver's receive buffer (`limit` bytes; the driver read it
  /// whole or in part). A request is answered 4.13 with a Block1 option of a size that fits
  /// (RFC 7959 §2.9.3), so that a peer sending large blocks goes on with smaller ones; any
  /// other message is dropped.
  void handle_oversized(PeerId peer, ByteView datagram, size_t limit, TimePoint now) noexcept;
  /// Time passed: retransmissions, timeouts and expiries due by `now` run.
  void handle_timeout(TimePoint now) noexcept;

  // ---- outputs ----
  /// The next datagram to send, until nullopt; call after every input.
  std::optional<Datagram> poll_transmit() noexcept;
  /// Earliest time handle_timeout() has work; kNever when idle.
  TimePoint next_deadline() const noexcept;

  // ---- client role ----
  /// Sends a request. The engine sets the message ID and a fresh token; a payload larger
  /// than the block size goes out with Block1 (the payload bytes must stay valid until the
  /// exchange ends). With Observe 0 in `request`, notifications keep arriving through
  /// `handler` until cancel() (in a library built with Observe, LWM2M_WITH_OBSERVE: built
  /// without it, the first response ends the exchange and later notifications are answered
  /// RST). no_space when every exchange slot is busy.
  Result<RequestId> send_request(PeerId peer, const Message& request, ResponseHandler& handler,
                                 TimePoint now, RequestOptions opts = {}) noexcept;
  /// Where the payload of the next send_request() may be written, so that the caller keeps
  /// no buffer for it: the first block_size bytes of the message buffer that request will
  /// take (a payload found there is moved behind the options). Write it, then call
  /// send_request() with that payload before any other call into the engine (or into an
  /// engine sharing its MessagePool). Never the receive buffer, so a handler may use it
  /// while the datagram it handles lies there. Empty when every exchange slot is busy
  /// (send_request() would return no_space) or the engine is not valid.
  MutableByteView request_buffer() noexcept;
  /// Ends an exchange. For an observation, proactively deregisters (RFC 7641 §3.6: the
  /// same GET with Observe 1); the handler gets no further callback.
  void cancel(RequestId id, TimePoint now) noexcept;
  /// Ends an exchange without sending anything, for a peer that is gone or no longer
  /// wanted: the handler gets no further callback, and an observation ends reactively
  /// (RFC 7641 §3.6: its next notification is answered with RST).
  void abandon(RequestId id, TimePoint now) noexcept;
  /// True while the exchange of request `id` is still running.
  bool active(RequestId id) const noexcept;

  // ---- server role ----
  /// Sends a notification on an observe relation; `fill` writes it like a handler writes a
  /// response (template below). A CON notification still unacknowledged is replaced by
  /// the new one (RFC 7641 §4.5.2). no_space when no exchange slot is free.
  template <class F>
  Status notify(ObservationId id, bool confirmable, TimePoint now, F&& fill) noexcept {
    FillerOf<F> f{fill};
    return notify_impl(id, confirmable, now, f);
  }
  /// Sends the separate response of a deferred request.
  template <class F>
  Status respond_deferred(DeferredId id, TimePoint now, F&& fill) noexcept {
    FillerOf<F> f{fill};
    return respond_deferred_impl(id, now, f);
  }
  /// Ends an observe relation locally (no message is sent; RFC 7641 lets the next
  /// notification be answered with RST instead).
  void cancel_observation(ObservationId id) noexcept;
  /// True while relation `id` exists.
  bool observing(ObservationId id) const noexcept;
  /// The peer of a relation, and its request's options (Uri-Path, Accept...) are kept by
  /// the caller: the engine stores only what the protocol needs.
  size_t observation_count() const noexcept;

  /// Counters since construction, for diagnostics.
  struct Stats {
    uint32_t retransmissions = 0;   ///< CON messages sent again for lack of an ACK
    uint32_t duplicates = 0;        ///< retransmitted requests answered from the cache
    uint32_t malformed = 0;         ///< datagrams rejected by the parser
    uint32_t rejected_options = 0;  ///< requests answered 4.02
  };
  /// The counters.
  const Stats& stats() const noexcept { return stats_; }

 private:
  template <class F>
  struct FillerOf final : detail::ResponseFiller {
    explicit FillerOf(F& f) noexcept : f_(f) {}
    void fill(Response& r) noexcept override { f_(r); }
    F& f_;
  };
  Status notify_impl(ObservationId id, bool con, TimePoint now, detail::ResponseFiller& f) noexcept;
  Status respond_deferred_impl(DeferredId id, TimePoint now, detail::ResponseFiller& f) noexcept;
  void setup(const EngineConfig& config, MutableByteView storage, Random& rng,
             RequestHandler* handler) noexcept;

  EngineSettings config_;
  Stats stats_;
  detail::EngineCore* core_ = nullptr;  ///< in the storage, with every table; null: not valid
  std::unique_ptr<uint8_t[]> owned_;
};

}  // namespace lwm2m::coap
