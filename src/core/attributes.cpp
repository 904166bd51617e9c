// SPDX-License-Identifier: Apache-2.0
#include "attributes.hpp"

#include <cmath>
#include <iterator>

#include "codec/number.hpp"
#include "text_slice.hpp"

namespace lwm2m::core {
namespace {

template <class T>
void take(std::optional<T>& mine, const std::optional<T>& outer) noexcept {
  if (!mine && outer) mine = outer;
}

bool parse_u32(std::string_view s, uint32_t& out) noexcept {
  auto v = codec::number::parse_uint(s);
  if (!v || *v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(*v);
  return true;
}

bool parse_double(std::string_view s, double& out) noexcept {
  auto v = codec::number::parse_double(s);
  if (!v) return false;
  out = *v;
  return true;
}

void write_str(Sink& out, std::string_view s) noexcept {
  out.write(as_bytes(s));
}

void write_u32(Sink& out, std::string_view key, uint32_t v) noexcept {
  write_str(out, ";");
  write_str(out, key);
  write_str(out, "=");
  codec::number::write_uint(out, v);
}

void write_double(Sink& out, std::string_view key, double v) noexcept {
  if (!std::isfinite(v)) return;
  write_str(out, ";");
  write_str(out, key);
  write_str(out, "=");
  (void)codec::number::write_double(out, v);
}

}  // namespace

void Attributes::inherit(const Attributes& o) noexcept {
  take(pmin, o.pmin);
  take(pmax, o.pmax);
  take(gt, o.gt);
  take(lt, o.lt);
  take(st, o.st);
  take(epmin, o.epmin);
  take(epmax, o.epmax);
  take(edge, o.edge);
  take(con, o.con);
  take(hqmax, o.hqmax);
}

namespace {

// The attributes a Write-Attributes may set, in the order of the field tables below: one
// lookup instead of a comparison per name keeps this small on a microcontroller.
constexpr std::string_view kQueryKeys[] = {"pmin", "pmax", "epmin", "epmax", "hqmax",
                                           "gt",   "lt",   "st",    "edge",  "con"};
constexpr size_t kFirstReal = 5, kFirstFlag = 8;

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
    std::optional<uint32_t>* fields[] = {&a.pmin, &a.pmax, &a.epmin, &a.epmax, &a.hqmax};
    uint32_t v = 0;
    if (has_value && !parse_u32(val, v)) return false;
    *fields[i] = has_value ? std::optional<uint32_t>{v} : std::nullopt;
  } else if (i < kFirstFlag) {
    std::optional<double>* fields[] = {&a.gt, &a.lt, &a.st};
    double v = 0;
    if (has_value && !parse_double(val, v)) return false;
    *fields[i - kFirstReal] = has_value ? std::optional<double>{v} : std::nullopt;
  } else if (i < std::size(kQueryKeys)) {
    std::optional<bool>* fields[] = {&a.edge, &a.con};
    if (has_value && val != "0" && val != "1") return false;
    *fields[i - kFirstFlag] = has_value ? std::optional<bool>{val == "1"} : std::nullopt;
  } else {
    return false;
  }
  return true;
}

}  // namespace

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
  if (a.st && *a.st < 0) return Errc::bad_request;
  if (a.gt && a.lt) {
    if (!(*a.lt < *a.gt)) return Errc::bad_request;
    if (a.st && !(*a.lt + 2 * *a.st < *a.gt)) return Errc::bad_request;
  }
  return Errc::ok;
}

void write_link_attributes(const Attributes& a, Sink& out) noexcept {
  if (a.pmin) write_u32(out, "pmin", *a.pmin);
  if (a.pmax) write_u32(out, "pmax", *a.pmax);
  if (a.gt) write_double(out, "gt", *a.gt);
  if (a.lt) write_double(out, "lt", *a.lt);
  if (a.st) write_double(out, "st", *a.st);
  if (a.epmin) write_u32(out, "epmin", *a.epmin);
  if (a.epmax) write_u32(out, "epmax", *a.epmax);
  if (a.edge) write_u32(out, "edge", *a.edge ? 1 : 0);
  if (a.con) write_u32(out, "con", *a.con ? 1 : 0);
  if (a.hqmax) write_u32(out, "hqmax", *a.hqmax);
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

NotifyDecision decide(const Attributes& eff, const NotifyState& st, const dm::Value& current,
                      TimePoint now) noexcept {
  NotifyDecision d;
  const Duration pmin{int64_t{eff.pmin.value_or(0)} * 1000};
  // pmax only counts when greater than pmin (§5.1.2); 0 means "no maximum".
  std::optional<Duration> pmax;
  if (eff.pmax && *eff.pmax > 0 && *eff.pmax >= eff.pmin.value_or(0))
    pmax = Duration{int64_t{*eff.pmax} * 1000};
  const Duration elapsed = now - st.last_notify;

  // A change is either marked by the application (value_changed) or found by sampling:
  // with epmax the client evaluates the value itself, so a numeric difference from the
  // last reported value counts even when nobody marked it (§5.1.2, 1.1 attributes).
  const auto sampled = numeric(current);
  bool changed = st.changed;
  if (!changed && eff.epmax && *eff.epmax > 0 && sampled && st.last_value &&
      *sampled != *st.last_value)
    changed = true;
  // epmin: no two evaluations closer than epmin; a change inside it waits for its end.
  TimePoint epmin_end = kNever;
  if (changed && eff.epmin && *eff.epmin > 0) {
    const TimePoint end = st.last_eval + Duration{int64_t{*eff.epmin} * 1000};
    if (now < end) {
      changed = false;
      epmin_end = end;
    }
  }
  d.evaluated = changed;

  bool condition = false;
  if (changed) {
    const auto& cur = sampled;
    const bool numeric_attrs = eff.gt || eff.lt || eff.st || eff.edge;
    if (!numeric_attrs || !cur || !st.last_value) {
      condition = true;  // any change counts, or nothing to compare with yet
    } else {
      // Each condition compares both values with its threshold once (doubles are
      // emulated in software on small targets); a NaN crosses nothing.
      const double last = *st.last_value, now_value = *cur;
      if (last == last && now_value == now_value) {
        if (eff.gt && (last > *eff.gt) != (now_value > *eff.gt)) condition = true;
        if (eff.lt && (last < *eff.lt) != (now_value < *eff.lt)) condition = true;
        if (eff.st && std::fabs(now_value - last) >= *eff.st) condition = true;
        if (eff.edge && (last != 0) != (now_value != 0) && (now_value != 0) == *eff.edge)
          condition = true;
      }
    }
  }
  if (condition && elapsed >= pmin) d.send_now = true;
  if (pmax && elapsed >= *pmax) d.send_now = true;
  if (d.send_now) return d;
  if (condition) d.next_check = st.last_notify + pmin;
  if (epmin_end < d.next_check) d.next_check = epmin_end;
  if (pmax && st.last_notify + *pmax < d.next_check) d.next_check = st.last_notify + *pmax;
  if (eff.epmax && *eff.epmax > 0) {
    // Re-evaluate at least every epmax so that change conditions are sampled (§5.1.2).
    const TimePoint sample = now + Duration{int64_t{*eff.epmax} * 1000};
    if (sample < d.next_check) d.next_check = sample;
  }
  return d;
}

}  // namespace lwm2m::core
