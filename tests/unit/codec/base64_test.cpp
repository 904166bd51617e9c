// SPDX-License-Identifier: Apache-2.0
#include "codec/base64.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

namespace lwm2m::codec::base64 {
namespace {

std::string encode_str(std::string_view in, Alphabet a, Padding p) {
  std::string out(encoded_size(in.size(), p), '?');
  auto r = encode(as_bytes(in), std::span<char>{out.data(), out.size()}, a, p);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(*r, out.size());
  // The Sink variant must produce the same characters.
  std::vector<uint8_t> buf(out.size() + 4);
  Sink sink{buf};
  encode(as_bytes(in), sink, a, p);
  EXPECT_EQ(as_string(sink.window()), out);
  return out;
}

Result<std::string> decode_str(std::string_view text, Alphabet a, Padding p) {
  std::vector<uint8_t> buf(decoded_max_size(text.size()) + 1);
  auto r = decode(text, buf, a, p);
  if (!r) return r.error();
  return std::string(reinterpret_cast<const char*>(buf.data()), *r);
}

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Section10Vectors) {
  const std::pair<const char*, const char*> v[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, coded] : v) {
    EXPECT_EQ(encode_str(plain, Alphabet::standard, Padding::required), coded);
    auto d = decode_str(coded, Alphabet::standard, Padding::required);
    ASSERT_TRUE(d.ok()) << coded;
    EXPECT_EQ(*d, plain);
    // Unpadded form (RFC 4648 §3.2 allows omitting padding when the spec says so).
    std::string unpadded = coded;
    while (!unpadded.empty() && unpadded.back() == '=')
      unpadded.pop_back();
    EXPECT_EQ(encode_str(plain, Alphabet::url, Padding::forbidden), unpadded);
    EXPECT_EQ(*decode_str(unpadded, Alphabet::url, Padding::forbidden), plain);
    EXPECT_EQ(*decode_str(unpadded, Alphabet::url, Padding::optional), plain);
    EXPECT_EQ(*decode_str(coded, Alphabet::url, Padding::optional), plain);
  }
}

// The two alphabets differ only in characters 62 and 63 (RFC 4648 §4 vs §5).
TEST(Base64, UrlAlphabetUsesDashAndUnderscore) {
  const std::string bytes = "\xfb\xff\xbf";  // 111110 111111 111110 111111
  EXPECT_EQ(encode_str(bytes, Alphabet::standard, Padding::required), "+/+/");
  EXPECT_EQ(encode_str(bytes, Alphabet::url, Padding::forbidden), "-_-_");
  EXPECT_EQ(decode_str("+/+/", Alphabet::url, Padding::optional).error(), Errc::malformed);
  EXPECT_EQ(decode_str("-_-_", Alphabet::standard, Padding::optional).error(), Errc::malformed);
  EXPECT_EQ(*decode_str("-_-_", Alphabet::url, Padding::optional), bytes);
}

TEST(Base64, RejectsBadInput) {
  const auto S = Alphabet::standard;
  EXPECT_EQ(decode_str("Zg", S, Padding::required).error(), Errc::malformed);     // padding missing
  EXPECT_EQ(decode_str("Zg==", S, Padding::forbidden).error(), Errc::malformed);  // padding present
  EXPECT_EQ(decode_str("Zg=", S, Padding::optional).error(), Errc::malformed);    // half padding
  EXPECT_EQ(decode_str("Zm8==", S, Padding::optional).error(), Errc::malformed);  // too much
  EXPECT_EQ(decode_str("Z===", S, Padding::optional).error(), Errc::malformed);
  EXPECT_EQ(decode_str("====", S, Padding::optional).error(), Errc::malformed);
  EXPECT_EQ(decode_str("Z", S, Padding::optional).error(), Errc::malformed);  // 6 bits only
  EXPECT_EQ(decode_str("Zm9vY", S, Padding::optional).error(), Errc::malformed);
  EXPECT_EQ(decode_str("Zm=v", S, Padding::optional).error(), Errc::malformed);   // '=' inside
  EXPECT_EQ(decode_str("Zm9 v", S, Padding::optional).error(), Errc::malformed);  // whitespace
  EXPECT_EQ(decode_str("Zh==", S, Padding::required).error(), Errc::malformed);   // bits left over
  EXPECT_EQ(decode_str("Zm9=", S, Padding::required).error(), Errc::malformed);
  EXPECT_EQ(decode_str(std::string_view{"Zm\0v", 4}, S, Padding::optional).error(),
            Errc::malformed);
  EXPECT_EQ(decode_str("Zm\xc3\xa9", S, Padding::optional).error(), Errc::malformed);
}

TEST(Base64, BufferTooSmall) {
  std::array<uint8_t, 2> small{};
  EXPECT_EQ(decode("Zm9v", small, Alphabet::standard, Padding::required).error(),
            Errc::buffer_too_small);
  std::array<char, 3> out{};
  EXPECT_EQ(encode(as_bytes("foo"), out, Alphabet::standard, Padding::required).error(),
            Errc::buffer_too_small);
}

// Every byte string has exactly one accepted encoding, in every mode.
TEST(Base64, RandomRoundTrip) {
  std::mt19937 rng(4648);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string s(rng() % 70, '\0');
    for (auto& c : s)
      c = static_cast<char>(rng());
    for (auto a : {Alphabet::standard, Alphabet::url}) {
      for (auto p : {Padding::required, Padding::forbidden}) {
        std::string e = encode_str(s, a, p);
        auto d = decode_str(e, a, p);
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(*d, s);
        auto d2 = decode_str(e, a, Padding::optional);
        ASSERT_TRUE(d2.ok());
        EXPECT_EQ(*d2, s);
      }
    }
  }
}

// A long input is written through the Sink in several chunks; the window must still match.
TEST(Base64, SinkWindowed) {
  std::string s(200, '\0');
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>(i * 7);
  std::string full = encode_str(s, Alphabet::standard, Padding::required);
  std::array<uint8_t, 16> win{};
  Sink sink{win, 100};
  encode(as_bytes(s), sink, Alphabet::standard, Padding::required);
  EXPECT_EQ(sink.total(), full.size());
  EXPECT_EQ(as_string(sink.window()), full.substr(100, 16));
}

}  // namespace
}  // namespace lwm2m::codec::base64
