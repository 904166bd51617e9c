// SPDX-License-Identifier: Apache-2.0
// The IPSO objects lwm2m-client can expose (--objects): each is one row of kSensorKinds, so
// a new kind is one line. A sensor is a dm::SlotObject with one instance: Sensor Value
// (5700, the console's `set` changes it and observers are notified), Sensor Units (5701)
// and Application Type (5750, writable by the server).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lwm2m/dm/slot_object.hpp"

namespace lwm2m::client_tool {

struct SensorKind {
  std::string_view name;  ///< what --objects accepts
  dm::ObjectId object;
  std::string_view object_name;
  std::string_view units;
  double initial;
};

inline constexpr SensorKind kSensorKinds[] = {
    {"temperature", 3303, "Temperature", "Cel", 21.5},
    {"humidity", 3304, "Humidity", "%RH", 40.0},
    {"illuminance", 3301, "Illuminance", "lx", 300.0},
    {"pressure", 3323, "Pressure", "Pa", 101325.0},
};

std::vector<std::string> sensor_names();

class Sensor {
 public:
  explicit Sensor(const SensorKind& kind);
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;
  dm::SlotObject& object() { return object_; }

 private:
  static constexpr size_t kResources = 3;
  std::array<dm::ResourceDef, kResources> resources_;
  dm::ObjectDef def_;
  std::array<uint8_t, 32> app_type_{};
  std::array<dm::ResourceSlot, kResources> slots_;
  dm::SlotObject object_;
};

/// The sensors named in `names` (each a kSensorKinds name), in that order.
std::vector<std::unique_ptr<Sensor>> make_sensors(const std::vector<std::string>& names);

}  // namespace lwm2m::client_tool
