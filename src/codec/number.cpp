// SPDX-License-Identifier: Apache-2.0
#include "codec/number.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "codec/number_compact.hpp"
#include "codec/number_small.hpp"
#include "small_divide.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec::number {

// Our own digit loop rather than std::to_chars: it divides through detail::divide, which on
// 32-bit targets avoids linking the 64-bit division routine.
size_t format_uint(uint64_t v, char* out) noexcept {
  char digits[20];
  char* first = digits + sizeof digits;
  do {
    const auto [quot, rem] = lwm2m::detail::divide(v, 10);
    *--first = static_cast<char>('0' + rem);
    v = quot;
  } while (v != 0);
  const auto n = static_cast<size_t>(digits + sizeof digits - first);
  std::memcpy(out, first, n);
  return n;
}

size_t format_int(int64_t v, char* out) noexcept {
  if (v >= 0) return format_uint(static_cast<uint64_t>(v), out);
  *out = '-';
  return 1 + format_uint(0 - static_cast<uint64_t>(v), out + 1);
}

#if LWM2M_COMPACT_FLOAT
// Our own conversions: a few kB of flash instead of ~145 kB of libstdc++'s floating-point
// to_chars/from_chars, same syntax and error reporting; the smaller and slower of the two
// (number_small.hpp) or the faster (number_compact.hpp).
#if LWM2M_SMALL_FLOAT
namespace own = small;
#else
namespace own = compact;
#endif

size_t format_double(double v, char* out) noexcept {
  return own::format_double(v, out);
}
#else
size_t format_double(double v, char* out) noexcept {
  if (!std::isfinite(v)) return 0;
  // Without a format argument to_chars gives the shortest round-trip form.
  auto r = std::to_chars(out, out + kMaxChars, v);
  std::string_view text{out, static_cast<size_t>(r.ptr - out)};
  if (text.size() > 17 && text.find_first_of(".e") == std::string_view::npos) {
    r = std::to_chars(out, out + kMaxChars, v, std::chars_format::scientific);
  }
  return static_cast<size_t>(r.ptr - out);
}
#endif

void write_int(Sink& out, int64_t v) noexcept {
  char buf[kMaxChars];
  out.write({reinterpret_cast<const uint8_t*>(buf), format_int(v, buf)});
}

void write_uint(Sink& out, uint64_t v) noexcept {
  char buf[kMaxChars];
  out.write({reinterpret_cast<const uint8_t*>(buf), format_uint(v, buf)});
}

Status write_double(Sink& out, double v) noexcept {
  char buf[kMaxChars];
  size_t n = format_double(v, buf);
  if (n == 0) return Errc::invalid_argument;
  out.write({reinterpret_cast<const uint8_t*>(buf), n});
  return {};
}

namespace {
// The decimal digits of s from `first` on, as std::from_chars reads them: malformed when
// there are none or something else follows them, unsupported when the value exceeds `limit`
// (even with something following). One digit loop for both parsers: libstdc++'s from_chars
// is a template instantiated per type, larger than this on a microcontroller.
// Out of line: one copy for both parsers.
[[gnu::noinline]] Result<uint64_t> parse_digits(std::string_view s, size_t first,
                                                uint64_t limit) noexcept {
  uint64_t v = 0;
  bool over = false;
  size_t i = first;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const auto d = static_cast<unsigned>(s[i] - '0');
    // v * 10 + d > UINT64_MAX, as one comparison (UINT64_MAX is 1844674407370955161 * 10 + 5).
    if (v >= 1844674407370955162u - (d > 5 ? 1 : 0)) over = true;
    v = v * 10 + d;
  }
  if (i == first) return Errc::malformed;
  if (over || v > limit) return Errc::unsupported;
  if (i != s.size()) return Errc::malformed;
  return v;
}
}  // namespace

Result<int64_t> parse_int(std::string_view s) noexcept {
  const bool negative = !s.empty() && s.front() == '-';
  const uint64_t limit = uint64_t{INT64_MAX} + (negative ? 1 : 0);
  auto v = parse_digits(s, negative ? 1 : 0, limit);
  if (!v) return v.error();
  // The magnitude of INT64_MIN has no int64_t: negate in unsigned arithmetic.
  return static_cast<int64_t>(negative ? 0 - *v : *v);
}

Result<uint64_t> parse_uint(std::string_view s) noexcept {
  // "-0" is zero; any other negative is out of range (by character: string_view's ==
  // links a comparison function).
  if (!s.empty() && s.front() == '-')
    return s.size() == 2 && s[1] == '0' ? Result<uint64_t>{0u} : Errc::unsupported;
  return parse_digits(s, 0, UINT64_MAX);
}

size_t format_objlnk(dm::ObjectLink link, char* out) noexcept {
  size_t k = format_uint(link.object_id, out);
  out[k++] = ':';
  return k + format_uint(link.instance_id, out + k);
}

Result<dm::ObjectLink> parse_objlnk(std::string_view s) noexcept {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return Errc::bad_request;
  auto o = parse_uint(lwm2m::detail::slice(s, 0, colon));
  auto i = parse_uint(lwm2m::detail::slice(s, colon + 1));
  if (!o || !i || *o > 0xFFFF || *i > 0xFFFF) return Errc::bad_request;
  return dm::ObjectLink{static_cast<uint16_t>(*o), static_cast<uint16_t>(*i)};
}

#if LWM2M_COMPACT_FLOAT
Result<double> parse_double(std::string_view s) noexcept {
  return own::parse_double(s);
}
#else
Result<double> parse_double(std::string_view s) noexcept {
  if (s.empty() || s.front() == '+') return Errc::malformed;
  // from_chars also accepts "inf", "nan" and "0x..." spellings in some modes: require a
  // digit (after an optional '-') so that only decimal numbers pass.
  size_t first = s.front() == '-' ? 1 : 0;
  if (first >= s.size() || s[first] < '0' || s[first] > '9') return Errc::malformed;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) return Errc::unsupported;
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return Errc::malformed;
  if (!std::isfinite(v)) return Errc::unsupported;
  return v;
}
#endif

}  // namespace lwm2m::codec::number
