// SPDX-License-Identifier: Apache-2.0
// IEEE 754 comparisons of doubles read from their bits. On FPUs without double precision
// (Cortex-M4) every `<` or `==` on doubles calls one of libgcc's soft-float comparison
// routines (about 380 B with the unordered test); Observe's change conditions, the
// attribute checks and CBOR's choice of float size need only this one function.
#pragma once

#include <bit>
#include <cstdint>

namespace lwm2m::detail {

enum class Order : int8_t { less = -1, equal = 0, greater = 1, unordered = 2 };

/// How `a` compares with `b` as the FPU would: -0 equals +0, a NaN is unordered.
Order compare(double a, double b) noexcept;

inline bool less(double a, double b) noexcept {
  return compare(a, b) == Order::less;
}
/// a >= b (false when either is NaN).
inline bool at_least(double a, double b) noexcept {
  const Order o = compare(a, b);
  return o == Order::equal || o == Order::greater;
}
/// a == b (false when either is NaN, as `==`).
inline bool equal(double a, double b) noexcept {
  return compare(a, b) == Order::equal;
}
inline bool is_nan(double v) noexcept {
  return (std::bit_cast<uint64_t>(v) << 1) > (uint64_t{0x7ff} << 53);
}
inline bool is_finite(double v) noexcept {
  return (std::bit_cast<uint64_t>(v) << 1) < (uint64_t{0x7ff} << 53);
}

}  // namespace lwm2m::detail
