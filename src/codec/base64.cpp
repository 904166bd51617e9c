// SPDX-License-Identifier: Apache-2.0
#include "codec/base64.hpp"

#include <cstdint>

namespace lwm2m::codec::base64 {
namespace {

// The 62 characters both alphabets share; the last two are the alphabet's own (one table
// rather than one per alphabet).
constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const char* last_two(Alphabet a) noexcept {
  return a == Alphabet::url ? "-_" : "+/";
}

constexpr uint8_t kInvalid = 0xFF;

// The value of one character, by ranges rather than 256-byte reverse tables: decoding is
// rare (opaque values written by a server) and flash is not.
uint8_t sextet(char c, const char* extra) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<uint8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<uint8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0' + 52);
  if (c == extra[0]) return 62;
  if (c == extra[1]) return 63;
  return kInvalid;
}

char digit(uint32_t v, const char* extra) noexcept {
  v &= 0x3F;
  return v >= 62 ? extra[v - 62] : kDigits[v];
}

}  // namespace

void encode(ByteView in, Sink& out, Alphabet alphabet, Padding padding) noexcept {
  const char* extra = last_two(alphabet);
  // A character at a time into the sink: base64 text goes out only for an opaque value read
  // as plain text, rare enough that the smaller loop is worth a write per character.
  for (size_t i = 0; i < in.size(); i += 3) {
    const size_t n = in.size() - i < 3 ? in.size() - i : 3;
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k)
      v = v << 8 | (k < n ? in[i + k] : 0u);
    // n bytes make n + 1 significant characters, padded to 4 when padding is required.
    for (size_t k = 0; k < 4; ++k) {
      if (k <= n) {
        out.put(static_cast<uint8_t>(digit(v >> (18 - 6 * k), extra)));
      } else if (padding == Padding::required) {
        out.put('=');
      }
    }
  }
}

Result<size_t> encode(ByteView in, std::span<char> out, Alphabet alphabet,
                      Padding padding) noexcept {
  if (encoded_size(in.size(), padding) > out.size()) return Errc::buffer_too_small;
  // The Sink's writer, into a buffer that holds it all: one encoding loop for both.
  Sink sink{{reinterpret_cast<uint8_t*>(out.data()), out.size()}};
  encode(in, sink, alphabet, padding);
  return sink.total();
}

Result<size_t> decode(std::string_view text, MutableByteView out, Alphabet alphabet,
                      Padding padding) noexcept {
  const char* extra = last_two(alphabet);
  size_t len = text.size();
  // Strip padding first, checking it is exactly what the length calls for: with padding
  // the text is whole quads ("AA=" or "AAA==" are wrong).
  size_t pad = 0;
  while (pad < 2 && len > 0 && text[len - 1] == '=') {
    --len;
    ++pad;
  }
  if (pad != 0 ? padding == Padding::forbidden || text.size() % 4 != 0
               : padding == Padding::required && len % 4 != 0)
    return Errc::malformed;
  // A single leftover character carries only 6 bits: no byte can end there.
  if (len % 4 == 1) return Errc::malformed;
  if (decoded_max_size(len) > out.size()) return Errc::buffer_too_small;

  size_t o = 0;
  uint32_t acc = 0;
  size_t bits = 0;
  for (size_t i = 0; i < len; ++i) {
    uint8_t v = sextet(text[i], extra);
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
