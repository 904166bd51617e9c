// SPDX-License-Identifier: Apache-2.0
// The smallest of the library's floating-point text conversions, for firmware (build option
// LWM2M_SMALL_FLOAT, with LWM2M_COMPACT_FLOAT): about 1.7 kB of code, no table, exact, and
// slow: every step is an exact comparison of a decimal with a binary value by a big integer
// of up to 28 32-bit limbs on the stack, and a conversion makes tens to a hundred of them:
// 20,000 to 40,000 instructions for everyday numbers, up to about 180,000 at the ends of the
// exponent range (25 to 130 times what number_compact.hpp's functions take, in 4.2 kB). No
// heap, no libc, noexcept. Always compiled, so that host tests compare both with the
// standard library.
//
// Guarantees:
// - format_*: the text std::to_chars writes, as number::format_double shapes it: the
//   shortest digits that read back as the same value (by any correctly rounding reader),
//   the closest to it of those, a tie to an even last digit; fixed or scientific, whichever
//   is shorter, fixed on a tie; "-0"; exponent with a sign and at least two digits ("1e+21",
//   "1e-05"); integral values longer than 17 characters in scientific form.
// - parse_*: correctly rounded (round half to even) for inputs of up to 19 significant
//   digits, which includes everything format_* writes. Digits beyond the 19th only count as
//   "something non-zero follows": such an input that lies within 10^-19 (relative) of the
//   halfway point between two neighbouring values may come out 1 ulp above the correctly
//   rounded result.
#pragma once

#include <cstddef>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m::codec::number::small {

/// Writes at most 32 characters; returns 0 for NaN and infinities (no text is written).
size_t format_double(double v, char* out) noexcept;
size_t format_float(float v, char* out) noexcept;

/// The grammar of number::parse_double: -?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?, the whole
/// text. Errors: malformed; unsupported when a non-zero input rounds to zero or infinity.
Result<double> parse_double(std::string_view s) noexcept;
Result<float> parse_float(std::string_view s) noexcept;

}  // namespace lwm2m::codec::number::small
