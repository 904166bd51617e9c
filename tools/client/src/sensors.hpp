// SPDX-License-Identifier: Apache-2.0
// The IPSO sensors lwm2m-client can expose (--objects), on the library's
// objects::IpsoSensorObject: each kind is one row of kSensorKinds, so a new kind is one line.
// Each sensor has one instance (/ID/0) with Sensor Value (5700; the console's `set` changes
// it, observers are notified), Min/Max Measured (5601/5602), Min/Max Range (5603/5604),
// Reset Min and Max (5605), Sensor Units (5701) and Application Type (5750, writable).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lwm2m/objects/ipso_sensor.hpp"

namespace lwm2m::client_tool {

struct SensorKind {
  std::string_view name;  ///< what --objects accepts
  dm::ObjectId object;    ///< one that objects::ipso_sensor_def() knows
  std::string_view units;
  double min_range, max_range;
  double initial;
};

inline constexpr SensorKind kSensorKinds[] = {
    {"temperature", 3303, "Cel", -40, 85, 21.5},   {"humidity", 3304, "%RH", 0, 100, 40.0},
    {"illuminance", 3301, "lx", 0, 100000, 300.0}, {"barometer", 3315, "hPa", 300, 1100, 1013.25},
    {"voltage", 3316, "V", 0, 60, 12.0},           {"current", 3317, "A", 0, 10, 1.5},
};

std::vector<std::string> sensor_names();

class Sensor {
 public:
  explicit Sensor(const SensorKind& kind);
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;
  objects::IpsoSensorObject& object() { return object_; }

 private:
  objects::IpsoSensorInstance slot_[1];
  objects::IpsoSensorObject object_;
};

/// The sensors named in `names` (each a kSensorKinds name), in that order.
std::vector<std::unique_ptr<Sensor>> make_sensors(const std::vector<std::string>& names);

}  // namespace lwm2m::client_tool
