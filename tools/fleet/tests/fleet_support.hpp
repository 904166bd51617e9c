// SPDX-License-Identifier: Apache-2.0
// lwm2m-server and lwm2m-fleet as child processes, and waits on what they print.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "process.hpp"

namespace lwm2m::fleet_test {

using namespace std::chrono_literals;
using console_test::Process;

/// lwm2m-server on a free loopback UDP port.
struct ServerTool {
  Process process{{LWM2M_SERVER_TOOL, "--port", "0"}};
  std::string uri;

  ServerTool() {
    auto line = process.expect("LwM2M server listening on coap://");
    EXPECT_TRUE(line) << process.output();
    if (line) uri = line->substr(line->find("coap://"));
    while (!uri.empty() && (uri.back() == '\r' || uri.back() == ' '))
      uri.pop_back();
  }
  ~ServerTool() {
    process.send("quit");
    process.wait_exit(10s);
  }
};

/// Waits until `count` distinct endpoints starting with `prefix` have an event line
/// `kind` ("registered" or "deregistered") from the server; returns the endpoints seen.
inline std::set<std::string> wait_events(Process& server, const std::string& kind,
                                         const std::string& prefix, size_t count,
                                         std::chrono::milliseconds timeout) {
  std::set<std::string> seen;
  const std::string marker = kind + " ep=" + prefix;
  const auto end = std::chrono::steady_clock::now() + timeout;
  size_t cursor = 0;
  while (seen.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto line = server.wait_line(marker, cursor, left);
    if (!line) break;
    const size_t at = line->find(marker);
    // "deregistered ep=" contains "registered ep=": only the event named.
    if (at >= 2 && line->compare(at - 2, 2, "de") == 0) continue;
    const size_t from = at + kind.size() + 4;
    seen.insert(line->substr(from, line->find(' ', from) - from));
  }
  return seen;
}

}  // namespace lwm2m::fleet_test
