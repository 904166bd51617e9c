// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/path.hpp"

#include "text_slice.hpp"

namespace lwm2m::dm {
namespace {

// Parses one decimal id segment; rejects empty, non-digits, leading '+'/'-', values > 65534.
bool parse_id(std::string_view s, uint16_t& out) noexcept {
  if (s.empty() || s.size() > 5) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v >= kInvalidId) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

}  // namespace

Result<Path> Path::child(uint16_t id) const noexcept {
  if (depth_ >= kMaxDepth || id == kInvalidId) return Errc::invalid_argument;
  Path p = *this;
  p.ids_[p.depth_++] = id;
  return p;
}

Result<Path> Path::parse(std::string_view text) noexcept {
  if (text.empty() || text[0] != '/') return Errc::malformed;
  if (text.size() == 1) return Path{};
  Path p;
  size_t pos = 1;
  while (true) {
    size_t slash = text.find('/', pos);
    std::string_view seg = lwm2m::detail::slice(
        text, pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    uint16_t id = 0;
    if (p.depth_ >= kMaxDepth || !parse_id(seg, id)) return Errc::malformed;
    p.ids_[p.depth_++] = id;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return p;
}

Result<Path> Path::from_segments(std::span<const std::string_view> segments) noexcept {
  Path p;
  if (segments.size() == 1 && segments[0].empty()) return p;
  if (segments.size() > kMaxDepth) return Errc::not_found;
  // Each id goes straight into the path: one copy of the result, not one per exit.
  for (std::string_view seg : segments)
    if (!parse_id(seg, p.ids_[p.depth_++])) return Errc::not_found;
  return p;
}

size_t Path::format(std::span<char> out) const noexcept {
  char tmp[kMaxTextLength];
  size_t n = 0;
  if (depth_ == 0) tmp[n++] = '/';
  for (size_t i = 0; i < depth_; ++i) {
    tmp[n++] = '/';
    char digits[5];
    size_t d = 0;
    uint16_t v = ids_[i];
    do {
      digits[d++] = static_cast<char>('0' + v % 10);
      v = static_cast<uint16_t>(v / 10);
    } while (v != 0);
    while (d > 0)
      tmp[n++] = digits[--d];
  }
  if (n > out.size()) return 0;
  for (size_t i = 0; i < n; ++i)
    out[i] = tmp[i];
  return n;
}

}  // namespace lwm2m::dm
