// SPDX-License-Identifier: Apache-2.0
// The observation table (1.1 Core §6.4, §5.1.2): the observations and attribute sets the
// servers made, the notifications kept while a server cannot hear us, and the decision of
// when each notification goes out. It sends through the CoAP engine and reads values
// through the registry; what it needs to know about a server it asks its Host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>

#include "core/attributes.hpp"
#include "lwm2m/build_config.hpp"
#include "lwm2m/coap/engine.hpp"
#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/dm/registry.hpp"

namespace lwm2m::core {

/// Paths one observation keeps: a build without Observe-Composite keeps one.
inline constexpr size_t kMaxCompositePaths = LWM2M_WITH_COMPOSITE ? 4 : 1;

/// A member that a build without a feature keeps as a constant: no byte, and stores to it
/// compile to nothing.
template <class T, T V>
struct Fixed {
  constexpr operator T() const noexcept { return V; }
  constexpr Fixed& operator=(T) noexcept { return *this; }
};
/// T with Observe-Composite, else the constant V.
template <class T, T V>
using CompositeOnly = std::conditional_t<LWM2M_WITH_COMPOSITE != 0, T, Fixed<T, V>>;

// The notify state as a base, not a member: the members below fill its tail padding (an
// observation is 56 bytes on a 32-bit target with one path, not 64).
// Rows live in zeroed memory (the table's allocation) and add() zeroes a row before use:
// an unused row (`used` false) is never read, so ending one only clears `used`.
struct Observation : NotifyState {
  coap::ObservationId id{};
  uint16_t ssid = 0;
  codec::ContentFormat format{};
  dm::Path paths[kMaxCompositePaths];
  bool used = false;
  uint8_t account = 0;
  bool dirty = false;    ///< re-evaluate at the next step (value changed or attributes set)
  bool pending = false;  ///< a notification is due but the server is unreachable or asleep
  /// 1 for Observe, up to kMaxCompositePaths for a composite (always 1 without composite).
  [[no_unique_address]] CompositeOnly<uint8_t, 1> path_count{};
  [[no_unique_address]] CompositeOnly<bool, false> composite{};
  TimePoint next_check = kNever;
};

/// As an Observation: zeroed when the table is made, unused again when `used` is cleared.
struct AttributeEntry {
  bool used = false;
  uint16_t ssid = 0;
  dm::Path path;
  Attributes attrs;
};

/// A notification encoded while its server could not hear us, sent later in order.
struct StoredNotification {
  uint16_t observation;  ///< index in the observation table
  coap::ObservationId id;
  uint16_t offset, length;  ///< in the store's bytes (in the observation's format)
};

/// Reads `base` (or, for a composite, `paths`) into `out` in format `fmt`. Security and
/// OSCORE are left out of composites.
Status encode_values(dm::Registry& reg, const dm::Path& base, std::span<const dm::Path> paths,
                     codec::ContentFormat fmt, Sink& out, MutableByteView scratch,
                     bool composite) noexcept;

/// Where a server stands, as far as notifications go.
struct ServerReach {
  bool registered = false;  ///< registered (an Update may be in flight)
  bool updating = false;    ///< an Update is in flight
  bool asleep = false;      ///< queue mode: not listening until our next uplink
};

class ObservationTable {
 public:
  /// What the table asks of the client around it.
  class Host {
   public:
    virtual ServerReach reach(uint8_t account, TimePoint now) noexcept = 0;
    /// Default pmin/pmax of the server (its Server instance), under what it wrote.
    virtual Attributes server_defaults(uint16_t ssid) noexcept = 0;
    /// Notification Storing When Disabled or Offline (/1/x/6).
    virtual bool storing(uint16_t ssid) noexcept = 0;
    /// A notification is due while the server sleeps: an Update wakes its side.
    virtual void wake(uint8_t account, TimePoint now) noexcept = 0;
    /// A notification went out (queue mode stays awake a while after an uplink).
    virtual void sent(uint8_t account, TimePoint now) noexcept = 0;

   protected:
    ~Host() = default;
  };

  struct Limits {
    uint16_t observations = 8;
    uint16_t attributes = 8;
    uint16_t stored_notifications = 8;
    uint16_t stored_bytes = 512;
  };

  ObservationTable(coap::Engine& engine, dm::Registry& registry, Host& host) noexcept
      : engine_(engine), registry_(registry), host_(host) {}
  /// Allocates the tables, once (the client's construction); false without memory.
  /// `scratch` is lent to read handlers.
  bool allocate(const Limits& limits, MutableByteView scratch) noexcept;
  /// Instead of allocate() in a build without Observe: no tables, every lookup finds none.
  void leave_empty() noexcept { limits_ = {0, 0, 0, 0}; }

  // ---- attributes (kept per server) ----
  const AttributeEntry* find_attributes(uint16_t ssid, const dm::Path& path) const noexcept;
  /// Resource instance, resource, instance, object, then the server's defaults.
  Attributes effective_attributes(uint16_t ssid, const dm::Path& path) noexcept;
  /// Applies Write-Attributes query parameters at `path`; bad_request when invalid,
  /// request_entity_too_large when the table is full.
  Status write_attributes(uint16_t ssid, const dm::Path& path,
                          std::span<const std::string_view> query) noexcept;

  // ---- observations ----
  /// Accepts the observation that the 2.05 in `resp` (format `fmt`) starts.
  void start(uint8_t account, uint16_t ssid, coap::Response& resp, std::span<const dm::Path> paths,
             bool composite, codec::ContentFormat fmt, TimePoint now) noexcept;
  /// The engine ended observation `id` (Reset, RST, proactive cancel).
  void cancelled(coap::ObservationId id, uint32_t cookie) noexcept;
  /// A value changed: observations of it or above it are evaluated at the next step.
  void value_changed(const dm::Path& path) noexcept;
#if LWM2M_WITH_OBSERVE
  /// The server's attributes or defaults changed: its observations are evaluated again.
  void reevaluate(uint16_t ssid) noexcept;
  /// After an Update: what was held for `account` is due.
  void wake_pending(uint8_t account) noexcept;
  /// The account's registration ended: its observations and stored notifications go.
  void drop(uint8_t account) noexcept;
#else
  // Nothing is ever observed: nothing to evaluate, wake or drop (and no code linked for it).
  void reevaluate(uint16_t) noexcept {}
  void wake_pending(uint8_t) noexcept {}
  void drop(uint8_t) noexcept {}
#endif

  /// When drive() next has something to do.
  TimePoint deadline(TimePoint now) const noexcept;
  /// Sends the notifications that are due (or stores them while the server cannot hear).
  void drive(TimePoint now) noexcept;

 private:
  Observation* add(uint8_t account) noexcept;
  /// Marks dirty the used observations of server `key` (pending_of_account false), or the
  /// pending ones of account `key`.
  void mark_dirty(bool pending_of_account, uint16_t key) noexcept;
  /// validate() of `attrs` at `path` with what the levels above it hold.
  Status validate_at(uint16_t ssid, const dm::Path& path, const Attributes& attrs) noexcept;
  /// Sends a notification of `o`: `stored`'s payload, or when null the values now.
  bool send(Observation& o, bool con, const StoredNotification* stored, TimePoint now) noexcept;
  /// Inherits into `eff` what the entries at `p` and the levels above it hold.
  void inherit_from(Attributes& eff, uint16_t ssid, dm::Path p) const noexcept;
  /// Holds a due notification until the server can hear us (stored when asked to).
  void hold(Observation& o, const dm::Value& current, bool asleep, TimePoint now) noexcept;
  dm::Value current_value(const dm::Path& path) noexcept;
  void store(Observation& o) noexcept;
  void drop_stored(size_t index) noexcept;
  /// Sends what was stored for `account`, oldest first; false if the engine was busy.
  bool flush_stored(uint8_t account, TimePoint now) noexcept;

  coap::Engine& engine_;
  dm::Registry& registry_;
  Host& host_;
  Limits limits_;
  MutableByteView scratch_;
  /// The four tables below, carved from one allocation (one allocator header, not four).
  std::unique_ptr<uint8_t[]> tables_;
  Observation* observations_ = nullptr;
  AttributeEntry* attributes_ = nullptr;
  StoredNotification* stored_ = nullptr;
  size_t stored_count_ = 0;
  uint8_t* store_bytes_ = nullptr;
  size_t store_used_ = 0;
  bool any_dirty_ = false;
  /// No observation at or above this index was ever used: deadline() looks below it only,
  /// which is nothing for a client nobody observes (it is asked after every datagram).
  uint16_t observed_below_ = 0;
};

}  // namespace lwm2m::core
