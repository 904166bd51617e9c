// SPDX-License-Identifier: Apache-2.0
// LwM2M Server object (/1, OMA LwM2M 1.1 Core Appendix E.2): one instance per management
// server: lifetime, binding, default notification periods and the registration retry
// scheme. The client core acts on what servers write and execute here after each request
// (a write or Create that fails leaves the object as it was: it supports transactions).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/config.hpp"
#include "lwm2m/dm/object.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/slot_table.hpp"
#include "lwm2m/objects/undo_log.hpp"

namespace lwm2m::objects {

/// Factory configuration of one Server instance (/1/x): what a bootstrap server would write.
struct ServerConfig {
  uint16_t short_server_id = 1;      ///< /1/x/0: the server this instance configures
  uint32_t lifetime_s = 86400;       ///< /1/x/1: registration lifetime in seconds
  std::string_view binding = "U";    ///< /1/x/7: "U", or "UQ" for queue mode
  uint32_t default_pmin_s = 0;       ///< /1/x/2: default minimum period of notifications, seconds
  uint32_t default_pmax_s = 0;       ///< 0: no default maximum period
  bool notification_storing = true;  ///< /1/x/6: keep notifications while the server is unreachable
  uint32_t disable_timeout_s =
      86400;  ///< /1/x/5: seconds the server is disabled after Disable (/1/x/4)
  bool bootstrap_on_failure = true;        ///< /1/x/16
  uint32_t communication_retry_count = 5;  ///< /1/x/17
  uint32_t communication_retry_timer_s =
      60;  ///< /1/x/18: seconds before the second Register attempt, doubled after each failure
  uint32_t sequence_delay_timer_s = 86400;  ///< /1/x/19: seconds between two retry sequences
  uint32_t sequence_retry_count =
      1;                   ///< /1/x/20: retry sequences before the client gives up on the server
  bool mute_send = false;  ///< /1/x/23
};

/// One Server instance (/1/x) in storage the application provides.
struct ServerInstance {
  dm::SlotId id;                                ///< kInvalidId: slot unused
  ServerConfig config;                          ///< the instance's values
  ByteField<LWM2M_SERVER_BINDING_MAX> binding;  ///< the binding's text (config.binding views it)
  bool has_pmin = false;                        ///< whether /1/x/2 is present
  bool has_pmax = false;                        ///< whether /1/x/3 is present
};

const dm::ObjectDef& server_object_def() noexcept;

namespace detail {
// Saves a Server slot in its object's undo log (the descriptor's SlotObjectDef::save).
Status save_server_slot(dm::Object& object, void* slot) noexcept;
// ServerObject::kMaxInstancesPerRequest.
constexpr size_t server_rollback_slots() noexcept {
  if (LWM2M_SERVER_ROLLBACK_MAX > 0) return LWM2M_SERVER_ROLLBACK_MAX;
  return LWM2M_MAX_SERVERS < 3 ? LWM2M_MAX_SERVERS + 1 : 4;
}
}  // namespace detail

/// LwM2M Server object (/1): registration settings of each management server. Read, Write,
/// Create and Delete are the shared slot-table code (objects/slot_table.hpp); the object adds
/// rollback.
class ServerObject final : public detail::SlotTableObject {
 public:
  /// Instances changed by one request (a Write-Composite or Bootstrap-Write naming more
  /// is refused with 5.00 and rolled back): LWM2M_SERVER_ROLLBACK_MAX when the library was
  /// built with it set, else 4, or one more than the management servers the library serves
  /// when it was built for fewer (LWM2M_MAX_SERVERS; both in lwm2m/build_config.hpp). Each
  /// takes a copy of an instance in the object, for rollback.
  static constexpr size_t kMaxInstancesPerRequest = detail::server_rollback_slots();

  /// Instances live in `storage` (one slot per possible instance).
  explicit ServerObject(std::span<ServerInstance> storage) noexcept;

  /// Factory configuration; the lowest free instance id when `id` is kInvalidId.
  Result<dm::InstanceId> add(const ServerConfig& config,
                             dm::InstanceId id = dm::kInvalidId) noexcept;
  /// The instance with this id, or null.
  const ServerInstance* instance(dm::InstanceId id) const noexcept {
    return static_cast<const ServerInstance*>(slot(id));
  }
  /// The instance for Short Server ID `ssid`, or null.
  const ServerInstance* find(uint16_t ssid) const noexcept;
  /// Every slot of the storage (unused ones have id kInvalidId).
  std::span<const ServerInstance> instances() const noexcept { return storage(); }

  Status transaction_begin() noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  friend class ServerRecord;  // saves and restores the instances (objects/saved_state.hpp)
  friend Status detail::save_server_slot(dm::Object& object, void* slot) noexcept;
  std::span<ServerInstance> storage() const noexcept {
    return {reinterpret_cast<ServerInstance*>(slots_), count_};
  }
  UndoLog<ServerInstance, kMaxInstancesPerRequest> undo_;  ///< what the request changed
};

/// Binding letters (LwM2M 1.1: U, T, S, N and Q for queue mode; 1.0 also "UQ").
bool binding_valid(std::string_view binding) noexcept;
bool binding_has_queue(std::string_view binding) noexcept;

}  // namespace lwm2m::objects
