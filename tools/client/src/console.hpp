// SPDX-License-Identifier: Apache-2.0
// lwm2m-client's console: one command per line, typed or piped. Every answer goes to
// `out`; a bad command or argument gets one line on `err` saying what was expected.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "lwm2m/objects/ipso_sensor.hpp"
#include "lwm2m/platform/runner.hpp"

namespace lwm2m::client_tool {

class Console {
 public:
  /// `sensors`: the IPSO sensors whose Sensor Value (5700) `set` changes as a measurement.
  Console(posix::Runner& runner, std::vector<objects::IpsoSensorObject*> sensors, std::FILE* out,
          std::FILE* err)
      : runner_(runner), sensors_(std::move(sensors)), out_(out), err_(err) {}

  enum class Result { ok, failed, quit };
  /// Runs one line (blank lines and lines starting with '#' do nothing).
  Result execute(const std::string& line);

 private:
  Result get(const std::vector<std::string>& args);
  Result set(const std::vector<std::string>& args, const std::string& line);
  Result send(const std::vector<std::string>& args);
  Result status();
  Result objects();
  Result update();
  Result fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  objects::IpsoSensorObject* sensor(dm::ObjectId id) const;

  posix::Runner& runner_;
  std::vector<objects::IpsoSensorObject*> sensors_;
  std::FILE* out_;
  std::FILE* err_;
};

}  // namespace lwm2m::client_tool
