// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that look at CoAP on the wire: encode a hand-built message into bytes,
// parse captured datagrams, read options. Header-only, built on the library's codec.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lwm2m/coap/message.hpp"
#include "support/sim_link.hpp"

namespace lwm2m::coap {
// Readable gtest failure messages.
inline void PrintTo(const Code& c, std::ostream* os) {
  *os << int{c.cls()} << '.' << (c.detail() < 10 ? "0" : "") << int{c.detail()};
}
inline void PrintTo(const Type& t, std::ostream* os) {
  static const char* names[] = {"CON", "NON", "ACK", "RST"};
  *os << names[static_cast<uint8_t>(t) & 3];
}
inline void PrintTo(const Token& t, std::ostream* os) {
  static const char* digits = "0123456789abcdef";
  *os << "token ";
  for (uint8_t i = 0; i < t.length && i < 8; ++i)
    *os << digits[t.bytes[i] >> 4] << digits[t.bytes[i] & 15];
}
}  // namespace lwm2m::coap

namespace lwm2m::test {

/// Encodes a message (the test fails if it does not encode).
inline Bytes encode(const coap::Message& m) {
  Bytes out(coap::encoded_size(m));
  auto n = coap::encode(m, {out.data(), out.size()});
  EXPECT_TRUE(n.ok()) << "message does not encode";
  if (n.ok()) out.resize(*n);
  return out;
}

inline coap::Token token(std::initializer_list<uint8_t> bytes) {
  std::vector<uint8_t> v(bytes);
  return coap::Token::from({v.data(), v.size()});
}

/// A request with Uri-Path segments from `path` ("a/b"); payload views must outlive it.
inline coap::Message request(coap::Type type, coap::Code code, uint16_t mid, coap::Token tok,
                             std::string_view path = {}) {
  coap::Message m;
  m.type = type;
  m.code = code;
  m.message_id = mid;
  m.token = tok;
  if (!path.empty()) {
    EXPECT_TRUE(m.add_path(coap::OptionNumber::uri_path, path).ok());
  }
  return m;
}

/// A response (piggybacked ACK, CON/NON separate response or notification).
inline coap::Message response(coap::Type type, coap::Code code, uint16_t mid, coap::Token tok) {
  coap::Message m;
  m.type = type;
  m.code = code;
  m.message_id = mid;
  m.token = tok;
  return m;
}

/// An Empty message (ACK, RST or a CoAP ping with CON) as raw bytes (RFC 7252 §3, §4.1).
inline Bytes empty_message(coap::Type type, uint16_t mid) {
  return Bytes{static_cast<uint8_t>(0x40 | (static_cast<uint8_t>(type) << 4)), 0x00,
               static_cast<uint8_t>(mid >> 8), static_cast<uint8_t>(mid)};
}

/// A captured datagram, parsed. Owns its bytes, so the message's views stay valid.
class Parsed {
 public:
  explicit Parsed(ByteView bytes) : bytes_(bytes.begin(), bytes.end()) { reparse(); }
  explicit Parsed(const Bytes& bytes) : bytes_(bytes) { reparse(); }
  Parsed(const Parsed& o) : bytes_(o.bytes_) { reparse(); }
  Parsed& operator=(const Parsed& o) {
    bytes_ = o.bytes_;
    reparse();
    return *this;
  }

  bool ok() const { return error_ == coap::ParseError::none; }
  const coap::Message& msg() const { return msg_; }
  const coap::Message* operator->() const { return &msg_; }
  const Bytes& bytes() const { return bytes_; }

  coap::Type type() const { return msg_.type; }
  coap::Code code() const { return msg_.code; }
  uint16_t mid() const { return msg_.message_id; }
  const coap::Token& tok() const { return msg_.token; }
  std::string payload() const {
    return std::string(reinterpret_cast<const char*>(msg_.payload.data()), msg_.payload.size());
  }
  std::optional<uint32_t> observe() const { return msg_.observe(); }
  std::optional<coap::BlockOption> block1() const { return msg_.block(coap::OptionNumber::block1); }
  std::optional<coap::BlockOption> block2() const { return msg_.block(coap::OptionNumber::block2); }
  std::optional<uint32_t> uint_option(coap::OptionNumber n) const { return msg_.uint_option(n); }
  bool has(coap::OptionNumber n) const { return msg_.has(n); }
  /// Uri-Path segments joined with '/'.
  std::string path() const {
    std::string out;
    for (const coap::Option& o : msg_.options()) {
      if (o.number != static_cast<uint16_t>(coap::OptionNumber::uri_path)) continue;
      if (!out.empty()) out += '/';
      out += o.string();
    }
    return out;
  }
  bool is_empty_ack() const {
    return ok() && msg_.type == coap::Type::ack && msg_.code.is_empty() && bytes_.size() == 4;
  }
  bool is_rst() const { return ok() && msg_.type == coap::Type::rst && bytes_.size() == 4; }

 private:
  void reparse() { error_ = coap::parse({bytes_.data(), bytes_.size()}, msg_); }
  Bytes bytes_;
  coap::Message msg_;
  coap::ParseError error_ = coap::ParseError::none;
};

/// Parses every record of a trace selection.
inline std::vector<Parsed> parse_all(const std::vector<const WireRecord*>& records) {
  std::vector<Parsed> out;
  out.reserve(records.size());
  for (const WireRecord* r : records)
    out.emplace_back(r->bytes);
  return out;
}

/// A deterministic body of n bytes (no two neighbouring 256-byte windows alike).
inline std::string make_body(size_t n, uint32_t salt = 0) {
  std::string s(n, '\0');
  uint32_t x = 0x12345u + salt;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>('a' + (x >> 16) % 26);
  }
  return s;
}

inline std::string to_string(ByteView b) {
  return std::string(as_string(b));
}

/// Compares two bodies without dumping kilobytes on failure: reports sizes and the first
/// differing offset.
inline ::testing::AssertionResult same_body(std::string_view got, std::string_view want) {
  if (got == want) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i])
    ++i;
  return ::testing::AssertionFailure() << "bodies differ: got " << got.size() << " bytes, want "
                                       << want.size() << ", first difference at byte " << i;
}

inline std::string hex(const coap::Token& t) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t i = 0; i < t.length; ++i) {
    s += digits[t.bytes[i] >> 4];
    s += digits[t.bytes[i] & 15];
  }
  return s;
}

}  // namespace lwm2m::test
