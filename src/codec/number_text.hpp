// SPDX-License-Identifier: Apache-2.0
// What the library's two floating-point text conversions share (number_compact.cpp, the
// fast one, and number_small.cpp, the small one): the layout of the IEEE formats, the
// decimal scanner, the writer of the final text and a fixed-size big integer.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m::codec::number::text {

template <class T>
struct Format;
template <>
struct Format<double> {
  using Bits = uint64_t;
  static constexpr int kMant = 52;       // stored significand bits
  static constexpr int kBias = 1023;     // exponent bias
  static constexpr int kExpAll = 0x7ff;  // exponent field of infinities and NaN
  static constexpr int kMaxDec = 309;    // 10^309 and above overflow
  static constexpr int kMinDec = -324;   // below 10^-324: less than half the smallest subnormal
};
template <>
struct Format<float> {
  using Bits = uint32_t;
  static constexpr int kMant = 23;
  static constexpr int kBias = 127;
  static constexpr int kExpAll = 0xff;
  static constexpr int kMaxDec = 39;
  static constexpr int kMinDec = -46;
  static constexpr int kFastPow = 10;
};

/// floor(k * log2(10)), exact for |k| < 1200 (checked exhaustively).
constexpr int floor_log2_pow10(int k) {
  return (k * 1741647) >> 19;
}

/// A decimal number as scan() reads it.
struct Decimal {
  uint64_t w = 0;          // the first (up to) 19 significant digits
  int e10 = 0;             // value = w * 10^e10 (before the dropped digits)
  int ndigits = 0;         // digits in w
  bool truncated = false;  // a non-zero digit was dropped after the 19th
  bool neg = false;
};

/// Reads the longest number at the start of s in the grammar
/// -?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?; returns its length, 0 if there is none (also for a
/// text of more than 10^9 characters).
size_t scan(std::string_view s, Decimal& d) noexcept;

/// The whole of `s` as a number, converted by `to_binary` (a conversion's own rounding):
/// as std::from_chars in number.cpp, out of range is said before trailing characters.
template <class T, class ToBinary>
Result<T> parse(std::string_view s, ToBinary to_binary) noexcept {
  Decimal d;
  const size_t used = scan(s, d);
  if (used == 0) return Errc::malformed;
  Result<T> v = to_binary(d);
  if (v.ok() && used != s.size()) return Errc::malformed;
  return v;
}

/// digits[0..n) * 10^k as text, in the syntax of number::format_double: fixed or scientific,
/// whichever is shorter, fixed on a tie; exponent with a sign and at least two digits;
/// integral values longer than 17 characters in scientific form. `integer` is the exact
/// value when it is an integer below 2^64: std::to_chars writes an integer in fixed
/// notation with all its digits ("51134428717825792", not "51134428717825790"), so do we.
size_t emit(bool neg, const char* digits, int n, int k, uint64_t integer, char* out) noexcept;

/// Fixed-size unsigned big integer, enough for the exact comparisons of decimal and binary
/// values the conversions make (at most about 870 bits: 5^343 times a 64-bit factor).
class Big {
 public:
  explicit Big(uint64_t v) noexcept {
    limb_[0] = static_cast<uint32_t>(v);
    limb_[1] = static_cast<uint32_t>(v >> 32);
    size_ = limb_[1] ? 2 : 1;
  }
  void mul(uint32_t m) noexcept {
    uint64_t carry = 0;
    for (int i = 0; i < size_; ++i) {
      uint64_t t = static_cast<uint64_t>(limb_[i]) * m + carry;
      limb_[i] = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    if (carry && size_ < kLimbs) limb_[size_++] = static_cast<uint32_t>(carry);
  }
  void mul_pow5(int k) noexcept {
    for (; k >= 13; k -= 13)
      mul(1220703125u);  // 5^13
    uint32_t m = 1;
    for (; k > 0; --k)
      m *= 5;
    mul(m);
  }
  // For a non-zero value (whose top limb is then non-zero): whole limbs moved up, the rest
  // of the shift a multiplication by 2^(bits % 32), which mul() already does.
  void shift_left(int bits) noexcept {
    const int words = bits / 32;
    if (size_ + words + 1 > kLimbs) return;  // cannot happen for the values the callers build
    for (int i = size_ - 1; i >= 0; --i)
      limb_[i + words] = limb_[i];
    for (int i = 0; i < words; ++i)
      limb_[i] = 0;
    size_ += words;
    mul(uint32_t{1} << (bits % 32));
  }
  // The 64 bits from the highest set one down, rounded to nearest (half up); shifted left
  // to fill 64 bits when there are fewer. Shifts the value itself to read them.
  uint64_t top_bits() noexcept {
    const int bits = size_ * 32 - std::countl_zero(limb_[size_ - 1]);
    shift_left(bits < 96 ? 96 - bits : (32 - bits % 32) % 32);  // then the top limb is full
    return ((uint64_t{limb_[size_ - 1]} << 32) | limb_[size_ - 2]) + (limb_[size_ - 3] >> 31);
  }
  friend int compare(const Big& a, const Big& b) noexcept {
    if (a.size_ != b.size_) return a.size_ < b.size_ ? -1 : 1;
    for (int i = a.size_ - 1; i >= 0; --i) {
      if (a.limb_[i] != b.limb_[i]) return a.limb_[i] < b.limb_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  static constexpr int kLimbs = 32;  // the callers' values need at most 28
  // Limbs from size_ up are not initialised (a conversion makes hundreds of these values).
  uint32_t limb_[kLimbs];
  int size_;
};

}  // namespace lwm2m::codec::number::text
