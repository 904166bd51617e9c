// SPDX-License-Identifier: Apache-2.0
// IPSO sensors with one value: 3301 Illuminance, 3303 Temperature, 3304 Humidity,
// 3315 Barometer, 3316 Voltage, 3317 Current (descriptors generated from the OMA
// definitions). One class serves them all: Sensor Value (5700), Sensor Units (5701),
// Min/Max Measured Value (5601/5602, since the last reset), Min/Max Range Value
// (5603/5604, when given), Reset Min and Max Measured Values (Execute 5605), Application
// Type (5750, writable), Timestamp (5518, when the application gives the time of a value)
// and, for Voltage and Current, Current Calibration (5821, writable). The other optional
// resources of the definitions (fractional timestamp, measurement quality) are absent.
//
// The application owns the instance storage and sets values; each set reports the change,
// so observers are notified:
//
//   objects::IpsoSensorInstance slots[2];
//   objects::IpsoSensorObject temperature{*objects::ipso_sensor_def(3303), slots};
//   temperature.add(0, {.units = "Cel", .min_range = -40, .max_range = 85});
//   temperature.set_value(0, 21.5);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

/// The descriptor of IPSO sensor `id` (3301, 3303, 3304, 3315, 3316, 3317); null otherwise.
const dm::ObjectDef* ipso_sensor_def(dm::ObjectId id) noexcept;

/// How a new sensor instance starts (IpsoSensorObject::add()).
struct IpsoSensorConfig {
  std::string_view units = {};  ///< 5701 ("Cel", "%RH", "lx", "hPa", "V", "A"); viewed, not copied
  bool has_range = false;       ///< whether 5603/5604 exist
  double min_range = 0;         ///< 5603 Min Range Value (when has_range)
  double max_range = 0;         ///< 5604 Max Range Value (when has_range)
  std::string_view application_type = {};  ///< 5750, copied (up to 31 bytes)
  double value = 0;                        ///< the first Sensor Value
};

/// One sensor instance; the application provides the storage.
struct IpsoSensorInstance {
  /// Longest Application Type (5750) in bytes.
  static constexpr size_t kMaxApplicationType = 31;
  /// What a server can write, kept twice (live and saved) so that a failed request rolls back.
  struct Writable {
    char application_type[kMaxApplicationType] =
        {};  ///< 5750 Application Type (the first application_type_len bytes)
    uint8_t application_type_len = 0;  ///< its length
    double calibration = 0;            ///< 5821 Current Calibration (Voltage and Current)
  };
  dm::InstanceId id = dm::kInvalidId;  ///< kInvalidId: slot unused
  double value = 0;                    ///< 5700 Sensor Value
  double min_measured = 0;             ///< 5601 Min Measured Value since the last reset
  double max_measured = 0;             ///< 5602 Max Measured Value since the last reset
  double min_range = 0;                ///< 5603 Min Range Value
  double max_range = 0;                ///< 5604 Max Range Value
  bool has_range = false;              ///< whether 5603/5604 exist
  int64_t timestamp = -1;              ///< Unix seconds of the value; negative: none (5518 absent)
  std::string_view units;              ///< 5701 Sensor Units (viewed)
  Writable live;                       ///< the writable values as they are now
  Writable saved;                      ///< the writable values as of the last commit
};

/// IPSO sensor objects with one value (3301 Illuminance, 3303 Temperature, 3304 Humidity, 3315
/// Barometer, 3316 Voltage, 3317 Current): one class for them all.
class IpsoSensorObject final : public dm::Object {
 public:
  /// `def`: one of ipso_sensor_def()'s (or an application's with the same resource ids).
  IpsoSensorObject(const dm::ObjectDef& def, std::span<IpsoSensorInstance> storage) noexcept;

  /// A new instance; already_exists, no_space (storage full), invalid_argument (bad id or
  /// application type too long).
  Status add(dm::InstanceId iid, const IpsoSensorConfig& config) noexcept;
  /// A new Sensor Value (updating Min/Max Measured) measured at `unix_seconds` (negative:
  /// no timestamp). Observers of what changed are notified.
  Status set_value(dm::InstanceId iid, double value, int64_t unix_seconds = -1) noexcept;
  /// The instance with this id, or null.
  const IpsoSensorInstance* instance(dm::InstanceId iid) const noexcept;

  size_t instance_count() const noexcept override { return count_; }
  dm::InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status reset_instance(dm::InstanceId iid) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  IpsoSensorInstance* find(dm::InstanceId iid) const noexcept;

  std::span<IpsoSensorInstance> storage_;
  size_t count_ = 0;  ///< instances in use, kept first and sorted by id
};

}  // namespace lwm2m::objects
