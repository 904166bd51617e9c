// SPDX-License-Identifier: Apache-2.0
// Numbers as text, in one place for every text format (plain text, JSON, SenML JSON,
// link-format attributes, Write-Attributes queries). Keeping it here means the choice of
// algorithm, which dominates flash on a microcontroller, is made once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/dm/value.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec::number {

/// Enough for any value format_*() writes ("-9223372036854775808", "-1.7976931348623157e+308").
inline constexpr size_t kMaxChars = 32;

/// Decimal digits of `v`; returns the length written to `out` (at least kMaxChars long).
size_t format_int(int64_t v, char* out) noexcept;
size_t format_uint(uint64_t v, char* out) noexcept;
/// Shortest text that reads back as the same double, in a grammar that is valid JSON,
/// valid LwM2M plain text and valid C: "1.5", "-0", "1e+300". Integral values too large for
/// 17 digits are written in exponent form so that no reader takes them for a 64-bit
/// integer. Returns 0 for NaN and infinities, which none of those formats can carry.
size_t format_double(double v, char* out) noexcept;

void write_int(Sink& out, int64_t v) noexcept;
void write_uint(Sink& out, uint64_t v) noexcept;
/// Writes nothing and returns invalid_argument for NaN and infinities.
Status write_double(Sink& out, double v) noexcept;

/// Strict parsers: the whole text must be the number, no spaces, no '+' sign, no leading
/// garbage. Errors: malformed (not a number), unsupported (out of range for the type).
Result<int64_t> parse_int(std::string_view s) noexcept;
Result<uint64_t> parse_uint(std::string_view s) noexcept;
/// Accepts integers and decimals with optional fraction and exponent; rejects NaN, inf and
/// hexadecimal forms. Out-of-range magnitudes are unsupported.
Result<double> parse_double(std::string_view s) noexcept;

/// An object link as text, "ObjectId:InstanceId" (plain text, SenML and LwM2M JSON);
/// returns the length written to `out` (at most 11).
size_t format_objlnk(dm::ObjectLink link, char* out) noexcept;
/// Parses "ObjectId:InstanceId" (each 0..65535); bad_request otherwise.
Result<dm::ObjectLink> parse_objlnk(std::string_view s) noexcept;

}  // namespace lwm2m::codec::number
