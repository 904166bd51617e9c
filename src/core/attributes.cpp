// SPDX-License-Identifier: Apache-2.0
#include "attributes.hpp"

#include <cmath>
#include <iterator>

#include "codec/number.hpp"
#include "double_compare.hpp"
#include "text_slice.hpp"

namespace lwm2m::core {
namespace {

// The attributes by name, in the order of the member tables below: the query parser,
// Discover's writer and inheritance each walk the tables instead of naming every field,
// which keeps them small on a microcontroller.
constexpr std::string_view kQueryKeys[] = {"pmin", "pmax", "epmin", "epmax", "hqmax",
                                           "gt",   "lt",   "st",    "edge",  "con"};
constexpr size_t kFirstReal = 5, kFirstFlag = 8;
using A = Attributes;
constexpr std::optional<uint32_t> A::*kWhole[] = {&A::pmin, &A::pmax, &A::epmin, &A::epmax,
                                                  &A::hqmax};
constexpr std::optional<double> A::*kReal[] = {&A::gt, &A::lt, &A::st};
constexpr std::optional<bool> A::*kFlag[] = {&A::edge, &A::con};
// Discover lists them in this order (indexes into kQueryKeys).
constexpr uint8_t kLinkOrder[] = {0, 1, 5, 6, 7, 2, 3, 8, 9, 4};

size_t query_key(std::string_view key) noexcept {
  size_t i = 0;
  while (i < std::size(kQueryKeys) && kQueryKeys[i] != key)
    ++i;
  return i;  // read-only "dim" and "ver" and unknown names: past the end
}

// One "key=value" (or "key" alone, which removes the attribute) into `a`.
bool apply_param(Attributes& a, std::string_view q) noexcept {
  const size_t eq = q.find('=');
  const size_t i = query_key(lwm2m::detail::slice(q, 0, eq));
  const bool has_value = eq != std::string_view::npos;
  const std::string_view val = has_value ? lwm2m::detail::slice(q, eq + 1) : std::string_view{};
  if (i < kFirstReal) {
    std::optional<uint32_t>& field = a.*kWhole[i];
    field.reset();
    if (!has_value) return true;
    auto v = codec::number::parse_uint(val);
    if (!v || *v > UINT32_MAX) return false;
    field = static_cast<uint32_t>(*v);
  } else if (i < kFirstFlag) {
    std::optional<double>& field = a.*kReal[i - kFirstReal];
    field.reset();
    if (!has_value) return true;
    auto v = codec::number::parse_double(val);
    if (!v) return false;
    field = *v;
  } else if (i < std::size(kQueryKeys)) {
    std::optional<bool>& field = a.*kFlag[i - kFirstFlag];
    field.reset();
    if (!has_value) return true;
    if (val != "0" && val != "1") return false;
    field = val == "1";
  } else {
    return false;
  }
  return true;
}

// ";key=" and then the value, one link attribute of a Discover answer.
void write_key(Sink& out, std::string_view key) noexcept {
  out.write(as_bytes(std::string_view{";"}));
  out.write(as_bytes(key));
  out.write(as_bytes(std::string_view{"="}));
}

}  // namespace

void Attributes::inherit(const Attributes& o) noexcept {
  for (auto m : kWhole)
    if (!(this->*m)) this->*m = o.*m;
  for (auto m : kReal)
    if (!(this->*m)) this->*m = o.*m;
  for (auto m : kFlag)
    if (!(this->*m)) this->*m = o.*m;
}

Status apply_params(Attributes& a, std::span<const std::string_view> query) noexcept {
  for (std::string_view q : query)
    if (!apply_param(a, q)) return Errc::bad_request;
  return Errc::ok;
}

Status apply_query(Attributes& a, std::span<const std::string_view> query) noexcept {
  Attributes next = a;  // apply all or nothing
  LWM2M_TRY(apply_params(next, query));
  a = next;
  return Errc::ok;
}

Status validate(const Attributes& a, bool numeric_target, bool boolean_target) noexcept {
  if ((a.gt || a.lt || a.st) && !numeric_target) return Errc::bad_request;
  if (a.edge && !boolean_target) return Errc::bad_request;
  if (a.st && lwm2m::detail::less(*a.st, 0)) return Errc::bad_request;
  if (a.gt && a.lt) {
    if (!lwm2m::detail::less(*a.lt, *a.gt)) return Errc::bad_request;
    if (a.st && !lwm2m::detail::less(*a.lt + 2 * *a.st, *a.gt)) return Errc::bad_request;
  }
  return Errc::ok;
}

void write_link_attributes(const Attributes& a, Sink& out) noexcept {
  for (const uint8_t i : kLinkOrder) {
    const std::string_view key = kQueryKeys[i];
    if (i >= kFirstReal && i < kFirstFlag) {
      const std::optional<double>& v = a.*kReal[i - kFirstReal];
      if (!v || !lwm2m::detail::is_finite(*v)) continue;
      write_key(out, key);
      (void)codec::number::write_double(out, *v);
      continue;
    }
    uint32_t whole = 0;
    if (i < kFirstReal) {
      const std::optional<uint32_t>& v = a.*kWhole[i];
      if (!v) continue;
      whole = *v;
    } else {
      const std::optional<bool>& v = a.*kFlag[i - kFirstFlag];
      if (!v) continue;
      whole = *v ? 1 : 0;
    }
    write_key(out, key);
    codec::number::write_uint(out, whole);
  }
}

std::optional<double> numeric(const dm::Value& v) noexcept {
  switch (v.type()) {
    case dm::DataType::integer:
      return static_cast<double>(v.as_integer());
    case dm::DataType::time:
      return static_cast<double>(v.as_time());
    case dm::DataType::unsigned_integer:
      return static_cast<double>(v.as_unsigned());
    case dm::DataType::floating:
      return v.as_float();
    case dm::DataType::boolean:
      return v.as_bool() ? 1.0 : 0.0;
    default:
      return std::nullopt;
  }
}

namespace {

Duration seconds(uint32_t s) noexcept {
  return Duration{int64_t{s} * 1000};
}

void take_earlier(TimePoint& t, TimePoint candidate) noexcept {
  if (candidate < t) t = candidate;
}

// Whether a change from `last` to `now_value` meets a change condition (gt, lt, st, edge);
// any change counts when none is set or there is nothing to compare with yet. Each condition
// compares both values with its threshold once (doubles are emulated in software on small
// targets); a NaN crosses nothing.
bool meets_condition(const Attributes& eff, const std::optional<double>& sampled,
                     const std::optional<double>& previous) noexcept {
  if ((!eff.gt && !eff.lt && !eff.st && !eff.edge) || !sampled || !previous) return true;
  const double last = *previous, now_value = *sampled;
  if (lwm2m::detail::is_nan(last) || lwm2m::detail::is_nan(now_value)) return false;
  if (eff.gt && lwm2m::detail::less(*eff.gt, last) != lwm2m::detail::less(*eff.gt, now_value))
    return true;
  if (eff.lt && lwm2m::detail::less(last, *eff.lt) != lwm2m::detail::less(now_value, *eff.lt))
    return true;
  if (eff.st && lwm2m::detail::at_least(std::fabs(now_value - last), *eff.st)) return true;
  if (!eff.edge) return false;
  const bool was_set = !lwm2m::detail::equal(last, 0), is_set = !lwm2m::detail::equal(now_value, 0);
  return was_set != is_set && is_set == *eff.edge;
}

}  // namespace

NotifyDecision decide(const Attributes& eff, const NotifyState& st, const dm::Value& current,
                      TimePoint now) noexcept {
  NotifyDecision d;
  const uint32_t pmin_s = eff.pmin.value_or(0), pmax_s = eff.pmax.value_or(0);
  const uint32_t epmin_s = eff.epmin.value_or(0), epmax_s = eff.epmax.value_or(0);
  const Duration pmin = seconds(pmin_s);
  // pmax only counts when greater than pmin (§5.1.2); 0 means "no maximum".
  const bool has_pmax = pmax_s > 0 && pmax_s >= pmin_s;
  const TimePoint pmax_end = st.last_notify + seconds(pmax_s);
  const Duration elapsed = now - st.last_notify;

  // A change is either marked by the application (value_changed) or found by sampling:
  // with epmax the client evaluates the value itself, so a numeric difference from the
  // last reported value counts even when nobody marked it (§5.1.2, 1.1 attributes).
  const auto sampled = numeric(current);
  bool changed = st.changed;
  if (!changed && epmax_s > 0 && sampled && st.last_value &&
      !lwm2m::detail::equal(*sampled, *st.last_value))
    changed = true;
  // epmin: no two evaluations closer than epmin; a change inside it waits for its end.
  TimePoint epmin_end = kNever;
  if (changed && epmin_s > 0) {
    const TimePoint end = st.last_eval + seconds(epmin_s);
    if (now < end) {
      changed = false;
      epmin_end = end;
    }
  }
  d.evaluated = changed;

  const bool condition = changed && meets_condition(eff, sampled, st.last_value);
  if ((condition && elapsed >= pmin) || (has_pmax && now >= pmax_end)) {
    d.send_now = true;
    return d;
  }
  if (condition) d.next_check = st.last_notify + pmin;
  take_earlier(d.next_check, epmin_end);
  if (has_pmax) take_earlier(d.next_check, pmax_end);
  // Re-evaluate at least every epmax so that change conditions are sampled (§5.1.2).
  if (epmax_s > 0) take_earlier(d.next_check, now + seconds(epmax_s));
  return d;
}

}  // namespace lwm2m::core
