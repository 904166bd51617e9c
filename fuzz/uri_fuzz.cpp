// SPDX-License-Identifier: Apache-2.0
// Fuzzes the server URI parser: any input is either rejected or yields a host that lies
// inside the input and a non-zero port.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lwm2m/uri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto u = lwm2m::parse_server_uri(text);
  if (u.ok()) {
    const char* begin = text.data();
    const char* end = begin + text.size();
    if (u->host.empty() || u->host.data() < begin || u->host.data() + u->host.size() > end)
      std::abort();
    if (u->port == 0) std::abort();
  }
  return 0;
}
