// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/ipso_sensor.hpp"

#include <cstring>

#include "lwm2m/objects/ddf/object_3301_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3303_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3304_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3315_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3316_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3317_v1_1.hpp"
#include "sorted_instances.hpp"

namespace lwm2m::objects {
namespace {

// The resource ids are the same in every IPSO sensor definition.
namespace rid = ddf::temperature_v1_1::rid;
constexpr dm::ResourceId kCalibration = ddf::voltage_v1_1::rid::kCurrentCalibration;

Status copy_type(std::string_view s, IpsoSensorInstance::Writable& w) noexcept {
  if (s.size() > sizeof w.application_type) return Errc::bad_request;
  if (!s.empty()) std::memcpy(w.application_type, s.data(), s.size());
  w.application_type_len = static_cast<uint8_t>(s.size());
  return {};
}

bool same(const IpsoSensorInstance::Writable& a, const IpsoSensorInstance::Writable& b) noexcept {
  return a.application_type_len == b.application_type_len && a.calibration == b.calibration &&
         std::memcmp(a.application_type, b.application_type, a.application_type_len) == 0;
}

}  // namespace

const dm::ObjectDef* ipso_sensor_def(dm::ObjectId id) noexcept {
  switch (id) {
    case 3301:
      return &ddf::illuminance_v1_1::kObject;
    case 3303:
      return &ddf::temperature_v1_1::kObject;
    case 3304:
      return &ddf::humidity_v1_1::kObject;
    case 3315:
      return &ddf::barometer_v1_1::kObject;
    case 3316:
      return &ddf::voltage_v1_1::kObject;
    case 3317:
      return &ddf::current_v1_1::kObject;
    default:
      return nullptr;
  }
}

IpsoSensorObject::IpsoSensorObject(const dm::ObjectDef& def,
                                   std::span<IpsoSensorInstance> storage) noexcept
    : Object(def), storage_(storage) {
  for (IpsoSensorInstance& i : storage_)
    i = IpsoSensorInstance{};
}

IpsoSensorInstance* IpsoSensorObject::find(dm::InstanceId iid) const noexcept {
  return find_instance(storage_.first(count_), iid);
}

const IpsoSensorInstance* IpsoSensorObject::instance(dm::InstanceId iid) const noexcept {
  return find(iid);
}

dm::InstanceId IpsoSensorObject::instance_at(size_t index) const noexcept {
  return index < count_ ? storage_[index].id : dm::kInvalidId;
}

Status IpsoSensorObject::add(dm::InstanceId iid, const IpsoSensorConfig& config) noexcept {
  IpsoSensorInstance n;
  n.id = iid;
  n.value = n.min_measured = n.max_measured = config.value;
  n.has_range = config.has_range;
  n.min_range = config.min_range;
  n.max_range = config.max_range;
  n.units = config.units;
  if (!copy_type(config.application_type, n.live)) return Errc::invalid_argument;
  n.saved = n.live;
  Status st = insert_instance(storage_, count_, n);
  if (st) instances_changed();
  return st;
}

Status IpsoSensorObject::set_value(dm::InstanceId iid, double value,
                                   int64_t unix_seconds) noexcept {
  IpsoSensorInstance* i = find(iid);
  if (!i) return Errc::not_found;
  i->value = value;
  changed(iid, rid::kSensorValue);
  if (value < i->min_measured) {
    i->min_measured = value;
    changed(iid, rid::kMinMeasuredValue);
  }
  if (value > i->max_measured) {
    i->max_measured = value;
    changed(iid, rid::kMaxMeasuredValue);
  }
  if (unix_seconds >= 0) {
    i->timestamp = unix_seconds;
    changed(iid, rid::kTimestamp);
  }
  return {};
}

bool IpsoSensorObject::has_resource(dm::InstanceId iid, dm::ResourceId r) const noexcept {
  const IpsoSensorInstance* i = find(iid);
  if (!i) return false;
  switch (r) {
    case rid::kSensorValue:
    case rid::kMinMeasuredValue:
    case rid::kMaxMeasuredValue:
    case rid::kResetMinAndMaxMeasuredValues:
    case rid::kApplicationType:
    case kCalibration:
      return true;
    case rid::kMinRangeValue:
    case rid::kMaxRangeValue:
      return i->has_range;
    case rid::kSensorUnits:
      return !i->units.empty();
    case rid::kTimestamp:
      return i->timestamp >= 0;
    default:
      return false;  // fractional timestamp, measurement quality: not offered
  }
}

Result<dm::Value> IpsoSensorObject::read(dm::InstanceId iid, dm::ResourceId r,
                                         dm::ResourceInstanceId, MutableByteView) noexcept {
  if (!has_resource(iid, r)) return Errc::not_found;
  const IpsoSensorInstance& i = *find(iid);
  switch (r) {
    case rid::kSensorValue:
      return dm::Value::floating(i.value);
    case rid::kMinMeasuredValue:
      return dm::Value::floating(i.min_measured);
    case rid::kMaxMeasuredValue:
      return dm::Value::floating(i.max_measured);
    case rid::kMinRangeValue:
      return dm::Value::floating(i.min_range);
    case rid::kMaxRangeValue:
      return dm::Value::floating(i.max_range);
    case rid::kSensorUnits:
      return dm::Value::string(i.units);
    case rid::kApplicationType:
      return dm::Value::string({i.live.application_type, i.live.application_type_len});
    case rid::kTimestamp:
      return dm::Value::time(i.timestamp);
    case kCalibration:
      return dm::Value::floating(i.live.calibration);
    default:
      return Errc::method_not_allowed;
  }
}

Status IpsoSensorObject::write(dm::InstanceId iid, dm::ResourceId r, dm::ResourceInstanceId,
                               const dm::Value& value) noexcept {
  IpsoSensorInstance* i = find(iid);
  if (!i) return Errc::not_found;
  if (r == rid::kApplicationType) return copy_type(value.as_string(), i->live);
  if (r == kCalibration) {
    i->live.calibration = value.as_float();
    return {};
  }
  return Errc::method_not_allowed;
}

Status IpsoSensorObject::reset_instance(dm::InstanceId iid) noexcept {
  IpsoSensorInstance* i = find(iid);
  if (!i) return Errc::not_found;
  i->live = {};
  return {};
}

Status IpsoSensorObject::execute(dm::InstanceId iid, dm::ResourceId r, ByteView) noexcept {
  IpsoSensorInstance* i = find(iid);
  if (!i) return Errc::not_found;
  if (r != rid::kResetMinAndMaxMeasuredValues) return Errc::method_not_allowed;
  i->min_measured = i->max_measured = i->value;
  changed(iid, rid::kMinMeasuredValue);
  changed(iid, rid::kMaxMeasuredValue);
  return {};
}

void IpsoSensorObject::transaction_commit() noexcept {
  for (IpsoSensorInstance& i : storage_.first(count_)) {
    if (same(i.live, i.saved)) continue;
    i.saved = i.live;
    changed(i.id, rid::kApplicationType);
    changed(i.id, kCalibration);
  }
}

void IpsoSensorObject::transaction_rollback() noexcept {
  for (IpsoSensorInstance& i : storage_.first(count_))
    i.live = i.saved;
}

}  // namespace lwm2m::objects
