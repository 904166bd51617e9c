// SPDX-License-Identifier: Apache-2.0
#include "sensors.hpp"

namespace lwm2m::client_tool {

std::vector<std::string> sensor_names() {
  std::vector<std::string> out;
  for (const SensorKind& k : kSensorKinds)
    out.emplace_back(k.name);
  return out;
}

Sensor::Sensor(const SensorKind& kind) : object_(*objects::ipso_sensor_def(kind.object), slot_) {
  objects::IpsoSensorConfig c;
  c.units = kind.units;
  c.has_range = true;
  c.min_range = kind.min_range;
  c.max_range = kind.max_range;
  c.value = kind.initial;
  (void)object_.add(0, c);  // cannot fail: a fresh object with room for one instance
}

std::vector<std::unique_ptr<Sensor>> make_sensors(const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<Sensor>> out;
  for (const std::string& name : names)
    for (const SensorKind& k : kSensorKinds)
      if (k.name == name) out.push_back(std::make_unique<Sensor>(k));
  return out;
}

}  // namespace lwm2m::client_tool
