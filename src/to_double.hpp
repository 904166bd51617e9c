// SPDX-License-Identifier: Apache-2.0
// Conversions to double from a float or a 64-bit integer, built from the bits. On FPUs
// without double precision (Cortex-M4) the compiler's conversions are libgcc routines that
// share one object with soft-float addition (about 0.9 kB); with these and detail::add()
// (soft_double.hpp) no build links that object.
#pragma once

#include <bit>
#include <cstdint>

#include "soft_double.hpp"

namespace lwm2m::detail {

/// The double nearest to `magnitude` (ties to even), negated when `negative`.
inline double double_from_bits(bool negative, uint64_t magnitude) noexcept {
  return scaled_double(magnitude, 0, negative);
}

/// The float's value as a double (a NaN stays NaN, made quiet as the FPU does). In 32-bit
/// arithmetic but for the final assembly: a subnormal float is normalised by a count of
/// leading zeros (every float is a normal double). Inline: the minimal tier widens floats
/// in one place only (TLV), where a call would cost more.
inline double double_from_float_bits(float f) noexcept {
  const auto bits = std::bit_cast<uint32_t>(f);
  uint32_t exp = (bits >> 23) & 0xff;
  uint32_t fraction = bits & 0x7fffffu;
  if (exp == 0xff) {
    exp = 0x7ff;
    if (fraction != 0) fraction |= 0x400000u;  // quiet NaN
  } else if (exp == 0) {
    if (fraction != 0) {  // fraction * 2^-149: its top bit moved to bit 23, dropped as implicit
      const int shift = std::countl_zero(fraction) - 8;
      fraction = (fraction << shift) & 0x7fffffu;
      exp = static_cast<uint32_t>(1 - 127 + 1023 - shift);
    }
  } else {
    exp += 1023 - 127;
  }
  return std::bit_cast<double>(uint64_t{bits >> 31} << 63 | uint64_t{exp} << 52 |
                               uint64_t{fraction} << 29);
}

inline double to_double(float f) noexcept {
  return double_from_float_bits(f);
}
inline double to_double(int64_t i) noexcept {
  return double_from_bits(i < 0, i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i));
}
inline double to_double(uint64_t u) noexcept {
  return double_from_bits(false, u);
}

}  // namespace lwm2m::detail
