// SPDX-License-Identifier: Apache-2.0
// The LwM2M client core (OMA LwM2M 1.0/1.1/1.2): bootstrap, registration, device
// management, information reporting and Send, over the sans-I/O CoAP engine.
//
// Like the engine, the client never touches a socket, a clock or a thread:
//   inputs:  handle_datagram(peer, bytes, now), handle_timeout(now), peer_failed(), and
//            application calls (start, stop, send, value changes through the registry);
//   outputs: poll_transmit() (datagrams per peer), next_deadline(), poll_event().
//
// Peers: each server account (the bootstrap server and every management server) has one
// PeerId. When the client needs to talk to a peer, poll_link() says connect; the driver then
// opens a transport to peer_uri(peer) (DTLS with peer_security(peer) when the URI is
// coaps://) and delivers that peer's datagrams with the same PeerId. Link commands are
// state kept per peer, so none is ever lost however many accrue between two polls; events
// (poll_event) only inform, and a full event queue drops the oldest (dropped_events()).
//
// Memory: every table is sized by ClientConfig and allocated once, at construction.
// Request handling, notifications and registration updates allocate nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/codec/negotiate.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/random.hpp"
#include "lwm2m/security.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::core {

using codec::LwM2MVersion;

class Workspace;

/// How a core::Client is sized and what it says in its Register; every table is sized from here at
/// construction.
struct ClientConfig {
  /// Longest endpoint name: room for "urn:imei-imsi:" and "urn:uuid:" forms with margin;
  /// a longer one makes valid() false rather than fail at Register.
  static constexpr size_t kMaxEndpoint = 128;
  /// Endpoint Client Name ("ep="); the bytes must outlive the client.
  std::string_view endpoint;
  LwM2MVersion version = LwM2MVersion::v1_1;  ///< LwM2M version of the Register ("lwm2mv"), which
                                              ///< decides the formats and operations offered
  coap::EngineConfig coap{};                  ///< the CoAP engine's sizes and timing
  /// Management servers served at once (the bootstrap server has its own slot); no more
  /// than the library was built for (LWM2M_MAX_SERVERS in lwm2m/build_config.hpp).
  uint8_t max_servers = 2;
  uint16_t max_observations = 8;  ///< observations over all servers
  /// Attribute sets stored by Write-Attributes, over all servers.
  uint16_t max_attributes = 8;
  /// The longest Register or Update payload (the object links) and Send payload. At most
  /// EngineConfig::block_size (as by default), the client keeps no bytes for them: each is
  /// written straight into the message buffer of the request that carries it. Larger, the
  /// client keeps a buffer of this size for both, and a payload larger than a block goes
  /// out block by block (Block1) from it; meanwhile a Send returns no_space, and a Register
  /// or Update that carries the object links ends a Send still uploading
  /// (Event::send_done, cancelled).
  uint16_t uplink_buffer = 512;
  /// Room for decoded strings and values computed by read handlers.
  uint16_t scratch = 256;
  /// Notifications kept while a server is unreachable or asleep (queue mode), per client,
  /// and the bytes their payloads may take; the oldest go first when either runs out.
  uint16_t stored_notifications = 8;
  uint16_t stored_bytes = 512;  ///< bytes the stored notifications' payloads may take in all
  /// Events kept until poll_event() takes them; when full, the oldest goes
  /// (dropped_events()). A driver that polls after every input needs a few at most.
  uint8_t max_events = 16;
  /// Queue mode (1.1 "Q" parameter; 1.0 binding "UQ"): asleep MAX_TRANSMIT_WAIT after the
  /// last uplink, until the next Update.
  bool queue_mode = false;
  /// How long to wait for Bootstrap-Finish after the Bootstrap-Request (1.1 leaves it to
  /// the implementation; servers usually finish within seconds). This and bootstrap_retry
  /// count to the millisecond up to 49 days (2^32 - 1 ms); a longer one counts as that.
  Duration bootstrap_timeout{120000};
  /// First delay before a failed bootstrap is tried again; it doubles with each failure,
  /// and after bootstrap_attempts attempts the client gives up (Event::bootstrap_failed).
  Duration bootstrap_retry{60000};
  uint8_t bootstrap_attempts = 5;  ///< bootstrap attempts before the client gives up
  /// Buffers shared with the other clients of this thread (see Workspace); null: the
  /// client has its own.
  Workspace* workspace = nullptr;
};

/// The buffers a client uses only while it handles one input: a request or notification
/// being written, a response's payload, values computed by read handlers and decoded
/// strings. Clients
/// driven by one thread, one call at a time, may share one workspace
/// (ClientConfig::workspace), so that a process running thousands of clients keeps these
/// bytes once instead of in every client. The workspace must outlive its clients. A client
/// sharing one sends payloads of one block at most (EngineConfig::block_size; no Block1
/// upload of a large Register or Send: those fail with buffer_too_small).
///
/// A workspace may also keep, for all its clients, the responses they cache for
/// retransmitted requests (coap::ResponseStore: each response at its own size for as long
/// as the store has room, instead of room for dedup_entries whole messages in every
/// client) and the buffers of their running exchanges (coap::MessagePool: a client takes
/// one per request, notification or separate response in flight; when none is free, the
/// request fails as when every exchange slot is busy, and registration retries later).
class Workspace {
 public:
  /// Room for clients whose messages, blocks and scratch are at most those of `config`;
  /// when `response_bytes` is not 0, a response store of that many bytes (at least
  /// coap::ResponseStore::min_size() of the message size), and when `messages` is not 0,
  /// a pool of that many exchange buffers, for them all.
  explicit Workspace(const ClientConfig& config, size_t response_bytes = 0,
                     size_t messages = 0) noexcept;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  /// False when memory was not available.
  bool valid() const noexcept { return buf_ != nullptr; }
  /// Whether a client with `config` fits in this workspace.
  bool fits(const ClientConfig& config) const noexcept;
  /// The exchange buffers the clients share (for how many are free); null: none shared.
  const coap::MessagePool* messages() const noexcept { return messages_.get(); }

 private:
  friend class Client;
  uint8_t* shared_engine_scratch() const noexcept { return buf_.get(); }
  uint8_t* shared_client_scratch() const noexcept {
    return buf_.get() + coap::Engine::scratch_size(engine_);
  }
  std::unique_ptr<uint8_t[]> buf_;
  std::unique_ptr<uint8_t[]> response_bytes_;
  std::unique_ptr<coap::ResponseStore> responses_;  ///< null: each client keeps its own
  std::unique_ptr<uint8_t[]> message_bytes_;
  std::unique_ptr<coap::MessagePool> messages_;  ///< null: each client keeps its own
  coap::EngineConfig engine_;                    ///< the sizes the engine part was made for
  uint16_t scratch_ = 0;
};

enum class EventKind : uint8_t {
  bootstrap_started,    ///< Bootstrap-Request sent
  bootstrap_finished,   ///< Bootstrap-Finish accepted
  bootstrap_failed,     ///< rejected, timed out, or no bootstrap server
  registered,           ///< server `ssid` accepted Register
  updated,              ///< Update acknowledged
  registration_failed,  ///< every retry for `ssid` failed; `error`: why the last one did
  deregistered,         ///< De-register done (or the account was dropped)
  reboot,               ///< Execute /3/0/4 answered 2.04: reboot after a delay
  factory_reset,        ///< Execute /3/0/5 answered 2.04
  send_done,            ///< a Send (/dp) was acknowledged (error: ok) or failed
  /// A Register to `ssid` failed (`error`: why) and another attempt is scheduled
  /// (ServerStatus::next_due says when).
  register_attempt_failed,
  /// An Update to `ssid` failed (`error`: not_found when the server answered 4.04, i.e. it
  /// has no registration for us, as after a restart; timeout when unanswered): a new
  /// Register follows, per the Server object's retry scheme.
  update_failed,
};
const char* to_string(EventKind k) noexcept;

/// Something the client did that the driver or the application may act on (Client::poll_event()).
struct Event {
  EventKind kind;         ///< what happened
  uint16_t ssid = 0;      ///< 0 for the bootstrap server
  coap::PeerId peer = 0;  ///< the peer it happened with
  Errc error = Errc::ok;  ///< why it failed (Errc::ok for a success)
};

/// What the driver must do with the transport to one peer (Client::poll_link).
struct LinkCommand {
  /// What to do.
  enum class Kind : uint8_t {
    connect,     ///< open the transport to `peer` afresh (a new URI or a new session)
    disconnect,  ///< the transport to `peer` may be closed once queued datagrams are sent
  };
  Kind kind;              ///< what to do
  coap::PeerId peer = 0;  ///< the peer (index of a server account, or the download peer)
  uint16_t ssid = 0;      ///< 0 for the bootstrap server (and for an account just dropped)
};

/// What the driver must do with the saved configuration (Client::poll_state; see
/// lwm2m/storage.hpp for the saving itself).
enum class StateCommand : uint8_t {
  /// Security, Server or Access Control changed and the change is committed (a
  /// Bootstrap-Finish accepted, a server's Write, Create or Delete), or a Firmware Update
  /// object (/5) reported a change of its state (and every few blocks of a download, so
  /// that a restart resumes near where it stopped): save them.
  save,
  /// Factory Reset (/3/0/5) or Bootstrap-Request Trigger (/1/x/9): delete what was saved,
  /// so that a restart goes through the factory configuration and bootstraps.
  discard,
};

/// Per-account state visible to the application.
struct ServerStatus {
  uint16_t ssid = 0;          ///< Short Server ID; 0 for the bootstrap server
  bool bootstrap = false;     ///< the bootstrap server's account
  bool registered = false;    ///< registered and not de-registered since
  bool asleep = false;        ///< queue mode: not listening until the next uplink
  std::string_view location;  ///< Registration location ("/rd/5a3f")
  /// "waiting", "registering", "registered", "updating", "deregistering", "failed" or
  /// "idle"; for the bootstrap account "bootstrapping", "failed" or "idle".
  const char* state = "idle";
  uint32_t lifetime_s = 0;  ///< the lifetime the server was told (0: not yet registered)
  /// When the next Register attempt or Update (bootstrap: the next request or the
  /// Bootstrap-Finish deadline) is due; kNever when nothing is scheduled.
  TimePoint next_due = kNever;
  /// Failed attempts in the current retry sequence (bootstrap: requests sent so far).
  uint32_t failed_attempts = 0;
};

/// Sees what the client serves, for logs and statistics (called inside handle_datagram).
class ClientMonitor {
 public:
  virtual ~ClientMonitor() = default;
  /// A request from server `ssid` (0: the bootstrap server) was answered with `result`.
  virtual void on_request_served(uint16_t /*ssid*/, const coap::Message& /*request*/,
                                 coap::Code /*result*/) noexcept {}
};

class PackageDownloader;

/// The LwM2M client, sans-I/O: fed datagrams and time by a driver (posix::Runner or your own loop),
/// it registers, answers the servers' requests from the registry's objects and reports events.
class Client final : private coap::RequestHandler,
                     private coap::ResponseHandler,
                     private dm::ChangeListener {
 public:
  /// `registry` must already hold a Security object (0) and a Server object (1), such as
  /// objects::SecurityObject and objects::ServerObject: the client reads the server
  /// accounts from them. An Access Control object (2) in the registry is enforced whenever
  /// more than one management server is configured.
  Client(const ClientConfig& config, dm::Registry& registry, Random& rng) noexcept;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// False when the configuration is invalid or memory was not available.
  bool valid() const noexcept { return valid_; }

  /// Registers with every configured management server, or bootstraps first when none is
  /// configured (factory bootstrap comes from the Security and Server objects as they are).
  Status start(TimePoint now) noexcept;
  /// De-registers from every server (the exchanges still need handle_* calls to finish;
  /// stopped() tells when they are done).
  void stop(TimePoint now) noexcept;
  /// True when every De-register exchange started by stop() ended.
  bool stopped() const noexcept;

  // ---- I/O ----
  /// Where the driver may receive a datagram just before handle_datagram(), instead of a
  /// buffer of its own (coap::Engine::receive_buffer(): the engine's scratch, as large as
  /// the largest message the client takes). Empty when the client is not valid.
  MutableByteView receive_buffer() noexcept {
    return valid_ ? engine_.receive_buffer() : MutableByteView{};
  }
  /// A datagram from `peer` arrived at `now`.
  void handle_datagram(coap::PeerId peer, ByteView datagram, TimePoint now) noexcept;
  /// A datagram larger than the driver's receive buffer of `limit` bytes: a request gets
  /// 4.13 with a block size that fits (coap::Engine::handle_oversized()).
  void handle_oversized(coap::PeerId peer, ByteView datagram, size_t limit, TimePoint now) noexcept;
  /// Time passed: retransmissions, registration updates and retries due by `now` run.
  void handle_timeout(TimePoint now) noexcept;
  /// The next datagram to send, until nullopt; poll after every input.
  std::optional<coap::Datagram> poll_transmit() noexcept { return engine_.poll_transmit(); }
  /// When handle_timeout() is next due; kNever when nothing is scheduled.
  TimePoint next_deadline() const noexcept;
  /// The next event, until nullopt; poll after every input.
  std::optional<Event> poll_event() noexcept;
  /// The next transport command, one peer at a time; the latest wish per peer wins
  /// (disconnect then connect is one connect). Poll until empty after every input.
  std::optional<LinkCommand> poll_link() noexcept;
  /// What to do with the saved configuration, if anything; the latest wish wins (a discard
  /// followed by a save before the poll is one save). Poll after every input.
  std::optional<StateCommand> poll_state() noexcept;
  /// Events that did not fit the event queue since construction (the oldest go first).
  uint32_t dropped_events() const noexcept;
  /// The transport to `peer` could not be opened or broke (DNS failure, DTLS handshake
  /// failure): the exchange in progress fails and the retry scheme applies.
  void peer_failed(coap::PeerId peer, Errc why, TimePoint now) noexcept;

  /// The server URI of `peer` (Security object /0/x/0), empty for an unknown peer.
  std::string_view peer_uri(coap::PeerId peer) const noexcept;
  /// The URI, mode and credentials of `peer` (for DTLS); nullopt for an unknown peer. The
  /// views stay valid until the next input to the client.
  std::optional<PeerSecurity> peer_security(coap::PeerId peer) const noexcept;

  // ---- application ----
  /// LwM2M 1.1 Send: POST /dp with the values at `paths` (SenML CBOR, else SenML JSON).
  /// invalid_state when not registered with `ssid` or Mute Send is set; no_space while a
  /// previous Send is in flight or a Register or Update is still uploading its payload
  /// block by block from the uplink buffer (ClientConfig::uplink_buffer); unsupported in a
  /// library built without
  /// Send (LWM2M_WITH_SEND in lwm2m/build_config.hpp).
  Status send(uint16_t ssid, std::span<const dm::Path> paths, TimePoint now) noexcept;
  /// Registration Update now (e.g. after the application added objects).
  void request_update(uint16_t ssid, TimePoint now) noexcept;
  /// Client-initiated bootstrap now (as Execute /1/x/9 does).
  void request_bootstrap(TimePoint now) noexcept;

  /// Number of server accounts (the bootstrap account included).
  size_t server_count() const noexcept;
  /// index < server_count(): the bootstrap account (when present) comes first.
  ServerStatus server_status(size_t index) const noexcept;
  /// True while registered with server `ssid`.
  bool registered(uint16_t ssid) const noexcept;
  /// True while a bootstrap is under way.
  bool bootstrapping() const noexcept;
  /// True once every retry sequence failed and nothing is left to try: each management
  /// server failed (or none is configured) and no bootstrap is under way. start() begins
  /// again from scratch.
  bool gave_up() const noexcept;

  /// Who is told of every request served (logs, statistics); null: nobody.
  void set_monitor(ClientMonitor* monitor) noexcept { monitor_ = monitor; }
  /// Pulls what servers write into a Firmware Update object's Package URI
  /// (lwm2m/core/download.hpp); null: no pull. Before start().
  void set_downloader(PackageDownloader* downloader) noexcept;
  /// The peer the downloader fetches from (after every server account).
  coap::PeerId download_peer() const noexcept;
  /// The CoAP engine, for its statistics.
  const coap::Engine& engine() const noexcept { return engine_; }
  /// The objects the client serves.
  dm::Registry& registry() noexcept { return registry_; }

  struct Impl;

 private:
  friend class PackageDownloader;
  // coap::RequestHandler
  void on_request(const coap::IncomingRequest& request, coap::Response& response) noexcept override;
  void on_observe_cancelled(coap::ObservationId id, uint32_t cookie, Errc reason) noexcept override;
  bool streams_block1(coap::PeerId peer, const coap::Message& request) noexcept override;
  // coap::ResponseHandler
  void on_response(coap::RequestId id, const coap::Message& response, bool final) noexcept override;
  void on_error(coap::RequestId id, Errc error) noexcept override;
  // dm::ChangeListener
  void on_value_changed(const dm::Path& path) noexcept override;
  void on_instances_changed(dm::ObjectId object) noexcept override;
  static coap::EngineConfig engine_config(const ClientConfig& config) noexcept;

  dm::Registry& registry_;
  coap::Engine engine_;
  std::unique_ptr<Impl> impl_;
  ClientMonitor* monitor_ = nullptr;
  bool valid_ = false;
};

}  // namespace lwm2m::core
