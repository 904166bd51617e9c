// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/access_control.hpp"

namespace lwm2m::objects {
namespace {

using dm::DataType;
using dm::Operations;
using dm::ResourceDef;

constexpr ResourceDef kResources[] = {
    {0, DataType::integer, Operations::read, false, true, "Object ID"},
    {1, DataType::integer, Operations::read, false, true, "Object Instance ID"},
    {2, DataType::integer, Operations::read_write, true, false, "ACL"},
    {3, DataType::integer, Operations::read_write, false, true, "Access Control Owner"},
};

constexpr dm::ObjectDef kDef{2, "1.0", true, false, kResources, "LwM2M Access Control"};

}  // namespace

const dm::ObjectDef& access_control_object_def() noexcept {
  return kDef;
}

AccessControlObject::AccessControlObject(std::span<AclInstance> storage) noexcept
    : Object(kDef), storage_(storage) {
  for (AclInstance& a : storage_)
    a = AclInstance{};
}

AclInstance* AccessControlObject::slot(dm::InstanceId iid) const noexcept {
  if (iid == dm::kInvalidId) return nullptr;
  for (AclInstance& a : storage_)
    if (a.id == iid) return &a;
  return nullptr;
}

const AclInstance* AccessControlObject::find(dm::ObjectId oid, dm::InstanceId oiid) const noexcept {
  for (const AclInstance& a : storage_)
    if (a.id != dm::kInvalidId && a.object_id == oid && a.object_instance_id == oiid) return &a;
  return nullptr;
}

Result<dm::InstanceId> AccessControlObject::add(dm::ObjectId oid, dm::InstanceId oiid,
                                                uint16_t owner) noexcept {
  dm::InstanceId iid = 0;
  while (slot(iid))
    ++iid;
  if (Status st = create_instance(iid); !st) return st;
  AclInstance& a = *slot(iid);
  a.object_id = oid;
  a.object_instance_id = oiid;
  a.owner = owner;
  instances_changed();
  return iid;
}

Status AccessControlObject::grant(dm::InstanceId acl_iid, uint16_t ssid, uint8_t rights) noexcept {
  AclInstance* a = slot(acl_iid);
  if (!a) return Errc::not_found;
  for (uint8_t i = 0; i < a->entry_count; ++i) {
    if (a->entry_ssid[i] != ssid) continue;
    a->entry_rights[i] = rights;
    return {};
  }
  if (a->entry_count == AclInstance::kMaxEntries) return Errc::no_space;
  // Kept sorted by ssid: resource instances are enumerated in ascending id order.
  uint8_t pos = a->entry_count;
  while (pos > 0 && a->entry_ssid[pos - 1] > ssid) {
    a->entry_ssid[pos] = a->entry_ssid[pos - 1];
    a->entry_rights[pos] = a->entry_rights[pos - 1];
    --pos;
  }
  a->entry_ssid[pos] = ssid;
  a->entry_rights[pos] = rights;
  ++a->entry_count;
  return {};
}

void AccessControlObject::remove_for(dm::ObjectId oid, dm::InstanceId oiid) noexcept {
  for (AclInstance& a : storage_)
    if (a.id != dm::kInvalidId && a.object_id == oid && a.object_instance_id == oiid) {
      a = AclInstance{};
      instances_changed();
    }
}

uint8_t AccessControlObject::rights(uint16_t ssid, dm::ObjectId oid, dm::InstanceId oiid,
                                    bool& governed) const noexcept {
  const AclInstance* a = find(oid, oiid);
  governed = a != nullptr;
  if (!a) return 0;
  int default_rights = -1;
  for (uint8_t i = 0; i < a->entry_count; ++i) {
    if (a->entry_ssid[i] == ssid) return a->entry_rights[i];
    if (a->entry_ssid[i] == 0) default_rights = a->entry_rights[i];
  }
  if (default_rights >= 0) return static_cast<uint8_t>(default_rights);
  // An owner without an entry of its own has every right but Create on an instance.
  if (a->owner == ssid)
    return oiid == dm::kInvalidId ? kAccessCreate : (kAccessAll & ~kAccessCreate);
  return 0;
}

size_t AccessControlObject::instance_count() const noexcept {
  size_t n = 0;
  for (const AclInstance& a : storage_)
    n += a.id != dm::kInvalidId;
  return n;
}

dm::InstanceId AccessControlObject::instance_at(size_t index) const noexcept {
  for (const AclInstance& s : storage_) {
    if (s.id == dm::kInvalidId) continue;
    size_t smaller = 0;
    for (const AclInstance& t : storage_)
      smaller += t.id != dm::kInvalidId && t.id < s.id;
    if (smaller == index) return s.id;
  }
  return dm::kInvalidId;
}

bool AccessControlObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  const AclInstance* a = slot(iid);
  return a && (rid != 2 || a->entry_count > 0);
}

size_t AccessControlObject::resource_instance_count(dm::InstanceId iid,
                                                    dm::ResourceId rid) const noexcept {
  const AclInstance* a = slot(iid);
  return a && rid == 2 ? a->entry_count : 0;
}

dm::ResourceInstanceId AccessControlObject::resource_instance_at(dm::InstanceId iid, dm::ResourceId,
                                                                 size_t index) const noexcept {
  const AclInstance* a = slot(iid);
  return a && index < a->entry_count ? a->entry_ssid[index] : dm::kInvalidId;
}

Result<dm::Value> AccessControlObject::read(dm::InstanceId iid, dm::ResourceId rid,
                                            dm::ResourceInstanceId riid, MutableByteView) noexcept {
  const AclInstance* a = slot(iid);
  if (!a) return Errc::not_found;
  switch (rid) {
    case 0:
      return dm::Value::integer(a->object_id);
    case 1:
      return dm::Value::integer(a->object_instance_id);
    case 2:
      for (uint8_t i = 0; i < a->entry_count; ++i)
        if (a->entry_ssid[i] == riid) return dm::Value::integer(a->entry_rights[i]);
      return Errc::not_found;
    case 3:
      return dm::Value::integer(a->owner);
    default:
      return Errc::not_found;
  }
}

Status AccessControlObject::write(dm::InstanceId iid, dm::ResourceId rid,
                                  dm::ResourceInstanceId riid, const dm::Value& v) noexcept {
  AclInstance* a = slot(iid);
  if (!a) return Errc::not_found;
  int64_t x = v.as_integer();
  switch (rid) {
    case 0:  // written by the bootstrap server (the resource is read-only otherwise)
      if (x < 1 || x > 65534) return Errc::bad_request;
      a->object_id = static_cast<dm::ObjectId>(x);
      return {};
    case 1:
      if (x < 0 || x > 65535) return Errc::bad_request;
      a->object_instance_id = static_cast<dm::InstanceId>(x);
      return {};
    case 2:
      if (riid == dm::kInvalidId || x < 0 || x > kAccessAll) return Errc::bad_request;
      return grant(iid, riid, static_cast<uint8_t>(x));
    case 3:
      if (x < 0 || x > 65535) return Errc::bad_request;
      a->owner = static_cast<uint16_t>(x);
      return {};
    default:
      return Errc::not_found;
  }
}

Status AccessControlObject::reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept {
  AclInstance* a = slot(iid);
  if (!a) return Errc::not_found;
  if (rid == 2) a->entry_count = 0;
  return {};
}

Status AccessControlObject::create_instance(dm::InstanceId iid) noexcept {
  if (iid == dm::kInvalidId) return Errc::invalid_argument;
  if (slot(iid)) return Errc::already_exists;
  for (AclInstance& a : storage_) {
    if (a.id != dm::kInvalidId) continue;
    a = AclInstance{};
    a.id = iid;
    return {};
  }
  return Errc::no_space;
}

Status AccessControlObject::delete_instance(dm::InstanceId iid) noexcept {
  AclInstance* a = slot(iid);
  if (!a) return Errc::not_found;
  *a = AclInstance{};
  return {};
}

}  // namespace lwm2m::objects
