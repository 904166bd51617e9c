// SPDX-License-Identifier: Apache-2.0
// Base64 and base64url (RFC 4648 §4 and §5), heap-free, for the text and JSON formats:
// LwM2M JSON and text/plain carry opaque values as base64 with padding, SenML JSON "vd" as
// base64url without padding (RFC 8428 §4.3/§5).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec::base64 {

enum class Alphabet : uint8_t {
  standard,  ///< RFC 4648 §4: A-Z a-z 0-9 + /
  url,       ///< RFC 4648 §5: A-Z a-z 0-9 - _
};

enum class Padding : uint8_t {
  required,   ///< encode: always pad; decode: length must be a multiple of 4
  forbidden,  ///< encode: never pad; decode: '=' is an error
  optional,   ///< encode: same as forbidden; decode: accept either, but only correct padding
};

/// Characters that encode() produces for `n` input bytes.
constexpr size_t encoded_size(size_t n, Padding padding) noexcept {
  if (padding == Padding::required) return (n + 2) / 3 * 4;
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/// Upper bound of decode()'s output for `n` input characters.
constexpr size_t decoded_max_size(size_t n) noexcept {
  return n / 4 * 3 + (n % 4) * 3 / 4;
}

/// Writes the encoding of `in` to `out` (never fails; a Sink only counts what overflows).
void encode(ByteView in, Sink& out, Alphabet alphabet, Padding padding) noexcept;

/// Writes the encoding to `out`, returning the length, or buffer_too_small.
Result<size_t> encode(ByteView in, std::span<char> out, Alphabet alphabet,
                      Padding padding) noexcept;

/// Decodes `text` into `out` and returns the number of bytes written. Strict: no whitespace,
/// no characters of the other alphabet, non-zero trailing bits rejected (RFC 4648 §3.5), so
/// that every byte string has exactly one accepted encoding per alphabet and padding mode.
/// Errors: malformed (bad character, impossible length, bad padding), buffer_too_small.
/// `out` may start at `text` (in-place decoding): output never overtakes input.
Result<size_t> decode(std::string_view text, MutableByteView out, Alphabet alphabet,
                      Padding padding) noexcept;

}  // namespace lwm2m::codec::base64
