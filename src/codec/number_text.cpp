// SPDX-License-Identifier: Apache-2.0
#include "codec/number_text.hpp"

#include "codec/number.hpp"

namespace lwm2m::codec::number::text {
namespace {

constexpr int kMaxDigits = 19;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// "e+05", "e-100": a sign and at least two digits (the digits by format_uint(), which the
// conversions link anyway).
char* write_exponent(char* p, int x) noexcept {
  *p++ = 'e';
  *p++ = x < 0 ? '-' : '+';
  if (x < 0) x = -x;
  if (x < 10) *p++ = '0';
  return p + format_uint(static_cast<unsigned>(x), p);
}

}  // namespace

size_t emit(bool neg, const char* digits, int n, int k, uint64_t integer, char* out) noexcept {
  char* p = out;
  if (neg) *p++ = '-';
  const int point = n + k;  // value = 0.digits * 10^point
  const int sci_exp = point - 1;
  const int sci_len = n + (n > 1 ? 1 : 0) + 2 + (sci_exp >= 100 || sci_exp <= -100 ? 3 : 2);
  const int fixed_len = k >= 0 ? n + k : (point > 0 ? n + 1 : 2 - point + n);
  bool fixed = fixed_len <= sci_len;
  // An integer beyond 17 characters would look like one that does not fit 64 bits.
  if (fixed && k >= 0 && fixed_len + (neg ? 1 : 0) > 17) fixed = false;
  if (fixed && k > 0) {
    // fixed_len <= 17 here, so the value is below 10^17: an integer that fits, whose digits
    // are as many as fixed_len (a power of ten up to 10^17 is a double of its own).
    p += format_uint(integer, p);
  } else {
    // One loop for the three other layouts: "d.ddd" before an exponent (the point after the
    // first digit), "ddd.dd" and "0.000ddd" (digits from position `point`, zeros before).
    const int dot = fixed ? point : 1;
    for (int i = dot > 0 ? 0 : dot - 1; i < n; ++i) {
      if (i == dot) *p++ = '.';
      *p++ = i >= 0 ? digits[i] : '0';
    }
    if (!fixed) p = write_exponent(p, sci_exp);
  }
  return static_cast<size_t>(p - out);
}

size_t scan(std::string_view s, Decimal& d) noexcept {
  size_t i = 0, n = s.size();
  // e10 in an int: at most the dropped integral digits plus an exponent below 10^9.
  if (n > 1000000000) return 0;
  if (i < n && s[i] == '-') {
    d.neg = true;
    ++i;
  }
  if (i >= n || !is_digit(s[i])) return 0;
  auto take = [&d](char c, bool fraction) {
    unsigned v = static_cast<unsigned>(c - '0');
    if (d.ndigits < kMaxDigits) {
      if (d.w != 0 || v != 0) {
        d.w = d.w * 10 + v;
        ++d.ndigits;
      }
      if (fraction) --d.e10;
    } else {
      if (!fraction) ++d.e10;
      if (v != 0) d.truncated = true;
    }
  };
  for (; i < n && is_digit(s[i]); ++i)
    take(s[i], false);
  if (i < n && s[i] == '.') {
    for (++i; i < n && is_digit(s[i]); ++i)
      take(s[i], true);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    bool exp_neg = false;
    if (j < n && (s[j] == '+' || s[j] == '-')) exp_neg = s[j++] == '-';
    if (j < n && is_digit(s[j])) {
      int x = 0;
      for (; j < n && is_digit(s[j]); ++j) {
        if (x < 100000000) x = x * 10 + (s[j] - '0');  // saturates far beyond any range
      }
      d.e10 += exp_neg ? -x : x;
      i = j;
    }
  }
  return i;
}

}  // namespace lwm2m::codec::number::text
