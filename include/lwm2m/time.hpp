// SPDX-License-Identifier: Apache-2.0
// Time as the sans-I/O core sees it: a monotonic timestamp handed in by the caller.
// The core never reads a clock; it only compares and adds.
#pragma once

#include <chrono>
#include <cstdint>

namespace lwm2m {

using Duration = std::chrono::milliseconds;

/// Tag clock: gives TimePoint its own type so that wall-clock values cannot be passed in
/// by mistake. It deliberately has no now(): drivers convert from their own clock.
struct MonotonicClock {
  /// Milliseconds, as everywhere in the library.
  using duration = Duration;
  /// The tick count type.
  using rep = duration::rep;
  /// The tick length (one millisecond).
  using period = duration::period;
  /// A point on this clock.
  using time_point = std::chrono::time_point<MonotonicClock, Duration>;
  /// Never goes backwards.
  static constexpr bool is_steady = true;
};

using TimePoint = MonotonicClock::time_point;

/// "No deadline".
inline constexpr TimePoint kNever = TimePoint::max();

constexpr TimePoint from_millis(int64_t ms) noexcept {
  return TimePoint{Duration{ms}};
}
constexpr int64_t to_millis(TimePoint t) noexcept {
  return t.time_since_epoch().count();
}

}  // namespace lwm2m
