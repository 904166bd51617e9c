// SPDX-License-Identifier: Apache-2.0
// The bootstrap configuration of lwm2m-server: a small text file that lists the servers a
// bootstrapping client is given (URI, short server id, lifetime, binding, security mode
// and PSK), turned into the Bootstrap-Delete and Bootstrap-Write steps that configure them.
#pragma once

#include <string>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver::console {

/// The file format, for --help.
extern const char kBootstrapFileHelp[];

struct BootstrapFile {
  BootstrapScript script;
  size_t servers = 0;
  std::string error;  ///< "FILE:LINE: what is wrong and what is expected"
};

BootstrapFile parse_bootstrap_file(const std::string& text, const std::string& name);

}  // namespace lwm2m::testserver::console
