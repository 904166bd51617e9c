// SPDX-License-Identifier: Apache-2.0
// Internal state of core::Client, shared by its translation units: client.cpp (the public
// face and the step after each input), servers.cpp (the account table, effects),
// register.cpp, bootstrap.cpp, send.cpp (what the client sends), router.cpp and one file
// per operation (requests from servers), observe.cpp (attributes and notifications).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "codec/number.hpp"
#include "core/access.hpp"
#include "core/accounts.hpp"
#include "core/attributes.hpp"
#include "core/bootstrap_fsm.hpp"
#include "core/effects.hpp"
#include "core/event_queue.hpp"
#include "core/observations.hpp"
#include "core/registration.hpp"
#include "core/registration_fsm.hpp"
#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

struct Request;

struct Account {
  Account() noexcept;  // out of line: the table's construction and clear_account() share one copy

  bool used = false;
  bool bootstrap = false;
  uint16_t ssid = 0;
  dm::InstanceId security_iid = dm::kInvalidId;
  /// The Bootstrap-Request in flight (the bootstrap account's only request).
  enum class Pending : uint8_t { none, bootstrap_request } pending{};
  bool connected = false;  ///< Event::connect raised for the current attempt
  // (Its registration, if any, is the Impl's reg_of(); the bootstrap account's request is
  // the Impl's bootstrap_request_id: neither costs an account bytes.)
  TimePoint awake_until = kNever;
};

#if LWM2M_WITH_OBSERVE
using Observations = ObservationTable;
/// The observation table asks the client around it (Client::Impl) through this base.
using ObservationHost = ObservationTable::Host;
#define LWM2M_OBSERVATION_HOST override
#else
/// A build without Observe observes nothing: the client keeps no table (no bytes, no
/// construction), and the calls it makes on one are empty. start() and write_attributes()
/// keep observe.cpp and write_attributes.cpp compiling; no route leads to them.
struct Observations {
  void drop(uint8_t) noexcept {}
  void wake_pending(uint8_t) noexcept {}
  void reevaluate(uint16_t) noexcept {}
  void start(uint8_t, uint16_t, coap::Response&, std::span<const dm::Path>, bool,
             codec::ContentFormat, TimePoint) noexcept {}
  Status write_attributes(uint16_t, const dm::Path&, std::span<const std::string_view>) noexcept {
    return Errc::method_not_allowed;
  }
};
/// Nothing asks the client what the table would: no base, no virtual functions, and
/// observe.cpp's answers are plain members that nothing calls (not linked).
struct ObservationHost {};
#define LWM2M_OBSERVATION_HOST
#endif

#if LWM2M_WITH_BOOTSTRAP
using Bootstrap = BootstrapFsm;
#else
/// A build without bootstrap never bootstraps: no state (24 B less per client, no stores of
/// its defaults at construction), and the questions asked of it have constant answers.
struct Bootstrap {
  void stop() noexcept {}
  BootstrapAction poll(TimePoint) noexcept { return BootstrapAction::none; }
  void on_request_response(bool, TimePoint) noexcept {}
  bool on_failure(TimePoint) noexcept { return true; }
  void on_server_request(TimePoint) noexcept {}
  void on_finish_accepted(TimePoint) noexcept {}
  void start(TimePoint, Duration) noexcept {}
  bool active() const noexcept { return false; }
  TimePoint deadline() const noexcept { return kNever; }
  uint8_t attempts() const noexcept { return 0; }
  bool gave_up() const noexcept { return false; }
};
#endif

struct Client::Impl final : ObservationHost, RegistrationHost {
  // The RegistrationHost base holds the engine, the server accounts (`reader`, objects 0
  // and 1), the event queue (`events`) and the object links buffer (`links`) that every
  // account's registration is lent.
  Impl(Client& client, const ClientConfig& cfg) noexcept
      : RegistrationHost(client.engine_, client, client.registry_, cfg),
        c(client),
        acl(client.registry_)
#if LWM2M_WITH_OBSERVE
        ,
        observe(client.engine_, client.registry_, *this)
#endif
  {
  }
  Client& c;
  AccessControl acl;     ///< object 2, when present
  Observations observe;  ///< observations, attributes and notification decisions

  // ---- client.cpp, servers.cpp ----
  /// Carves accounts, registrations, the event ring, link_wish, the uplink buffer and the
  /// scratch from one allocation (one allocator header instead of six); `links` and
  /// `scratch_at` then point into it. False when memory ran out.
  bool allocate_tables(uint8_t max_events, size_t uplink_bytes, size_t scratch_bytes) noexcept;
  void drop_account(size_t i, TimePoint now) noexcept;
  /// Brings the accounts in line with the Security and Server objects: drops those that
  /// lost their instances, adds and starts registering new ones. True when any remains.
  bool sync_accounts(TimePoint now) noexcept;
  /// Registers with every account, or bootstraps when there is none (start() and the end
  /// of a bootstrap).
  Status begin(TimePoint now) noexcept;
  Account* account_for_peer(coap::PeerId peer) noexcept;
  Account* account_for_ssid(uint16_t ssid) noexcept;
  size_t index_of(const Account& a) const noexcept {
    return static_cast<size_t>(&a - accounts);
  }
  void drive(TimePoint now) noexcept;
  void connect(Account& a) noexcept;
  void start_bootstrap(TimePoint now) noexcept;
  Status send_bootstrap_request(TimePoint now) noexcept;
  /// The Bootstrap-Request failed: retry or give up, and say so.
  void bootstrap_failed(Errc why, TimePoint now) noexcept;
  void report_bootstrap_failure(Errc why) noexcept;
  void drive_bootstrap(TimePoint now) noexcept;
  void finish_bootstrap(TimePoint now) noexcept;
  bool queue_mode() const noexcept {
    return LWM2M_WITH_QUEUE_MODE && config.queue_mode;
  }
  /// A management account's Register, Update and De-register: accounts[i] has
  /// registrations[i - 1]; null for the bootstrap account (accounts[0]), which never
  /// registers.
  Registration* reg_of(const Account& a) const noexcept {
    if constexpr (LWM2M_MAX_SERVERS == 1) return &a == accounts ? nullptr : registrations;
    const size_t i = static_cast<size_t>(&a - accounts);
    return i == 0 ? nullptr : &registrations[i - 1];
  }
  /// Management account i's registration (i >= 1): cheaper than reg_of() where the
  /// index is at hand.
  Registration& reg_at(size_t i) const noexcept {
    if constexpr (LWM2M_MAX_SERVERS == 1) return *registrations;
    return registrations[i - 1];
  }
  /// The request in flight to this server (registration or bootstrap), invalid when none.
  coap::RequestId in_flight(const Account& a) const noexcept {
    if (Registration* r = reg_of(a); r && r->request().valid()) return r->request();
    return a.pending != Account::Pending::none ? bootstrap_request_id : coap::RequestId{};
  }
  /// Back to a fresh account, its registration too (out of line: one copy of the
  /// initialisation, not one per use).
  void clear_account(Account& a) noexcept;
  /// The LwM2M version spoken with this server: the configured one, or lower once the
  /// server refused it.
  LwM2MVersion version(const Account& a) const noexcept {
    return reg_of(a) ? reg_of(a)->version(config.version) : config.version;
  }
  void mark_uplink(Account& a, TimePoint now) noexcept;

  dm::Registry& registry() noexcept {
    return c.registry_;
  }
  MutableByteView scratch() noexcept {
    return {scratch_at, config.scratch};
  }

  /// The answer to a request the client sent (`response`, or `error` when none came):
  /// to the Send, the registration or the Bootstrap-Request that sent it.
  void answered(coap::RequestId id, const coap::Message* response, Errc error) noexcept;

  // ---- register.cpp: each account's registration, driven and answered ----
  void drive_account(Account& a, TimePoint now) noexcept;
  /// Routes the answer to `id` (`response`, or `error` when null) to the registration that
  /// sent it; false when none did.
  bool registration_answered(coap::RequestId id, const coap::Message* response,
                             Errc error) noexcept;
  /// Acts on what an exchange's end means for observations and bootstrap.
  void after_registration(Account& a, Registration::Outcome outcome, TimePoint now) noexcept;
  void link_needed(coap::PeerId peer) noexcept override;
  // sent() below serves both the registrations and the observation table.

  // ---- bootstrap.cpp ----
  void on_bootstrap_response(bool ok) noexcept;

  // ---- send.cpp ----
  void on_send_done(Errc result) noexcept;
  void uplink_needed(TimePoint now) noexcept override;

  // ---- servers.cpp: the account table and the effects of what servers changed ----
  /// The bootstrap account when `id` is its Bootstrap-Request.
  Account* bootstrap_request(coap::RequestId id) noexcept;
  /// Acts on what a request by `by` changed, after its commit (or successful Execute).
  void apply_effects(Account& by, const ChangeList& changes) noexcept;
  void act_on(Account& by, const Change& change, Action action) noexcept;
  /// The account of the management server whose Server instance is `iid`.
  Account* account_for_server_instance(dm::InstanceId iid) noexcept;
  void disable(Account& a) noexcept;

  // ---- router.cpp: requests from servers, routed to one operation file each ----
  void serve(Account& a, const coap::IncomingRequest& in, coap::Response& resp) noexcept;

  // ---- request.cpp ----
  /// Whether Access Control applies (1.1 Core §7.3.2: an Access Control object and several
  /// servers). Inline, so that a build without it (LWM2M_WITH_ACCESS_CONTROL 0, where every
  /// server has every right) drops the checks at each call.
  bool acl_active() const noexcept {
    return LWM2M_WITH_ACCESS_CONTROL && acl_applies();
  }
  bool allowed(const Account& a, const dm::Path& path, uint8_t need) const noexcept {
    return !LWM2M_WITH_ACCESS_CONTROL || acl_allows(a, path, need);
  }
  bool acl_applies() const noexcept;
  bool acl_allows(const Account& a, const dm::Path& path, uint8_t need) const noexcept;

  // ---- observe.cpp: Observe requests, and what the observation table asks ----
  /// Registers the observation a 2.05 answer (in `fmt`) just started.
  void start_observation(Request& r, std::span<const dm::Path> paths, bool composite,
                         codec::ContentFormat fmt) noexcept;
  ServerReach reach(uint8_t account, TimePoint now) noexcept LWM2M_OBSERVATION_HOST;
  Attributes server_defaults(uint16_t ssid) noexcept LWM2M_OBSERVATION_HOST;
  bool storing(uint16_t ssid) noexcept LWM2M_OBSERVATION_HOST;
  void wake(uint8_t account, TimePoint now) noexcept LWM2M_OBSERVATION_HOST;
  void sent(uint8_t account, TimePoint now) noexcept override;

  /// The account table, the registrations, the event ring, link_wish and the client's own
  /// buffers, carved from one allocation made at construction (allocate_tables()).
  std::unique_ptr<uint8_t[]> tables;
  Account* accounts = nullptr;  ///< [0] bootstrap, [1..max_servers] management
  /// The management accounts' registrations: accounts[i]'s is registrations[i - 1] (the
  /// bootstrap account has none, and so does not carry one's bytes).
  Registration* registrations = nullptr;
  /// 1 + the management servers served; a constant (2) in a build for one server, so that
  /// the loops over the table compile to straight code.
  [[no_unique_address]] std::conditional_t<LWM2M_MAX_SERVERS == 1,
                                           std::integral_constant<size_t, 2>, size_t>
      account_count{};
  coap::RequestId send_request{};
  uint8_t send_account = 0;
  // (The members below are ordered so that no padding comes between them.)
  /// Location-Path segments of a Create's 2.01 (object and instance id, 16-bit: 5 digits
  /// at most), read when the engine encodes it.
  static constexpr size_t kIdChars = 5;
  char create_location[2][kIdChars] = {};
  /// In `tables`, or the workspace's when the client shares one.
  uint8_t* scratch_at = nullptr;

  /// Per peer: the link command not yet polled (kept apart from Account, which is reset
  /// when a server account is dropped or rebuilt).
  uint8_t* link_wish = nullptr;  ///< 0 none, else LinkCommand::Kind + 1
  void want_link(size_t peer, LinkCommand::Kind k) noexcept {
    link_wish[peer] = static_cast<uint8_t>(static_cast<uint8_t>(k) + 1);
  }

  /// The StateCommand not yet polled: 0 none, else StateCommand + 1.
  uint8_t state_wish = 0;
  void want_state(StateCommand k) noexcept {
    state_wish = static_cast<uint8_t>(static_cast<uint8_t>(k) + 1);
  }

  bool started = false;
  bool stopping = false;
  bool accounts_changed = false;  ///< a server changed /0 or /1 instances: sync at the next step
  PackageDownloader* downloader = nullptr;
  /// The Bootstrap-Request in flight when accounts[0].pending says so (here, in what was
  /// padding before now_, rather than in every account).
  coap::RequestId bootstrap_request_id{};
  TimePoint now_{};  ///< time of the input being processed

  Bootstrap bs;

  void push(const Event& e) noexcept {
    events.push(e);
  }
};

}  // namespace lwm2m::core
