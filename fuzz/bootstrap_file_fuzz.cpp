// SPDX-License-Identifier: Apache-2.0
// Fuzzes lwm2m-server's bootstrap file parser (--bootstrap FILE): any text gives either a
// script with at least one server or an error naming the line, never both, never neither.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bootstrap_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto f = lwm2m::testserver::console::parse_bootstrap_file(text, "fuzz.conf");
  if (f.error.empty() == (f.servers == 0)) std::abort();
  if (!f.error.empty() && f.error.rfind("fuzz.conf:", 0) != 0) std::abort();
  return 0;
}
