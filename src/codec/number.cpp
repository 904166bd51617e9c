// SPDX-License-Identifier: Apache-2.0
#include "codec/number.hpp"

#include <charconv>
#include <cmath>

#include "codec/number_compact.hpp"

namespace lwm2m::codec::number {

size_t format_int(int64_t v, char* out) noexcept {
  return static_cast<size_t>(std::to_chars(out, out + kMaxChars, v).ptr - out);
}

size_t format_uint(uint64_t v, char* out) noexcept {
  return static_cast<size_t>(std::to_chars(out, out + kMaxChars, v).ptr - out);
}

#if LWM2M_COMPACT_FLOAT
// Our own conversions (number_compact.hpp): a few kB of flash instead of ~145 kB of
// libstdc++'s floating-point to_chars/from_chars, same syntax and error reporting.
size_t format_double(double v, char* out) noexcept {
  return compact::format_double(v, out);
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
template <class T>
Result<T> parse_integral(std::string_view s) noexcept {
  if (s.empty() || s.front() == '+') return Errc::malformed;
  T v{};
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) return Errc::unsupported;
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return Errc::malformed;
  return v;
}
}  // namespace

Result<int64_t> parse_int(std::string_view s) noexcept {
  return parse_integral<int64_t>(s);
}

Result<uint64_t> parse_uint(std::string_view s) noexcept {
  if (!s.empty() && s.front() == '-') return s == "-0" ? Result<uint64_t>{0u} : Errc::unsupported;
  return parse_integral<uint64_t>(s);
}

#if LWM2M_COMPACT_FLOAT
Result<double> parse_double(std::string_view s) noexcept {
  return compact::parse_double(s);
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
