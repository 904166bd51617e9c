// SPDX-License-Identifier: Apache-2.0
// LwM2M Access Control object (/2, OMA LwM2M 1.1 Core Appendix E.3 and §7.3): which server
// may do what on which object instance, when a client serves several management servers.
#pragma once

#include <cstdint>
#include <span>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

/// Access rights, the ACL resource's bits.
enum Access : uint8_t {
  kAccessRead = 1,  ///< Read, Observe, Discover, Write-Attributes
  kAccessWrite = 2,
  kAccessExecute = 4,
  kAccessDelete = 8,
  kAccessCreate = 16,
  kAccessAll = 31,
};

/// One Access Control instance (/2/x): who may do what on one object instance.
struct AclInstance {
  /// ACL entries (servers with rights of their own) kept per instance.
  static constexpr size_t kMaxEntries = 4;
  dm::InstanceId id = dm::kInvalidId;     ///< kInvalidId: slot unused
  dm::ObjectId object_id = 0;             ///< 2/x/0: the object governed
  dm::InstanceId object_instance_id = 0;  ///< 65535: the object itself (Create rights)
  /// ACL resource instances: id = Short Server ID (0 = default for every server).
  uint16_t entry_ssid[kMaxEntries] = {};
  uint8_t entry_rights[kMaxEntries] = {};  ///< the rights of each entry (Access bits)
  uint8_t entry_count = 0;                 ///< entries in use
  uint16_t owner = 0;  ///< 2/x/3: Access Control Owner, the Short Server ID that owns the target
};

const dm::ObjectDef& access_control_object_def() noexcept;

/// LwM2M Access Control object (/2): per-server rights on object instances, enforced when the
/// client serves more than one management server.
class AccessControlObject final : public dm::Object {
 public:
  /// Instances live in `storage` (one slot per possible instance).
  explicit AccessControlObject(std::span<AclInstance> storage) noexcept;

  /// Adds an instance governing /object_id/object_instance_id (65535: Create on the
  /// object) owned by `owner`; the lowest free instance id.
  Result<dm::InstanceId> add(dm::ObjectId object_id, dm::InstanceId object_instance_id,
                             uint16_t owner) noexcept;
  /// Sets the rights of `ssid` (0: every server without an entry of its own).
  Status grant(dm::InstanceId acl_iid, uint16_t ssid, uint8_t rights) noexcept;
  /// Removes the instance governing /object_id/object_instance_id, if any.
  void remove_for(dm::ObjectId object_id, dm::InstanceId object_instance_id) noexcept;

  /// The rights `ssid` has on /object_id/object_instance_id (1.1 Core §7.3.2): its own
  /// entry, else the default entry, else everything when it owns the instance, else none.
  /// `governed` is false when no instance covers the target.
  uint8_t rights(uint16_t ssid, dm::ObjectId object_id, dm::InstanceId object_instance_id,
                 bool& governed) const noexcept;
  /// The instance governing /object_id/object_instance_id, or null.
  const AclInstance* find(dm::ObjectId object_id, dm::InstanceId object_instance_id) const noexcept;

  size_t instance_count() const noexcept override;
  dm::InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId iid, dm::ResourceId rid,
                                              size_t index) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept override;
  Status create_instance(dm::InstanceId iid) noexcept override;
  Status delete_instance(dm::InstanceId iid) noexcept override;

 private:
  friend class AccessControlRecord;  // saves and restores the instances (objects/saved_state.hpp)
  AclInstance* slot(dm::InstanceId iid) const noexcept;
  std::span<AclInstance> storage_;
};

}  // namespace lwm2m::objects
