// SPDX-License-Identifier: Apache-2.0
// The library's replacements for what would link large runtime routines on firmware:
// 64-bit division by a small constant, substrings without substr's throwing check, and the
// whole-number test of a double read from its bits, the test whether a float holds it, and
// conversions to double, comparisons and the addition of doubles built from the bits.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "double_compare.hpp"
#include "float32_exact.hpp"
#include "small_divide.hpp"
#include "soft_double.hpp"
#include "text_slice.hpp"
#include "to_double.hpp"
#include "whole_number.hpp"

namespace lwm2m::detail {
namespace {

TEST(SmallDivide, LongDivisionMatchesTheBuiltInOne) {
  std::mt19937_64 rng{7};
  const uint16_t divisors[] = {1, 3, 10, 1000, 4097, 65535};
  const uint64_t edges[] = {0,
                            1,
                            9,
                            10,
                            UINT32_MAX,
                            uint64_t{UINT32_MAX} + 1,
                            INT64_MAX,
                            UINT64_MAX,
                            UINT64_MAX - 1,
                            10000000000000000000u};
  for (uint16_t d : divisors) {
    for (int i = 0; i < 2000; ++i) {
      const uint64_t v = i < 10 ? edges[i] : rng() >> (i % 64);
      const QuotRem q = divide_by_small(v, d);
      ASSERT_EQ(q.quot, v / d) << v << " / " << d;
      ASSERT_EQ(q.rem, v % d) << v << " % " << d;
      ASSERT_EQ(divide(v, d).quot, v / d);
    }
  }
}

TEST(SmallDivide, SignedDivisionTruncatesTowardZero) {
  EXPECT_EQ(divide(int64_t{-1999}, 1000), -1);
  EXPECT_EQ(divide(int64_t{1999}, 1000), 1);
  EXPECT_EQ(divide(INT64_MIN, 1000), INT64_MIN / 1000);
  EXPECT_EQ(divide(INT64_MAX, 10), INT64_MAX / 10);
}

TEST(TextSlice, BehavesAsSubstrAndClampsAStartPastTheEnd) {
  const std::string_view s = "coap://host:5683";
  EXPECT_EQ(slice(s, 0, 4), "coap");
  EXPECT_EQ(slice(s, 12), "5683");
  EXPECT_EQ(slice(s, 7, 4), "host");
  EXPECT_EQ(slice(s, 12, 100), "5683");
  EXPECT_EQ(slice(s, s.size()), "");
  EXPECT_EQ(slice(s, s.size() + 5), "");  // substr would throw
}

TEST(WholeNumber, ReadsWholeValuesFromTheBitsAndRejectsTheRest) {
  auto is = [](double v, bool negative, uint64_t magnitude) {
    const auto w = whole_number(v);
    return w && w->negative == negative && w->magnitude == magnitude;
  };
  EXPECT_TRUE(is(0.0, false, 0));
  EXPECT_TRUE(is(-0.0, true, 0));
  EXPECT_TRUE(is(1.0, false, 1));
  EXPECT_TRUE(is(-7.0, true, 7));
  EXPECT_TRUE(is(1700000000.0, false, 1700000000));
  EXPECT_TRUE(is(9007199254740993.0, false, 9007199254740992));  // rounded on parsing
  EXPECT_TRUE(is(-9223372036854775808.0, true, uint64_t{1} << 63));
  EXPECT_TRUE(is(18446744073709549568.0, false, 18446744073709549568u));  // largest below 2^64
  EXPECT_FALSE(whole_number(18446744073709551616.0));                     // 2^64
  EXPECT_FALSE(whole_number(0.5));
  EXPECT_FALSE(whole_number(-2.25));
  EXPECT_FALSE(whole_number(4503599627370495.5));  // the last representable fraction
  EXPECT_FALSE(whole_number(std::numeric_limits<double>::denorm_min()));
  EXPECT_FALSE(whole_number(1e300));
  EXPECT_FALSE(whole_number(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(whole_number(std::nan("")));
}

TEST(Float32Exact, AgreesWithConvertingToFloatAndBack) {
  auto by_cast = [](double v) { return static_cast<double>(static_cast<float>(v)) == v; };
  const double edges[] = {0.0,
                          -0.0,
                          1.0,
                          0.1,
                          16777216.0,
                          16777217.0,
                          3.4028234663852886e38,   // the largest float
                          3.4028235677973366e38,   // rounds to infinity as a float
                          1.1754943508222875e-38,  // the smallest normal float
                          1.401298464324817e-45,   // the smallest subnormal float
                          7.006492321624085e-46,   // half of it
                          2.802596928649634e-45,
                          4.203895392974451e-45,
                          1.1754942106924411e-38,  // the largest subnormal float
                          std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity()};
  for (double v : edges) {
    EXPECT_EQ(float32_exact(v), by_cast(v)) << v;
    EXPECT_EQ(float32_exact(-v), by_cast(-v)) << -v;
    uint32_t bits32 = 0;
    if (float32_exact(v, bits32)) {
      EXPECT_EQ(bits32, std::bit_cast<uint32_t>(static_cast<float>(v))) << v;
    }
  }
  EXPECT_FALSE(float32_exact(std::nan("")));
  std::mt19937_64 rng{11};
  std::mt19937 rng32{13};
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = rng();
    if (i % 2) bits &= ~((uint64_t{1} << (rng() % 53)) - 1);  // often few significant bits
    const double v = std::bit_cast<double>(bits);
    if (v != v) continue;
    ASSERT_EQ(float32_exact(v), by_cast(v)) << v;
    uint32_t bits32 = 0;
    if (float32_exact(v, bits32)) {
      ASSERT_EQ(bits32, std::bit_cast<uint32_t>(static_cast<float>(v))) << v;
    }
    const float f = std::bit_cast<float>(static_cast<uint32_t>(rng32()));
    if (f == f) {  // every float, subnormals included
      ASSERT_TRUE(float32_exact(f)) << f;
    }
  }
}

TEST(ToDouble, IntegersRoundToNearestEvenAsTheBuiltInConversion) {
  const uint64_t edges[] = {0,
                            1,
                            (uint64_t{1} << 53) - 1,
                            uint64_t{1} << 53,
                            (uint64_t{1} << 53) + 1,  // a tie: to the even neighbour below
                            (uint64_t{1} << 53) + 3,  // a tie: to the even neighbour above
                            (uint64_t{1} << 54) + 2,
                            (uint64_t{1} << 54) + 6,
                            INT64_MAX,
                            uint64_t{INT64_MAX} + 1,
                            UINT64_MAX,  // rounds up to 2^64: the carry reaches the exponent
                            UINT64_MAX - 1024,
                            UINT64_MAX - 1025};
  std::mt19937_64 rng{17};
  for (int i = 0; i < 200000; ++i) {
    const uint64_t u = i < 13 ? edges[i] : rng() >> (i % 64);
    ASSERT_EQ(std::bit_cast<uint64_t>(double_from_bits(false, u)),
              std::bit_cast<uint64_t>(static_cast<double>(u)))
        << u;
    const auto s = static_cast<int64_t>(u);
    const uint64_t magnitude = s < 0 ? 0 - u : u;
    ASSERT_EQ(std::bit_cast<uint64_t>(double_from_bits(s < 0, magnitude)),
              std::bit_cast<uint64_t>(static_cast<double>(s)))
        << s;
    ASSERT_EQ(to_double(u), static_cast<double>(u));
    ASSERT_EQ(to_double(s), static_cast<double>(s));
  }
  EXPECT_EQ(to_double(INT64_MIN), -9223372036854775808.0);
}

TEST(ToDouble, FloatsWidenAsTheBuiltInConversion) {
  // Every float, subnormals and zeros included; NaN stays NaN and is made quiet.
  const uint32_t edges[] = {0,           0x80000000u, 1,           0x807fffffu, 0x00800000u,
                            0x7f7fffffu, 0x7f800000u, 0xff800000u, 0x3f800000u};
  std::mt19937 rng{19};
  for (int i = 0; i < 200000; ++i) {
    const uint32_t bits = i < 9 ? edges[i] : static_cast<uint32_t>(rng());
    const float f = std::bit_cast<float>(bits);
    const double d = double_from_float_bits(f);
    if (f != f) {
      const auto out = std::bit_cast<uint64_t>(d);
      ASSERT_TRUE(d != d) << bits;
      ASSERT_NE(out & (uint64_t{1} << 51), 0u) << bits;  // quiet
      ASSERT_EQ(out >> 63, bits >> 31);
      continue;
    }
    ASSERT_EQ(std::bit_cast<uint64_t>(d), std::bit_cast<uint64_t>(static_cast<double>(f))) << bits;
    ASSERT_EQ(std::bit_cast<uint64_t>(to_double(f)), std::bit_cast<uint64_t>(d));
  }
}

TEST(DoubleCompare, OrdersAsTheBuiltInOperators) {
  const double inf = std::numeric_limits<double>::infinity();
  const double edges[] = {0.0,
                          -0.0,
                          1.0,
                          -1.0,
                          0.1,
                          -0.1,
                          inf,
                          -inf,
                          std::numeric_limits<double>::denorm_min(),
                          -std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::lowest(),
                          std::nan(""),
                          -std::nan("")};
  std::mt19937_64 rng{23};
  // Half the operands from the edges (every pair of them occurs), half any bits (NaNs with
  // any payload among them).
  auto value = [&] {
    const uint64_t r = rng();
    return r % 2 ? edges[(r >> 1) % std::size(edges)] : std::bit_cast<double>(rng());
  };
  for (int i = 0; i < 200000; ++i) {
    const double a = value(), b = value();
    const Order o = compare(a, b);
    ASSERT_EQ(o == Order::less, a < b) << a << " " << b;
    ASSERT_EQ(o == Order::equal, a == b) << a << " " << b;
    ASSERT_EQ(o == Order::greater, a > b) << a << " " << b;
    ASSERT_EQ(o == Order::unordered, a != a || b != b) << a << " " << b;
    ASSERT_EQ(less(a, b), a < b);
    ASSERT_EQ(at_least(a, b), a >= b);
    ASSERT_EQ(equal(a, b), a == b);
    ASSERT_EQ(is_nan(a), std::isnan(a));
    ASSERT_EQ(is_finite(a), std::isfinite(a));
  }
}

TEST(SoftDouble, AddsAsTheBuiltInAddition) {
  const double inf = std::numeric_limits<double>::infinity();
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double big = std::numeric_limits<double>::max();
  const double edges[] = {0.0,
                          -0.0,
                          1.0,
                          -1.0,
                          0.1,
                          -0.3,
                          inf,
                          -inf,
                          tiny,
                          -tiny,
                          big,
                          -big,
                          1e17,
                          0x1p53,
                          -0x1p-53,
                          0x1p-1022,
                          0x1.fffffffffffffp-1023,
                          3.0,
                          std::nan("")};
  std::mt19937_64 rng{29};
  // Operands from the edges, of any bits, of nearby exponents (rounding, carries, long
  // alignments), nearly opposite (cancellation) and in the subnormal range.
  auto pair = [&](int i) {
    uint64_t a = rng(), b = rng();
    switch (i % 6) {
      case 0:
        return std::pair{edges[a % std::size(edges)], edges[b % std::size(edges)]};
      case 1:
        b = (a ^ (b & uint64_t{1} << 63)) ^ (b >> (b % 64));
        break;
      case 2:
        b = (b & 0x800fffffffffffffu) | ((a >> 52) + b % 130 - 65) % 0x800 << 52;
        break;
      case 3:
        a &= 0x801fffffffffffffu;
        b &= 0x801fffffffffffffu;
        break;
      case 4:
        b = a ^ uint64_t { 1 } << 63 ^ (b >> (1 + b % 63));
        break;
      default:
        break;
    }
    return std::pair{std::bit_cast<double>(a), std::bit_cast<double>(b)};
  };
  for (int i = 0; i < 600000; ++i) {
    const auto [x, y] = pair(i);
    const double sum = add(x, y), want = x + y;
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(sum)) << x << " + " << y;
      continue;
    }
    ASSERT_EQ(std::bit_cast<uint64_t>(sum), std::bit_cast<uint64_t>(want))
        << std::hexfloat << x << " + " << y;
  }
  EXPECT_EQ(std::bit_cast<uint64_t>(add(-0.0, -0.0)), std::bit_cast<uint64_t>(-0.0));
  EXPECT_EQ(std::bit_cast<uint64_t>(add(-1.0, 1.0)), std::bit_cast<uint64_t>(0.0));
  EXPECT_TRUE(std::isnan(add(inf, -inf)));
  EXPECT_EQ(add(big, big), inf);
  EXPECT_EQ(add(1e17, -1), 1e17);  // 1e17 - 1 rounds to 1e17 (16 apart there)
}

TEST(SoftDouble, ScaledIntegersRoundToNearest) {
  EXPECT_EQ(scaled_double(3, -1, false), 1.5);
  EXPECT_EQ(scaled_double(1, -1074, true), -std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(scaled_double(1, -1075, false), 0.0);  // a tie to the even neighbour: zero
  EXPECT_EQ(scaled_double(3, -1076, false), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(scaled_double((uint64_t{1} << 53) - 1, 971, false), std::numeric_limits<double>::max());
  EXPECT_EQ(scaled_double(uint64_t{1} << 53, 971, false), std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::bit_cast<uint64_t>(scaled_double(0, 5, true)), std::bit_cast<uint64_t>(-0.0));
}

}  // namespace
}  // namespace lwm2m::detail
