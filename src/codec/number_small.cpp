// SPDX-License-Identifier: Apache-2.0
// Both directions rest on one exact operation, the sign of w * 10^q - m * 2^e computed with
// a small big integer (see the header for what is guaranteed). Parsing searches the binary
// values for the one the decimal rounds to; formatting finds the decimal digits one at a
// time and stops at the first length where a candidate lies in the value's rounding
// interval (the condition of Steele and White 1990, "How to print floating-point numbers
// accurately"). Slower than table-driven algorithms, much smaller. Written for this
// project from the published descriptions.
#include "codec/number_small.hpp"

#include <bit>
#include <cstdint>

#include "codec/number.hpp"
#include "codec/number_text.hpp"

namespace lwm2m::codec::number::small {
namespace {

using text::Big;
using text::Decimal;
using text::floor_log2_pow10;
using text::Format;

// A finite value as m * 2^e (m < 2^(kMant + 1)).
struct Binary {
  uint64_t m;
  int e;
};

template <class T>
Binary unpack(typename Format<T>::Bits bits) noexcept {
  using F = Format<T>;
  const int biased = static_cast<int>(bits >> F::kMant) & F::kExpAll;
  uint64_t m = bits & ((typename F::Bits{1} << F::kMant) - 1);
  if (biased != 0) m |= uint64_t{1} << F::kMant;
  return {m, (biased != 0 ? biased : 1) - F::kBias - F::kMant};
}

// floor(k * log10(2)), exact for |k| < 1200 (checked exhaustively).
constexpr int floor_log10_pow2(int k) {
  return (k * 78913) >> 18;
}

int bit_width(uint64_t v) noexcept {
  return 64 - std::countl_zero(v);
}

// ---------------------------------------------------------------------------------------
// The exact comparison.

// Sign of w * 10^q - (2m + half) * 2^(e - 1), exactly, where m * 2^e is the positive finite
// value of bit pattern `bits` and half is 0 or 1, for |q| < 400: the value itself (half 0),
// or the midpoint between it and the next one up (half 1). The midpoint below a value is the
// one above its predecessor, bits - 1 (also below a power of two, where the predecessor is
// twice as close, and below the smallest subnormal, where it is zero). Every test both
// directions make is one of these, so the unpacking is here, once.
template <class T>
int compare(uint64_t w, typename Format<T>::Bits bits, int q, unsigned half) noexcept {
  if (w == 0) return -1;
  const Binary b = unpack<T>(bits);
  const uint64_t m = 2 * b.m + half;
  const int e = b.e - 1;
  // Decided by the magnitudes when they are apart, which also bounds the integers below:
  // w * 10^q lies in [2^(lw - 1), 2^(lw + 1)), m * 2^e in [2^(lm - 1), 2^lm).
  const int lw = bit_width(w) + floor_log2_pow10(q);
  const int lm = bit_width(m) + e;
  if (lw + 1 < lm) return -1;
  if (lm < lw) return 1;
  // Both sides as integers: w * 5^q * 2^q against m * 2^e, multiplied by 5^-q when q < 0,
  // the power of two moved to the side with the larger one.
  Big lhs(w), rhs(m);
  (q >= 0 ? lhs : rhs).mul_pow5(q >= 0 ? q : -q);
  const int shift = q - e;
  (shift >= 0 ? lhs : rhs).shift_left(shift >= 0 ? shift : -shift);
  return compare(lhs, rhs);
}

// ---------------------------------------------------------------------------------------
// Formatting.

// The shortest digits (written to `digits`, their count returned, the last one at 10^p) that
// read back as v, the positive finite value of `bits` (its exponent e as unpack() gives it),
// the closest to v of those, ties to an even last digit: the digits std::to_chars writes.
// t is the value of the digits so far. A reader rounding to nearest, ties to even, gives v
// for the ends of its rounding interval (the midpoints below and above it) when the
// significand is even, which is when the bit pattern is.
template <class T>
int shortest(typename Format<T>::Bits bits, int e, char* digits, int& p) noexcept {
  const int inside = static_cast<int>(bits & 1);  // what compare() must exceed at an end
  // At or above the position of v's leading digit: v < 2^(e + kMant + 1). A subnormal
  // starts higher, with leading zeros.
  p = floor_log10_pow2(e + Format<T>::kMant + 1);
  uint64_t t = 0;
  for (;; --p) {
    // The next digit: the largest d with (10t + d) * 10^p <= v.
    t *= 10;
    uint64_t d = 9;
    while (d > 0 && compare<T>(t + d, bits, p, 0) > 0)
      --d;
    t += d;
    const bool down = compare<T>(t, bits - 1, p, 1) >= inside;  // t reads back as v
    const bool up = compare<T>(t + 1, bits, p, 1) <= -inside;   // t + 1 does
    if (!down && !up) continue;
    if (down && up) {
      // The closer of the two: which side of (t + 1/2) * 10^p v lies on.
      const int c = compare<T>(10 * t + 5, bits, p - 1, 0);
      if (c > 0 || (c == 0 && (t & 1) == 0)) break;
    } else if (down) {
      break;
    }
    ++t;  // its nines carry into trailing zeros, dropped below
    break;
  }
  int n = static_cast<int>(format_uint(t, digits));
  while (digits[n - 1] == '0') {  // t > 0: the interval holds no multiple of 10^(p + 1)
    --n;
    ++p;
  }
  return n;
}

template <class T>
size_t format(T v, char* out) noexcept {
  using F = Format<T>;
  using Bits = typename F::Bits;
  auto bits = std::bit_cast<Bits>(v);
  const Bits sign = Bits{1} << (sizeof(bits) * 8 - 1);
  const bool neg = (bits & sign) != 0;
  bits &= ~sign;
  if ((bits >> F::kMant) == F::kExpAll) return 0;            // infinity, NaN
  if (bits == 0) return text::emit(neg, "0", 1, 0, 0, out);  // +-0
  const Binary b = unpack<T>(bits);
  int k = 0;
  char digits[20];
  const int n = shortest<T>(bits, b.e, digits, k);
  // An integer's exact value for emit(): digits * 10^k with k > 0 reads back as v, so v is
  // an integer.
  // One shift each way: m moved to the top of 64 bits, then down to 2^0 (v >= 10 here, so
  // the shift down is below 64); larger values are not written in full (emit()).
  constexpr int kTop = 64 - F::kMant - 1;
  const uint64_t integer = k > 0 && b.e < kTop ? (b.m << kTop) >> (kTop - b.e) : 0;
  return text::emit(neg, digits, n, k, integer, out);
}

// ---------------------------------------------------------------------------------------
// Parsing.

// The value d rounds to: the first bit pattern of the positive values (ordered as the
// values are) whose midpoint with the next one lies above d, found bit by bit from the top
// (the patterns below it are those d rounds above). unpack() continues that order past
// infinity, over the NaN patterns, so the search needs no upper bound; a result there is
// out of range.
template <class T>
Result<T> to_binary(const Decimal& d) noexcept {
  using F = Format<T>;
  using Bits = typename F::Bits;
  if (d.w == 0) return d.neg ? -T(0) : T(0);
  // Clear overflow and underflow, decided on the decimal exponent alone (this also keeps
  // compare()'s exponent in range).
  if (d.e10 + d.ndigits - 1 >= F::kMaxDec) return Errc::unsupported;
  if (d.e10 + d.ndigits <= F::kMinDec) return Errc::unsupported;
  const int q = d.e10;
  // With dropped digits the value lies in (w, w + 1) * 10^q; a midpoint inside that range
  // is taken as below it (the result may then be 1 ulp above the correctly rounded one).
  const uint64_t w = d.w + (d.truncated ? 1 : 0);
  Bits lo = 0;
  for (Bits step = Bits{1} << (sizeof(Bits) * 8 - 2); step != 0; step >>= 1) {
    const Bits x = lo + step - 1;
    const int c = compare<T>(w, x, q, 1);
    // d reads above x (a tie goes to the even one of x and x + 1).
    if (c > 0 || (c == 0 && !d.truncated && (x & 1) != 0)) lo += step;
  }
  if (lo == 0) return Errc::unsupported;  // rounded to zero
  if (static_cast<int>(lo >> F::kMant) >= F::kExpAll) return Errc::unsupported;
  T v = std::bit_cast<T>(lo);
  return d.neg ? -v : v;
}

}  // namespace

size_t format_double(double v, char* out) noexcept {
  return format(v, out);
}
size_t format_float(float v, char* out) noexcept {
  return format(v, out);
}
Result<double> parse_double(std::string_view s) noexcept {
  return text::parse<double>(s, to_binary<double>);
}
Result<float> parse_float(std::string_view s) noexcept {
  return text::parse<float>(s, to_binary<float>);
}

}  // namespace lwm2m::codec::number::small
