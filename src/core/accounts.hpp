// SPDX-License-Identifier: Apache-2.0
// Server accounts as the core reads them: the Security (/0) and Server (/1) instances,
// read through dm::Object with the well-known resource ids. Any implementation of
// objects 0 and 1 will do; the core knows no concrete object type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/registration_fsm.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/security.hpp"

namespace lwm2m::core {

/// A Security instance (/0/x) as far as the core decides with it.
struct SecurityEntry {
  dm::InstanceId iid = dm::kInvalidId;
  bool bootstrap = false;        ///< /0/x/1
  std::optional<uint16_t> ssid;  ///< /0/x/10
  uint32_t hold_off_s = 0;       ///< /0/x/11 (bootstrap server only; 0 without bootstrap)
};

/// A Server instance (/1/x); the binding is copied out. The default periods are read
/// apart (AccountsReader::default_periods()); a build without Observe or without Send
/// leaves /1/x/6 or /1/x/23 unread (the defaults below).
struct ServerEntry {
  dm::InstanceId iid = dm::kInvalidId;
  uint16_t ssid = 0;
  uint32_t lifetime_s = 86400;
  uint32_t disable_timeout_s = 86400;
  bool notification_storing = true;
  bool mute_send = false;
  RetryPolicy retry;  ///< /1/x/16-20
  char binding_buf[LWM2M_SERVER_BINDING_MAX] = {};
  uint8_t binding_len = 0;

  std::string_view binding() const noexcept { return {binding_buf, binding_len}; }
};

/// Binding letters: whether queue mode ("Q", LwM2M 1.0 "UQ") is asked for.
constexpr bool binding_has_queue(std::string_view b) noexcept {
  return b.find('Q') != std::string_view::npos;
}

class AccountsReader {
 public:
  explicit AccountsReader(dm::Registry& registry) noexcept : registry_(registry) {}

  /// The data model the accounts are read from.
  dm::Registry& registry() const noexcept { return registry_; }

  size_t security_count() const noexcept;
  /// index < security_count(), ascending instance ids.
  SecurityEntry security_at(size_t index) const noexcept;
  std::optional<SecurityEntry> security(dm::InstanceId iid) const noexcept;
  std::optional<SecurityEntry> bootstrap_security() const noexcept;
  /// The management server's Security instance for `ssid`.
  std::optional<SecurityEntry> security_for(uint16_t ssid) const noexcept;
  /// URI, mode and credentials of a Security instance; the views are those the object
  /// returns from read() (into its own storage for objects::SecurityObject).
  std::optional<PeerSecurity> peer(dm::InstanceId security_iid) const noexcept;

  std::optional<ServerEntry> server(uint16_t ssid) const noexcept;
  /// Only the default notification periods of `ssid`'s Server instance (/1/x/2, /1/x/3):
  /// what each notification decision needs, without reading the whole instance.
  struct DefaultPeriods {
    std::optional<uint32_t> pmin, pmax;
  };
  DefaultPeriods default_periods(uint16_t ssid) const noexcept;
  std::optional<ServerEntry> server_instance(dm::InstanceId iid) const noexcept;
  /// Whether some management server has both a Security and a Server instance (the
  /// client can register somewhere).
  bool any_usable_server() const noexcept;
  /// Management servers configured in the Security object.
  size_t management_servers() const noexcept;

 private:
  dm::Object* security_object() const noexcept;
  dm::Object* server_object() const noexcept;
  /// The first Security instance of the bootstrap server (`bootstrap`), or of the
  /// management server `ssid`: one loop for both.
  std::optional<SecurityEntry> find_security(bool bootstrap, uint16_t ssid) const noexcept;
  /// The Server instance of `ssid`, kInvalidId when there is none.
  dm::InstanceId server_iid(uint16_t ssid) const noexcept;

  dm::Registry& registry_;
};

}  // namespace lwm2m::core
