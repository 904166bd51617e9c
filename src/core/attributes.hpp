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
/// instance). An attribute not set here is inherited. One mask says which are set (48
/// bytes on a 32-bit target, where ten optionals took 96): the client keeps a table of them.
class Attributes {
 public:
  /// Periods in seconds (pmin, pmax; 1.1 evaluation periods epmin, epmax) and the 1.2
  /// historical queue size (accepted, stored).
  enum Whole : uint8_t { pmin, pmax, epmin, epmax, hqmax };
  /// Numeric change conditions.
  enum Real : uint8_t { gt, lt, st };
  /// 1.2: edge (notify on a rising 1 / falling 0 edge), con (1: CON notifications, 0: NON).
  enum Flag : uint8_t { edge, con };
  static constexpr size_t kWholes = 5, kReals = 3, kFlags = 2;

  bool has(Whole a) const noexcept { return (set_ >> a & 1u) != 0; }
  bool has(Real a) const noexcept { return (set_ >> (kWholes + a) & 1u) != 0; }
  bool has(Flag a) const noexcept { return (set_ >> (kWholes + kReals + a) & 1u) != 0; }
  /// The value, 0 (false) when not set here.
  uint32_t value(Whole a) const noexcept { return whole_[a]; }
  double value(Real a) const noexcept { return real_[a]; }
  bool value(Flag a) const noexcept { return (flags_ >> a & 1u) != 0; }
  /// The value, or nullopt when not set here.
  std::optional<uint32_t> get(Whole a) const noexcept {
    if (!has(a)) return std::nullopt;
    return whole_[a];
  }
  std::optional<double> get(Real a) const noexcept {
    if (!has(a)) return std::nullopt;
    return real_[a];
  }
  std::optional<bool> get(Flag a) const noexcept {
    if (!has(a)) return std::nullopt;
    return (flags_ >> a & 1u) != 0;
  }
  void set(Whole a, uint32_t v) noexcept {
    whole_[a] = v;
    set_ = static_cast<uint16_t>(set_ | 1u << a);
  }
  void set(Real a, double v) noexcept {
    real_[a] = v;
    set_ = static_cast<uint16_t>(set_ | 1u << (kWholes + a));
  }
  void set(Flag a, bool v) noexcept {
    flags_ = static_cast<uint8_t>((flags_ & ~(1u << a)) | (v ? 1u << a : 0u));
    set_ = static_cast<uint16_t>(set_ | 1u << (kWholes + kReals + a));
  }
  /// Not set here any more (inherited again). Values of unset attributes stay zero, so
  /// that == compares what is set.
  void reset(Whole a) noexcept { unset(a); }
  void reset(Real a) noexcept { unset(kWholes + a); }
  void reset(Flag a) noexcept { unset(kWholes + kReals + a); }
  /// By index in the order of the enums (the Whole ones, then Real, then Flag): set here,
  /// and reset() (out of line: one copy for the query parser's ten names).
  bool is_set(size_t index) const noexcept { return (set_ >> index & 1u) != 0; }
  void unset(size_t index) noexcept;

  bool empty() const noexcept { return set_ == 0; }
  /// A change condition (gt, lt, st or edge) is set.
  bool has_condition() const noexcept {
    return (set_ & (0xfu << (kWholes + gt))) != 0;  // gt, lt, st, then edge
  }
  /// Fills what is unset here from `outer` (a lower-precedence level).
  void inherit(const Attributes& outer) noexcept;
  friend bool operator==(const Attributes&, const Attributes&) noexcept = default;

 private:
  double real_[kReals] = {};
  uint32_t whole_[kWholes] = {};
  uint16_t set_ = 0;   ///< a bit per attribute: the Whole ones, then Real, then Flag
  uint8_t flags_ = 0;  ///< the values of the flags that are set
};

/// Applies Write-Attributes query parameters ("pmin=10", "gt=20.5", "pmax" to remove) to
/// `attrs`. Unknown parameters are bad_request (4.00), as are malformed numbers. The
/// result is not validated against the target; see validate().
Status apply_query(Attributes& attrs, std::span<const std::string_view> query) noexcept;
/// apply_query() without its copy, for a caller that works on a copy of its own: on
/// bad_request `attrs` is partly changed, to be discarded.
Status apply_params(Attributes& attrs, std::span<const std::string_view> query) noexcept;

/// Checks the effective attributes for a target of type `target` (none: not a resource),
/// 4.00 on failure: gt/lt/st only on numeric resources (integer, unsigned, float, time),
/// st >= 0, lt < gt and lt + 2*st < gt when present together, edge only on booleans.
Status validate(const Attributes& effective, dm::DataType target) noexcept;

/// Writes ";pmin=10;pmax=60;gt=..." for Discover answers (link-format attributes).
void write_link_attributes(const Attributes& a, Sink& out) noexcept;

/// State kept per observed value to decide notifications.
/// (32 bytes on a 32-bit target: the flags share one word, where an optional's would not.)
struct NotifyState {
  TimePoint last_notify{};
  TimePoint last_eval{};         ///< last evaluation of the change conditions (epmin)
  double last_number = 0;        ///< the numeric value last reported, when has_last_number
  bool has_last_number = false;  ///< a numeric value was reported (for gt/lt/st/edge)
  bool changed = false;          ///< value marked changed since the last notification

  /// The numeric value last reported, nullopt when none was.
  std::optional<double> last_value() const noexcept {
    if (!has_last_number) return std::nullopt;
    return last_number;
  }
  void set_last_value(std::optional<double> v) noexcept {
    has_last_number = v.has_value();
    last_number = v.value_or(0);
  }
  /// `v` was reported (or stored to be) at `now`: the next changes count from it.
  void reported(const dm::Value& v, TimePoint now) noexcept;
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
