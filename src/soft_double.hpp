// SPDX-License-Identifier: Apache-2.0
// Double-precision arithmetic from the bits, for FPUs without it (the Cortex-M4's is single
// precision): the compiler's additions and its conversions of integers and floats to double
// are libgcc routines in one object (888 B). The library adds doubles in a few places only
// (Observe's step condition and the attributes' check of it, SenML's and LwM2M JSON's base
// time plus time) and converts in a few more (to_double.hpp), which these do in about half.
#pragma once

#include <cstdint>

namespace lwm2m::detail {

/// The double nearest to magnitude * 2^exp2 (ties to even), negated when `negative`:
/// subnormal when that small, infinite when too large (exp2 at most 1000). A zero
/// magnitude is a signed zero.
double scaled_double(uint64_t magnitude, int exp2, bool negative) noexcept;

/// x + y rounded to nearest as IEEE 754 adds (the same bits as the FPU's `x + y`, -0 + -0
/// is -0, infinities of opposite signs give a NaN; a NaN operand gives a quiet NaN).
double add(double x, double y) noexcept;

}  // namespace lwm2m::detail
