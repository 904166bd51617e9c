// SPDX-License-Identifier: Apache-2.0
#include <cstring>

#include "lwm2m/objects/connectivity.hpp"
#include "lwm2m/objects/ddf/object_6_v1_0.hpp"

namespace lwm2m::objects {

namespace {
namespace loc = ddf::location_v1_0::rid;
constexpr double kAbsent = __builtin_nan("");
bool absent(double v) noexcept {
  return v != v;
}
}  // namespace

const dm::ObjectDef& location_object_def() noexcept {
  return ddf::location_v1_0::kObject;
}

LocationObject::LocationObject() noexcept : Object(ddf::location_v1_0::kObject) {
  values_[loc::kAltitude] = values_[loc::kRadius] = values_[loc::kSpeed] = kAbsent;
}

void LocationObject::set_position(double latitude, double longitude,
                                  int64_t unix_seconds) noexcept {
  values_[loc::kLatitude] = latitude;
  values_[loc::kLongitude] = longitude;
  timestamp_ = unix_seconds;
  changed(0, loc::kLatitude);
  changed(0, loc::kLongitude);
  changed(0, loc::kTimestamp);
}

void LocationObject::set_altitude(double metres) noexcept {
  values_[loc::kAltitude] = metres;
  changed(0, loc::kAltitude);
}

void LocationObject::set_radius(double metres) noexcept {
  values_[loc::kRadius] = metres;
  changed(0, loc::kRadius);
}

void LocationObject::set_speed(double metres_per_second) noexcept {
  values_[loc::kSpeed] = metres_per_second;
  changed(0, loc::kSpeed);
}

Status LocationObject::set_velocity(ByteView encoded) noexcept {
  if (encoded.size() > kMaxVelocity) return Errc::invalid_argument;
  if (!encoded.empty()) std::memcpy(velocity_, encoded.data(), encoded.size());
  velocity_len_ = static_cast<uint8_t>(encoded.size());
  changed(0, loc::kVelocity);
  return {};
}

bool LocationObject::has_resource(dm::InstanceId iid, dm::ResourceId r) const noexcept {
  if (iid != 0) return false;
  switch (r) {
    case loc::kAltitude:
    case loc::kRadius:
    case loc::kSpeed:
      return !absent(values_[r]);
    case loc::kVelocity:
      return velocity_len_ > 0;
    default:
      return true;
  }
}

Result<dm::Value> LocationObject::read(dm::InstanceId iid, dm::ResourceId r, dm::ResourceInstanceId,
                                       MutableByteView) noexcept {
  if (!has_resource(iid, r)) return Errc::not_found;
  switch (r) {
    case loc::kVelocity:
      return dm::Value::opaque({velocity_, velocity_len_});
    case loc::kTimestamp:
      return dm::Value::time(timestamp_);
    default:
      return dm::Value::floating(values_[r]);
  }
}

}  // namespace lwm2m::objects
