// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/slot_table.hpp"

#include <cstring>

#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m::objects {

Status detail::assign_bytes(uint8_t* data, uint16_t& size, size_t capacity, ByteView v) noexcept {
  if (v.size() > capacity) return Errc::request_entity_too_large;
  for (size_t i = 0; i < v.size(); ++i)
    data[i] = v[i];
  for (size_t i = v.size(); i < size; ++i)
    data[i] = 0;  // the rest of a longer value it replaces (keys do not linger)
  size = static_cast<uint16_t>(v.size());
  return {};
}

namespace detail {
namespace {

dm::InstanceId id_of(const uint8_t* s) noexcept {
  return *reinterpret_cast<const dm::SlotId*>(s);
}

/// Integer or unsigned value as uint32 (the decoders type values as the descriptor says).
bool to_u32(const dm::Value& v, uint32_t& out) noexcept {
  if (v.type() == dm::DataType::unsigned_integer) {
    if (v.as_unsigned() > 0xFFFFFFFFull) return false;
  } else if (v.as_integer() < 0 || v.as_integer() > 0xFFFFFFFFll) {
    return false;
  }
  out = static_cast<uint32_t>(v.as_unsigned());
  return true;
}

}  // namespace

void SlotTableObject::clear_slots() noexcept {
  std::memset(slots_, 0, count_ * table().stride);
}

const SlotObjectDef& SlotTableObject::table() const noexcept {
  return static_cast<const SlotObjectDef&>(def());
}

uint8_t* SlotTableObject::find(dm::InstanceId iid) const noexcept {
  const size_t stride = table().stride;
  for (uint8_t *s = slots_, *end = slots_ + count_ * stride; s != end; s += stride)
    if (id_of(s) == iid) return s;
  return nullptr;
}

void* SlotTableObject::slot(dm::InstanceId iid) const noexcept {
  return iid == dm::kInvalidId ? nullptr : find(iid);
}

Status SlotTableObject::save(uint8_t* s) noexcept {
  return table().save ? table().save(*this, s) : Status{};
}

Result<uint8_t*> SlotTableObject::slot_to_change(dm::InstanceId iid) noexcept {
  auto* s = static_cast<uint8_t*>(slot(iid));
  if (!s) return Errc::not_found;
  LWM2M_TRY(save(s));
  return s;
}

void SlotTableObject::fresh(uint8_t* s, dm::InstanceId iid) const noexcept {
  std::memset(s, 0, table().stride);
  *reinterpret_cast<dm::SlotId*>(s) = iid;
  if (table().init) table().init(s);
}

size_t SlotTableObject::instance_count() const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i)
    n += id_of(slots_ + i * table().stride) != dm::kInvalidId;
  return n;
}

dm::InstanceId SlotTableObject::instance_at(size_t index) const noexcept {
  // Slots are unordered; the index-th smallest id is found by counting smaller ids.
  const size_t stride = table().stride;
  for (size_t i = 0; i < count_; ++i) {
    const dm::InstanceId id = id_of(slots_ + i * stride);
    if (id == dm::kInvalidId) continue;
    size_t smaller = 0;
    for (size_t k = 0; k < count_; ++k)
      smaller += id_of(slots_ + k * stride) < id;  // an unused slot reads 0xFFFF: never smaller
    if (smaller == index) return id;
  }
  return dm::kInvalidId;
}

const Field* SlotTableObject::present(const uint8_t* s, dm::ResourceId rid) const noexcept {
  if (!s || rid >= table().field_count) return nullptr;
  const Field& f = table().fields[rid];
  if (f.kind == Field::ignored) return nullptr;
  if (f.kind < Field::text && f.aux != 0 && s[f.aux] == 0) return nullptr;
  return &f;
}

bool SlotTableObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  return present(static_cast<const uint8_t*>(slot(iid)), rid) != nullptr;
}

Result<dm::Value> SlotTableObject::read(dm::InstanceId iid, dm::ResourceId rid,
                                        dm::ResourceInstanceId, MutableByteView) noexcept {
  const auto* s = static_cast<const uint8_t*>(slot(iid));
  const Field* f = present(s, rid);
  if (!f) return Errc::not_found;
  const uint8_t* p = s + f->offset;
  uint32_t u = 0;
  switch (f->kind) {
    case Field::flag:
      return dm::Value::boolean(*p != 0);
    case Field::mode:
      return dm::Value::integer(*p);
    case Field::ssid:
      return dm::Value::integer(*reinterpret_cast<const uint16_t*>(p));
    case Field::int32:
    case Field::uint32:
      std::memcpy(&u, p, sizeof u);
      return f->kind == Field::int32 ? dm::Value::integer(u) : dm::Value::unsigned_integer(u);
    case Field::bytes:
      return dm::Value::opaque({p, *reinterpret_cast<const uint16_t*>(p + size_offset(f->aux))});
    case Field::text:
    case Field::binding:
      return dm::Value::string({reinterpret_cast<const char*>(p),
                                *reinterpret_cast<const uint16_t*>(p + size_offset(f->aux))});
    default:
      return Errc::method_not_allowed;
  }
}

Status SlotTableObject::write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                              const dm::Value& v) noexcept {
  if (rid >= table().field_count) return Errc::method_not_allowed;
  const Field& f = table().fields[rid];
  if (f.kind == Field::ignored) return slot(iid) ? Status{} : Status{Errc::not_found};
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  uint8_t* s = *changing;
  uint8_t* p = s + f.offset;
  uint32_t u = 0;
  switch (f.kind) {
    case Field::flag:
      *p = v.as_bool();
      break;
    case Field::mode:
    case Field::ssid:
    case Field::int32:
    case Field::uint32:
      if (!to_u32(v, u)) return Errc::bad_request;
      if (f.kind == Field::mode) {
        if (u > 4) return Errc::bad_request;
        *p = static_cast<uint8_t>(u);
      } else if (f.kind == Field::ssid) {
        if (u < 1 || u > 65534) return Errc::bad_request;
        *reinterpret_cast<uint16_t*>(p) = static_cast<uint16_t>(u);
      } else {
        std::memcpy(p, &u, sizeof u);
      }
      break;
    case Field::binding:
      if (!binding_valid(v.as_string()) || v.as_bytes().size() > f.aux) return Errc::bad_request;
      [[fallthrough]];
    case Field::text:
    case Field::bytes:
      LWM2M_TRY(assign_bytes(p, *reinterpret_cast<uint16_t*>(p + size_offset(f.aux)), f.aux,
                             v.as_bytes()));
      break;
    default:
      return Errc::method_not_allowed;
  }
  if (f.sets_flag) s[f.aux] = 1;
  return {};
}

Status SlotTableObject::reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  if (rid < table().field_count && table().fields[rid].sets_flag)
    (*changing)[table().fields[rid].aux] = 0;
  return {};
}

Status SlotTableObject::execute(dm::InstanceId iid, dm::ResourceId rid, ByteView) noexcept {
  const Field* f = present(static_cast<const uint8_t*>(slot(iid)), rid);
  if (!f) return Errc::not_found;
  // The client core acts on an executable resource once the Execute has been answered.
  return f->kind == Field::executable ? Status{} : Status{Errc::method_not_allowed};
}

Status SlotTableObject::create_instance(dm::InstanceId iid) noexcept {
  if (iid == dm::kInvalidId) return Errc::invalid_argument;
  if (find(iid)) return Errc::already_exists;
  uint8_t* s = find(dm::kInvalidId);  // a free slot
  if (!s) return Errc::no_space;
  LWM2M_TRY(save(s));
  fresh(s, iid);
  return {};
}

Status SlotTableObject::delete_instance(dm::InstanceId iid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  std::memset(*changing, 0, table().stride);  // no key lingers in a free slot
  return {};
}

Status SlotTableObject::reset_instance(dm::InstanceId iid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  uint8_t* kept = *changing + table().kept;
  uint8_t old[2] = {kept[0], kept[1]};
  fresh(*changing, iid);
  kept[0] = old[0];
  kept[1] = old[1];
  return {};
}

Result<void*> SlotTableObject::add_slot(dm::InstanceId& id) noexcept {
  if (id == dm::kInvalidId) {
    id = 0;
    while (find(id))
      ++id;
  }
  LWM2M_TRY(SlotTableObject::create_instance(id));
  return static_cast<void*>(find(id));
}

}  // namespace detail
}  // namespace lwm2m::objects
