// SPDX-License-Identifier: Apache-2.0
// Fuzzes the compact number conversions (codec/number_compact.hpp). The input is read as
// text by parse_double and parse_float; whatever they accept must format and read back to
// the same bits, and agree with std::from_chars (exactly up to 19 significant digits,
// within 1 ulp beyond). The first 8 and 4 bytes are also taken as a double's and a float's
// bit patterns, which must format and read back exactly.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "codec/number_compact.hpp"

using namespace lwm2m::codec::number;

namespace {

template <class T>
auto bits_of(T v) {
  if constexpr (sizeof(T) == 8) {
    return std::bit_cast<uint64_t>(v);
  } else {
    return std::bit_cast<uint32_t>(v);
  }
}

template <class T>
lwm2m::Result<T> parse(std::string_view s) {
  if constexpr (sizeof(T) == 8) {
    return compact::parse_double(s);
  } else {
    return compact::parse_float(s);
  }
}

template <class T>
size_t format(T v, char* out) {
  if constexpr (sizeof(T) == 8) {
    return compact::format_double(v, out);
  } else {
    return compact::format_float(v, out);
  }
}

template <class T>
void format_round_trip(T v) {
  char buf[64];
  size_t n = format(v, buf);
  if (n > 32) std::abort();
  if (!std::isfinite(v)) {
    if (n != 0) std::abort();
    return;
  }
  auto back = parse<T>({buf, n});
  if (!back.ok() || bits_of(*back) != bits_of(v)) std::abort();
  T by_std = 0;
  auto r = std::from_chars(buf, buf + n, by_std);
  if (r.ptr != buf + n || bits_of(by_std) != bits_of(v)) std::abort();
}

template <class T>
void parse_text(std::string_view s) {
  auto v = parse<T>(s);
  if (!v.ok()) return;
  format_round_trip(*v);
  // The accepted text is a decimal number: std::from_chars reads all of it.
  T by_std = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), by_std);
  if (r.ptr != s.data() + s.size()) std::abort();
  int significant = 0;
  bool started = false;
  for (char c : s) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') started = true;
    if (started && c >= '0' && c <= '9') ++significant;
  }
  if (r.ec != std::errc{}) {
    // Out of range for std: only at the ends of the range may we differ (by 1 ulp).
    if (significant <= 19) std::abort();
    return;
  }
  auto a = bits_of(*v), b = bits_of(by_std);
  if (significant <= 19 ? a != b : (a > b ? a - b : b - a) > 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  parse_text<double>(text);
  parse_text<float>(text);
  if (size >= 8) {
    double d;
    std::memcpy(&d, data, 8);
    format_round_trip(d);
  }
  if (size >= 4) {
    float f;
    std::memcpy(&f, data, 4);
    format_round_trip(f);
  }
  return 0;
}
