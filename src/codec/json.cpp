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
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
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

bool is_digit(uint8_t c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writer

void Writer::before_value() noexcept {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const uint64_t bit = uint64_t{1} << (depth_ - 1);
  if (is_object_ & bit) return fail(Errc::invalid_state);  // a member needs a key first
  if (has_items_ & bit) sink_.put(',');
  has_items_ |= bit;
}

void Writer::open(char c, bool object) noexcept {
  if (depth_ >= kMaxDepth) return fail(Errc::invalid_state);
  before_value();
  const uint64_t bit = uint64_t{1} << depth_;
  if (object) {
    is_object_ |= bit;
  } else {
    is_object_ &= ~bit;
  }
  has_items_ &= ~bit;
  ++depth_;
  sink_.put(static_cast<uint8_t>(c));
}

void Writer::close(char c, bool object) noexcept {
  if (depth_ == 0 || after_key_) return fail(Errc::invalid_state);
  const bool is_obj = (is_object_ >> (depth_ - 1)) & 1;
  if (is_obj != object) return fail(Errc::invalid_state);
  --depth_;
  sink_.put(static_cast<uint8_t>(c));
}

void Writer::key(std::string_view k) noexcept {
  if (depth_ == 0 || after_key_) return fail(Errc::invalid_state);
  const uint64_t bit = uint64_t{1} << (depth_ - 1);
  if (!(is_object_ & bit)) return fail(Errc::invalid_state);
  if (!valid_utf8(k)) return fail(Errc::invalid_argument);
  if (has_items_ & bit) sink_.put(',');
  has_items_ |= bit;
  sink_.put('"');
  escaped(k);
  sink_.write(as_bytes("\":"));
  after_key_ = true;
}

void Writer::string(std::string_view s) noexcept {
  if (!valid_utf8(s)) return fail(Errc::invalid_argument);
  before_value();
  sink_.put('"');
  escaped(s);
  sink_.put('"');
}

void Writer::begin_string() noexcept {
  before_value();
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
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    size_t n = 2;
    switch (c) {
      case '"':
        esc[1] = '"';
        break;
      case '\\':
        esc[1] = '\\';
        break;
      case '\b':
        esc[1] = 'b';
        break;
      case '\f':
        esc[1] = 'f';
        break;
      case '\n':
        esc[1] = 'n';
        break;
      case '\r':
        esc[1] = 'r';
        break;
      case '\t':
        esc[1] = 't';
        break;
      default:  // other control characters have no short form (RFC 8259 §7)
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = kHex[c >> 4];
        esc[5] = kHex[c & 0xF];
        n = 6;
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
      if (Status s = literal("true"); !s) return fail(s.error());
      t = Token::true_;
      break;
    case 'f':
      if (Status s = literal("false"); !s) return fail(s.error());
      t = Token::false_;
      break;
    case 'n':
      if (Status s = literal("null"); !s) return fail(s.error());
      t = Token::null;
      break;
    default:
      if (c != '-' && !is_digit(c)) return fail(Errc::malformed);
      if (Status s = scan_number(); !s) return fail(s.error());
      t = Token::number;
  }
  state_ = State::after_value;
  return t;
}

Status Reader::literal(std::string_view word) noexcept {
  for (size_t k = 0; k < word.size(); ++k) {
    if (pos_ + k >= in_.size()) return Errc::truncated;
    if (in_[pos_ + k] != static_cast<uint8_t>(word[k])) return Errc::malformed;
  }
  pos_ += word.size();
  return {};
}

Status Reader::scan_number() noexcept {
  const size_t n = in_.size();
  const size_t start = pos_;
  size_t i = pos_;
  bool negative = false, decimal = false;
  if (in_[i] == '-') {
    negative = true;
    ++i;
  }
  if (i == n) return Errc::truncated;
  if (in_[i] == '0') {
    ++i;
    if (i < n && is_digit(in_[i])) return Errc::malformed;  // leading zero
  } else if (is_digit(in_[i])) {
    while (i < n && is_digit(in_[i]))
      ++i;
  } else {
    return Errc::malformed;
  }
  if (i < n && in_[i] == '.') {
    decimal = true;
    if (++i == n) return Errc::truncated;
    if (!is_digit(in_[i])) return Errc::malformed;
    while (i < n && is_digit(in_[i]))
      ++i;
  }
  if (i < n && (in_[i] == 'e' || in_[i] == 'E')) {
    decimal = true;
    if (++i < n && (in_[i] == '+' || in_[i] == '-')) ++i;
    if (i == n) return Errc::truncated;
    if (!is_digit(in_[i])) return Errc::malformed;
    while (i < n && is_digit(in_[i]))
      ++i;
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
  size_t i = start;
  for (;;) {
    if (i >= n) return Errc::truncated;
    const uint8_t b = in_[i];
    if (b == '"') break;
    if (b == '\\') {
      esc = true;
      if (i + 1 >= n) return Errc::truncated;
      switch (in_[i + 1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          i += 2;
          continue;
        case 'u':
          break;
        default:
          return Errc::malformed;
      }
      int32_t cp = hex4(in_.data() + i + 2, n - (i + 2));
      if (cp == -1) return Errc::malformed;
      if (cp == -2) return Errc::truncated;
      i += 6;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return Errc::malformed;  // lone low surrogate
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // A high surrogate must be followed at once by an escaped low surrogate.
        if (i >= n) return Errc::truncated;
        if (in_[i] != '\\') return Errc::malformed;
        if (i + 1 >= n) return Errc::truncated;
        if (in_[i + 1] != 'u') return Errc::malformed;
        int32_t lo = hex4(in_.data() + i + 2, n - (i + 2));
        if (lo == -1) return Errc::malformed;
        if (lo == -2) return Errc::truncated;
        if (lo < 0xDC00 || lo > 0xDFFF) return Errc::malformed;
        i += 6;
      }
      continue;
    }
    if (b < 0x20) return Errc::malformed;  // control characters must be escaped
    Errc err = Errc::ok;
    size_t len = utf8_sequence(in_.data() + i, n - i, err);
    if (len == 0) return err;
    i += len;
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
  auto put = [&](uint8_t c) {
    if (o >= scratch.size()) return false;
    scratch[o++] = static_cast<char>(c);
    return true;
  };
  const auto* p = reinterpret_cast<const uint8_t*>(raw_.data());
  const size_t n = raw_.size();
  for (size_t i = 0; i < n;) {
    if (p[i] != '\\') {
      if (!put(p[i++])) return Errc::buffer_too_small;
      continue;
    }
    const uint8_t e = p[i + 1];
    uint8_t c = 0;
    switch (e) {
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      case 'u':
        break;
      default:
        c = e;  // '"', '\\', '/'
    }
    if (e != 'u') {
      if (!put(c)) return Errc::buffer_too_small;
      i += 2;
      continue;
    }
    uint32_t cp = static_cast<uint32_t>(hex4(p + i + 2, 4));
    i += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const auto lo = static_cast<uint32_t>(hex4(p + i + 2, 4));
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 6;
    }
    bool ok;
    if (cp < 0x80) {
      ok = put(static_cast<uint8_t>(cp));
    } else if (cp < 0x800) {
      ok = put(static_cast<uint8_t>(0xC0 | (cp >> 6))) &&
           put(static_cast<uint8_t>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      ok = put(static_cast<uint8_t>(0xE0 | (cp >> 12))) &&
           put(static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F))) &&
           put(static_cast<uint8_t>(0x80 | (cp & 0x3F)));
    } else {
      ok = put(static_cast<uint8_t>(0xF0 | (cp >> 18))) &&
           put(static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F))) &&
           put(static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F))) &&
           put(static_cast<uint8_t>(0x80 | (cp & 0x3F)));
    }
    if (!ok) return Errc::buffer_too_small;
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
