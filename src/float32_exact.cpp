// SPDX-License-Identifier: Apache-2.0
#include "float32_exact.hpp"

#include <bit>

namespace lwm2m::detail {

bool float32_exact(double v, uint32_t& bits) noexcept {
  const auto b = std::bit_cast<uint64_t>(v);
  const auto high = static_cast<uint32_t>(b >> 32);
  const int biased = static_cast<int>(high >> 20) & 0x7ff;
  bits = high & 0x80000000u;
  // The 29 low bits of the fraction, which no float keeps; the 23 above them (32-bit
  // arithmetic from here on).
  const bool low_bits = (static_cast<uint32_t>(b) & 0x1fffffffu) != 0;
  const uint32_t fraction = static_cast<uint32_t>(b >> 29) & 0x7fffffu;
  // Infinity yes, NaN no; zero yes, and a double subnormal is far below a float's range.
  if (biased == 0x7ff || biased == 0) {
    if (biased == 0x7ff) bits |= 0x7f800000u;
    return !low_bits && fraction == 0;
  }
  const int exp = biased - 1023;  // v = 1.fraction * 2^exp
  if (low_bits || exp > 127 || exp < -149) return false;
  if (exp >= -126) {
    bits |= static_cast<uint32_t>(exp + 127) << 23 | fraction;
    return true;
  }
  // A subnormal float: multiples of 2^-149, the significand shifted right by 1 to 23 more.
  const uint32_t significand = fraction | 0x800000u;
  const int lost = -126 - exp;
  if ((significand & ((1u << lost) - 1)) != 0) return false;
  bits |= significand >> lost;
  return true;
}

}  // namespace lwm2m::detail
