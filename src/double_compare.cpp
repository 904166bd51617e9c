// SPDX-License-Identifier: Apache-2.0
#include "double_compare.hpp"

namespace lwm2m::detail {
namespace {

// The bits as a signed number in the doubles' order: sign-magnitude to two's complement
// (both zeros map to 0).
int64_t ordered(double v) noexcept {
  const auto s = std::bit_cast<int64_t>(v);
  return s < 0 ? INT64_MIN - s : s;
}

}  // namespace

Order compare(double a, double b) noexcept {
  if (is_nan(a) || is_nan(b)) return Order::unordered;
  const int64_t x = ordered(a), y = ordered(b);
  return x < y ? Order::less : x == y ? Order::equal : Order::greater;
}

}  // namespace lwm2m::detail
