// SPDX-License-Identifier: Apache-2.0
// Whether a double holds a whole number, and which, read from its bits: the compiler's
// double -> 64-bit integer conversion links soft-float multiplication on FPUs without
// double precision (Cortex-M4: about 0.9 kB).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>

namespace lwm2m::detail {

struct WholeNumber {
  bool negative;  // set for -0 too
  uint64_t magnitude;
};

/// |v| and its sign when v is a whole number below 2^64 in magnitude; nullopt for fractions,
/// larger values, infinities and NaN.
inline std::optional<WholeNumber> whole_number(double v) noexcept {
  const auto bits = std::bit_cast<uint64_t>(v);
  const bool negative = (bits >> 63) != 0;
  const int biased = static_cast<int>(bits >> 52) & 0x7ff;
  uint64_t significand = bits & ((uint64_t{1} << 52) - 1);
  if (biased == 0) {  // zero, or a subnormal: a fraction
    if (significand != 0) return std::nullopt;
    return WholeNumber{negative, 0};
  }
  significand |= uint64_t{1} << 52;
  const int exp = biased - 1075;  // v = significand * 2^exp
  if (exp >= 0) {
    if (exp > 11) return std::nullopt;  // 2^64 or more, infinities, NaN
    return WholeNumber{negative, significand << exp};
  }
  if (exp < -52 || (significand & ((uint64_t{1} << -exp) - 1)) != 0) return std::nullopt;
  return WholeNumber{negative, significand >> -exp};
}

}  // namespace lwm2m::detail
