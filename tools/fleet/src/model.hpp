// SPDX-License-Identifier: Apache-2.0
// What each simulated device exposes, kept small because a fleet holds thousands: the
// Security, Server, Device and Temperature objects read what all devices have in common
// from one Shared record or constants and keep per device only what changes: the lifetime
// a server may write, the temperature and its measured extremes.
#pragma once

#include <cstdint>
#include <string_view>

#include "lwm2m/dm/object.hpp"
#include "lwm2m/dm/registry.hpp"

namespace lwm2m::fleet {

/// What every device of the fleet has in common.
struct Shared {
  std::string_view server_uri;  ///< Security /0/0/0
  uint16_t short_server_id = 1;
  uint32_t lifetime_s = 300;  ///< the lifetime a device starts with
  /// Security Mode (/0/0/2): 3 NoSec, 0 PSK. With PSK the identity and key are not in the
  /// object: the fleet stores them per device where its DTLS channel finds them.
  int64_t security_mode = 3;
};

/// Security (0), one instance for the management server (NoSec, or PSK with --psk-key).
class SecurityObject final : public dm::Object {
 public:
  explicit SecurityObject(const Shared& shared) noexcept;
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;

 private:
  const Shared& shared_;
};

/// Server (1), one instance; a server may write the lifetime (the binding stays "U").
class ServerObject final : public dm::Object {
 public:
  explicit ServerObject(const Shared& shared) noexcept;
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;
  Status transaction_begin() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  const Shared& shared_;
  uint32_t lifetime_s_;
  uint32_t saved_lifetime_s_ = 0;  ///< for a rollback
};

/// Device (3): manufacturer, model and firmware version common to the fleet, the endpoint
/// name as serial number, Reboot (answered, nothing else happens), Error Code 0, binding U.
class DeviceObject final : public dm::Object {
 public:
  explicit DeviceObject(std::string_view serial) noexcept;
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId, dm::ResourceId,
                                              size_t) const noexcept override {
    return 0;
  }
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;

 private:
  std::string_view serial_;
};

/// Temperature (3303), one instance: Sensor Value (5700) with Min/Max Measured Value
/// (5601/5602) and their reset (5605), Sensor Units "Cel" (5701) and Min/Max Range Value
/// (5603/5604, -40 and 85). The same resources as the library's IPSO sensor object
/// (objects::IpsoSensorObject) without Application Type and timestamps, in 32 bytes instead
/// of 208: the fleet's values are in tenths of a degree, kept as such.
class TemperatureObject final : public dm::Object {
 public:
  /// Starts at `celsius` (rounded to a tenth), which is also the measured minimum and maximum.
  explicit TemperatureObject(double celsius) noexcept;
  /// A new Sensor Value, rounded to a tenth of a degree (and clamped to the sensor's range);
  /// observers of what changed are notified.
  void set_value(double celsius) noexcept;
  double value() const noexcept { return celsius(value_); }

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;

 private:
  static double celsius(int16_t tenths) noexcept { return tenths / 10.0; }
  int16_t value_;  ///< tenths of a degree, as the next three
  int16_t min_measured_;
  int16_t max_measured_;
};

/// One device's objects and registry.
struct Model {
  Model(const Shared& shared, std::string_view endpoint) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  SecurityObject security;
  ServerObject server;
  DeviceObject device;
  TemperatureObject temperature;
  dm::Object* slots[4] = {};
  dm::Registry registry{slots};
  bool ok = false;  ///< every object added
};

}  // namespace lwm2m::fleet
