// SPDX-License-Identifier: Apache-2.0
// Fuzzes the LwM2M path parser: any input either parses to a path that formats back to
// the same text, or is rejected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lwm2m/dm/path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = lwm2m::dm::Path::parse(text);
  if (p.ok()) {
    char buf[lwm2m::dm::Path::kMaxTextLength];
    size_t n = p->format(buf);
    // Leading zeros ("/03") parse but format without them; compare numerically instead.
    auto again = lwm2m::dm::Path::parse(std::string_view(buf, n));
    if (!again.ok() || !(*again == *p)) std::abort();
  }
  return 0;
}
