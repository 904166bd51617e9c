// SPDX-License-Identifier: Apache-2.0
#include "soft_double.hpp"

#include <bit>
#include <utility>

namespace lwm2m::detail {
namespace {

constexpr uint64_t kSign = uint64_t{1} << 63;
constexpr uint64_t kInfinity = uint64_t{0x7ff} << 52;

// Halves `m`, keeping whether a bit was lost in bit 0 (sticky): rounding looks at the
// bits above it only. One bit at a time: shorter than a shift by a count, and rare.
uint64_t halve(uint64_t m) noexcept {
  return m >> 1 | (m & 1);
}

}  // namespace

double scaled_double(uint64_t m, int e, bool negative) noexcept {
  const uint64_t sign = negative ? kSign : 0;
  if (m == 0) return std::bit_cast<double>(sign);
  // m * 2^e with m in [2^62, 2^63): the significand's 53 bits and 10 below them; for a
  // subnormal, shifted right until its exponent is the smallest.
  for (; m < kSign / 2; m <<= 1)
    --e;
  for (; m >= kSign || e < -1084; ++e)
    m = halve(m);
  // Above one half rounds up, one half to the even neighbour.
  uint64_t r = m >> 10;
  r += (m & 0x3ff) + (r & 1) > 0x200;
  // The significand's top bit (2^52) adds one to the exponent field; a rounding up to 2^53,
  // or a subnormal's up to the smallest normal, carries into it.
  uint64_t bits = (static_cast<uint64_t>(e + 1084) << 52) + r;
  if (bits > kInfinity) bits = kInfinity;
  return std::bit_cast<double>(sign | bits);
}

double add(double x, double y) noexcept {
  auto a = std::bit_cast<uint64_t>(x), b = std::bit_cast<uint64_t>(y);
  if ((a << 1) < (b << 1)) std::swap(a, b);  // |a| >= |b|; a NaN's bits lie above infinity's
  const bool same_sign = ((a ^ b) & kSign) == 0;
  if ((a & ~kSign) >= kInfinity) {
    // A NaN is made quiet, infinity minus infinity is one; an infinity plus the rest stays.
    const bool nan = (a << 1) > (kInfinity << 1) || b == (a ^ kSign);
    return std::bit_cast<double>(nan ? a | kInfinity | uint64_t{1} << 51 : a);
  }
  // Each as a 53-bit significand (with a normal number's implicit bit) times 2^(e - 1075),
  // 10 bits of room below it: m * 2^(e - 1085).
  int ea = static_cast<int>(a >> 52 & 0x7ff), eb = static_cast<int>(b >> 52 & 0x7ff);
  const uint64_t ma = (a << 12 >> 2) | (ea != 0 ? kSign / 2 : 0);
  uint64_t mb = (b << 12 >> 2) | (eb != 0 ? kSign / 2 : 0);
  ea += ea == 0;  // a subnormal's exponent is the smallest normal one's
  eb += eb == 0;
  // b aligned to a (once at most the sticky bit is left, nothing changes).
  for (; eb < ea && mb > 1; ++eb)
    mb = halve(mb);
  const uint64_t m = same_sign ? ma + mb : ma - mb;
  // An exact zero is +0 unless both were -0.
  return scaled_double(m, ea - 1085, (a & kSign) != 0 && (m != 0 || same_sign));
}

}  // namespace lwm2m::detail
