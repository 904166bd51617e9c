// SPDX-License-Identifier: Apache-2.0
#include "float32_exact.hpp"

#include <bit>

namespace lwm2m::detail {

bool float32_exact(double v, uint32_t& bits) noexcept {
  const auto b = std::bit_cast<uint64_t>(v);
  const int biased = static_cast<int>(b >> 52) & 0x7ff;
  const uint64_t fraction = b & ((uint64_t{1} << 52) - 1);
  bits = static_cast<uint32_t>(b >> 63) << 31;
  // Infinity yes, NaN no; zero yes, and a double subnormal is far below a float's range.
  if (biased == 0x7ff || biased == 0) {
    if (biased == 0x7ff) bits |= 0x7f800000u;
    return fraction == 0;
  }
  const int exp = biased - 1023;  // v = 1.fraction * 2^exp
  if (exp > 127 || exp < -149) return false;
  // The significand's low bits a float cannot keep: 29 for a normal float, more for a
  // subnormal one (multiples of 2^-149).
  const int lost = exp >= -126 ? 29 : 29 - 126 - exp;
  const uint64_t significand = fraction | (uint64_t{1} << 52);
  if ((significand & ((uint64_t{1} << lost) - 1)) != 0) return false;
  if (exp >= -126) {
    bits |= static_cast<uint32_t>(exp + 127) << 23 | static_cast<uint32_t>(fraction >> 29);
  } else {
    bits |= static_cast<uint32_t>(significand >> lost);
  }
  return true;
}

}  // namespace lwm2m::detail
