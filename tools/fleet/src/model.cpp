// SPDX-License-Identifier: Apache-2.0
#include "model.hpp"

#include <algorithm>
#include <cmath>

#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/ipso_sensor.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m::fleet {
namespace {

bool present(dm::ResourceId rid, std::initializer_list<dm::ResourceId> ids) noexcept {
  for (dm::ResourceId id : ids)
    if (id == rid) return true;
  return false;
}

namespace temp {  // 3303's resources, and the range the fleet's sensors report
constexpr dm::ResourceId kMinMeasured = 5601, kMaxMeasured = 5602, kMinRange = 5603,
                         kMaxRange = 5604, kResetMinMax = 5605, kValue = 5700, kUnits = 5701;
constexpr int16_t kLowest = -400, kHighest = 850;  // tenths of a degree
}  // namespace temp

int16_t tenths(double celsius) noexcept {
  const double t = std::round(celsius * 10);
  if (!(t >= temp::kLowest)) return temp::kLowest;  // NaN too
  return static_cast<int16_t>(std::min<double>(t, temp::kHighest));
}

}  // namespace

// ---- Security ----

SecurityObject::SecurityObject(const Shared& shared) noexcept
    : dm::Object(objects::security_object_def()), shared_(shared) {}

bool SecurityObject::has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept {
  return present(rid, {0, 1, 2, 3, 4, 5, 10});
}

Result<dm::Value> SecurityObject::read(dm::InstanceId, dm::ResourceId rid, dm::ResourceInstanceId,
                                       MutableByteView) noexcept {
  switch (rid) {
    case 0:
      return dm::Value::string(shared_.server_uri);
    case 1:
      return dm::Value::boolean(false);
    case 2:
      return dm::Value::integer(shared_.security_mode);
    case 3:
    case 4:
    case 5:
      return dm::Value::opaque({});
    case 10:
      return dm::Value::integer(shared_.short_server_id);
    default:
      return Errc::not_found;
  }
}

// ---- Server ----

ServerObject::ServerObject(const Shared& shared) noexcept
    : dm::Object(objects::server_object_def()), shared_(shared), lifetime_s_(shared.lifetime_s) {}

bool ServerObject::has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept {
  return present(rid, {0, 1, 4, 6, 7, 8});
}

Result<dm::Value> ServerObject::read(dm::InstanceId, dm::ResourceId rid, dm::ResourceInstanceId,
                                     MutableByteView) noexcept {
  switch (rid) {
    case 0:
      return dm::Value::integer(shared_.short_server_id);
    case 1:
      return dm::Value::integer(lifetime_s_);
    case 6:
      return dm::Value::boolean(false);
    case 7:
      return dm::Value::string("U");
    default:
      return Errc::not_found;
  }
}

Status ServerObject::write(dm::InstanceId, dm::ResourceId rid, dm::ResourceInstanceId,
                           const dm::Value& value) noexcept {
  if (rid != 1) return Errc::method_not_allowed;  // the rest is the fleet's, not a server's
  const int64_t v = value.as_integer();
  if (v <= 0 || v > 0xFFFFFFFF) return Errc::bad_request;
  lifetime_s_ = static_cast<uint32_t>(v);
  return {};
}

Status ServerObject::execute(dm::InstanceId, dm::ResourceId rid, ByteView) noexcept {
  // Disable and Registration Update Trigger: the client acts on them after the answer.
  return rid == 4 || rid == 8 ? Status{} : Status{Errc::method_not_allowed};
}

Status ServerObject::transaction_begin() noexcept {
  saved_lifetime_s_ = lifetime_s_;
  return {};
}

void ServerObject::transaction_rollback() noexcept {
  lifetime_s_ = saved_lifetime_s_;
}

// ---- Device ----

DeviceObject::DeviceObject(std::string_view serial) noexcept
    : dm::Object(objects::device_object_def()), serial_(serial) {}

bool DeviceObject::has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept {
  return present(rid, {0, 1, 2, 3, 4, 11, 16});
}

size_t DeviceObject::resource_instance_count(dm::InstanceId, dm::ResourceId rid) const noexcept {
  return rid == 11 ? 1 : 0;
}

Result<dm::Value> DeviceObject::read(dm::InstanceId, dm::ResourceId rid, dm::ResourceInstanceId,
                                     MutableByteView) noexcept {
  switch (rid) {
    case 0:
      return dm::Value::string("lwm2m-fleet");
    case 1:
      return dm::Value::string("simulated sensor");
    case 2:
      return dm::Value::string(serial_);
    case 3:
      return dm::Value::string("1.0");
    case 11:
      return dm::Value::integer(0);  // no error
    case 16:
      return dm::Value::string("U");
    default:
      return Errc::not_found;
  }
}

Status DeviceObject::execute(dm::InstanceId, dm::ResourceId rid, ByteView) noexcept {
  return rid == 4 ? Status{} : Status{Errc::method_not_allowed};
}

// ---- Temperature ----

TemperatureObject::TemperatureObject(double celsius) noexcept
    : dm::Object(*objects::ipso_sensor_def(3303)),
      value_(tenths(celsius)),
      min_measured_(value_),
      max_measured_(value_) {}

void TemperatureObject::set_value(double celsius) noexcept {
  const int16_t v = tenths(celsius);
  // The sensor resolves tenths: a reading in the same tenth is no change an observer is
  // told about (it would only send the same value again).
  if (v == value_) return;
  value_ = v;
  changed(0, temp::kValue);
  if (value_ < min_measured_) {
    min_measured_ = value_;
    changed(0, temp::kMinMeasured);
  }
  if (value_ > max_measured_) {
    max_measured_ = value_;
    changed(0, temp::kMaxMeasured);
  }
}

bool TemperatureObject::has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept {
  using namespace temp;
  return present(rid,
                 {kMinMeasured, kMaxMeasured, kMinRange, kMaxRange, kResetMinMax, kValue, kUnits});
}

Result<dm::Value> TemperatureObject::read(dm::InstanceId, dm::ResourceId rid,
                                          dm::ResourceInstanceId, MutableByteView) noexcept {
  switch (rid) {
    case temp::kValue:
      return dm::Value::floating(celsius(value_));
    case temp::kMinMeasured:
      return dm::Value::floating(celsius(min_measured_));
    case temp::kMaxMeasured:
      return dm::Value::floating(celsius(max_measured_));
    case temp::kMinRange:
      return dm::Value::floating(celsius(temp::kLowest));
    case temp::kMaxRange:
      return dm::Value::floating(celsius(temp::kHighest));
    case temp::kUnits:
      return dm::Value::string("Cel");
    default:
      return Errc::not_found;
  }
}

Status TemperatureObject::execute(dm::InstanceId, dm::ResourceId rid, ByteView) noexcept {
  if (rid != temp::kResetMinMax) return Errc::method_not_allowed;
  min_measured_ = max_measured_ = value_;
  changed(0, temp::kMinMeasured);
  changed(0, temp::kMaxMeasured);
  return {};
}

// ---- Model ----

Model::Model(const Shared& shared, std::string_view endpoint) noexcept
    : security(shared), server(shared), device(endpoint), temperature(20.0) {
  ok = registry.add(security).ok() && registry.add(server).ok() && registry.add(device).ok() &&
       registry.add(temperature).ok();
}

}  // namespace lwm2m::fleet
