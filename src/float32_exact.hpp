// SPDX-License-Identifier: Apache-2.0
// Whether a double has a float of the same value, read from its bits: converting to float
// and back and comparing links soft-float conversion and comparison on FPUs without double
// precision (Cortex-M4), where TLV chooses between 4- and 8-byte floats.
#pragma once

#include <bit>
#include <cstdint>

namespace lwm2m::detail {

/// True for zeros, infinities and every value a float holds exactly; false for NaN.
inline bool float32_exact(double v) noexcept {
  const auto bits = std::bit_cast<uint64_t>(v);
  const int biased = static_cast<int>(bits >> 52) & 0x7ff;
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  // Infinity yes, NaN no; zero yes, and a double subnormal is far below a float's range.
  if (biased == 0x7ff || biased == 0) return fraction == 0;
  const int exp = biased - 1023;  // v = 1.fraction * 2^exp
  if (exp > 127 || exp < -149) return false;
  // The significand's low bits a float cannot keep: 29 for a normal float, more for a
  // subnormal one (multiples of 2^-149).
  const int lost = exp >= -126 ? 29 : 29 - 126 - exp;
  const uint64_t significand = fraction | (uint64_t{1} << 52);
  return (significand & ((uint64_t{1} << lost) - 1)) == 0;
}

}  // namespace lwm2m::detail
