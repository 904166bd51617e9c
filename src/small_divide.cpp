// SPDX-License-Identifier: Apache-2.0
#include "small_divide.hpp"

namespace lwm2m::detail {

QuotRem divide_by_small(uint64_t v, uint16_t d) noexcept {
  uint64_t quot = 0;
  uint32_t rem = 0;
  for (int shift = 48; shift >= 0; shift -= 16) {
    // rem < d < 2^16, so the partial dividend fits 32 bits.
    const uint32_t part = (rem << 16) | static_cast<uint32_t>((v >> shift) & 0xffffu);
    quot = (quot << 16) | (part / d);
    rem = part % d;
  }
  return {quot, rem};
}

}  // namespace lwm2m::detail
