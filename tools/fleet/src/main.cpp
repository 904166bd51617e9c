// SPDX-License-Identifier: Apache-2.0
// lwm2m-fleet: many LwM2M clients in one process (see --help).
#include <cstdio>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  using namespace lwm2m::fleet;
  Options options;
  try {
    options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lwm2m-fleet: %s\n", e.what());
    return 2;
  }
  if (options.help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  Fleet fleet(options);
  return fleet.run();
}
