// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/light_control.hpp"

#include <cstring>

#include "lwm2m/objects/ddf/object_3311_v1_0.hpp"
#include "sorted_instances.hpp"

namespace lwm2m::objects {
namespace {
namespace rid = ddf::light_control_v1_0::rid;
}  // namespace

bool ShortText::assign(std::string_view s) noexcept {
  if (s.size() > sizeof text) return false;
  if (!s.empty()) std::memcpy(text, s.data(), s.size());
  len = static_cast<uint8_t>(s.size());
  return true;
}

const dm::ObjectDef& light_control_object_def() noexcept {
  return ddf::light_control_v1_0::kObject;
}

LightControlObject::LightControlObject(std::span<LightControlInstance> storage) noexcept
    : Object(ddf::light_control_v1_0::kObject), storage_(storage) {
  for (LightControlInstance& i : storage_)
    i = LightControlInstance{};
}

LightControlInstance* LightControlObject::find(dm::InstanceId iid) const noexcept {
  return find_instance(storage_.first(count_), iid);
}

const LightControlInstance* LightControlObject::instance(dm::InstanceId iid) const noexcept {
  return find(iid);
}

dm::InstanceId LightControlObject::instance_at(size_t index) const noexcept {
  return index < count_ ? storage_[index].id : dm::kInvalidId;
}

Status LightControlObject::add(dm::InstanceId iid, std::string_view units, std::string_view colour,
                               std::string_view application_type) noexcept {
  LightControlInstance n;
  n.id = iid;
  n.units = units;
  if (!n.live.colour.assign(colour) || !n.live.application_type.assign(application_type))
    return Errc::invalid_argument;
  n.saved = n.live;
  Status st = insert_instance(storage_, count_, n);
  if (st) instances_changed();
  return st;
}

Status LightControlObject::set(dm::InstanceId iid, bool on, int dimmer) noexcept {
  LightControlInstance* i = find(iid);
  if (!i) return Errc::not_found;
  if (dimmer > 100) return Errc::invalid_argument;
  if (on != i->live.on) {
    i->live.on = on;
    i->live.on_since = now();
    changed(iid, rid::kOnOff);
  }
  if (dimmer >= 0 && dimmer != i->live.dimmer) {
    i->live.dimmer = static_cast<int8_t>(dimmer);
    changed(iid, rid::kDimmer);
  }
  i->saved = i->live;
  return {};
}

Status LightControlObject::set_power(dm::InstanceId iid, double wh, double factor) noexcept {
  LightControlInstance* i = find(iid);
  if (!i) return Errc::not_found;
  i->power_wh = wh;
  i->power_factor = factor;
  changed(iid, rid::kCumulativeActivePower);
  changed(iid, rid::kPowerFactor);
  return {};
}

bool LightControlObject::has_resource(dm::InstanceId iid, dm::ResourceId r) const noexcept {
  const LightControlInstance* i = find(iid);
  if (!i) return false;
  switch (r) {
    case rid::kCumulativeActivePower:
      return i->power_wh >= 0;
    case rid::kPowerFactor:
      return i->power_factor >= 0;
    case rid::kSensorUnits:
      return !i->units.empty();
    default:
      return true;
  }
}

Result<dm::Value> LightControlObject::read(dm::InstanceId iid, dm::ResourceId r,
                                           dm::ResourceInstanceId, MutableByteView) noexcept {
  if (!has_resource(iid, r)) return Errc::not_found;
  const LightControlInstance& i = *find(iid);
  switch (r) {
    case rid::kOnOff:
      return dm::Value::boolean(i.live.on);
    case rid::kDimmer:
      return dm::Value::integer(i.live.dimmer);
    case rid::kOnTime:
      return dm::Value::integer(i.live.on ? now() - i.live.on_since : 0);
    case rid::kCumulativeActivePower:
      return dm::Value::floating(i.power_wh);
    case rid::kPowerFactor:
      return dm::Value::floating(i.power_factor);
    case rid::kColour:
      return dm::Value::string(i.live.colour.view());
    case rid::kSensorUnits:
      return dm::Value::string(i.units);
    case rid::kApplicationType:
      return dm::Value::string(i.live.application_type.view());
    default:
      return Errc::method_not_allowed;
  }
}

Status LightControlObject::write(dm::InstanceId iid, dm::ResourceId r, dm::ResourceInstanceId,
                                 const dm::Value& v) noexcept {
  LightControlInstance* i = find(iid);
  if (!i) return Errc::not_found;
  switch (r) {
    case rid::kOnOff:
      if (v.as_bool() != i->live.on) i->live.on_since = now();
      i->live.on = v.as_bool();
      return {};
    case rid::kDimmer:
      if (v.as_integer() < 0 || v.as_integer() > 100) return Errc::bad_request;
      i->live.dimmer = static_cast<int8_t>(v.as_integer());
      return {};
    case rid::kOnTime:
      // "Writing a value of 0 resets the counter": only 0 means something.
      if (v.as_integer() != 0) return Errc::bad_request;
      i->live.on_since = now();
      return {};
    case rid::kColour:
      return i->live.colour.assign(v.as_string()) ? Status{} : Status{Errc::bad_request};
    case rid::kApplicationType:
      return i->live.application_type.assign(v.as_string()) ? Status{} : Status{Errc::bad_request};
    default:
      return Errc::method_not_allowed;
  }
}

void LightControlObject::transaction_commit() noexcept {
  for (LightControlInstance& i : storage_.first(count_)) {
    if (i.live == i.saved) continue;
    i.saved = i.live;
    if (listener_) listener_->on_light_changed(i);
  }
}

void LightControlObject::transaction_rollback() noexcept {
  for (LightControlInstance& i : storage_.first(count_))
    i.live = i.saved;
}

}  // namespace lwm2m::objects
