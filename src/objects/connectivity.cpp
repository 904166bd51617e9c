// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/connectivity.hpp"

#include <cstring>

#include "lwm2m/objects/ddf/object_4_v1_3.hpp"

namespace lwm2m::objects {
namespace {

namespace rid = ddf::connectivity_monitoring_v1_3::rid;

bool is_integer(dm::ResourceId r) noexcept {
  return r <= 13 && r != rid::kAvailableNetworkBearer && r != rid::kIPAddresses &&
         r != rid::kRouterIPAddresses && r != rid::kAPN;
}

bool mandatory(dm::ResourceId r) noexcept {
  return r == rid::kNetworkBearer || r == rid::kRadioSignalStrength;
}

}  // namespace

const dm::ObjectDef& connectivity_monitoring_object_def() noexcept {
  return ddf::connectivity_monitoring_v1_3::kObject;
}

ConnectivityMonitoringObject::ConnectivityMonitoringObject() noexcept
    : Object(ddf::connectivity_monitoring_v1_3::kObject) {}

ConnectivityMonitoringObject::Strings* ConnectivityMonitoringObject::strings(
    dm::ResourceId r) noexcept {
  return const_cast<Strings*>(static_cast<const ConnectivityMonitoringObject*>(this)->strings(r));
}

const ConnectivityMonitoringObject::Strings* ConnectivityMonitoringObject::strings(
    dm::ResourceId r) const noexcept {
  switch (r) {
    case rid::kIPAddresses:
      return &ips_;
    case rid::kRouterIPAddresses:
      return &routers_;
    case rid::kAPN:
      return &apns_;
    default:
      return nullptr;
  }
}

Status ConnectivityMonitoringObject::set_integer(dm::ResourceId r, int64_t value) noexcept {
  if (!is_integer(r)) return Errc::not_found;
  integers_[r] = value;
  present_ = static_cast<uint16_t>(present_ | (1u << r));
  changed(0, r);
  return {};
}

Status ConnectivityMonitoringObject::clear(dm::ResourceId r) noexcept {
  if (!is_integer(r)) return Errc::not_found;
  present_ = static_cast<uint16_t>(present_ & ~(1u << r));
  integers_[r] = 0;
  changed(0, r);
  return {};
}

Status ConnectivityMonitoringObject::set_available_bearers(std::span<const int> bearers) noexcept {
  if (bearers.size() > kMaxBearers) return Errc::no_space;
  for (size_t k = 0; k < bearers.size(); ++k)
    bearers_[k] = bearers[k];
  bearer_count_ = static_cast<uint8_t>(bearers.size());
  changed(0, rid::kAvailableNetworkBearer);
  return {};
}

Status ConnectivityMonitoringObject::set_strings(
    dm::ResourceId r, std::span<const std::string_view> values) noexcept {
  Strings* s = strings(r);
  if (!s) return Errc::not_found;
  if (values.size() > kMaxAddresses) return Errc::no_space;
  for (std::string_view v : values)
    if (v.size() > kMaxAddressLength) return Errc::invalid_argument;
  for (size_t k = 0; k < values.size(); ++k) {
    if (!values[k].empty()) std::memcpy(s->text[k], values[k].data(), values[k].size());
    s->len[k] = static_cast<uint8_t>(values[k].size());
  }
  s->count = static_cast<uint8_t>(values.size());
  changed(0, r);
  return {};
}

bool ConnectivityMonitoringObject::has_resource(dm::InstanceId iid,
                                                dm::ResourceId r) const noexcept {
  if (iid != 0) return false;
  if (r == rid::kAvailableNetworkBearer || r == rid::kIPAddresses) return true;  // mandatory
  if (const Strings* s = strings(r)) return s->count > 0;
  return is_integer(r) && (mandatory(r) || (present_ & (1u << r)));
}

size_t ConnectivityMonitoringObject::resource_instance_count(dm::InstanceId,
                                                             dm::ResourceId r) const noexcept {
  if (r == rid::kAvailableNetworkBearer) return bearer_count_;
  const Strings* s = strings(r);
  return s ? s->count : 0;
}

dm::ResourceInstanceId ConnectivityMonitoringObject::resource_instance_at(
    dm::InstanceId, dm::ResourceId, size_t index) const noexcept {
  return static_cast<dm::ResourceInstanceId>(index);
}

Result<dm::Value> ConnectivityMonitoringObject::read(dm::InstanceId iid, dm::ResourceId r,
                                                     dm::ResourceInstanceId riid,
                                                     MutableByteView) noexcept {
  if (!has_resource(iid, r)) return Errc::not_found;
  if (r == rid::kAvailableNetworkBearer) {
    if (riid >= bearer_count_) return Errc::not_found;
    return dm::Value::integer(bearers_[riid]);
  }
  if (const Strings* s = strings(r)) {
    if (riid >= s->count) return Errc::not_found;
    return dm::Value::string({s->text[riid], s->len[riid]});
  }
  return dm::Value::integer(integers_[r]);
}

}  // namespace lwm2m::objects
