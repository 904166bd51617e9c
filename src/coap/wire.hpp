// SPDX-License-Identifier: Apache-2.0
// Pieces of the RFC 7252 §3 wire format shared by the message encoder and the engine's
// request writer (private to src/coap).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lwm2m/coap/message.hpp"

namespace lwm2m::coap::wire {

/// The format rules of an option this stack understands (RFC 7252 §5.10, 7641, 7959,
/// 7967), a row of 4 bytes; option_info() in the public form.
struct OptionRule {
  uint16_t number;
  uint16_t max_length : 11;  // 1034 at most (Proxy-Uri)
  uint16_t min_length : 1;
  uint16_t repeatable : 1;
};
/// The rules of option `number`, or null for an option this stack does not know.
const OptionRule* option_rule(uint16_t number) noexcept;

/// Bytes of the option header for a delta and a value length (§3.1).
constexpr size_t option_header_size(uint32_t delta, uint32_t length) noexcept {
  auto ext = [](uint32_t v) -> size_t { return v < 13 ? 0 : v < 269 ? 1 : 2; };
  return 1 + ext(delta) + ext(length);
}

/// Appends the header of option `number` (following option `prev`, which it then becomes)
/// for a value of `length` bytes, then `size` bytes (the value, or a run of options that
/// starts with it); false, with nothing written, when that does not fit before `end`. The
/// one option writer of the message encoder and the request writer.
bool put_option(uint8_t*& p, const uint8_t* end, uint32_t& prev, uint32_t number, uint32_t length,
                const uint8_t* bytes, size_t size) noexcept;

/// Appends the payload marker and `payload` (nothing when it is empty); false, with
/// nothing written, when that does not fit before `end`.
bool put_payload(uint8_t*& p, const uint8_t* end, ByteView payload) noexcept;

/// Shortest big-endian form of a uint option value (§3.2); returns its length (0..4).
uint8_t uint_bytes(uint32_t value, uint8_t out[4]) noexcept;

/// Stable order of a message's options by number (the wire order), as indices.
size_t sorted_indices(const MessageBase& m,
                      std::array<uint8_t, Message::kMaxOptions>& idx) noexcept;

/// Writes the fixed header and the token (§3); returns the byte after them.
uint8_t* write_header(uint8_t* p, Type type, Code code, uint16_t mid, const Token& token) noexcept;

/// The one encoder of an empty message (§4.2, §4.3): an empty ACK or an RST carries the
/// MID it answers, no token, no options and no payload: 4 bytes.
constexpr size_t kEmptySize = 4;
inline void write_empty(Type type, uint16_t mid, uint8_t out[kEmptySize]) noexcept {
  out[0] = static_cast<uint8_t>(0x40 | (static_cast<uint8_t>(type) << 4));  // ver 1, TKL 0
  out[1] = codes::empty.raw;
  out[2] = static_cast<uint8_t>(mid >> 8);
  out[3] = static_cast<uint8_t>(mid);
}

}  // namespace lwm2m::coap::wire
