// SPDX-License-Identifier: Apache-2.0
// Fuzzes lwm2m-client's command line and console: the input's first line is split into
// flags for the option parser (a bad one is a UsageError, nothing else), and every line is a
// console command run against a client with the tool's objects (Security, Server, Device, a
// temperature sensor). The runner is never started: nothing leaves the process, and a
// command's answer goes to /dev/null.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "console.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/random.hpp"
#include "options.hpp"
#include "sensors.hpp"

using namespace lwm2m;

namespace {

// One client for every input: building it costs more than a run.
struct Rig {
  objects::SecurityInstance sec_slots[2];
  objects::ServerInstance srv_slots[2];
  objects::SecurityObject security{sec_slots};
  objects::ServerObject server{srv_slots};
  objects::DeviceObject device{objects::DeviceInfo{"fuzz", "lwm2m-client", "0001", "0.1.0",
                                                   "console client", "1.0", "0.1.0", "U"}};
  client_tool::Sensor temperature{client_tool::kSensorKinds[0]};
  dm::Object* slots[8] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{1};
  std::unique_ptr<core::Client> client;
  std::unique_ptr<posix::Runner> runner;
  std::FILE* sink = std::fopen("/dev/null", "w");
  std::unique_ptr<client_tool::Console> console;

  Rig() {
    (void)registry.add(security);
    (void)registry.add(server);
    (void)registry.add(device);
    (void)registry.add(temperature.object());
    objects::SecurityConfig sc;
    sc.uri = "coap://127.0.0.1:5683";
    sc.short_server_id = 1;
    (void)security.add(sc);
    objects::ServerConfig srv;
    (void)server.add(srv);
    core::ClientConfig cc;
    cc.endpoint = "fuzz";
    client = std::make_unique<core::Client>(cc, registry, rng);
    runner = std::make_unique<posix::Runner>(*client, posix::RunnerConfig{});
    console = std::make_unique<client_tool::Console>(
        *runner, std::vector<objects::IpsoSensorObject*>{&temperature.object()}, sink, sink);
  }
};

void parse_flags(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> args;
  for (std::string w; in >> w;)
    args.push_back(w);
  try {
    (void)client_tool::parse_options(args, client_tool::sensor_names());
  } catch (const client_tool::UsageError&) {
    // the expected answer to a bad command line
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Rig rig;
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    if (first) parse_flags(line);
    first = false;
    (void)rig.console->execute(line);
    start = nl + 1;
  }
  return 0;
}
