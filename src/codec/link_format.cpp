// SPDX-License-Identifier: Apache-2.0
#include "codec/link_format.hpp"

#include "codec/number.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec {

void LinkWriter::separate() noexcept {
  if (any_) out_.put(',');
  any_ = true;
}

void LinkWriter::link(const dm::Path& path) noexcept {
  separate();
  out_.put('<');
  for (size_t i = 0; i < path.depth(); ++i) {
    out_.put('/');
    number::write_uint(out_, path.id(i));
  }
  if (path.is_root()) out_.put('/');
  out_.put('>');
}

void LinkWriter::link(std::string_view uri) noexcept {
  separate();
  out_.put('<');
  out_.write(as_bytes(uri));
  out_.put('>');
}

// One copy of what every parameter starts with.
void LinkWriter::begin_param(std::string_view name) noexcept {
  out_.put(';');
  out_.write(as_bytes(name));
  out_.put('=');
}

void LinkWriter::param(std::string_view name, std::string_view value) noexcept {
  begin_param(name);
  out_.write(as_bytes(value));
}

void LinkWriter::param(std::string_view name, uint64_t value) noexcept {
  begin_param(name);
  number::write_uint(out_, value);
}

void LinkWriter::quoted_param(std::string_view name, ByteView value) noexcept {
  begin_param(name);
  out_.put('"');
  out_.write(value);
  out_.put('"');
}

void LinkWriter::content_formats(std::span<const ContentFormat> formats) noexcept {
  if (formats.empty()) return;
  if (formats.size() == 1) return param("ct", static_cast<uint16_t>(formats[0]));
  begin_param("ct");
  for (size_t i = 0; i < formats.size(); ++i) {
    out_.put(i ? ' ' : '"');
    number::write_uint(out_, static_cast<uint16_t>(formats[i]));
  }
  out_.put('"');
}

// ---- parsing ----

namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
// RFC 5987 parmname characters.
bool is_parmname(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '&':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}
// RFC 6690 ptokenchar.
bool is_ptoken(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case '-':
    case '.':
    case '/':
    case ':':
    case '<':
    case '=':
    case '>':
    case '?':
    case '@':
    case '[':
    case ']':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}
bool is_ws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Scans one parameter starting after its ';' at `pos`; returns the position after it, or
// npos when it is malformed. Fills `out` when given.
size_t scan_param(std::string_view s, size_t pos, LinkParam* out) noexcept {
  const size_t name_begin = pos;
  while (pos < s.size() && is_parmname(s[pos]))
    ++pos;
  if (pos == name_begin) return std::string_view::npos;
  LinkParam p;
  p.name = lwm2m::detail::slice(s, name_begin, pos - name_begin);
  if (pos < s.size() && s[pos] == '=') {
    ++pos;
    p.has_value = true;
    if (pos < s.size() && s[pos] == '"') {
      const size_t v = ++pos;
      for (;;) {
        if (pos >= s.size()) return std::string_view::npos;
        const char c = s[pos];
        if (c == '"') break;
        if (c == '\\') {
          if (pos + 1 >= s.size()) return std::string_view::npos;
          pos += 2;
          continue;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::string_view::npos;
        ++pos;
      }
      p.value = lwm2m::detail::slice(s, v, pos - v);
      p.quoted = true;
      ++pos;
    } else {
      const size_t v = pos;
      while (pos < s.size() && is_ptoken(s[pos]))
        ++pos;
      if (pos == v) return std::string_view::npos;
      p.value = lwm2m::detail::slice(s, v, pos - v);
    }
  }
  if (out) *out = p;
  return pos;
}

}  // namespace

bool LinkParamIterator::next(LinkParam& out) noexcept {
  if (rest_.empty() || rest_[0] != ';') return false;
  const size_t end = scan_param(rest_, 1, &out);
  if (end == std::string_view::npos) {
    rest_ = {};
    return false;
  }
  rest_.remove_prefix(end);
  return true;
}

LinkParam Link::find(std::string_view name) const noexcept {
  LinkParamIterator it{params};
  LinkParam p;
  while (it.next(p))
    if (p.name == name) return p;
  return {};
}

Result<bool> LinkParser::next(Link& out) noexcept {
  if (error_ != Errc::ok) return error_;
  const std::string_view s = text_;
  if (!first_) {
    if (pos_ >= s.size()) return false;
    if (s[pos_] != ',') return error_ = Errc::malformed;
    ++pos_;
    while (pos_ < s.size() && is_ws(s[pos_]))
      ++pos_;
  } else {
    first_ = false;
    if (s.empty()) return false;
  }
  if (pos_ >= s.size() || s[pos_] != '<') return error_ = Errc::malformed;
  const size_t uri_begin = ++pos_;
  while (pos_ < s.size() && s[pos_] != '>') {
    const auto c = static_cast<unsigned char>(s[pos_]);
    if (c <= 0x20 || c == 0x7F || c == '<') return error_ = Errc::malformed;
    ++pos_;
  }
  if (pos_ >= s.size()) return error_ = Errc::malformed;
  out.uri = lwm2m::detail::slice(s, uri_begin, pos_ - uri_begin);
  const size_t params_begin = ++pos_;
  while (pos_ < s.size() && s[pos_] == ';') {
    const size_t end = scan_param(s, pos_ + 1, nullptr);
    if (end == std::string_view::npos) return error_ = Errc::malformed;
    pos_ = end;
  }
  out.params = lwm2m::detail::slice(s, params_begin, pos_ - params_begin);
  if (pos_ < s.size() && s[pos_] != ',') return error_ = Errc::malformed;
  return true;
}

}  // namespace lwm2m::codec
