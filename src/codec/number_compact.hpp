// SPDX-License-Identifier: Apache-2.0
// Compact decimal <-> binary floating-point conversion for firmware: a few kilobytes of code
// and one 352-byte table instead of libstdc++'s std::to_chars/std::from_chars for double
// (Ryu and fast_float: about 140 kB of tables on a Cortex-M4). No heap, no libc, noexcept.
// number.cpp calls these when the build option LWM2M_COMPACT_FLOAT is ON and
// LWM2M_SMALL_FLOAT is OFF (number_small.hpp: the same functions in less flash, 25 to 130
// times slower); they are always compiled so that host tests compare them with the
// standard library.
//
// Guarantees:
// - format_*: the text reads back as exactly the same value (by parse_* here or by any
//   correctly rounding reader such as std::from_chars). The digits come from Grisu2
//   (64-bit DIY floating point and cached powers of ten: the negative ones in a table, the
//   positive ones computed from 5^k); they are the shortest that round-trip for the vast
//   majority of values, otherwise one digit longer. The syntax
//   is the one of number::format_double (std::to_chars' plain form): fixed or scientific,
//   whichever is shorter, fixed on a tie; "-0"; exponent with a sign and at least two
//   digits ("1e+21", "1e-05"); integral values longer than 17 characters in scientific form.
// - parse_*: correctly rounded (round half to even) for inputs of up to 19 significant
//   digits, which includes everything format_* writes. Digits beyond the 19th only count as
//   "something non-zero follows": such an input that lies within 10^-19 (relative) of the
//   halfway point between two neighbouring values may come out 1 ulp from the correctly
//   rounded result.
#pragma once

#include <cstddef>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m::codec::number::compact {

/// Writes at most 32 characters; returns 0 for NaN and infinities (no text is written).
size_t format_double(double v, char* out) noexcept;
size_t format_float(float v, char* out) noexcept;

/// The grammar of number::parse_double: -?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?, the whole
/// text. Errors: malformed; unsupported when a non-zero input rounds to zero or infinity.
Result<double> parse_double(std::string_view s) noexcept;
Result<float> parse_float(std::string_view s) noexcept;

}  // namespace lwm2m::codec::number::compact
