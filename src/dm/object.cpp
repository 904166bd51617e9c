// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/object.hpp"

#include "lwm2m/dm/registry.hpp"

namespace lwm2m::dm {

const ResourceDef* ObjectDef::find(ResourceId rid) const noexcept {
  size_t lo = 0, hi = resources.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (resources[mid].id == rid) return &resources[mid];
    if (resources[mid].id < rid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

bool Object::has_instance(InstanceId iid) const noexcept {
  size_t lo = 0, hi = instance_count();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    InstanceId at = instance_at(mid);
    if (at == iid) return true;
    if (at < iid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

void Object::changed(InstanceId iid, ResourceId rid, ResourceInstanceId riid) const noexcept {
  if (!registry_) return;
  Path p = riid == kInvalidId ? Path(id(), iid, rid) : Path(id(), iid, rid, riid);
  registry_->value_changed(p);
}

void Object::instances_changed() const noexcept {
  if (registry_) registry_->instances_changed(id());
}

}  // namespace lwm2m::dm
