// SPDX-License-Identifier: Apache-2.0
// Access Control (1.1 Core §7.3) read and kept through the data model: the instances of
// object 2 (Object ID, Object Instance ID, ACL, Access Control Owner), whichever object
// implements them. Enforced when the registry holds object 2 and the client serves more
// than one management server.
#pragma once

#include <cstdint>

#include "lwm2m/dm/registry.hpp"

namespace lwm2m::core {

/// Access rights, the ACL resource's bits.
enum AccessRight : uint8_t {
  kRead = 1,  ///< Read, Observe, Discover, Write-Attributes
  kWrite = 2,
  kExecute = 4,
  kDelete = 8,
  kCreate = 16,
  kAllRights = 31,
};

class AccessControl {
 public:
  explicit AccessControl(dm::Registry& registry) noexcept : registry_(registry) {}

  /// Whether the registry holds an Access Control object.
  bool present() const noexcept;
  /// The rights `ssid` has on /oid/oiid (oiid kInvalidId: on the object, for Create):
  /// its own ACL entry, else the default entry (ssid 0), else every right but Create for
  /// the owner. `governed` is false when no ACL instance names the target.
  uint8_t rights(uint16_t ssid, dm::ObjectId oid, dm::InstanceId oiid,
                 bool& governed) const noexcept;
  /// The owner of ACL instance `acl_iid`, 0 when unknown.
  uint16_t owner(dm::InstanceId acl_iid) const noexcept;
  /// After a Create: a new ACL instance for /oid/oiid owned by `ssid`.
  Status add_owned(dm::ObjectId oid, dm::InstanceId oiid, uint16_t ssid) noexcept;
  /// After a Delete: the ACL instance of /oid/oiid goes too.
  void remove_for(dm::ObjectId oid, dm::InstanceId oiid) noexcept;

 private:
  dm::Object* object() const noexcept;
  /// The ACL instance governing /oid/oiid, kInvalidId when there is none.
  dm::InstanceId find(dm::ObjectId oid, dm::InstanceId oiid) const noexcept;

  dm::Registry& registry_;
};

}  // namespace lwm2m::core
