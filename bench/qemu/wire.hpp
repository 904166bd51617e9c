// SPDX-License-Identifier: Apache-2.0
// Just enough of RFC 7252's message format to check what the client sends, written apart
// from the library's own codec so that the replay does not judge the client by the
// client's parser.
#pragma once

#include <cstddef>
#include <cstdint>

namespace replay {

struct WireView {
  bool valid = false;
  uint8_t type = 0;  ///< 0 CON, 1 NON, 2 ACK, 3 RST
  uint8_t code = 0;  ///< class << 5 | detail
  uint16_t mid = 0;
  const uint8_t* token = nullptr;
  uint8_t token_length = 0;
  int32_t content_format = -1;  ///< -1: absent
  int32_t observe = -1;         ///< -1: absent
  int32_t block2 = -1;          ///< the option's value; -1: absent
  char path[48] = {};           ///< Uri-Path as "/a/b", or Location-Path for a response
  const uint8_t* payload = nullptr;
  size_t payload_length = 0;
};

inline uint32_t option_uint(const uint8_t* v, size_t n) noexcept {
  uint32_t x = 0;
  for (size_t i = 0; i < n; ++i)
    x = x << 8 | v[i];
  return x;
}

/// Reads an option header's delta or length nibble with its extension (13: one byte, 14:
/// two bytes); false on 15 or a truncated extension.
inline bool option_field(uint32_t nibble, const uint8_t*& p, const uint8_t* end,
                         uint32_t& out) noexcept {
  if (nibble < 13) {
    out = nibble;
  } else if (nibble == 13 && p < end) {
    out = 13u + *p++;
  } else if (nibble == 14 && end - p >= 2) {
    out = 269u + (uint32_t{p[0]} << 8 | p[1]);
    p += 2;
  } else {
    return false;
  }
  return true;
}

inline void append_path(char* path, const uint8_t* seg, size_t n) noexcept {
  size_t at = 0;
  while (path[at] != '\0')
    ++at;
  if (at + 1 + n >= 48) return;
  path[at++] = '/';
  for (size_t i = 0; i < n; ++i)
    path[at++] = static_cast<char>(seg[i]);
  path[at] = '\0';
}

inline WireView parse(const uint8_t* d, size_t n) noexcept {
  WireView w;
  if (n < 4 || (d[0] >> 6) != 1 || (d[0] & 0x0F) > 8) return w;
  w.type = (d[0] >> 4) & 3;
  w.token_length = d[0] & 0x0F;
  w.code = d[1];
  w.mid = static_cast<uint16_t>(d[2] << 8 | d[3]);
  if (n < 4u + w.token_length) return w;
  w.token = d + 4;
  const uint8_t* p = d + 4 + w.token_length;
  const uint8_t* end = d + n;
  uint32_t number = 0;
  while (p < end && *p != 0xFF) {
    uint32_t delta = 0, length = 0;
    const uint8_t head = *p++;
    if (!option_field(head >> 4, p, end, delta) || !option_field(head & 0x0F, p, end, length) ||
        static_cast<size_t>(end - p) < length)
      return w;
    number += delta;
    if (number == 11 || number == 8) append_path(w.path, p, length);  // Uri-/Location-Path
    if (number == 12) w.content_format = static_cast<int32_t>(option_uint(p, length));
    if (number == 6) w.observe = static_cast<int32_t>(option_uint(p, length));
    if (number == 23) w.block2 = static_cast<int32_t>(option_uint(p, length));
    p += length;
  }
  if (p < end) {  // the payload marker
    if (end - p < 2) return w;
    w.payload = p + 1;
    w.payload_length = static_cast<size_t>(end - p - 1);
  }
  w.valid = true;
  return w;
}

}  // namespace replay
