// SPDX-License-Identifier: Apache-2.0
#include "attributes.hpp"

#include <cmath>
#include <iterator>

#include "codec/number.hpp"
#include "double_compare.hpp"
#include "text_slice.hpp"

namespace lwm2m::core {
namespace {

// The attributes by name, in the order of Attributes' enums (Whole, then Real, then Flag):
// the query parser and Discover's writer walk the names instead of naming every field,
// which keeps them small on a microcontroller.
constexpr std::string_view kQueryKeys[] = {"pmin", "pmax", "epmin", "epmax", "hqmax",
                                           "gt",   "lt",   "st",    "edge",  "con"};
using A = Attributes;
constexpr size_t kFirstReal = A::kWholes, kFirstFlag = A::kWholes + A::kReals;
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
  // A key alone removes the attribute; a bad value leaves `a` to be discarded.
  if (i < kFirstReal) {
    const auto field = static_cast<A::Whole>(i);
    if (!has_value) {
      a.reset(field);
      return true;
    }
    auto v = codec::number::parse_uint(val);
    if (!v || *v > UINT32_MAX) return false;
    a.set(field, static_cast<uint32_t>(*v));
  } else if (i < kFirstFlag) {
    const auto field = static_cast<A::Real>(i - kFirstReal);
    if (!has_value) {
      a.reset(field);
      return true;
    }
    auto v = codec::number::parse_double(val);
    if (!v) return false;
    a.set(field, *v);
  } else if (i < std::size(kQueryKeys)) {
    const auto field = static_cast<A::Flag>(i - kFirstFlag);
    if (!has_value) {
      a.reset(field);
      return true;
    }
    if (val != "0" && val != "1") return false;
    a.set(field, val == "1");
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
  const unsigned take = o.set_ & ~set_;  // set there, not here
  for (size_t i = 0; i < kWholes; ++i)
    if (take >> i & 1u) whole_[i] = o.whole_[i];
  for (size_t i = 0; i < kReals; ++i)
    if (take >> (kWholes + i) & 1u) real_[i] = o.real_[i];
  flags_ = static_cast<uint8_t>(flags_ | (o.flags_ & take >> (kWholes + kReals)));
  set_ = static_cast<uint16_t>(set_ | take);
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
  const bool gt = a.has(A::gt), lt = a.has(A::lt), st = a.has(A::st);
  if ((gt || lt || st) && !numeric_target) return Errc::bad_request;
  if (a.has(A::edge) && !boolean_target) return Errc::bad_request;
  const double g = a.value(A::gt), l = a.value(A::lt), s = a.value(A::st);  // 0 when unset
  if (lwm2m::detail::less(s, 0)) return Errc::bad_request;
  if (!gt || !lt) return Errc::ok;
  if (!lwm2m::detail::less(l, g) || (st && !lwm2m::detail::less(l + 2 * s, g)))
    return Errc::bad_request;
  return Errc::ok;
}

void write_link_attributes(const Attributes& a, Sink& out) noexcept {
  for (const uint8_t i : kLinkOrder) {
    const std::string_view key = kQueryKeys[i];
    if (i >= kFirstReal && i < kFirstFlag) {
      const std::optional<double> v = a.get(static_cast<A::Real>(i - kFirstReal));
      if (!v || !lwm2m::detail::is_finite(*v)) continue;
      write_key(out, key);
      (void)codec::number::write_double(out, *v);
      continue;
    }
    uint32_t whole = 0;
    if (i < kFirstReal) {
      const std::optional<uint32_t> v = a.get(static_cast<A::Whole>(i));
      if (!v) continue;
      whole = *v;
    } else {
      const std::optional<bool> v = a.get(static_cast<A::Flag>(i - kFirstFlag));
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
                     const NotifyState& previous) noexcept {
  const bool gt = eff.has(A::gt), lt = eff.has(A::lt), st = eff.has(A::st);
  const bool edge = eff.has(A::edge);
  if ((!gt && !lt && !st && !edge) || !sampled || !previous.has_last_number) return true;
  const double last = previous.last_number, now_value = *sampled;
  if (lwm2m::detail::is_nan(last) || lwm2m::detail::is_nan(now_value)) return false;
  const double g = eff.value(A::gt), l = eff.value(A::lt);
  if (gt && lwm2m::detail::less(g, last) != lwm2m::detail::less(g, now_value)) return true;
  if (lt && lwm2m::detail::less(last, l) != lwm2m::detail::less(now_value, l)) return true;
  if (st && lwm2m::detail::at_least(std::fabs(now_value - last), eff.value(A::st))) return true;
  if (!edge) return false;
  const bool was_set = !lwm2m::detail::equal(last, 0), is_set = !lwm2m::detail::equal(now_value, 0);
  return was_set != is_set && is_set == eff.value(A::edge);
}

}  // namespace

NotifyDecision decide(const Attributes& eff, const NotifyState& st, const dm::Value& current,
                      TimePoint now) noexcept {
  NotifyDecision d;
  // Unset periods read as 0.
  const uint32_t pmin_s = eff.value(A::pmin), pmax_s = eff.value(A::pmax);
  const uint32_t epmin_s = eff.value(A::epmin), epmax_s = eff.value(A::epmax);
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
  if (!changed && epmax_s > 0 && sampled && st.has_last_number &&
      !lwm2m::detail::equal(*sampled, st.last_number))
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

  const bool condition = changed && meets_condition(eff, sampled, st);
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
