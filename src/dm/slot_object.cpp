// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/slot_object.hpp"

#include <cstring>

namespace lwm2m::dm {
namespace {

// Slot order: (instance, resource, resource instance); a single resource's kInvalidId
// sorts after every real resource instance id, which never mixes with them anyway.
bool before(const ResourceSlot& a, InstanceId iid, ResourceId rid,
            ResourceInstanceId riid) noexcept {
  if (a.instance != iid) return a.instance < iid;
  if (a.resource != rid) return a.resource < rid;
  return a.resource_instance < riid;
}

bool is_bytes(DataType t) noexcept {
  return t == DataType::string || t == DataType::opaque || t == DataType::corelnk;
}

}  // namespace

SlotObject::SlotObject(const ObjectDef& def, std::span<ResourceSlot> slots) noexcept
    : Object(def), slots_(slots) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    const ResourceSlot& s = slots_[i];
    if (!def.find(s.resource)) valid_ = false;
    if (i > 0) {
      const ResourceSlot& p = slots_[i - 1];
      if (!before(p, s.instance, s.resource, s.resource_instance)) valid_ = false;
      if (p.instance != s.instance) ++instance_count_;
    } else {
      instance_count_ = 1;
    }
  }
}

InstanceId SlotObject::instance_at(size_t index) const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (i > 0 && slots_[i - 1].instance == slots_[i].instance) continue;
    if (n++ == index) return slots_[i].instance;
  }
  return kInvalidId;
}

std::span<ResourceSlot> SlotObject::range(InstanceId iid, ResourceId rid) const noexcept {
  size_t lo = 0, hi = slots_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (before(slots_[mid], iid, rid, 0)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  size_t end = lo;
  while (end < slots_.size() && slots_[end].instance == iid && slots_[end].resource == rid)
    ++end;
  return slots_.subspan(lo, end - lo);
}

ResourceSlot* SlotObject::find(InstanceId iid, ResourceId rid,
                               ResourceInstanceId riid) const noexcept {
  for (ResourceSlot& s : range(iid, rid))
    if (s.resource_instance == riid) return &s;
  return nullptr;
}

const ResourceSlot* SlotObject::slot(InstanceId iid, ResourceId rid,
                                     ResourceInstanceId riid) const noexcept {
  return find(iid, rid, riid);
}

bool SlotObject::has_resource(InstanceId iid, ResourceId rid) const noexcept {
  const ResourceDef* d = def().find(rid);
  // Executable resources hold no value and need no slot.
  if (d && d->executable()) return true;
  return !range(iid, rid).empty();
}

size_t SlotObject::resource_instance_count(InstanceId iid, ResourceId rid) const noexcept {
  const ResourceDef* d = def().find(rid);
  return d && d->multiple ? range(iid, rid).size() : 0;
}

ResourceInstanceId SlotObject::resource_instance_at(InstanceId iid, ResourceId rid,
                                                    size_t index) const noexcept {
  auto r = range(iid, rid);
  return index < r.size() ? r[index].resource_instance : kInvalidId;
}

Result<Value> SlotObject::read(InstanceId iid, ResourceId rid, ResourceInstanceId riid,
                               MutableByteView) noexcept {
  ResourceSlot* s = find(iid, rid, riid);
  if (!s) return Errc::not_found;
  return s->value;
}

Status SlotObject::store(ResourceSlot& s, const Value& v) noexcept {
  if (!is_bytes(v.type()) || s.buffer.empty()) {
    s.value = v;
    return {};
  }
  ByteView b = v.as_bytes();
  if (b.size() > s.buffer.size()) return Errc::buffer_too_small;
  if (!b.empty() && b.data() != s.buffer.data()) std::memmove(s.buffer.data(), b.data(), b.size());
  ByteView kept{s.buffer.data(), b.size()};
  switch (v.type()) {
    case DataType::string:
      s.value = Value::string(as_string(kept));
      break;
    case DataType::corelnk:
      s.value = Value::corelnk(as_string(kept));
      break;
    default:
      s.value = Value::opaque(kept);
      break;
  }
  return {};
}

Status SlotObject::write(InstanceId iid, ResourceId rid, ResourceInstanceId riid,
                         const Value& value) noexcept {
  ResourceSlot* s = find(iid, rid, riid);
  // A slot table is fixed: new resource instances cannot be created in it.
  if (!s) return riid == kInvalidId ? Errc::not_found : Errc::no_space;
  // Byte values written by a server must be copied; without a buffer there is nowhere.
  if (is_bytes(value.type()) && s->buffer.empty()) return Errc::method_not_allowed;
  Status st = store(*s, value);
  if (!st) return st == Errc::buffer_too_small ? Status{Errc::request_entity_too_large} : st;
  if (observer_) observer_->on_written(*s);
  return {};
}

Status SlotObject::execute(InstanceId iid, ResourceId rid, ByteView arguments) noexcept {
  if (!exec_) return Errc::method_not_allowed;
  return exec_->on_execute(iid, rid, arguments);
}

Status SlotObject::set(InstanceId iid, ResourceId rid, const Value& v,
                       ResourceInstanceId riid) noexcept {
  ResourceSlot* s = find(iid, rid, riid);
  if (!s) return Errc::not_found;
  LWM2M_TRY(store(*s, v));
  changed(iid, rid, riid);
  return {};
}

}  // namespace lwm2m::dm
