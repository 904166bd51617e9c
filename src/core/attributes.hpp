// SPDX-License-Identifier: Apache-2.0
// Notification attributes (OMA LwM2M 1.1 Core §5.1.2, 1.2 additions): parsing from
// Write-Attributes Uri-Query options, validation, inheritance, and the decision "does this
// change trigger a notification now".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "lwm2m/dm/value.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::core {

/// One set of attributes as attached at one level (object, instance, resource or resource
/// instance). An absent optional means "not set here" (inherit).
struct Attributes {
  std::optional<uint32_t> pmin, pmax;    ///< seconds
  std::optional<double> gt, lt, st;      ///< numeric change conditions
  std::optional<uint32_t> epmin, epmax;  ///< evaluation periods (1.1)
  std::optional<bool> edge;              ///< 1.2: notify on rising (1) / falling (0) edge
  std::optional<bool> con;               ///< 1.2: 1 = CON notifications, 0 = NON
  std::optional<uint32_t> hqmax;         ///< 1.2: historical queue size (accepted, stored)

  bool empty() const noexcept {
    return !pmin && !pmax && !gt && !lt && !st && !epmin && !epmax && !edge && !con && !hqmax;
  }
  /// Fills what is unset here from `outer` (a lower-precedence level).
  void inherit(const Attributes& outer) noexcept;
  friend bool operator==(const Attributes&, const Attributes&) noexcept = default;
};

/// Applies Write-Attributes query parameters ("pmin=10", "gt=20.5", "pmax" to remove) to
/// `attrs`. Unknown parameters are bad_request (4.00), as are malformed numbers. The
/// result is not validated against the target; see validate().
Status apply_query(Attributes& attrs, std::span<const std::string_view> query) noexcept;
/// apply_query() without its copy, for a caller that works on a copy of its own: on
/// bad_request `attrs` holds the parameters before the bad one.
Status apply_params(Attributes& attrs, std::span<const std::string_view> query) noexcept;

/// Checks the effective attributes for a target (4.00 on failure): gt/lt/st only on
/// numeric resources, st >= 0, lt < gt and lt + 2*st < gt when present together, edge
/// only on booleans.
Status validate(const Attributes& effective, bool numeric_target, bool boolean_target) noexcept;

/// Writes ";pmin=10;pmax=60;gt=..." for Discover answers (link-format attributes).
void write_link_attributes(const Attributes& a, Sink& out) noexcept;

/// State kept per observed value to decide notifications.
struct NotifyState {
  TimePoint last_notify{};
  std::optional<double> last_value;  ///< numeric value last reported (for gt/lt/st/edge)
  bool changed = false;              ///< value marked changed since the last notification
  TimePoint last_eval{};             ///< last evaluation of the change conditions (epmin)
};

/// When the next notification is due given the effective attributes: the earliest time
/// at or after which a notification must be sent (pmax), and whether a pending change may
/// be reported now (pmin elapsed and change conditions met).
struct NotifyDecision {
  bool send_now = false;
  TimePoint next_check = kNever;  ///< when to look again (pmin end or pmax)
  bool evaluated = false;         ///< the change conditions were evaluated (restarts epmin)
};

/// `current` is the value now (for numeric conditions); pass Value{} when not numeric.
NotifyDecision decide(const Attributes& eff, const NotifyState& st, const dm::Value& current,
                      TimePoint now) noexcept;

/// Numeric view of a value for change conditions (integer, unsigned, float, time, boolean).
std::optional<double> numeric(const dm::Value& v) noexcept;

}  // namespace lwm2m::core
