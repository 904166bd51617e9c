// SPDX-License-Identifier: Apache-2.0
// Connectivity Monitoring (4, object version 1.3) and Location (6), single instance /4/0 and
// /6/0, descriptors generated from the OMA definitions. Both are read-only for servers: the
// application sets values as its network stack or positioning learns them, and each set
// notifies observers. A value never set is absent (4.04), except the mandatory ones, which
// read their defaults (bearer 0, signal strength 0, no addresses; latitude, longitude and
// timestamp 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

const dm::ObjectDef& connectivity_monitoring_object_def() noexcept;
const dm::ObjectDef& location_object_def() noexcept;

/// LwM2M Connectivity Monitoring object (/4/0): the network the device is on, as the application
/// reports it.
class ConnectivityMonitoringObject final : public dm::Object {
 public:
  /// Available Network Bearers (/4/0/1) kept at most.
  static constexpr size_t kMaxBearers = 4;
  static constexpr size_t kMaxAddresses = 2;       ///< IP addresses, router addresses, APNs each
  static constexpr size_t kMaxAddressLength = 45;  ///< an IPv6 address in text

  ConnectivityMonitoringObject() noexcept;

  /// An integer resource (0 bearer, 2 signal strength dBm, 3 link quality, 6 link
  /// utilization %, 8 cell id, 9 SMNC, 10 SMCC, 11 SNR dB, 12 LAC, 13 coverage enhancement
  /// level). not_found for another id.
  Status set_integer(dm::ResourceId rid, int64_t value) noexcept;
  /// Makes an optional integer resource absent again.
  Status clear(dm::ResourceId rid) noexcept;
  /// Available Network Bearers (/4/0/1), e.g. {41} for Ethernet; no_space beyond kMaxBearers.
  Status set_available_bearers(std::span<const int> bearers) noexcept;
  /// 4 IP Addresses, 5 Router IP Addresses, 7 APN: the strings are copied (up to
  /// kMaxAddresses of kMaxAddressLength bytes); an empty list makes 5 and 7 absent.
  Status set_strings(dm::ResourceId rid, std::span<const std::string_view> values) noexcept;

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId iid, dm::ResourceId rid,
                                              size_t index) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;

 private:
  struct Strings {
    char text[kMaxAddresses][kMaxAddressLength] = {};
    uint8_t len[kMaxAddresses] = {};
    uint8_t count = 0;
  };
  static constexpr size_t kIntegers = 14;  ///< resource ids 0..13
  Strings* strings(dm::ResourceId rid) noexcept;
  const Strings* strings(dm::ResourceId rid) const noexcept;

  int64_t integers_[kIntegers] = {};
  uint16_t present_ = 0;  ///< bit per integer resource id
  int bearers_[kMaxBearers] = {};
  uint8_t bearer_count_ = 0;
  Strings ips_, routers_, apns_;
};

/// LwM2M Location object (/6/0): where the device is, as the application reports it.
class LocationObject final : public dm::Object {
 public:
  static constexpr size_t kMaxVelocity = 16;  ///< 3GPP TS 23.032 velocity: up to 7 bytes

  LocationObject() noexcept;

  /// Latitude and longitude in degrees, measured at `unix_seconds`.
  void set_position(double latitude, double longitude, int64_t unix_seconds) noexcept;
  /// Altitude (m), radius (m), speed (m/s); NaN makes the resource absent.
  void set_altitude(double metres) noexcept;
  /// Radius (/6/0/3) in metres; NaN makes it absent.
  void set_radius(double metres) noexcept;
  /// Speed (/6/0/6) in metres per second; NaN makes it absent.
  void set_speed(double metres_per_second) noexcept;
  /// Velocity as 3GPP TS 23.032 encodes it; empty makes it absent.
  Status set_velocity(ByteView encoded) noexcept;

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;

 private:
  double values_[7] =
      {};  ///< by resource id: 0 latitude, 1 longitude, 2 altitude, 3 radius, 6 speed
  int64_t timestamp_ = 0;
  uint8_t velocity_[kMaxVelocity] = {};
  uint8_t velocity_len_ = 0;
};

}  // namespace lwm2m::objects
