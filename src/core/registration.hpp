// SPDX-License-Identifier: Apache-2.0
// One server account's registration (OMA LwM2M 1.1 Core §6.2): its Register, Update and
// De-register exchanges, sent when its RegistrationFsm says so, and their answers. It is
// lent what it needs (RegistrationHost) and tells the client around it what an answer
// means for the parts it does not own (observations, bootstrap) as an Outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/accounts.hpp"
#include "core/event_queue.hpp"
#include "core/registration_fsm.hpp"
#include "lwm2m/coap/engine.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/dm/registry.hpp"

namespace lwm2m::core {

inline constexpr size_t kLocationMax = 48;

/// What every account's registration is lent by the client around it: the same for all
/// accounts, so the client is built on one and passes it to each call. It holds the
/// engine the requests go through, the server accounts (/0, /1) they are read from, the
/// events the application is told and the buffer of the object links; the transport
/// link is asked for through it.
/// What the client reads of its ClientConfig after construction (the rest sized its
/// tables, and the engine keeps its own settings): kept once, in the client's state.
struct ClientSettings {
  explicit ClientSettings(const ClientConfig& c) noexcept
      : endpoint(c.endpoint), version(c.version), scratch(c.scratch), queue_mode(c.queue_mode) {}
  std::string_view endpoint;
  LwM2MVersion version;
  uint16_t scratch;
  bool queue_mode;
};

class RegistrationHost {
 public:
  RegistrationHost(coap::Engine& eng, coap::ResponseHandler& handler, dm::Registry& registry,
                   const ClientConfig& cfg) noexcept
      : engine(eng), answers(handler), reader(registry), config(cfg) {}

  coap::Engine& engine;            ///< sends the requests
  coap::ResponseHandler& answers;  ///< where the engine reports their answers
  AccountsReader reader;           ///< lifetime, binding and retry scheme from /1
  EventQueue events;               ///< what the application is told
  ClientSettings config;           ///< endpoint, version, queue mode
  /// The client's own buffer for Register/Update payloads and Send payloads, when it keeps
  /// one (ClientConfig::uplink_buffer larger than a block: Block1 uploads read it until
  /// their exchange ends). Otherwise its data is null and its size the longest payload,
  /// which is written straight into the message buffer of the request that carries it
  /// (coap::Engine::request_buffer(): neither the client's bytes nor the engine's scratch,
  /// where the datagram being handled may lie). A view, not an owner: this class stays
  /// trivially destructible.
  MutableByteView links;
  /// Where the next payload is written (links.size() bytes at most), for the request sent
  /// right after: `links`, or the buffer that request will take; null when every exchange
  /// is busy.
  uint8_t* uplink() noexcept {
    return links.data() ? links.data() : engine.request_buffer().data();
  }
  /// The request whose payload the engine is still reading from `links`, one Block1 block
  /// at a time (a payload larger than one block), and whether it is a Send: nothing else
  /// may be written there until its exchange ends. Registrations share what they write
  /// (the object links); a Send gives way to them (uplink_needed()) and waits for them.
  coap::RequestId uplink_body{};
  bool uplink_body_is_send = false;
  /// Notes that request `id` went out with the `size`-byte payload written in `links`.
  void uplink_sent(coap::RequestId id, size_t size, bool send) noexcept {
    if (size <= engine.config().block_size) return;  // copied by the engine
    uplink_body = id;
    uplink_body_is_send = send;
  }

  /// A Register is about to go to `peer`: its transport link is wanted (opened afresh, a
  /// new DTLS handshake, unless already asked for since the last failure).
  virtual void link_needed(coap::PeerId peer) noexcept = 0;
  /// A Register or Update is about to write its object links into `links`: a Send still
  /// uploading its payload from there is abandoned (Event::send_done, cancelled).
  virtual void uplink_needed(TimePoint now) noexcept = 0;
  /// A Register or Update went out to `peer` (queue mode listens a while after an uplink).
  virtual void sent(uint8_t peer, TimePoint now) noexcept = 0;

 protected:
  ~RegistrationHost() = default;  // not destroyed through this interface
};

class Registration {
 public:
  Registration() noexcept;  // out of line: the table's construction and a reset share one copy

  /// What an exchange's end means for the parts a registration does not own.
  enum class Outcome : uint8_t {
    none,
    registered,    ///< a new registration: servers drop their observations on one
    updated,       ///< the server hears us again: held notifications are due
    forgotten,     ///< an Update got 4.04: the server's observations went with it
    deregistered,  ///< over on our side, whatever the server answered
    gave_up,       ///< every retry sequence failed (/1/x/16 may ask for bootstrap)
  };

  /// The management server `ssid`, reached as `peer`.
  void set_server(uint16_t ssid, coap::PeerId peer) noexcept {
    ssid_ = ssid;
    peer_ = peer;
  }
  /// Takes the lifetime and retry scheme of the server's instance of /1.
  void configure(const ServerEntry& server, Duration transmit_wait) noexcept {
    fsm_.set_policy(server.retry);
    fsm_.set_lifetime(server.lifetime_s);
    fsm_.set_transmit_wait(transmit_wait);
  }
  void start(TimePoint now) noexcept { fsm_.start(now); }

  // ---- what the client asks ----
  void request_update(TimePoint now) noexcept { fsm_.request_update(now); }
  /// Instances came or went: the next Update carries the object links.
  void objects_changed(TimePoint now) noexcept;
  void request_deregister(TimePoint now) noexcept { fsm_.request_deregister(now); }
  /// De-registers now and registers again after `timeout` (/1/x/4 Disable, /1/x/5).
  void disable(Duration timeout, TimePoint now) noexcept {
    fsm_.request_deregister(now);
    disabled_until_ = now + timeout;
  }

  // ---- exchanges ----
  /// Sends what is due. An exchange that could not go out is answered as one that got no
  /// answer (its event is reported; gave_up when it was the last Register attempt).
  Outcome drive(RegistrationHost& host, TimePoint now) noexcept;
  /// Whether `id` is this registration's request in flight.
  bool owns(coap::RequestId id) const noexcept {
    return exchange_ != Exchange::none && request_ == id;
  }
  /// The request in flight, invalid when none.
  coap::RequestId request() const noexcept {
    return exchange_ != Exchange::none ? request_ : coap::RequestId{};
  }
  /// The answer to the request in flight: `response`, or `error` when none came (timeout,
  /// reset, the transport failed).
  Outcome answered(RegistrationHost& host, const coap::Message* response, Errc error,
                   TimePoint now) noexcept;
  Outcome on_response(RegistrationHost& host, const coap::Message& response,
                      TimePoint now) noexcept {
    return answered(host, &response, Errc::ok, now);
  }
  Outcome on_error(RegistrationHost& host, Errc error, TimePoint now) noexcept {
    return answered(host, nullptr, error, now);
  }

  // ---- what it knows ----
  const RegistrationFsm& fsm() const noexcept { return fsm_; }
  bool registered() const noexcept { return fsm_.registered(); }
  /// Registering, registered or on the way out (neither idle nor given up).
  bool active() const noexcept {
    return fsm_.state() != RegistrationState::idle && fsm_.state() != RegistrationState::failed;
  }
  bool disabled() const noexcept { return disabled_until_ != kNever; }
  /// When a Disable ends (/1/x/5), kNever when not disabled.
  TimePoint disabled_until() const noexcept { return disabled_until_; }
  /// The Location-Path of the 2.01, "rd/5a3f".
  std::string_view location() const noexcept { return {location_, location_len_}; }
  /// The lifetime the server was last told.
  uint32_t sent_lifetime() const noexcept { return sent_lifetime_; }
  /// The version spoken with this server: `configured`, or lower once the server refused it.
  LwM2MVersion version(LwM2MVersion configured) const noexcept;

 private:
  /// Numbered as the RegistrationAction that sends each.
  enum class Exchange : uint8_t { none, reg, update, dereg };
  static_assert(
      static_cast<int>(Exchange::reg) == static_cast<int>(RegistrationAction::send_register) &&
      static_cast<int>(Exchange::update) == static_cast<int>(RegistrationAction::send_update) &&
      static_cast<int>(Exchange::dereg) == static_cast<int>(RegistrationAction::send_deregister));

  /// Sends a Register, an Update (and records what the server is then told) or a
  /// De-register.
  Status send_registration(RegistrationHost& host, Exchange what, TimePoint now) noexcept;
  Status send_request(RegistrationHost& host, const coap::Message& m, Exchange what,
                      TimePoint now) noexcept;

  /// The answer to a Register (`response` null when none came; `ok` a success code).
  Outcome register_answered(RegistrationHost& host, const coap::Message* response, bool ok,
                            Errc error, TimePoint now) noexcept;
  /// A Register attempt failed: the next one is scheduled (an event says why), or the
  /// sequence is over (gave_up).
  Outcome attempt_failed(RegistrationHost& host, Errc why) noexcept;
  /// Keeps the Location-Path of a Register's 2.01; false when it does not fit.
  bool store_location(const coap::Message& response) noexcept;
  void report(RegistrationHost& host, EventKind kind, Errc why = Errc::ok) const noexcept;

  // In falling order of alignment (no padding): every server account keeps one.
  RegistrationFsm fsm_;
  TimePoint disabled_until_ = kNever;  ///< kNever unless disabled (/1/x/4)
  // What the server was last told, so an Update carries only what changed.
  uint32_t sent_lifetime_ = 0;
  coap::RequestId request_{};
  coap::PeerId peer_ = 0;
  uint16_t ssid_ = 0;
  Exchange exchange_ = Exchange::none;
  uint8_t version_drop_ = 0;  ///< versions below the configured one (the server sent 4.12)
  uint8_t location_len_ = 0;
  uint8_t sent_binding_len_ = 0;
  bool objects_changed_ = false;
  // The two texts are read up to their lengths only: not cleared when a registration is
  // made (one store less per byte in its constructor).
  char location_[kLocationMax];  ///< Location-Path segments joined by '/'
  /// The binding last sent, as spelled for the server (a 1.0 "Q" may add a letter).
  char sent_binding_[LWM2M_SERVER_BINDING_MAX + 1];
};

}  // namespace lwm2m::core
