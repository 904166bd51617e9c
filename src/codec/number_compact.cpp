// SPDX-License-Identifier: Apache-2.0
// Grisu2 formatting and a DIY-fp parser with an exact big-integer fallback; see the header
// for what is guaranteed. Written for this project from the published descriptions
// (Loitsch 2010, "Printing floating-point numbers quickly and accurately with integers";
// Clinger 1990, "How to read floating point numbers accurately").
#include "codec/number_compact.hpp"

#include <bit>
#include <cstdint>
#include <type_traits>

#include "codec/number_text.hpp"

namespace lwm2m::codec::number::compact {
namespace {

using text::Big;
using text::Decimal;
using text::floor_log2_pow10;
using text::Format;

// ---------------------------------------------------------------------------------------
// 64-bit "do it yourself" floating point: f * 2^e.

struct Diy {
  uint64_t f;
  int e;
};

struct U128 {
  uint64_t hi, lo;
};

// Full 64x64 -> 128 product from 32-bit halves (no __int128 on 32-bit targets).
U128 mul_full(uint64_t a, uint64_t b) noexcept {
  uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xffffffffu)};
}

// Product rounded to 64 bits (not normalized): for Grisu, whose error analysis allows it.
Diy mul_rounded(Diy a, Diy b) noexcept {
  U128 p = mul_full(a.f, b.f);
  return {p.hi + (p.lo >> 63), a.e + b.e + 64};
}

// Product of two normalized values, truncated and normalized again (error below 1 ulp, the
// result never above the exact product).
Diy mul_normalized(Diy a, Diy b) noexcept {
  U128 p = mul_full(a.f, b.f);
  if (p.hi >> 63) return {p.hi, a.e + b.e + 64};
  return {(p.hi << 1) | (p.lo >> 63), a.e + b.e + 63};
}

Diy normalize(Diy d) noexcept {
  int s = std::countl_zero(d.f);
  return {d.f << s, d.e - s};
}

// 10^k for k = kFirstPow, kFirstPow + 8, ..., -4: significands rounded to nearest, top bit
// set. Their binary exponent is floor(k * log2(10)) - 63 (pow10_exponent). The positive
// powers up to 10^340 are computed when needed (cached_pow10): they are exact products of 5s.
constexpr int kFirstPow = -348;
constexpr int kPowStep = 8;
constexpr int kPowCount = (340 - kFirstPow) / kPowStep + 1;
constexpr uint64_t kPow10[] = {
    0xfa8fd5a0081c0288, 0xbaaee17fa23ebf76, 0x8b16fb203055ac76, 0xcf42894a5dce35ea,
    0x9a6bb0aa55653b2d, 0xe61acf033d1a45df, 0xab70fe17c79ac6ca, 0xff77b1fcbebcdc4f,
    0xbe5691ef416bd60c, 0x8dd01fad907ffc3c, 0xd3515c2831559a83, 0x9d71ac8fada6c9b5,
    0xea9c227723ee8bcb, 0xaecc49914078536d, 0x823c12795db6ce57, 0xc21094364dfb5637,
    0x9096ea6f3848984f, 0xd77485cb25823ac7, 0xa086cfcd97bf97f4, 0xef340a98172aace5,
    0xb23867fb2a35b28e, 0x84c8d4dfd2c63f3b, 0xc5dd44271ad3cdba, 0x936b9fcebb25c996,
    0xdbac6c247d62a584, 0xa3ab66580d5fdaf6, 0xf3e2f893dec3f126, 0xb5b5ada8aaff80b8,
    0x87625f056c7c4a8b, 0xc9bcff6034c13053, 0x964e858c91ba2655, 0xdff9772470297ebd,
    0xa6dfbd9fb8e5b88f, 0xf8a95fcf88747d94, 0xb94470938fa89bcf, 0x8a08f0f8bf0f156b,
    0xcdb02555653131b6, 0x993fe2c6d07b7fac, 0xe45c10c42a2b3b06, 0xaa242499697392d3,
    0xfd87b5f28300ca0e, 0xbce5086492111aeb, 0x8cbccc096f5088cc, 0xd1b71758e219652c,
};
constexpr int kNegativePows = sizeof(kPow10) / sizeof(kPow10[0]);

// Binary exponent of the cached power of ten at `index`.
int pow10_exponent(int index) noexcept {
  return floor_log2_pow10(kFirstPow + kPowStep * index) - 63;
}

uint64_t pow5_top_bits(int k) noexcept;  // below, with the big integers

Diy cached_pow10(int index) noexcept {
  const int k = kFirstPow + kPowStep * index;
  const uint64_t f = index < kNegativePows ? kPow10[index] : pow5_top_bits(k);
  return {f, pow10_exponent(index)};
}

constexpr uint32_t kPow10U32[] = {1,      10,      100,      1000,      10000,
                                  100000, 1000000, 10000000, 100000000, 1000000000};

// ---------------------------------------------------------------------------------------
// Formatting: Grisu2.

// Moves the last digit down while that brings the digits closer to the exact value and keeps
// them inside the rounding interval. rest: high - digits; dist: high - exact value.
void round_toward(char* digits, int n, uint64_t dist, uint64_t delta, uint64_t rest,
                  uint64_t ten_kappa) noexcept {
  while (rest < dist && delta - rest >= ten_kappa &&
         (rest + ten_kappa < dist || dist - rest > rest + ten_kappa - dist)) {
    --digits[n - 1];
    rest += ten_kappa;
  }
}

// Digits of a number in (low, high) near w, all three scaled by the same power of ten and
// sharing an exponent in [-60, -32]. Returns their count; adds the decimal exponent of the
// last digit to `k`.
int generate_digits(Diy low, Diy w, Diy high, char* digits, int& k) noexcept {
  uint64_t delta = high.f - low.f;
  uint64_t dist = high.f - w.f;
  const int shift = -high.e;
  const uint64_t one = uint64_t{1} << shift;
  auto p1 = static_cast<uint32_t>(high.f >> shift);  // integral part: < 2^32
  uint64_t p2 = high.f & (one - 1);                  // fraction
  int kappa = 1;
  while (kappa < 10 && p1 >= kPow10U32[kappa])
    ++kappa;
  int n = 0;
  while (kappa > 0) {
    uint32_t div = kPow10U32[kappa - 1];
    digits[n++] = static_cast<char>('0' + p1 / div);
    p1 %= div;
    --kappa;
    uint64_t rest = (static_cast<uint64_t>(p1) << shift) + p2;
    if (rest < delta) {
      k += kappa;
      round_toward(digits, n, dist, delta, rest, static_cast<uint64_t>(div) << shift);
      return n;
    }
  }
  uint64_t unit = 1;
  for (;;) {
    p2 *= 10;
    delta *= 10;
    unit *= 10;
    digits[n++] = static_cast<char>('0' + (p2 >> shift));
    p2 &= one - 1;
    --kappa;
    if (p2 < delta) {
      k += kappa;
      round_toward(digits, n, dist * unit, delta, p2, one);
      return n;
    }
  }
}

// Shortest-ish digits of a finite non-zero v: v ~= digits * 10^k.
template <class T>
int grisu(T v, char* digits, int& k) noexcept {
  using F = Format<T>;
  auto bits = std::bit_cast<typename F::Bits>(v);
  const auto mant_mask = (typename F::Bits{1} << F::kMant) - 1;
  int biased = static_cast<int>(bits >> F::kMant) & F::kExpAll;
  uint64_t f = bits & mant_mask;
  int e;
  if (biased != 0) {
    f |= uint64_t{1} << F::kMant;
    e = biased - F::kBias - F::kMant;
  } else {
    e = 1 - F::kBias - F::kMant;
  }
  // Rounding interval (m-, m+): halfway to the neighbours. Below a power of two the lower
  // neighbour is twice as close.
  Diy high = normalize({(f << 1) + 1, e - 1});
  Diy low = (f == (uint64_t{1} << F::kMant) && biased > 1) ? Diy{(f << 2) - 1, e - 2}
                                                           : Diy{(f << 1) - 1, e - 1};
  low.f <<= low.e - high.e;
  low.e = high.e;
  Diy w = normalize({f, e});  // same exponent as high
  // A cached 10^-k' that brings the products' exponent into [-60, -32].
  const int lo_exp = -60 - 64 - high.e;         // wanted: exponent of the power >= lo_exp
  int est = ((lo_exp + 63) * 78913 >> 18) - 1;  // ~ floor((lo_exp + 63) * log10(2)) - 1
  int index = (est - kFirstPow) / kPowStep;
  if (index < 0) index = 0;
  while (index + 1 < kPowCount && pow10_exponent(index) < lo_exp)
    ++index;
  Diy c = cached_pow10(index);
  Diy wc = mul_rounded(w, c), hc = mul_rounded(high, c), lc = mul_rounded(low, c);
  // One unit of rounding error either way: stay strictly inside the interval.
  ++lc.f;
  --hc.f;
  k = -(kFirstPow + kPowStep * index);
  int n = generate_digits(lc, wc, hc, digits, k);
  while (n > 1 && digits[n - 1] == '0') {  // rounding toward w may leave a trailing zero
    --n;
    ++k;
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
  char digits[20];
  int k = 0;
  int n = grisu(v, digits, k);
  uint64_t integer = 0;
  if (k > 0) {  // digits * 10^k reads back as v: then v is an integer (see emit)
    const int e = biased == 0 ? 1 - F::kBias - F::kMant : biased - F::kBias - F::kMant;
    uint64_t f = (bits & ((typename F::Bits{1} << F::kMant) - 1)) |
                 (biased == 0 ? 0 : uint64_t{1} << F::kMant);
    if (e < 0) {
      integer = f >> -e;
    } else if (e < 64 - F::kMant - 1) {
      integer = f << e;
    }
  }
  return text::emit(neg, digits, n, k, integer, out);
}

// ---------------------------------------------------------------------------------------
// Parsing.

// 10^k = 5^k * 2^k for k > 0: the significand is the top of 5^k, exact, rounded to nearest
// (5^k is odd, so when more than one bit is dropped they are never exactly half; 5^28 and
// above drop two or more, below it nothing is dropped).
uint64_t pow5_top_bits(int k) noexcept {
  Big p(1);
  p.mul_pow5(k);
  return p.top_bits();
}

// Sign of w * 10^e10 - (2m + 1) * 2^(e - 1): where the decimal lies against the point
// halfway between m * 2^e and (m + 1) * 2^e.
int compare_halfway(uint64_t w, int e10, uint64_t m, int e) noexcept {
  Big lhs(w), rhs(2 * m + 1);
  int lhs2 = 0, rhs2 = e - 1;
  if (e10 >= 0) {
    lhs.mul_pow5(e10);
    lhs2 += e10;
  } else {
    rhs.mul_pow5(-e10);
    rhs2 -= e10;
  }
  int common = lhs2 < rhs2 ? lhs2 : rhs2;
  lhs.shift_left(lhs2 - common);
  rhs.shift_left(rhs2 - common);
  return compare(lhs, rhs);
}

// Clinger's fast path, for float only: w and 10^|e10| are exact in float, so one correctly
// rounded operation. Single precision is hardware on the FPUs this targets; a double fast
// path would link the soft-float multiply and divide (~1 kB) for a speed-up the exact path
// below does not need.
float fast_path(uint64_t w, int e10) noexcept {
  auto v = static_cast<float>(static_cast<uint32_t>(w));  // w <= 2^24
  float p = 1;
  for (int i = 0; i < (e10 < 0 ? -e10 : e10); ++i)
    p *= 10;
  return e10 < 0 ? v / p : v * p;
}

template <class T>
Result<T> to_binary(const Decimal& d) noexcept {
  using F = Format<T>;
  using Bits = typename F::Bits;
  if (d.w == 0) return d.neg ? -T(0) : T(0);
  // Clear overflow and underflow, decided on the decimal exponent alone.
  if (d.e10 + d.ndigits - 1 >= F::kMaxDec) return Errc::unsupported;
  if (d.e10 + d.ndigits <= F::kMinDec) return Errc::unsupported;
  const int e10 = static_cast<int>(d.e10);
  if constexpr (std::is_same_v<T, float>) {
    if (!d.truncated && d.w <= (uint64_t{1} << (F::kMant + 1)) && e10 >= -F::kFastPow &&
        e10 <= F::kFastPow) {
      const float v = fast_path(d.w, e10);
      return d.neg ? -v : v;
    }
  }
  // w * 10^e10 in 64-bit DIY floating point: 10^e10 = cached 10^(e10 - r) * exact 10^r.
  Diy x = normalize({d.w, 0});
  const int index = (e10 - kFirstPow) / kPowStep;  // e10 >= kMinDec - 19 > kFirstPow
  const int r = e10 - (kFirstPow + kPowStep * index);
  if (r > 0) x = mul_normalized(x, normalize({kPow10U32[r], 0}));
  x = mul_normalized(x, cached_pow10(index));
  // Error bound in units of x.f's last bit: two truncations and the rounding of the cached
  // power stay below 4; a truncated input adds up to 10^-18 relative (< 18.5 units).
  const uint64_t err = d.truncated ? 32 : 8;
  // Round the 64-bit significand to the format's precision (fewer bits if subnormal).
  const int min_lead = 1 - F::kBias;  // exponent of the smallest normal
  const int lead = x.e + 63;          // exponent of x.f's top bit
  int drop = 63 - F::kMant;
  if (lead < min_lead) drop += min_lead - lead;
  if (drop > 65) return Errc::unsupported;  // below half the smallest subnormal: zero
  uint64_t kept = 0, rem = x.f, half = 0;
  if (drop < 64) {
    kept = x.f >> drop;
    rem = x.f & ((uint64_t{1} << drop) - 1);
    half = uint64_t{1} << (drop - 1);
  } else if (drop == 64) {
    half = uint64_t{1} << 63;
  }
  // With drop == 65 the approximation is below half the smallest subnormal but may be off:
  // leave it to the exact comparison.
  Bits bits = lead >= min_lead
                  ? static_cast<Bits>((static_cast<Bits>(lead - min_lead) << F::kMant) + kept)
                  : static_cast<Bits>(kept);
  const uint64_t off = drop == 65 ? 0 : (rem > half ? rem - half : half - rem);
  bool up;
  if (drop != 65 && off > err) {
    up = rem > half;
  } else {
    const int e = x.e + drop;  // kept * 2^e is the candidate below
    int c = compare_halfway(d.w, e10, kept, e);
    if (!d.truncated) {
      up = c > 0 || (c == 0 && (kept & 1));
    } else if (c >= 0) {
      up = true;  // the true value is above w * 10^e10
    } else {
      // Both neighbours are possible unless (w + 1) * 10^e10 is still below halfway.
      up = compare_halfway(d.w + 1, e10, kept, e) > 0;
    }
  }
  if (up) ++bits;
  if (bits == 0) return Errc::unsupported;  // rounded to zero
  if (static_cast<int>(bits >> F::kMant) >= F::kExpAll) return Errc::unsupported;
  T v = std::bit_cast<T>(bits);
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

}  // namespace lwm2m::codec::number::compact
