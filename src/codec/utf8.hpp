// SPDX-License-Identifier: Apache-2.0
// UTF-8 validation (RFC 3629) for every format that carries strings: TLV and plain text
// check a string resource's bytes, CBOR its text strings, the JSON reader and writer their
// strings. Apart from the JSON code so that a build without JSON links none of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// Length of the UTF-8 sequence at p (RFC 3629 §4 table: no overlongs, no surrogates,
/// nothing above U+10FFFF); 0 with `err` set when it is invalid (malformed) or cut short by
/// the end of the input (truncated). `avail` >= 1 bytes are readable at p.
size_t utf8_sequence(const uint8_t* p, size_t avail, Errc& err) noexcept;

/// True when `s` is well-formed UTF-8.
bool valid_utf8(std::string_view s) noexcept;

}  // namespace lwm2m::codec
