// SPDX-License-Identifier: Apache-2.0
#include "model.hpp"

#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m::fleet {
namespace {

bool present(dm::ResourceId rid, std::initializer_list<dm::ResourceId> ids) noexcept {
  for (dm::ResourceId id : ids)
    if (id == rid) return true;
  return false;
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

// ---- Model ----

Model::Model(const Shared& shared, std::string_view endpoint) noexcept
    : security(shared),
      server(shared),
      device(endpoint),
      temperature(*objects::ipso_sensor_def(3303), temperature_slot) {
  ok =
      registry.add(security).ok() && registry.add(server).ok() && registry.add(device).ok() &&
      registry.add(temperature).ok() &&
      temperature
          .add(
              0,
              {.units = "Cel", .has_range = true, .min_range = -40, .max_range = 85, .value = 20.0})
          .ok();
}

}  // namespace lwm2m::fleet
