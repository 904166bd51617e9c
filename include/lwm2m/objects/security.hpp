// SPDX-License-Identifier: Apache-2.0
// LwM2M Security object (/0, OMA LwM2M 1.1 Core Appendix E.1): server URIs and the
// credentials to reach them. Written by the bootstrap server or by factory configuration;
// never readable by a management server (the client core refuses that with 4.01).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/config.hpp"
#include "lwm2m/dm/object.hpp"
#include "lwm2m/objects/slot_table.hpp"
#include "lwm2m/security.hpp"

namespace lwm2m::objects {

/// Security Mode (/0/x/2): the library's one enum (lwm2m/security.hpp).
using SecurityMode = lwm2m::SecurityMode;

namespace detail {
/// ByteField::assign for every capacity: one copy of the code whatever the field sizes.
Status assign_bytes(uint8_t* data, uint16_t& size, size_t capacity, ByteView v) noexcept;
}  // namespace detail

/// A bounded byte field: storage in the instance, length alongside.
template <size_t N>
struct ByteField {
  /// The bytes (the first `size` are used); one byte that stays unused when N is 0 (a
  /// build without that field, e.g. LWM2M_SECURITY_SERVER_KEY_MAX=0 for PSK only).
  uint8_t data[N == 0 ? 1 : N] = {};
  uint16_t size = 0;                     ///< bytes in use
  static constexpr size_t capacity = N;  ///< most bytes it can hold
  /// The bytes in use.
  ByteView view() const noexcept { return {data, size}; }
  /// The bytes in use as text.
  std::string_view str() const noexcept { return {reinterpret_cast<const char*>(data), size}; }
  /// Replaces the content with `v`; request_entity_too_large when it does not fit.
  /// A shorter value leaves nothing of the longer one it replaces (keys do not linger).
  Status assign(ByteView v) noexcept { return detail::assign_bytes(data, size, N, v); }
  /// Replaces the content with the text `s`; request_entity_too_large when it does not fit.
  Status assign(std::string_view s) noexcept { return assign(as_bytes(s)); }
};

/// Factory configuration of one instance (the values a bootstrap server would write).
struct SecurityConfig {
  std::string_view uri;                     ///< /0/x/0, e.g. "coap://[::1]:5683"
  bool bootstrap = false;                   ///< /0/x/1: this is the bootstrap server's account
  SecurityMode mode = SecurityMode::nosec;  ///< /0/x/2: NoSec, PSK, certificate...
  ByteView identity = {};        ///< /0/x/3: PSK identity, or our certificate / public key
  ByteView server_key = {};      ///< /0/x/4: the server's certificate or public key
  ByteView secret_key = {};      ///< /0/x/5: PSK key or our private key
  uint16_t short_server_id = 0;  ///< /0/x/10: the Short Server ID of the server this account is for
                                 ///< (0 for the bootstrap server)
  uint32_t client_hold_off_s = 0;    ///< /0/x/11 (bootstrap server only)
  uint32_t bootstrap_timeout_s = 0;  ///< /0/x/12; 0 = never purge
};

/// One Security instance (/0/x): a server's URI and credentials, in storage the application
/// provides. Default-constructed, every field is zero, so that an application's static slot
/// array needs no initial values in flash.
struct SecurityInstance {
  dm::SlotId id;                          ///< kInvalidId: slot unused
  ByteField<LWM2M_SECURITY_URI_MAX> uri;  ///< /0/x/0: the server URI
  bool bootstrap = false;                 ///< /0/x/1: the bootstrap server's account
  SecurityMode
      mode{};  ///< /0/x/2: how the connection is secured (nosec once the object holds the slot)
  ByteField<LWM2M_SECURITY_IDENTITY_MAX>
      identity;  ///< /0/x/3: PSK identity, or our certificate / public key
  ByteField<LWM2M_SECURITY_SERVER_KEY_MAX>
      server_key;  ///< /0/x/4: the server's certificate or public key
  ByteField<LWM2M_SECURITY_SECRET_MAX> secret_key;  ///< /0/x/5: PSK key or our private key
  uint16_t short_server_id = 0;                     ///< /0/x/10: Short Server ID
  bool has_short_server_id = false;                 ///< whether /0/x/10 is present
  uint32_t client_hold_off_s = 0;  ///< /0/x/11: seconds to wait before a client-initiated bootstrap
  uint32_t bootstrap_timeout_s =
      0;  ///< /0/x/12: seconds after which the bootstrap account is removed (0 never)

  /// This instance as the transport sees it (views into this instance).
  PeerSecurity peer() const noexcept {
    PeerSecurity p;
    p.security_iid = id;
    p.ssid = has_short_server_id && !bootstrap ? short_server_id : 0;
    p.bootstrap = bootstrap;
    p.uri = uri.str();
    p.mode = mode;
    p.identity = identity.view();
    p.server_public_key = server_key.view();
    p.secret_key = secret_key.view();
    return p;
  }
};

const dm::ObjectDef& security_object_def() noexcept;

/// LwM2M Security object (/0): the servers the client knows and how it authenticates to each.
/// Read, Write, Create and Delete are the shared slot-table code (objects/slot_table.hpp).
class SecurityObject final : public detail::SlotTableObject {
 public:
  /// Instances live in `storage` (one slot per possible instance).
  explicit SecurityObject(std::span<SecurityInstance> storage) noexcept;

  /// Factory bootstrap: adds an instance (lowest free id when `id` is kInvalidId).
  Result<dm::InstanceId> add(const SecurityConfig& config,
                             dm::InstanceId id = dm::kInvalidId) noexcept;
  /// The instance with this id, or null.
  const SecurityInstance* instance(dm::InstanceId id) const noexcept {
    return static_cast<const SecurityInstance*>(slot(id));
  }
  /// The instance whose Short Server ID is `ssid` (management servers only).
  const SecurityInstance* find_server(uint16_t ssid) const noexcept;
  /// The bootstrap server's instance, or null.
  const SecurityInstance* find_bootstrap() const noexcept;
  /// Every slot of the storage (unused ones have id kInvalidId).
  std::span<const SecurityInstance> instances() const noexcept { return storage(); }

 private:
  friend class SecurityRecord;  // saves and restores the instances (objects/saved_state.hpp)
  std::span<SecurityInstance> storage() const noexcept {
    return {reinterpret_cast<SecurityInstance*>(slots_), count_};
  }
};

}  // namespace lwm2m::objects
