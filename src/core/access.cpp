// SPDX-License-Identifier: Apache-2.0
#include "core/access.hpp"

#include "core/transaction.hpp"
#include "core/well_known.hpp"

namespace lwm2m::core {
namespace {

constexpr dm::ResourceId kObjectId = 0;
constexpr dm::ResourceId kObjectInstanceId = 1;
constexpr dm::ResourceId kAcl = 2;
constexpr dm::ResourceId kOwner = wk::acl::kOwner;

int64_t read_int(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid,
                 dm::ResourceInstanceId riid = dm::kInvalidId) noexcept {
  auto v = o.read(iid, rid, riid, {});
  if (!v) return -1;
  return v->type() == dm::DataType::unsigned_integer ? static_cast<int64_t>(v->as_unsigned())
                                                     : v->as_integer();
}

}  // namespace

dm::Object* AccessControl::object() const noexcept {
  return registry_.find(wk::kAccessControl);
}

bool AccessControl::present() const noexcept {
  return object() != nullptr;
}

dm::InstanceId AccessControl::find(dm::ObjectId oid, dm::InstanceId oiid) const noexcept {
  dm::Object* o = object();
  for (size_t i = 0; o && i < o->instance_count(); ++i) {
    const dm::InstanceId iid = o->instance_at(i);
    if (read_int(*o, iid, kObjectId) == oid && read_int(*o, iid, kObjectInstanceId) == oiid)
      return iid;
  }
  return dm::kInvalidId;
}

uint16_t AccessControl::owner(dm::InstanceId acl_iid) const noexcept {
  dm::Object* o = object();
  if (!o || !o->has_instance(acl_iid)) return 0;
  const int64_t v = read_int(*o, acl_iid, kOwner);
  return v > 0 && v < 65535 ? static_cast<uint16_t>(v) : 0;
}

uint8_t AccessControl::rights(uint16_t ssid, dm::ObjectId oid, dm::InstanceId oiid,
                              bool& governed) const noexcept {
  const dm::InstanceId iid = find(oid, oiid);
  governed = iid != dm::kInvalidId;
  if (!governed) return 0;
  dm::Object& o = *object();
  int64_t default_rights = -1;
  const size_t n = o.resource_instance_count(iid, kAcl);
  for (size_t k = 0; k < n; ++k) {
    const dm::ResourceInstanceId entry = o.resource_instance_at(iid, kAcl, k);
    const int64_t r = read_int(o, iid, kAcl, entry);
    if (r < 0) continue;
    if (entry == ssid) return static_cast<uint8_t>(r & kAllRights);
    if (entry == 0) default_rights = r & kAllRights;
  }
  if (default_rights >= 0) return static_cast<uint8_t>(default_rights);
  // An owner without an entry of its own has every right but Create on an instance.
  if (owner(iid) == ssid) return oiid == dm::kInvalidId ? kCreate : (kAllRights & ~kCreate);
  return 0;
}

Status AccessControl::add_owned(dm::ObjectId oid, dm::InstanceId oiid, uint16_t ssid) noexcept {
  dm::Object* o = object();
  if (!o) return Errc::not_found;
  dm::InstanceId iid = 0;
  while (o->has_instance(iid))
    ++iid;
  Transaction tx(registry_);
  Status st = tx.create(dm::Path(wk::kAccessControl, iid));
  if (st) st = tx.write(dm::Path(wk::kAccessControl, iid, kObjectId), dm::Value::integer(oid));
  if (st)
    st = tx.write(dm::Path(wk::kAccessControl, iid, kObjectInstanceId), dm::Value::integer(oiid));
  if (st) st = tx.write(dm::Path(wk::kAccessControl, iid, kOwner), dm::Value::integer(ssid));
  return tx.finish(st);
}

void AccessControl::remove_for(dm::ObjectId oid, dm::InstanceId oiid) noexcept {
  const dm::InstanceId iid = find(oid, oiid);
  if (iid == dm::kInvalidId) return;
  Transaction tx(registry_);
  (void)tx.finish(tx.remove(dm::Path(wk::kAccessControl, iid)));
}

}  // namespace lwm2m::core
