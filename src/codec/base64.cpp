// SPDX-License-Identifier: Apache-2.0
#include "codec/base64.hpp"

#include <cstdint>

namespace lwm2m::codec::base64 {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr uint8_t kInvalid = 0xFF;

// The value of one character, by ranges rather than 256-byte reverse tables: decoding is
// rare (opaque values written by a server) and flash is not.
uint8_t sextet(char c, const char* alphabet) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<uint8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<uint8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0' + 52);
  if (c == alphabet[62]) return 62;
  if (c == alphabet[63]) return 63;
  return kInvalid;
}

// Encodes one group of 1..3 bytes into `quad`; returns how many characters are significant.
size_t encode_group(const uint8_t* p, size_t n, const char* table, char quad[4]) noexcept {
  uint32_t v = static_cast<uint32_t>(p[0]) << 16;
  if (n > 1) v |= static_cast<uint32_t>(p[1]) << 8;
  if (n > 2) v |= p[2];
  quad[0] = table[(v >> 18) & 0x3F];
  quad[1] = table[(v >> 12) & 0x3F];
  quad[2] = n > 1 ? table[(v >> 6) & 0x3F] : '=';
  quad[3] = n > 2 ? table[v & 0x3F] : '=';
  return n + 1;
}

}  // namespace

void encode(ByteView in, Sink& out, Alphabet alphabet, Padding padding) noexcept {
  const char* table = alphabet == Alphabet::url ? kUrl : kStandard;
  // Batch into a small stack buffer: one Sink::write per 48 characters, not per character.
  char buf[48];
  size_t used = 0;
  for (size_t i = 0; i < in.size(); i += 3) {
    size_t n = in.size() - i < 3 ? in.size() - i : 3;
    size_t sig = encode_group(in.data() + i, n, table, buf + used);
    used += padding == Padding::required ? 4 : sig;
    if (used > sizeof buf - 4) {
      out.write(as_bytes(std::string_view{buf, used}));
      used = 0;
    }
  }
  if (used != 0) out.write(as_bytes(std::string_view{buf, used}));
}

Result<size_t> encode(ByteView in, std::span<char> out, Alphabet alphabet,
                      Padding padding) noexcept {
  const size_t need = encoded_size(in.size(), padding);
  if (need > out.size()) return Errc::buffer_too_small;
  const char* table = alphabet == Alphabet::url ? kUrl : kStandard;
  size_t pos = 0;
  for (size_t i = 0; i < in.size(); i += 3) {
    size_t n = in.size() - i < 3 ? in.size() - i : 3;
    char quad[4];
    size_t sig = encode_group(in.data() + i, n, table, quad);
    size_t take = padding == Padding::required ? 4 : sig;
    for (size_t k = 0; k < take; ++k)
      out[pos++] = quad[k];
  }
  return pos;
}

Result<size_t> decode(std::string_view text, MutableByteView out, Alphabet alphabet,
                      Padding padding) noexcept {
  const char* table = alphabet == Alphabet::url ? kUrl : kStandard;
  size_t len = text.size();
  // Strip padding first, checking it is exactly what the length calls for.
  size_t pad = 0;
  while (pad < 2 && len > 0 && text[len - 1] == '=') {
    --len;
    ++pad;
  }
  if (pad != 0) {
    if (padding == Padding::forbidden) return Errc::malformed;
    if (text.size() % 4 != 0) return Errc::malformed;
  } else if (padding == Padding::required && text.size() % 4 != 0) {
    return Errc::malformed;
  }
  // A single leftover character carries only 6 bits: no byte can end there.
  if (len % 4 == 1) return Errc::malformed;
  // Padding must fill the last quad exactly ("AA=" or "AAA==" are wrong).
  if (pad != 0 && (len + pad) % 4 != 0) return Errc::malformed;
  const size_t n_out = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
  if (n_out > out.size()) return Errc::buffer_too_small;

  size_t o = 0;
  uint32_t acc = 0;
  size_t bits = 0;
  for (size_t i = 0; i < len; ++i) {
    uint8_t v = sextet(text[i], table);
    if (v == kInvalid) return Errc::malformed;  // includes '=' before the end
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<uint8_t>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  // Leftover bits must be zero, or two encodings would decode to the same bytes.
  if (acc != 0) return Errc::malformed;
  return o;
}

}  // namespace lwm2m::codec::base64
