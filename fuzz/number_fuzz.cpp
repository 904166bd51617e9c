// SPDX-License-Identifier: Apache-2.0
// Fuzzes the library's own number conversions, the fast one (codec/number_compact.hpp) and
// the small one (codec/number_small.hpp). The input is read as text by parse_double and
// parse_float; whatever they accept must format and read back to the same bits, and agree
// with std::from_chars (exactly up to 19 significant digits, within 1 ulp beyond). The
// first 8 and 4 bytes are also taken as a double's and a float's bit patterns, which must
// format and read back exactly; the small one's text must be std::to_chars' digits.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "codec/number_compact.hpp"
#include "codec/number_small.hpp"

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

struct Fast {
  static constexpr bool kExact = false;  // digits sometimes one longer than std::to_chars'
  static lwm2m::Result<double> parse(std::string_view s, double) {
    return compact::parse_double(s);
  }
  static lwm2m::Result<float> parse(std::string_view s, float) { return compact::parse_float(s); }
  static size_t format(double v, char* out) { return compact::format_double(v, out); }
  static size_t format(float v, char* out) { return compact::format_float(v, out); }
};
struct Small {
  static constexpr bool kExact = true;
  static lwm2m::Result<double> parse(std::string_view s, double) { return small::parse_double(s); }
  static lwm2m::Result<float> parse(std::string_view s, float) { return small::parse_float(s); }
  static size_t format(double v, char* out) { return small::format_double(v, out); }
  static size_t format(float v, char* out) { return small::format_float(v, out); }
};

template <class I, class T>
void format_round_trip(T v) {
  char buf[64];
  size_t n = I::format(v, buf);
  if (n > 32) std::abort();
  if (!std::isfinite(v)) {
    if (n != 0) std::abort();
    return;
  }
  auto back = I::parse({buf, n}, T{});
  if (!back.ok() || bits_of(*back) != bits_of(v)) std::abort();
  T by_std = 0;
  auto r = std::from_chars(buf, buf + n, by_std);
  if (r.ptr != buf + n || bits_of(by_std) != bits_of(v)) std::abort();
  if (I::kExact) {
    // number.cpp's shape of std::to_chars' text: an integer beyond 17 digits in scientific
    // form.
    char ref[64];
    auto t = std::to_chars(ref, ref + sizeof ref, v);
    std::string_view text{ref, static_cast<size_t>(t.ptr - ref)};
    if (text.size() > 17 && text.find_first_of(".e") == std::string_view::npos) {
      t = std::to_chars(ref, ref + sizeof ref, v, std::chars_format::scientific);
      text = {ref, static_cast<size_t>(t.ptr - ref)};
    }
    if (text != std::string_view{buf, n}) std::abort();
  }
}

template <class I, class T>
void parse_text(std::string_view s) {
  auto v = I::parse(s, T{});
  if (!v.ok()) return;
  format_round_trip<I>(*v);
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

template <class I>
void run(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  parse_text<I, double>(text);
  parse_text<I, float>(text);
  if (size >= 8) {
    double d;
    std::memcpy(&d, data, 8);
    format_round_trip<I>(d);
  }
  if (size >= 4) {
    float f;
    std::memcpy(&f, data, 4);
    format_round_trip<I>(f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run<Fast>(data, size);
  run<Small>(data, size);
  return 0;
}
