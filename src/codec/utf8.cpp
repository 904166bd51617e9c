// SPDX-License-Identifier: Apache-2.0
#include "codec/utf8.hpp"

namespace lwm2m::codec {

size_t utf8_sequence(const uint8_t* p, size_t avail, Errc& err) noexcept {
  const uint8_t b = p[0];
  if (b < 0x80) return 1;
  err = Errc::malformed;
  if (b < 0xC2 || b > 0xF4) return 0;
  const size_t len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  // The allowed range of the second byte: narrower after E0 and F0 (overlong forms), ED
  // (UTF-16 surrogates) and F4 (above U+10FFFF); the later bytes are 80..BF.
  unsigned lo = 0x80, hi = 0xBF;
  if (b == 0xE0) lo = 0xA0;
  if (b == 0xF0) lo = 0x90;
  if (b == 0xED) hi = 0x9F;
  if (b == 0xF4) hi = 0x8F;
  for (size_t k = 1; k < len; ++k) {
    if (k >= avail) {
      err = Errc::truncated;
      return 0;
    }
    if (p[k] < lo || p[k] > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
  }
  err = Errc::ok;
  return len;
}

// The sequence check inlined: this is the bottom of a TLV or text Write of a string, the
// deepest request path of a small device (its frame, and no call below it).
[[gnu::flatten]] bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    Errc err;
    const size_t n = utf8_sequence(p + i, s.size() - i, err);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace lwm2m::codec
