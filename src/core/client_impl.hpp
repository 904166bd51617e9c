// Internal state of core::Client, shared by its translation units: client.cpp (accounts,
// registration, bootstrap, events), client_dm.cpp (requests from servers) and
// client_observe.cpp (attributes and notifications).
#pragma once

#include <cstdint>
#include <memory>

#include "codec/number.hpp"
#include "core/attributes.hpp"
#include "core/registration_fsm.hpp"
#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

inline constexpr size_t kMaxCompositePaths = 4;
inline constexpr size_t kLocationMax = 48;

struct Account {
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
};

struct Observation {
  bool used = false;
  coap::ObservationId id{};
  uint8_t account = 0;
  uint8_t path_count = 0;  ///< 1 for Observe, up to kMaxCompositePaths for a composite
  bool composite = false;
  bool dirty = false;    ///< re-evaluate at the next step (value changed or attributes set)
  bool pending = false;  ///< a notification is due but the server is unreachable or asleep
  codec::ContentFormat format{};
  dm::Path paths[kMaxCompositePaths];
  NotifyState state;
  TimePoint next_check = kNever;
};

struct AttributeEntry {
  bool used = false;
  uint16_t ssid = 0;
  dm::Path path;
  Attributes attrs;
};

/// Reads `base` (or, for a composite, `paths`) into `out` in format `fmt`. Security and
/// OSCORE are left out of composites.
Status encode_values(dm::Registry& reg, const dm::Path& base, std::span<const dm::Path> paths,
                     codec::ContentFormat fmt, codec::Sink& out, MutableByteView scratch,
                     bool composite) noexcept;

/// A notification encoded while its server could not hear us, sent later in order.
struct StoredNotification {
  uint16_t observation;  ///< index in the observation table
  coap::ObservationId id;
  codec::ContentFormat format;
  uint16_t offset, length;  ///< in the store's bytes
};

enum class BootstrapState : uint8_t { idle, hold_off, requesting, in_progress };

struct Client::Impl {
  explicit Impl(Client& client) noexcept : c(client) {}
  Client& c;

  // ---- client.cpp ----
  void build_accounts() noexcept;
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
  void bootstrap_failed(Errc why, TimePoint now) noexcept;
  void finish_bootstrap(TimePoint now) noexcept;
  /// Every attempt failed: the event carries why the last one did.
  void registration_failed(Account& a, TimePoint now, Errc why) noexcept;
  size_t write_links() noexcept;
  bool queue_mode() const noexcept { return c.config_.queue_mode; }
  /// The LwM2M version spoken with this server: the configured one, or lower once the
  /// server refused it.
  LwM2MVersion version(const Account& a) const noexcept {
    const int v = static_cast<int>(c.config_.version) - a.version_drop;
    return static_cast<LwM2MVersion>(v < 0 ? 0 : v);
  }
  void mark_uplink(Account& a, TimePoint now) noexcept;

  // ---- client_dm.cpp ----
  void serve_dm(Account& a, const coap::IncomingRequest& req, coap::Response& resp) noexcept;
  void serve_discover(Account& a, const dm::Path& path, coap::Response& resp) noexcept;
  MutableByteView scratch() noexcept { return {scratch_buf.get(), c.config_.scratch}; }
  void serve_bootstrap(Account& a, const coap::IncomingRequest& req, coap::Response& resp) noexcept;

  bool acl_active() const noexcept;
  bool allowed(const Account& a, const dm::Path& path, uint8_t need) const noexcept;

  // ---- client_observe.cpp ----
  Attributes effective_attributes(uint16_t ssid, const dm::Path& path) const noexcept;
  AttributeEntry* find_attributes(uint16_t ssid, const dm::Path& path) const noexcept;
  Status write_attributes(uint16_t ssid, const dm::Path& path, const coap::Message& m) noexcept;
  Observation* add_observation(uint8_t account) noexcept;
  void drive_observations(TimePoint now) noexcept;
  bool notify(Observation& o, TimePoint now) noexcept;
  dm::Value current_value(const dm::Path& path) noexcept;
  void drop_observations(uint8_t account) noexcept;
  void store_notification(Observation& o) noexcept;
  void drop_stored(size_t index) noexcept;
  /// Sends what was stored for `account`, oldest first; false if the engine was busy.
  bool flush_stored(uint8_t account, TimePoint now) noexcept;
  TimePoint observation_deadline() const noexcept;
  std::unique_ptr<Account[]> accounts;  ///< [0] bootstrap, [1..max_servers] management
  size_t account_count = 0;
  std::unique_ptr<Observation[]> observations;
  std::unique_ptr<AttributeEntry[]> attributes;
  std::unique_ptr<uint8_t[]> links;  ///< Register/Update payload
  size_t links_len = 0;
  std::unique_ptr<uint8_t[]> send_buf;
  coap::RequestId send_request{};
  uint8_t send_account = 0;
  std::unique_ptr<uint8_t[]> scratch_buf;
  std::unique_ptr<StoredNotification[]> stored;
  size_t stored_count = 0;
  std::unique_ptr<uint8_t[]> store_bytes;
  size_t store_used = 0;

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

  TimePoint now_{};  ///< time of the input being processed
  bool started = false;
  bool stopping = false;
  bool any_dirty = false;

  BootstrapState bs_state = BootstrapState::idle;
  TimePoint bs_deadline = kNever;
  uint8_t bs_attempts = 0;
  bool bs_finish_accepted = false;  ///< processed after the 2.04 went out

  bool reboot_pending = false, factory_reset_pending = false;

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
