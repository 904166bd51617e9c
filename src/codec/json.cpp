// SPDX-License-Identifier: Apache-2.0
#include "codec/json.hpp"

#include "codec/number.hpp"
#include "codec/utf8.hpp"
#include "double_compare.hpp"
#include "text_slice.hpp"

#include <cmath>
#include <system_error>

namespace lwm2m::codec::json {
namespace {

int hex_value(uint8_t c) noexcept {
  if (static_cast<unsigned>(c - '0') < 10) return c - '0';
  c |= 0x20;  // 'A'..'F' to 'a'..'f'; no other byte lands there
  if (static_cast<unsigned>(c - 'a') < 6) return c - 'a' + 10;
  return -1;
}

// Four hex digits at p; -1 if malformed, -2 if the input ends first.
int32_t hex4(const uint8_t* p, size_t avail) noexcept {
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    if (k >= avail) return -2;
    int h = hex_value(p[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// The characters with a two-character escape, and the letter after the backslash of each.
constexpr size_t kShortEscapes = 7;
constexpr char kEscaped[] = "\"\\\b\f\n\r\t";
constexpr char kEscapeLetters[] = "\"\\bfnrt";

// Index of c in a table above; kShortEscapes when absent.
size_t short_escape(const char* table, uint8_t c) noexcept {
  size_t k = 0;
  while (k < kShortEscapes && static_cast<uint8_t>(table[k]) != c)
    ++k;
  return k;
}

bool is_digit(uint8_t c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writer

void Writer::before_value() noexcept {
  if (comma_) sink_.put(',');
  comma_ = true;
}

void Writer::open(char c) noexcept {
  before_value();
  sink_.put(static_cast<uint8_t>(c));
  comma_ = false;
}

void Writer::close(char c) noexcept {
  sink_.put(static_cast<uint8_t>(c));
  comma_ = true;
}

void Writer::key(std::string_view k) noexcept {
  string(k);
  sink_.put(':');
  comma_ = false;
}

void Writer::string(std::string_view s) noexcept {
  begin_string();
  string_part(s);
  end_string();
}

void Writer::begin_string() noexcept {
  before_value();
  sink_.put('"');
}

void Writer::end_string() noexcept {
  sink_.put('"');
}

void Writer::string_part(std::string_view s) noexcept {
  if (!valid_utf8(s)) return fail(Errc::invalid_argument);
  escaped(s);
}

void Writer::escaped(std::string_view s) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the current run of characters written as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    sink_.write(as_bytes(lwm2m::detail::slice(s, run, i - run)));
    run = i + 1;
    // A short form where there is one, else \u00XX (RFC 8259 §7).
    char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
    size_t n = 6;
    if (const size_t k = short_escape(kEscaped, c); k < kShortEscapes) {
      esc[1] = kEscapeLetters[k];
      n = 2;
    }
    sink_.write(as_bytes(std::string_view{esc, n}));
  }
  sink_.write(as_bytes(lwm2m::detail::slice(s, run)));
}

void Writer::integer(int64_t v) noexcept {
  before_value();
  number::write_int(sink_, v);
}

void Writer::unsigned_integer(uint64_t v) noexcept {
  before_value();
  number::write_uint(sink_, v);
}

void Writer::floating(double v) noexcept {
  if (!lwm2m::detail::is_finite(v)) return fail(Errc::invalid_argument);
  before_value();
  (void)number::write_double(sink_, v);
}

void Writer::boolean(bool v) noexcept {
  before_value();
  sink_.write(as_bytes(v ? "true" : "false"));
}

void Writer::null() noexcept {
  before_value();
  sink_.write(as_bytes("null"));
}

void Writer::value(const dm::Value& v, base64::Alphabet alphabet,
                   base64::Padding padding) noexcept {
  switch (v.type()) {
    case dm::DataType::none:
      return;
    case dm::DataType::string:
    case dm::DataType::corelnk:
      return string(v.as_string());
    case dm::DataType::objlnk: {
      char link[12];
      return string({link, number::format_objlnk(v.as_objlnk(), link)});
    }
    case dm::DataType::opaque:
      begin_string();
      base64::encode(v.as_bytes(), sink_, alphabet, padding);
      return end_string();
    case dm::DataType::unsigned_integer:
      return unsigned_integer(v.as_unsigned());
    case dm::DataType::floating:
      return floating(v.as_float());
    case dm::DataType::boolean:
      return boolean(v.as_bool());
    default:  // integer, time
      return integer(v.as_integer());
  }
}

// ---------------------------------------------------------------------------------------
// Reader

void Reader::skip_ws() noexcept {
  while (pos_ < in_.size()) {
    const uint8_t c = in_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

Result<Token> Reader::next() noexcept {
  if (error_ != Errc::ok) return error_;
  skip_ws();
  const size_t n = in_.size();
  switch (state_) {
    case State::done:
      return Token::end;
    case State::value:
      return value();
    case State::array_first:
      if (pos_ < n && in_[pos_] == ']') return close(']');
      return value();
    case State::object_first:
      if (pos_ < n && in_[pos_] == '}') return close('}');
      return key();
    case State::object_key:
      return key();
    case State::after_value: {
      if (depth_ == 0) {
        if (pos_ != n) return fail(Errc::malformed);  // trailing garbage
        state_ = State::done;
        return Token::end;
      }
      if (pos_ == n) return fail(Errc::truncated);
      const uint8_t c = in_[pos_];
      if (c == ',') {
        ++pos_;
        skip_ws();
        // A ',' followed by a closing bracket is a trailing comma: key()/value() reject it.
        if ((is_object_ >> (depth_ - 1)) & 1) return key();
        return value();
      }
      if (c == ']' || c == '}') return close(c);
      return fail(Errc::malformed);
    }
  }
  return fail(Errc::internal_error);
}

Result<Token> Reader::close(uint8_t c) noexcept {
  const bool is_obj = (is_object_ >> (depth_ - 1)) & 1;
  if ((c == '}') != is_obj) return fail(Errc::malformed);
  ++pos_;
  --depth_;
  state_ = State::after_value;
  return is_obj ? Token::end_object : Token::end_array;
}

Result<Token> Reader::key() noexcept {
  if (pos_ == in_.size()) return fail(Errc::truncated);
  if (in_[pos_] != '"') return fail(Errc::malformed);
  if (Status s = scan_string(); !s) return fail(s.error());
  skip_ws();
  if (pos_ == in_.size()) return fail(Errc::truncated);
  if (in_[pos_] != ':') return fail(Errc::malformed);
  ++pos_;
  state_ = State::value;
  return Token::key;
}

Result<Token> Reader::value() noexcept {
  if (pos_ == in_.size()) return fail(Errc::truncated);
  const uint8_t c = in_[pos_];
  Token t;
  switch (c) {
    case '{':
    case '[': {
      if (depth_ >= max_depth_) return fail(Errc::unsupported);
      const uint32_t bit = uint32_t{1} << depth_;
      if (c == '{') {
        is_object_ |= bit;
      } else {
        is_object_ &= ~bit;
      }
      ++depth_;
      ++pos_;
      state_ = c == '{' ? State::object_first : State::array_first;
      return c == '{' ? Token::begin_object : Token::begin_array;
    }
    case '"':
      if (Status s = scan_string(); !s) return fail(s.error());
      t = Token::string;
      break;
    case 't':
    case 'f':
    case 'n': {
      // true_, false_ and null follow each other in Token.
      static constexpr const char* kWords[] = {"true", "false", "null"};
      const int w = c == 't' ? 0 : c == 'f' ? 1 : 2;
      if (Status s = literal(kWords[w]); !s) return fail(s.error());
      t = static_cast<Token>(static_cast<int>(Token::true_) + w);
      break;
    }
    default:
      if (c != '-' && !is_digit(c)) return fail(Errc::malformed);
      if (Status s = scan_number(); !s) return fail(s.error());
      t = Token::number;
  }
  state_ = State::after_value;
  return t;
}

Status Reader::literal(const char* word) noexcept {
  size_t i = pos_;
  for (; *word != 0; ++word, ++i) {
    if (i >= in_.size()) return Errc::truncated;
    if (in_[i] != static_cast<uint8_t>(*word)) return Errc::malformed;
  }
  pos_ = i;
  return {};
}

Status Reader::scan_number() noexcept {
  const size_t n = in_.size();
  const size_t start = pos_;
  size_t i = pos_;
  // Digits from i on, at least one: after '.', after 'e' and its sign, and first.
  auto digits = [&]() -> Errc {
    if (i == n) return Errc::truncated;
    const size_t from = i;
    while (i < n && is_digit(in_[i]))
      ++i;
    return i == from ? Errc::malformed : Errc::ok;
  };
  const bool negative = in_[i] == '-';
  i += negative;
  const size_t first = i;
  if (Errc e = digits(); e != Errc::ok) return e;
  if (in_[first] == '0' && i - first > 1) return Errc::malformed;  // leading zero
  bool decimal = false;
  if (i < n && in_[i] == '.') {
    decimal = true;
    ++i;
    if (Errc e = digits(); e != Errc::ok) return e;
  }
  if (i < n && (in_[i] | 0x20) == 'e') {
    decimal = true;
    if (++i < n && (in_[i] == '+' || in_[i] == '-')) ++i;
    if (Errc e = digits(); e != Errc::ok) return e;
  }
  raw_ = as_string(in_.subspan(start, i - start));
  kind_ = decimal    ? NumberKind::decimal
          : negative ? NumberKind::negative_integer
                     : NumberKind::unsigned_integer;
  pos_ = i;
  return {};
}

Status Reader::scan_string() noexcept {
  const size_t n = in_.size();
  const size_t start = pos_ + 1;
  bool esc = false;
  bool high = false;  // after a high surrogate's escape: the low one's must come next
  size_t i = start;
  for (;;) {
    if (i >= n) return Errc::truncated;
    const uint8_t b = in_[i];
    if (high && b != '\\') return Errc::malformed;
    if (b == '"') break;
    if (b != '\\') {
      if (b < 0x20) return Errc::malformed;  // control characters must be escaped
      Errc err = Errc::ok;
      const size_t len = utf8_sequence(in_.data() + i, n - i, err);
      if (len == 0) return err;
      i += len;
      continue;
    }
    esc = true;
    if (i + 1 >= n) return Errc::truncated;
    const uint8_t e = in_[i + 1];
    i += 2;
    if (e != 'u') {
      if (high || (e != '/' && short_escape(kEscapeLetters, e) == kShortEscapes))
        return Errc::malformed;
      continue;
    }
    const int32_t cp = hex4(in_.data() + i, n - i);
    if (cp == -1) return Errc::malformed;
    if (cp == -2) return Errc::truncated;
    i += 4;
    // A low surrogate only right after a high one, and a high one only before a low one.
    if ((cp >= 0xDC00 && cp <= 0xDFFF) != high) return Errc::malformed;
    high = cp >= 0xD800 && cp <= 0xDBFF;
  }
  raw_ = as_string(in_.subspan(start, i - start));
  escapes_ = esc;
  pos_ = i + 1;
  return {};
}

Status Reader::skip_value() noexcept {
  auto t = next();
  if (!t) return t.status();
  if (*t != Token::begin_object && *t != Token::begin_array) return {};
  const size_t target = depth_ - 1;
  while (depth_ > target) {
    auto u = next();
    if (!u) return u.status();
  }
  return {};
}

Result<std::string_view> Reader::string(std::span<char> scratch) const noexcept {
  if (!escapes_) return raw_;
  // raw_ was validated by scan_string(), so escapes here are well-formed.
  size_t o = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(raw_.data());
  const size_t n = raw_.size();
  for (size_t i = 0; i < n;) {
    uint8_t out[4] = {p[i++]};
    size_t len = 1;
    if (out[0] == '\\') {
      const uint8_t e = p[i++];
      out[0] = e;  // '"', '\\', '/'
      if (const size_t k = short_escape(kEscapeLetters, e); k < kShortEscapes) {
        out[0] = static_cast<uint8_t>(kEscaped[k]);
      } else if (e == 'u') {
        auto cp = static_cast<uint32_t>(hex4(p + i, 4));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const auto lo = static_cast<uint32_t>(hex4(p + i + 2, 4));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
        // UTF-8: continuation bytes from the last, then the lead byte's marker bits.
        len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (size_t j = len - 1; j > 0; --j) {
          out[j] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
          cp >>= 6;
        }
        out[0] = static_cast<uint8_t>(cp | (len > 1 ? 0xF00 >> len : 0));
      }
    }
    if (o + len > scratch.size()) return Errc::buffer_too_small;
    for (size_t k = 0; k < len; ++k)
      scratch[o++] = static_cast<char>(out[k]);
  }
  return std::string_view{scratch.data(), o};
}

Result<int64_t> Reader::as_int64() const noexcept {
  if (kind_ == NumberKind::decimal) return Errc::invalid_state;
  auto v = number::parse_int(raw_);
  if (!v) return Errc::unsupported;
  return *v;
}

Result<uint64_t> Reader::as_uint64() const noexcept {
  if (kind_ == NumberKind::decimal) return Errc::invalid_state;
  auto v = number::parse_uint(raw_);
  if (!v) return Errc::unsupported;
  return *v;
}

Result<double> Reader::as_double() const noexcept {
  auto v = number::parse_double(raw_);
  if (!v) return Errc::unsupported;
  return *v;
}

}  // namespace lwm2m::codec::json
