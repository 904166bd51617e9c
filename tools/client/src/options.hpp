// SPDX-License-Identifier: Apache-2.0
// lwm2m-client's command line: parsed into Options, or refused with the flag named and the
// fix proposed (UsageError).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "lwm2m/core/client.hpp"

namespace lwm2m::client_tool {

/// A bad command line: `flag` is what was wrong, `fix` what to write instead.
struct UsageError : std::runtime_error {
  UsageError(std::string named, std::string proposed)
      : std::runtime_error(named + ": " + proposed),
        flag(std::move(named)),
        fix(std::move(proposed)) {}
  std::string flag;
  std::string fix;
};

enum class LogLevel { none, info, debug };

struct Options {
  std::string endpoint = "lwm2m-client";
  std::string server = "coap://127.0.0.1";
  bool bootstrap = false;
  std::string psk_identity;
  std::vector<uint8_t> psk_key;
  std::string cert_file, key_file, server_cert_file;
  uint32_t lifetime = 300;
  uint16_t local_port = 0;
  core::LwM2MVersion version = core::LwM2MVersion::v1_1;
  std::string binding = "U";
  bool queue = false;
  bool keep_trying = false;
  uint32_t retries = 5;       ///< Communication Retry Count (/1/0/17)
  uint32_t retry_delay = 60;  ///< Communication Retry Timer (/1/0/18), seconds
  LogLevel log_level = LogLevel::info;
  std::vector<std::string> objects = {"temperature"};
  std::string state_dir;     ///< empty: nothing persisted
  std::string firmware_dir;  ///< empty: no Firmware Update object
  bool help = false;

  bool secure() const { return server.rfind("coaps://", 0) == 0; }
  bool psk() const { return !psk_identity.empty() || !psk_key.empty(); }
  bool certificates() const {
    return !cert_file.empty() || !key_file.empty() || !server_cert_file.empty();
  }
};

/// Parses argv[1..]; throws UsageError. `sensor_names`: what --objects accepts.
Options parse_options(const std::vector<std::string>& args,
                      const std::vector<std::string>& sensor_names);

/// The --help text.
std::string usage(const std::vector<std::string>& sensor_names);

}  // namespace lwm2m::client_tool
