// SPDX-License-Identifier: Apache-2.0
// Internal state of core::Client, shared by its translation units: client.cpp (the public
// face and the step after each input), servers.cpp (the account table, effects),
// register.cpp, bootstrap.cpp, send.cpp (what the client sends), router.cpp and one file
// per operation (requests from servers), observe.cpp (attributes and notifications).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "codec/number.hpp"
#include "core/access.hpp"
#include "core/accounts.hpp"
#include "core/attributes.hpp"
#include "core/bootstrap_fsm.hpp"
#include "core/effects.hpp"
#include "core/observations.hpp"
#include "core/registration_fsm.hpp"
#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

inline constexpr size_t kLocationMax = 48;

struct Request;

struct Account {
  Account() noexcept;  // out of line: the table's construction and clear() share one copy

  bool used = false;
  bool bootstrap = false;
  uint16_t ssid = 0;
  dm::InstanceId security_iid = dm::kInvalidId;
  RegistrationFsm fsm;
  enum class Pending : uint8_t { none, reg, update, dereg, bootstrap_request } pending{};
  coap::RequestId request{};
  char location[kLocationMax] = {};  ///< "rd/5a3f": Location-Path segments joined by '/'
  uint8_t location_len = 0;
  // What the server was last told, so an Update carries only what changed.
  uint32_t sent_lifetime = 0;
  char sent_binding[LWM2M_SERVER_BINDING_MAX] = {};
  uint8_t sent_binding_len = 0;
  bool objects_changed = false;
  bool connected = false;  ///< Event::connect raised for the current attempt
  TimePoint awake_until = kNever;
  bool disabled = false;
  TimePoint disabled_until = kNever;
  uint8_t version_drop = 0;  ///< versions below the configured one (the server sent 4.12)

  /// Back to a fresh account (out of line: one copy of the initialisation, not one per use).
  void clear() noexcept;
};

struct Client::Impl final : ObservationTable::Host {
  explicit Impl(Client& client) noexcept
      : c(client),
        reader(client.registry_),
        acl(client.registry_),
        observe(client.engine_, client.registry_, *this) {}
  Client& c;
  AccountsReader reader;     ///< server accounts from objects 0 and 1
  AccessControl acl;         ///< object 2, when present
  ObservationTable observe;  ///< observations, attributes and notification decisions

  // ---- client.cpp, servers.cpp ----
  void build_accounts() noexcept;
  /// Brings the accounts in line with the Security and Server objects: drops those that
  /// lost their instances, adds and starts registering new ones. True when any remains.
  bool sync_accounts(TimePoint now) noexcept;
  /// Registers with every account, or bootstraps when there is none (start() and the end
  /// of a bootstrap).
  Status begin(TimePoint now) noexcept;
  Account* account_for_peer(coap::PeerId peer) noexcept;
  Account* account_for_ssid(uint16_t ssid) noexcept;
  size_t index_of(const Account& a) const noexcept {
    return static_cast<size_t>(&a - accounts.get());
  }
  void drive(TimePoint now) noexcept;
  void drive_account(Account& a, TimePoint now) noexcept;
  void connect(Account& a) noexcept;
  Status send_register(Account& a, TimePoint now) noexcept;
  Status send_update(Account& a, TimePoint now) noexcept;
  Status send_deregister(Account& a, TimePoint now) noexcept;
  void start_bootstrap(TimePoint now) noexcept;
  Status send_bootstrap_request(TimePoint now) noexcept;
  /// The Bootstrap-Request failed: retry or give up, and say so.
  void bootstrap_failed(Errc why, TimePoint now) noexcept;
  void report_bootstrap_failure(Errc why) noexcept;
  void drive_bootstrap(TimePoint now) noexcept;
  void finish_bootstrap(TimePoint now) noexcept;
  /// Every attempt failed: the event carries why the last one did.
  void registration_failed(Account& a, TimePoint now, Errc why) noexcept;
  /// A Register attempt failed: the next one is scheduled (an event says why and when),
  /// or the sequence is over (registration_failed).
  void register_attempt_failed(Account& a, TimePoint now, Errc why) noexcept;
  /// The Register/Update payload (the object links) into the uplink buffer and onto `m`.
  Status attach_links(coap::Message& m) noexcept;
  /// Sends a Register or Update and records what the server is then told.
  Status send_registration(Account& a, coap::Message& m, Account::Pending what, uint32_t lifetime_s,
                           std::string_view binding, TimePoint now) noexcept;
  bool queue_mode() const noexcept { return c.config_.queue_mode; }
  /// The LwM2M version spoken with this server: the configured one, or lower once the
  /// server refused it.
  LwM2MVersion version(const Account& a) const noexcept {
    const int v = static_cast<int>(c.config_.version) - a.version_drop;
    return static_cast<LwM2MVersion>(v < 0 ? 0 : v);
  }
  void mark_uplink(Account& a, TimePoint now) noexcept;

  dm::Registry& registry() noexcept { return c.registry_; }
  const ClientConfig& config() const noexcept { return c.config_; }
  MutableByteView scratch() noexcept { return {scratch_at, c.config_.scratch}; }

  // ---- register.cpp: each account's registration exchanges ----
  void on_registration_response(Account& a, Account::Pending what,
                                const coap::Message& response) noexcept;
  void on_registration_error(Account& a, Account::Pending what, Errc error) noexcept;
  /// Keeps the Location-Path of a Register's 2.01; false when it does not fit.
  bool store_location(Account& a, const coap::Message& response) noexcept;

  // ---- bootstrap.cpp ----
  void on_bootstrap_response(bool ok) noexcept;

  // ---- send.cpp ----
  void on_send_done(Errc result) noexcept;

  // ---- servers.cpp: the account table and the effects of what servers changed ----
  Account* account_for_request(coap::RequestId id) noexcept;
  /// Acts on what a request by `by` changed, after its commit (or successful Execute).
  void apply_effects(Account& by, const ChangeList& changes) noexcept;
  void act_on(Account& by, const Change& change, Action action) noexcept;
  /// The account of the management server whose Server instance is `iid`.
  Account* account_for_server_instance(dm::InstanceId iid) noexcept;
  void disable(Account& a) noexcept;

  // ---- router.cpp: requests from servers, routed to one operation file each ----
  void serve(Account& a, const coap::IncomingRequest& in, coap::Response& resp) noexcept;

  // ---- request.cpp ----
  bool acl_active() const noexcept;
  bool allowed(const Account& a, const dm::Path& path, uint8_t need) const noexcept;

  // ---- observe.cpp: Observe requests, and what the observation table asks ----
  /// Registers the observation a 2.05 answer (in `fmt`) just started.
  void start_observation(Request& r, std::span<const dm::Path> paths, bool composite,
                         codec::ContentFormat fmt) noexcept;
  ServerReach reach(uint8_t account, TimePoint now) noexcept override;
  Attributes server_defaults(uint16_t ssid) noexcept override;
  bool storing(uint16_t ssid) noexcept override;
  void wake(uint8_t account, TimePoint now) noexcept override;
  void sent(uint8_t account, TimePoint now) noexcept override;

  std::unique_ptr<Account[]> accounts;  ///< [0] bootstrap, [1..max_servers] management
  size_t account_count = 0;
  std::unique_ptr<uint8_t[]> links;  ///< Register/Update payload
  std::unique_ptr<uint8_t[]> send_buf;
  /// Where Register/Update and Send payloads are written: links and send_buf, or with a
  /// Workspace its shared buffer, one block at most (the engine copies a one-block payload
  /// when the request is sent, so nothing refers to the shared bytes afterwards).
  MutableByteView links_out, send_out;
  coap::RequestId send_request{};
  uint8_t send_account = 0;
  std::unique_ptr<uint8_t[]> scratch_buf;  ///< unless the client shares a Workspace
  uint8_t* scratch_at = nullptr;           ///< scratch_buf or the workspace's

  /// Location-Path segments of a Create's 2.01, read when the engine encodes it.
  char create_location[2][codec::number::kMaxChars] = {};

  Event events[16];
  uint8_t event_head = 0, event_count = 0;
  uint32_t events_dropped = 0;
  /// Per peer: the link command not yet polled (kept apart from Account, which is reset
  /// when a server account is dropped or rebuilt).
  std::unique_ptr<uint8_t[]> link_wish;  ///< 0 none, else LinkCommand::Kind + 1
  void want_link(size_t peer, LinkCommand::Kind k) noexcept {
    link_wish[peer] = static_cast<uint8_t>(static_cast<uint8_t>(k) + 1);
  }

  /// The StateCommand not yet polled: 0 none, else StateCommand + 1.
  uint8_t state_wish = 0;
  void want_state(StateCommand k) noexcept {
    state_wish = static_cast<uint8_t>(static_cast<uint8_t>(k) + 1);
  }

  TimePoint now_{};  ///< time of the input being processed
  PackageDownloader* downloader = nullptr;
  bool started = false;
  bool stopping = false;
  bool accounts_changed = false;  ///< a server changed /0 or /1 instances: sync at the next step

  BootstrapFsm bs;

  /// Account index of the server whose Execute of /3/0/4 or /3/0/5 was answered 2.04; the
  /// event goes out after the answer.
  std::optional<uint8_t> reboot_by, factory_reset_by;

  void push(const Event& e) noexcept {
    if (event_count == 16) {  // keep the newest: drop the oldest
      event_head = static_cast<uint8_t>((event_head + 1) % 16);
      --event_count;
      ++events_dropped;
    }
    events[(event_head + event_count) % 16] = e;
    ++event_count;
  }
};

}  // namespace lwm2m::core
