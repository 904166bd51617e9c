// SPDX-License-Identifier: Apache-2.0
#include "millis32.hpp"

namespace lwm2m::detail {

uint32_t saturated_ms(Duration d) noexcept {
  const int64_t ms = d.count();
  if (ms < 0) return 0;
  return ms > int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(ms);
}

}  // namespace lwm2m::detail
