// SPDX-License-Identifier: Apache-2.0
// Division of a 64-bit value by a small constant without the C library's 64-bit divide:
// 32-bit targets have no such instruction, and the routine the compiler calls for it
// (__aeabi_uldivmod / __udivmoddi4) costs about 1 kB of flash. Hosts divide natively.
#pragma once

#include <cstdint>

namespace lwm2m::detail {

struct QuotRem {
  uint64_t quot;
  uint32_t rem;
};

/// v / d and v % d by long division in 16-bit steps (four 32-bit divisions); d < 2^16.
QuotRem divide_by_small(uint64_t v, uint16_t d) noexcept;

/// v / d and v % d for d < 2^16: natively where the machine divides 64-bit values.
inline QuotRem divide(uint64_t v, uint16_t d) noexcept {
  if constexpr (sizeof(void*) >= 8) {
    return {v / d, static_cast<uint32_t>(v % d)};
  } else {
    if ((v >> 32) == 0) return {static_cast<uint32_t>(v) / d, static_cast<uint32_t>(v) % d};
    return divide_by_small(v, d);
  }
}

/// v / d truncated toward zero, as the built-in division of a signed value; d < 2^16.
inline int64_t divide(int64_t v, uint16_t d) noexcept {
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const uint64_t q = divide(magnitude, d).quot;
  return v < 0 ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

}  // namespace lwm2m::detail
