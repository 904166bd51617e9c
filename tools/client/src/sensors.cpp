// SPDX-License-Identifier: Apache-2.0
#include "sensors.hpp"

namespace lwm2m::client_tool {

std::vector<std::string> sensor_names() {
  std::vector<std::string> out;
  for (const SensorKind& k : kSensorKinds)
    out.emplace_back(k.name);
  return out;
}

Sensor::Sensor(const SensorKind& kind)
    : resources_{{
          {5700, dm::DataType::float_, dm::Operations::read, false, true, "Sensor Value"},
          {5701, dm::DataType::string, dm::Operations::read, false, false, "Sensor Units"},
          {5750, dm::DataType::string, dm::Operations::read_write, false, false,
           "Application Type"},
      }},
      def_{kind.object, "1.0", true, false, resources_, kind.object_name},
      slots_{{
          {0, 5700, dm::kInvalidId, dm::Value::floating(kind.initial), {}},
          {0, 5701, dm::kInvalidId, dm::Value::string(kind.units), {}},
          {0, 5750, dm::kInvalidId, dm::Value::string(""), app_type_},
      }},
      object_(def_, slots_) {}

std::vector<std::unique_ptr<Sensor>> make_sensors(const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<Sensor>> out;
  for (const std::string& name : names)
    for (const SensorKind& k : kSensorKinds)
      if (k.name == name) out.push_back(std::make_unique<Sensor>(k));
  return out;
}

}  // namespace lwm2m::client_tool
