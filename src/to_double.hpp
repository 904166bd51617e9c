// SPDX-License-Identifier: Apache-2.0
// Conversions to double from a float or a 64-bit integer, built from the bits. On FPUs
// without double precision (Cortex-M4) the compiler's conversions are libgcc routines that
// share one object with soft-float addition (about 0.9 kB): a build that adds no doubles
// (without Observe's change conditions, SenML or CBOR) needs that object for nothing else.
#pragma once

#include <bit>
#include <cstdint>

#include "lwm2m/build_config.hpp"

namespace lwm2m::detail {

/// The double nearest to `magnitude` (ties to even), negated when `negative`; zero is +0.
inline double double_from_bits(bool negative, uint64_t magnitude) noexcept {
  if (magnitude == 0) return 0.0;
  const int top = 63 - std::countl_zero(magnitude);  // value = 1.xxx * 2^top
  uint64_t significand;
  if (top <= 52) {
    significand = magnitude << (52 - top);
  } else {
    const int drop = top - 52;
    significand = magnitude >> drop;
    const uint64_t rest = magnitude & ((uint64_t{1} << drop) - 1);
    const uint64_t half = uint64_t{1} << (drop - 1);
    if (rest > half || (rest == half && (significand & 1) != 0)) ++significand;
  }
  // Rounding up to 2^53 carries into the exponent: the field arithmetic below does it.
  const uint64_t bits =
      (uint64_t{negative} << 63) + (static_cast<uint64_t>(top + 1022) << 52) + significand;
  return std::bit_cast<double>(bits);
}

/// The float's value as a double (a NaN stays NaN, made quiet as the FPU does). In 32-bit
/// arithmetic but for the final assembly: a subnormal float is normalised by a count of
/// leading zeros (every float is a normal double).
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

#if LWM2M_WITH_OBSERVE
// Observe's change conditions subtract doubles: the libgcc object is linked anyway.
inline double to_double(float f) noexcept {
  return f;
}
inline double to_double(int64_t i) noexcept {
  return static_cast<double>(i);
}
inline double to_double(uint64_t u) noexcept {
  return static_cast<double>(u);
}
#else
inline double to_double(float f) noexcept {
  return double_from_float_bits(f);
}
inline double to_double(int64_t i) noexcept {
  return double_from_bits(i < 0, i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i));
}
inline double to_double(uint64_t u) noexcept {
  return double_from_bits(false, u);
}
#endif

}  // namespace lwm2m::detail
