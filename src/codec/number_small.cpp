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

// Sign of w * 10^q - m * 2^e, exactly, for m > 0 and |q| < 400.
int compare(uint64_t w, int q, uint64_t m, int e) noexcept {
  if (w == 0) return -1;
  // Decided by the magnitudes when they are apart, which also bounds the integers below:
  // w * 10^q lies in [2^(lw - 1), 2^(lw + 1)), m * 2^e in [2^(lm - 1), 2^lm).
  const int lw = bit_width(w) + floor_log2_pow10(q);
  const int lm = bit_width(m) + e;
  if (lw + 1 < lm) return -1;
  if (lm < lw) return 1;
  // Both sides as integers: w * 5^q * 2^q against m * 2^e, each power of two reduced by the
  // smaller of the two.
  Big lhs(w), rhs(m);
  int lhs2 = 0, rhs2 = e;
  if (q >= 0) {
    lhs.mul_pow5(q);
    lhs2 = q;
  } else {
    rhs.mul_pow5(-q);
    rhs2 -= q;
  }
  const int common = lhs2 < rhs2 ? lhs2 : rhs2;
  lhs.shift_left(lhs2 - common);
  rhs.shift_left(rhs2 - common);
  return compare(lhs, rhs);
}

// ---------------------------------------------------------------------------------------
// Formatting.

// The shortest digits (written to `digits`, their count returned, the last one at 10^p) that
// read back as v = b.m * 2^b.e (finite, non-zero), the closest to v of those, ties to an
// even last digit: the digits std::to_chars writes. t is the value of the digits so far.
// `low` is the lower end of v's rounding interval, as (2m - 1) * 2^(e - 1) or, below a power
// of two, (4m - 1) * 2^(e - 2); the upper end is (2m + 1) * 2^(e - 1). A reader rounding to
// nearest, ties to even, gives v for the ends themselves when m is even.
int shortest(Binary b, Binary low, char* digits, int& p) noexcept {
  const int inside = (b.m & 1) == 0 ? 0 : 1;  // what compare() must exceed at an end
  // At or one above the position of v's leading digit (v < 2^bit_width(m) * 2^e).
  p = floor_log10_pow2(bit_width(b.m) + b.e);
  uint64_t t = 0;
  int n = 0;
  for (int i = 0; i < 20; ++i, --p) {
    // The next digit: the largest d with (10t + d) * 10^p <= v.
    t *= 10;
    uint64_t d = 9;
    while (d > 0 && compare(t + d, p, b.m, b.e) > 0)
      --d;
    t += d;
    if (t != 0) digits[n++] = static_cast<char>('0' + d);
    const bool down = compare(t, p, low.m, low.e) >= inside;             // t reads back as v
    const bool up = -compare(t + 1, p, 2 * b.m + 1, b.e - 1) >= inside;  // t + 1 does
    if (!down && !up) continue;
    if (down && up) {
      // The closer of the two: which side of (t + 1/2) * 10^p v lies on.
      const int c = compare(10 * t + 5, p - 1, b.m, b.e);
      if (c > 0 || (c == 0 && (t & 1) == 0)) break;
    } else if (down) {
      break;
    }
    // t + 1: the nines carry (each leaves a trailing 0, dropped), "1" when all were nines.
    while (n > 0 && digits[n - 1] == '9') {
      --n;
      ++p;
    }
    if (n == 0) {
      digits[n++] = '1';
    } else {
      ++digits[n - 1];
    }
    break;
  }
  while (n > 1 && digits[n - 1] == '0') {
    --n;
    ++p;
  }
  return n;
}

template <class T>
size_t format(T v, char* out) noexcept {
  using F = Format<T>;
  auto bits = std::bit_cast<typename F::Bits>(v);
  const bool neg = (bits >> (sizeof(bits) * 8 - 1)) != 0;
  const int biased = static_cast<int>(bits >> F::kMant) & F::kExpAll;
  if (biased == F::kExpAll) return 0;                               // infinity, NaN
  if ((bits << 1) == 0) return text::emit(neg, "0", 1, 0, 0, out);  // +-0, compared as bits
  const Binary b = unpack<T>(bits);
  // Below a power of two (not the smallest normal) the neighbour below is twice as close.
  const Binary low = b.m == (uint64_t{1} << F::kMant) && biased > 1 ? Binary{4 * b.m - 1, b.e - 2}
                                                                    : Binary{2 * b.m - 1, b.e - 1};
  int k = 0;
  char digits[20];
  const int n = shortest(b, low, digits, k);
  // An integer's exact value for emit(): digits * 10^k with k > 0 reads back as v, so v is
  // an integer.
  uint64_t integer = 0;
  if (k > 0) {
    if (b.e < 0) {
      integer = b.m >> -b.e;
    } else if (b.e < 64 - F::kMant - 1) {
      integer = b.m << b.e;
    }
  }
  return text::emit(neg, digits, n, k, integer, out);
}

// ---------------------------------------------------------------------------------------
// Parsing.

// The value d rounds to, found by bisection over the bit patterns of the positive values
// (ordered as the values are): the first whose midpoint with the next one lies above d.
template <class T>
Result<T> to_binary(const Decimal& d) noexcept {
  using F = Format<T>;
  using Bits = typename F::Bits;
  if (d.w == 0) return d.neg ? -T(0) : T(0);
  // Clear overflow and underflow, decided on the decimal exponent alone (this also keeps
  // compare()'s exponent in range).
  if (d.e10 + d.ndigits - 1 >= F::kMaxDec) return Errc::unsupported;
  if (d.e10 + d.ndigits <= F::kMinDec) return Errc::unsupported;
  const int q = static_cast<int>(d.e10);
  // With dropped digits the value lies in (w, w + 1) * 10^q; a midpoint inside that range
  // is taken as below it (the result may then be 1 ulp above the correctly rounded one).
  const uint64_t w = d.w + (d.truncated ? 1 : 0);
  Bits lo = 0, hi = static_cast<Bits>(Bits{F::kExpAll} << F::kMant);  // hi: infinity
  while (lo < hi) {
    const Bits mid = lo + (hi - lo) / 2;
    const Binary b = unpack<T>(mid);
    const int c = compare(w, q, 2 * b.m + 1, b.e - 1);
    if (c < 0 || (c == 0 && (d.truncated || (mid & 1) == 0))) {
      hi = mid;  // d reads as mid or below (a tie goes to the even one)
    } else {
      lo = mid + 1;
    }
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
