// SPDX-License-Identifier: Apache-2.0
// The library's own conversions, the fast one (codec/number_compact.hpp) and the small one
// (codec/number_small.hpp), against libstdc++'s std::to_chars and std::from_chars, which
// are correctly rounding and shortest: number.cpp uses one of the three depending on
// LWM2M_COMPACT_FLOAT and LWM2M_SMALL_FLOAT, and all must give the same wire text (the
// fast one's digits may be one longer or differ in the last, rarely).
#include "codec/number_compact.hpp"
#include "codec/number_small.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace lwm2m::codec::number {
namespace {

// The two implementations, for typed tests. kExact: the digits are always std::to_chars'
// (shortest, closest). kRandom: random values per round-trip test (the small one is slow).
struct Fast {
  static constexpr bool kExact = false;
  static constexpr int kRandom = 1000000;
  static size_t format(double v, char* out) { return compact::format_double(v, out); }
  static size_t format(float v, char* out) { return compact::format_float(v, out); }
  static Result<double> parse_double(std::string_view s) { return compact::parse_double(s); }
  static Result<float> parse_float(std::string_view s) { return compact::parse_float(s); }
};
struct Small {
  static constexpr bool kExact = true;
  static constexpr int kRandom = 40000;
  static size_t format(double v, char* out) { return small::format_double(v, out); }
  static size_t format(float v, char* out) { return small::format_float(v, out); }
  static Result<double> parse_double(std::string_view s) { return small::parse_double(s); }
  static Result<float> parse_float(std::string_view s) { return small::parse_float(s); }
};

template <class I, class T>
std::string fmt(T v) {
  char buf[40];
  size_t n = I::format(v, buf);
  EXPECT_LE(n, 32u);
  return {buf, n};
}

// number.cpp's formatting with std::to_chars (the host default), for floats as well.
template <class T>
std::string std_fmt(T v) {
  if (!std::isfinite(v)) return {};
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string text{buf, r.ptr};
  if (text.size() > 17 && text.find_first_of(".e") == std::string::npos) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    text.assign(buf, r.ptr);
  }
  return text;
}

// number.cpp's parse_double with std::from_chars: same grammar, same errors.
template <class T>
Result<T> std_parse(std::string_view s) {
  if (s.empty() || s.front() == '+') return Errc::malformed;
  size_t first = s.front() == '-' ? 1 : 0;
  if (first >= s.size() || s[first] < '0' || s[first] > '9') return Errc::malformed;
  T v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) return Errc::unsupported;
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return Errc::malformed;
  if (!std::isfinite(v)) return Errc::unsupported;
  return v;
}

template <class I, class T>
Result<T> parse(std::string_view s) {
  if constexpr (std::is_same_v<T, double>) {
    return I::parse_double(s);
  } else {
    return I::parse_float(s);
  }
}

template <class T>
auto bits_of(T v) {
  if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<uint64_t>(v);
  } else {
    return std::bit_cast<uint32_t>(v);
  }
}

// Count of significant digits in a formatted number.
int digit_count(const std::string& s) {
  int n = 0;
  bool started = false;
  for (char c : s) {
    if (c == 'e') break;
    if (c >= '1' && c <= '9') started = true;
    if (started && c >= '0' && c <= '9') ++n;
  }
  // Trailing zeros of an integer in fixed form are not significant.
  if (s.find_first_of(".e") == std::string::npos) {
    for (size_t i = s.size(); i > 0 && s[i - 1] == '0' && n > 1; --i)
      --n;
  }
  return n;
}

template <class I>
class NumberText : public ::testing::Test {};
struct ImplNames {
  template <class I>
  static std::string GetName(int) {
    return std::is_same_v<I, Fast> ? "Fast" : "Small";
  }
};
using Impls = ::testing::Types<Fast, Small>;
TYPED_TEST_SUITE(NumberText, Impls, ImplNames);

TYPED_TEST(NumberText, FormatsLikeToChars) {
  EXPECT_EQ(fmt<TypeParam>(0.0), "0");
  EXPECT_EQ(fmt<TypeParam>(-0.0), "-0");
  EXPECT_EQ(fmt<TypeParam>(1e308), "1e+308");
  EXPECT_EQ(fmt<TypeParam>(5e-324), "5e-324");
  EXPECT_EQ(fmt<TypeParam>(0.1), "0.1");
  EXPECT_EQ(fmt<TypeParam>(21.5), "21.5");
  EXPECT_EQ(fmt<TypeParam>(-21.5), "-21.5");
  EXPECT_EQ(fmt<TypeParam>(1e21), "1e+21");
  EXPECT_EQ(fmt<TypeParam>(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(fmt<TypeParam>(-12345678901234568.0), "-1.2345678901234568e+16");
  EXPECT_EQ(fmt<TypeParam>(12345678901234568.0), "12345678901234568");
  EXPECT_EQ(fmt<TypeParam>(18446744073709551616.0), "1.8446744073709552e+19");
  EXPECT_EQ(fmt<TypeParam>(3.0), "3");
  EXPECT_EQ(fmt<TypeParam>(100.0), "100");
  EXPECT_EQ(fmt<TypeParam>(1e15), "1e+15");
  EXPECT_EQ(fmt<TypeParam>(0.001), "0.001");
  EXPECT_EQ(fmt<TypeParam>(1e-4), "1e-04");
  EXPECT_EQ(fmt<TypeParam>(1.5e-7), "1.5e-07");
  EXPECT_EQ(fmt<TypeParam>(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(fmt<TypeParam>(std::numeric_limits<double>::min()), "2.2250738585072014e-308");
  EXPECT_EQ(fmt<TypeParam>(1.0f), "1");
  EXPECT_EQ(fmt<TypeParam>(0.1f), "0.1");
  EXPECT_EQ(fmt<TypeParam>(1e-45f), "1e-45");
  EXPECT_EQ(fmt<TypeParam>(std::numeric_limits<float>::max()), "3.4028235e+38");
  // JSON and plain text cannot carry these: nothing is written.
  EXPECT_EQ(fmt<TypeParam>(std::nan("")), "");
  EXPECT_EQ(fmt<TypeParam>(-std::numeric_limits<double>::infinity()), "");
  EXPECT_EQ(fmt<TypeParam>(std::numeric_limits<float>::infinity()), "");
}

// Where the rounding interval is lopsided or the digits start late: every power of two
// (below one the neighbour below is twice as close, except at the smallest normal) and its
// two neighbours, and the subnormals' ends, for both sizes: the text is std::to_chars' and
// reads back exactly (the small conversion takes the midpoint below a value as the one
// above its predecessor, and starts a subnormal's digits at the exponent field's place).
template <class I, class T, class Bits>
void formats_boundaries() {
  auto check = [](Bits b) {
    const T v = std::bit_cast<T>(b);
    const std::string text = fmt<I>(v);
    if (I::kExact) {
      EXPECT_EQ(text, std_fmt(v)) << b;
    }
    auto back = parse<I, T>(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(bits_of(*back), b) << text;
  };
  constexpr int kMant = std::numeric_limits<T>::digits - 1;
  const Bits infinity = bits_of(std::numeric_limits<T>::infinity());
  for (Bits b = Bits{1} << kMant; b < infinity; b += Bits{1} << kMant) {
    check(b - 1);
    check(b);
    check(b + 1);
  }
  for (Bits b = 1; b < 64; ++b)
    check(b);
  check((Bits{1} << kMant) - 2);
  check(infinity - 1);
}

TYPED_TEST(NumberText, FormatsBoundariesLikeToChars) {
  formats_boundaries<TypeParam, double, uint64_t>();
  formats_boundaries<TypeParam, float, uint32_t>();
}

TYPED_TEST(NumberText, ParsesSpecialCases) {
  EXPECT_EQ(bits_of(*TypeParam::parse_double("0")), bits_of(0.0));
  EXPECT_EQ(bits_of(*TypeParam::parse_double("-0")), bits_of(-0.0));
  EXPECT_EQ(bits_of(*TypeParam::parse_double("-0.0e99999")), bits_of(-0.0));
  EXPECT_EQ(*TypeParam::parse_double("1e308"), 1e308);
  EXPECT_EQ(*TypeParam::parse_double("5e-324"), 5e-324);
  EXPECT_EQ(*TypeParam::parse_double("0.1"), 0.1);
  EXPECT_EQ(*TypeParam::parse_double("21.5"), 21.5);
  EXPECT_EQ(*TypeParam::parse_double("1e21"), 1e21);
  EXPECT_EQ(*TypeParam::parse_double("123456789012345678"), 123456789012345678.0);
  EXPECT_EQ(*TypeParam::parse_double("1.7976931348623157e308"), std::numeric_limits<double>::max());
  EXPECT_EQ(*TypeParam::parse_double("1.7976931348623158e308"), std::numeric_limits<double>::max());
  EXPECT_EQ(TypeParam::parse_double("1.7976931348623159e308").error(), Errc::unsupported);  // inf
  // Halfway between 0 and the smallest subnormal: ties to even (zero, unsupported).
  EXPECT_EQ(*TypeParam::parse_double("2.4703282292062328e-324"), 5e-324);
  EXPECT_EQ(TypeParam::parse_double("2.4703282292062327e-324").error(), Errc::unsupported);
  EXPECT_EQ(TypeParam::parse_double("1e-400").error(), Errc::unsupported);
  EXPECT_EQ(TypeParam::parse_double("1e400").error(), Errc::unsupported);
  EXPECT_EQ(*TypeParam::parse_double("2.2250738585072011e-308"), 2.2250738585072011e-308);
  // 2^53 + 1 is halfway between 2^53 and 2^53 + 2: even wins; anything beyond goes up,
  // even a digit past the 19th.
  EXPECT_EQ(*TypeParam::parse_double("9007199254740993"), 9007199254740992.0);
  EXPECT_EQ(*TypeParam::parse_double("9007199254740993.0000000000000000001"), 9007199254740994.0);
  EXPECT_EQ(*TypeParam::parse_double("9007199254740995"), 9007199254740996.0);
  EXPECT_EQ(*TypeParam::parse_double("00000000000000000000000000000001.5"), 1.5);
  EXPECT_EQ(*TypeParam::parse_double("0.000000000000000000000000000000000000000015"), 1.5e-41);
  EXPECT_EQ(*TypeParam::parse_float("3.4028235e38"), std::numeric_limits<float>::max());
  EXPECT_EQ(TypeParam::parse_float("3.4028236e38").error(), Errc::unsupported);
  EXPECT_EQ(*TypeParam::parse_float("1e-45"), std::numeric_limits<float>::denorm_min());
  EXPECT_EQ(*TypeParam::parse_float("8e-46"), std::numeric_limits<float>::denorm_min());
  EXPECT_EQ(TypeParam::parse_float("7e-46").error(), Errc::unsupported);
}

TYPED_TEST(NumberText, SameGrammarAndErrorsAsFromChars) {
  const char* cases[] = {"",
                         "-",
                         "+1",
                         "1",
                         "-1",
                         "1.",
                         "1.e5",
                         ".5",
                         "-.5",
                         "1e",
                         "1e+",
                         "1e-",
                         "1E5",
                         "1e+5",
                         "1e05",
                         "01",
                         "00.5",
                         "1..2",
                         "1.2.3",
                         "1e5.5",
                         "0x10",
                         "inf",
                         "nan",
                         "-inf",
                         " 1",
                         "1 ",
                         "1_0",
                         "1e+-5",
                         "--1",
                         "e5",
                         "1ee5",
                         "0e999999999999",
                         "1e-99999999999999999999",
                         "1e99999999999999999999",
                         "-0e-5",
                         "9."};
  for (const char* c : cases) {
    auto a = parse<TypeParam, double>(c);
    auto b = std_parse<double>(c);
    ASSERT_EQ(a.ok(), b.ok()) << '"' << c << '"';
    if (a.ok()) {
      EXPECT_EQ(bits_of(*a), bits_of(*b)) << c;
    } else {
      EXPECT_EQ(a.error(), b.error()) << '"' << c << '"';
    }
  }
  // Strings over the number alphabet: same verdict, same value.
  std::mt19937_64 rng(7);
  const char alphabet[] = "0123456789.eE+-";
  for (int i = 0; i < 200000; ++i) {
    std::string s(1 + rng() % 12, ' ');
    for (char& c : s)
      c = alphabet[rng() % (sizeof alphabet - 1)];
    auto a = parse<TypeParam, double>(s);
    auto b = std_parse<double>(s);
    ASSERT_EQ(a.ok(), b.ok()) << s;
    if (a.ok()) {
      ASSERT_EQ(bits_of(*a), bits_of(*b)) << s;
    } else {
      ASSERT_EQ(a.error(), b.error()) << s;
    }
  }
}

// Random bit patterns (every exponent, subnormals included) and the ends of the range.
template <class I, class T, class U>
void round_trips(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  int not_shortest = 0, not_closest = 0;
  auto check = [&](U u) {
    T v = std::bit_cast<T>(u);
    std::string text = fmt<I>(v);
    if (!std::isfinite(v)) {
      ASSERT_EQ(text, "");
      return;
    }
    auto back = parse<I, T>(text);
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(bits_of(*back), u) << text;
    T by_std = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), by_std);
    ASSERT_EQ(r.ptr, text.data() + text.size()) << text;
    ASSERT_EQ(bits_of(by_std), u) << text;
    std::string ref = std_fmt(v);
    if (I::kExact) {
      ASSERT_EQ(text, ref);
    }
    if (text != ref) {
      // Grisu2 is not always shortest nor always the closest of the shortest: then it has
      // more digits, or as many with a different last one, never another syntax.
      int a = digit_count(text), b = digit_count(ref);
      ASSERT_GE(a, b) << text << " vs " << ref;
      if (a == b) {
        ASSERT_EQ(text.size(), ref.size()) << text << " vs " << ref;
        ++not_closest;
      } else {
        ++not_shortest;
      }
    }
  };
  constexpr U kSign = U{1} << (sizeof(U) * 8 - 1);
  for (U u = 0; u < 1000; ++u) {
    check(u);
    check(u | kSign);
    check(std::bit_cast<U>(std::numeric_limits<T>::max()) - u);
    check(std::bit_cast<U>(std::numeric_limits<T>::min()) + u - 500);
  }
  for (int i = 0; i < count; ++i)
    check(static_cast<U>(rng()));
  // Powers of two and ten.
  for (T p = std::numeric_limits<T>::denorm_min(); std::isfinite(p); p *= 2)
    check(bits_of(p));
  for (int e = std::numeric_limits<T>::min_exponent10 - 1;
       e <= std::numeric_limits<T>::max_exponent10; ++e) {
    std::string s = "1e" + std::to_string(e);
    check(bits_of(*std_parse<T>(s)));
  }
  // Both are the rare case (the fast one's; never for the small one).
  EXPECT_LT(not_shortest, count / 200) << not_shortest;
  EXPECT_LT(not_closest, count / 200) << not_closest;
  std::printf("not shortest %d, not closest %d of %d\n", not_shortest, not_closest, count);
}

TYPED_TEST(NumberText, DoublesRoundTripExactly) {
  round_trips<TypeParam, double, uint64_t>(TypeParam::kRandom, 1);
}
TYPED_TEST(NumberText, FloatsRoundTripExactly) {
  round_trips<TypeParam, float, uint32_t>(TypeParam::kRandom, 2);
}

// Decimal inputs of up to 19 significant digits and every exponent in range are read
// exactly as std::from_chars reads them (correct rounding); longer ones within 1 ulp.
template <class I, class T>
void parses_like_from_chars(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  int off_by_one = 0, long_inputs = 0;
  const int max_exp = std::is_same_v<T, double> ? 330 : 50;
  for (int i = 0; i < count; ++i) {
    int digits = 1 + static_cast<int>(rng() % (i % 4 == 3 ? 40 : 19));
    std::string s;
    if (rng() % 2) s += '-';
    for (int d = 0; d < digits; ++d)
      s += static_cast<char>('0' + rng() % 10);
    int point = static_cast<int>(rng() % (digits + 1));
    if (point > 0 && point < digits) s.insert(s.size() - digits + point, ".");
    int e = static_cast<int>(rng() % (2 * max_exp + 1)) - max_exp;
    s += 'e' + std::to_string(e);
    auto a = parse<I, T>(s);
    auto b = std_parse<T>(s);
    int significant = 0;
    bool started = false;
    for (char c : s) {
      if (c == 'e') break;
      if (c >= '1' && c <= '9') started = true;
      if (started && c >= '0' && c <= '9') ++significant;
    }
    if (significant <= 19) {
      ASSERT_EQ(a.ok(), b.ok()) << s;
      if (a.ok()) {
        ASSERT_EQ(bits_of(*a), bits_of(*b)) << s;
      } else {
        ASSERT_EQ(a.error(), b.error()) << s;
      }
      continue;
    }
    ++long_inputs;
    if (a.ok() && b.ok()) {
      auto x = bits_of(*a), y = bits_of(*b);
      ASSERT_LE(x > y ? x - y : y - x, 1u) << s;
      off_by_one += x != y;
    } else if (a.ok() != b.ok()) {
      // Only at the very ends of the range: the largest value or the smallest subnormal.
      T v = a.ok() ? *a : *b;
      ASSERT_TRUE(std::fabs(v) == std::numeric_limits<T>::max() ||
                  std::fabs(v) == std::numeric_limits<T>::denorm_min())
          << s;
    }
  }
  EXPECT_GT(long_inputs, 0);
  ::testing::Test::RecordProperty("off_by_one", off_by_one);
}

TYPED_TEST(NumberText, DoublesParseLikeFromChars) {
  parses_like_from_chars<TypeParam, double>(TypeParam::kRandom, 3);
}
TYPED_TEST(NumberText, FloatsParseLikeFromChars) {
  parses_like_from_chars<TypeParam, float>(TypeParam::kRandom * 2 / 5, 4);
}

// Inputs right at halfway points, where the 64-bit approximation cannot decide and the
// exact comparison does: the midpoints between neighbouring doubles, written with 17-19
// digits (rounded either way of the midpoint) must read like std::from_chars reads them.
TYPED_TEST(NumberText, NearHalfwayPointsAreCorrectlyRounded) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < TypeParam::kRandom / 5; ++i) {
    double v = std::bit_cast<double>(rng() & 0x7fefffffffffffffu);
    double next = std::nextafter(v, std::numeric_limits<double>::infinity());
    // The midpoint in long double (x86: 64-bit significand) is exact.
    long double mid = (static_cast<long double>(v) + static_cast<long double>(next)) / 2;
    for (int precision : {17, 18, 19}) {
      char buf[64];
      int n = std::snprintf(buf, sizeof buf, "%.*Le", precision - 1, mid);
      std::string_view s{buf, static_cast<size_t>(n)};
      auto a = TypeParam::parse_double(s);
      auto b = std_parse<double>(s);
      ASSERT_EQ(a.ok(), b.ok()) << s;
      if (a.ok()) {
        ASSERT_EQ(bits_of(*a), bits_of(*b)) << s;
      }
    }
  }
}

}  // namespace
}  // namespace lwm2m::codec::number
