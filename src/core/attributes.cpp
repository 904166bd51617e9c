// SPDX-License-Identifier: Apache-2.0
#include "attributes.hpp"

#include <algorithm>
#include <bit>
#include <iterator>

#include "codec/number.hpp"
#include "double_compare.hpp"
#include "soft_double.hpp"
#include "text_slice.hpp"
#include "to_double.hpp"

namespace lwm2m::core {
namespace {

using A = Attributes;
constexpr size_t kFirstReal = A::kWholes, kFirstFlag = A::kWholes + A::kReals;
constexpr size_t kCount = kFirstFlag + A::kFlags;

// The attributes by name, in the order of Attributes' enums (Whole, then Real, then Flag):
// the query parser and Discover's writer walk the names instead of naming every field,
// which keeps them small on a microcontroller. Fixed-size rows: no pointer per name.
constexpr char kNames[kCount][6] = {"pmin", "pmax", "epmin", "epmax", "hqmax",
                                    "gt",   "lt",   "st",    "edge",  "con"};
// Discover lists them in this order (indexes into kNames).
constexpr uint8_t kLinkOrder[] = {0, 1, 5, 6, 7, 2, 3, 8, 9, 4};

// The bits of a double as a signed number in the doubles' order (-0 and +0 both 0; as
// double_compare's): for values that are not NaN, keys compare as the values do.
[[gnu::noinline]] int64_t key(const double& v) noexcept {
  const auto s = std::bit_cast<int64_t>(v);
  return s < 0 ? INT64_MIN - s : s;
}
// A NaN's key lies beyond the infinities'.
constexpr int64_t kInfinityKey = int64_t{0x7ff} << 52;
bool is_nan_key(int64_t k) noexcept {
  const auto inf = static_cast<uint64_t>(kInfinityKey);
  return static_cast<uint64_t>(k) + inf > 2 * inf;
}
static_assert(A::kReals == 3 && A::edge == 0, "has_condition(): gt, lt, st and edge adjacent");
static_assert(A::gt == 0 && A::lt == 1, "meets_condition() loops over gt and lt");
constexpr uint64_t kInfinityBits = uint64_t{0x7ff} << 52;

size_t query_key(std::string_view key) noexcept {
  size_t i = 0;
  for (; i < kCount; ++i) {
    const char* name = kNames[i];
    size_t k = 0;
    while (k < key.size() && name[k] != 0 && name[k] == key[k])
      ++k;
    if (k == key.size() && name[k] == 0) break;
  }
  return i;  // read-only "dim" and "ver" and unknown names: past the end
}

// One "key=value" (or "key" alone, which removes the attribute) into `a`.
bool apply_param(Attributes& a, std::string_view q) noexcept {
  const size_t eq = q.find('=');
  const size_t i = query_key(lwm2m::detail::slice(q, 0, eq));
  if (i >= kCount) return false;
  if (eq == std::string_view::npos) {  // a key alone removes the attribute
    a.unset(i);
    return true;
  }
  // A bad value leaves `a` to be discarded.
  const std::string_view val = lwm2m::detail::slice(q, eq + 1);
  if (i >= kFirstReal && i < kFirstFlag) {
    auto v = codec::number::parse_double(val);
    if (!v) return false;
    a.set(static_cast<A::Real>(i - kFirstReal), *v);
    return true;
  }
  // A period, or a flag: "0" or "1" exactly.
  const bool flag = i >= kFirstFlag;
  auto v = codec::number::parse_uint(val);
  if (!v || *v > (flag ? 1 : UINT32_MAX) || (flag && val.size() != 1)) return false;
  if (flag)
    a.set(static_cast<A::Flag>(i - kFirstFlag), *v != 0);
  else
    a.set(static_cast<A::Whole>(i), static_cast<uint32_t>(*v));
  return true;
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

void Attributes::unset(size_t index) noexcept {
  if (index < kWholes)
    whole_[index] = 0;
  else if (index < kWholes + kReals)
    real_[index - kWholes] = 0;
  else
    flags_ = static_cast<uint8_t>(flags_ & ~(1u << (index - kWholes - kReals)));
  set_ = static_cast<uint16_t>(set_ & ~(1u << index));
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

Status validate(const Attributes& a, dm::DataType target) noexcept {
  const bool gt = a.has(A::gt), lt = a.has(A::lt), st = a.has(A::st);
  using T = dm::DataType;
  constexpr unsigned kNumeric =
      1u << static_cast<int>(T::integer) | 1u << static_cast<int>(T::unsigned_integer) |
      1u << static_cast<int>(T::floating) | 1u << static_cast<int>(T::time);
  if ((gt || lt || st) && (kNumeric >> static_cast<int>(target) & 1) == 0) return Errc::bad_request;
  if (a.has(A::edge) && target != T::boolean) return Errc::bad_request;
  // 0 when unset; finite (the parser takes no other), so the keys order them.
  const double l = a.value(A::lt), s = a.value(A::st);
  const int64_t g = key(a.value(A::gt));
  if (key(s) < 0) return Errc::bad_request;
  if (!gt || !lt) return Errc::ok;
  if (key(l) >= g || (st && key(lwm2m::detail::add(l, lwm2m::detail::add(s, s))) >= g))
    return Errc::bad_request;
  return Errc::ok;
}

void write_link_attributes(const Attributes& a, Sink& out) noexcept {
  for (const uint8_t i : kLinkOrder) {
    if (!a.is_set(i)) continue;
    const bool real = i >= kFirstReal && i < kFirstFlag;
    const double v = real ? a.value(static_cast<A::Real>(i - kFirstReal)) : 0;
    if (!lwm2m::detail::is_finite(v)) continue;
    // ";key=" and then the value.
    out.put(';');
    for (const char* c = kNames[i]; *c != 0; ++c)
      out.put(static_cast<uint8_t>(*c));
    out.put('=');
    if (real)
      (void)codec::number::write_double(out, v);
    else
      codec::number::write_uint(out, i < kFirstReal
                                         ? a.value(static_cast<A::Whole>(i))
                                         : uint32_t{a.value(static_cast<A::Flag>(i - kFirstFlag))});
  }
}

void NotifyState::reported(const dm::Value& v, TimePoint now) noexcept {
  last_notify = now;
  changed = false;
  set_last_value(numeric(v));
}

std::optional<double> numeric(const dm::Value& v) noexcept {
  using T = dm::DataType;
  const T t = v.type();
  if (t == T::floating) return v.as_float();
  if (t == T::boolean) return v.as_bool() ? 1.0 : 0.0;
  if (t != T::integer && t != T::time && t != T::unsigned_integer) return std::nullopt;
  // The integers as a sign and a magnitude: one conversion for the three types.
  const bool negative = t != T::unsigned_integer && v.as_integer() < 0;
  const uint64_t bits =
      t == T::unsigned_integer ? v.as_unsigned() : static_cast<uint64_t>(v.as_integer());
  return lwm2m::detail::double_from_bits(negative, negative ? 0 - bits : bits);
}

namespace {

// Whether a change from `last` to `now_value` meets a change condition (gt, lt, st, edge);
// any change counts when none is set or there is nothing to compare with yet. The values
// are compared as keys (integer comparisons, no soft-float call each); the thresholds are
// finite (the parser takes no other), so only the values can be NaN, and a NaN crosses
// nothing.
[[gnu::noinline]] bool meets_condition(const Attributes& eff, const std::optional<double>& sampled,
                                       const NotifyState& previous) noexcept {
  if (!eff.has_condition() || !sampled || !previous.has_last_number) return true;
  const int64_t a = key(previous.last_number), b = key(*sampled);
  if (is_nan_key(a) || is_nan_key(b)) return false;
  // gt: the value went from at most gt to above it or back; lt: from below lt to at least
  // it or back, which between integer keys is above lt's key minus one. Real's gt is 0, lt 1.
  for (unsigned i = A::gt; i <= A::lt; ++i) {
    const auto field = static_cast<A::Real>(i);
    if (!eff.has(field)) continue;
    const int64_t t = key(eff.value(field)) - i;
    if ((t < a) != (t < b)) return true;
  }
  if (eff.has(A::st)) {
    // |now - last| by its bits: a NaN (infinity minus infinity) lies above infinity's.
    const double diff = lwm2m::detail::add(*sampled, -previous.last_number);
    const uint64_t step = std::bit_cast<uint64_t>(diff) << 1 >> 1;
    if (step <= kInfinityBits && static_cast<int64_t>(step) >= key(eff.value(A::st))) return true;
  }
  if (!eff.has(A::edge)) return false;
  const bool was_set = a != 0, is_set = b != 0;  // -0 and +0 both have key 0
  return was_set != is_set && is_set == eff.value(A::edge);
}

int64_t millis(uint32_t seconds) noexcept {
  return int64_t{seconds} * 1000;
}

}  // namespace

NotifyDecision decide(const Attributes& eff, const NotifyState& st, const dm::Value& current,
                      TimePoint now) noexcept {
  NotifyDecision d;
  // Unset periods read as 0. Times in milliseconds as plain integers.
  const uint32_t pmin_s = eff.value(A::pmin), pmax_s = eff.value(A::pmax);
  const uint32_t epmin_s = eff.value(A::epmin), epmax_s = eff.value(A::epmax);
  const int64_t n = to_millis(now), last = to_millis(st.last_notify);

  // A change is either marked by the application (value_changed) or found by sampling:
  // with epmax the client evaluates the value itself, so a numeric difference from the
  // last reported value counts even when nobody marked it (§5.1.2, 1.1 attributes). Equal
  // keys mean equal values unless NaN (a NaN equals nothing, itself included).
  const auto sampled = numeric(current);
  bool changed = st.changed;
  if (!changed && epmax_s > 0 && sampled && st.has_last_number) {
    const int64_t k = key(*sampled);
    changed = is_nan_key(k) || k != key(st.last_number);
  }
  // The earliest of the times below: a notification is due when it is not in the future.
  int64_t next = to_millis(kNever);
  // epmin: no two evaluations closer than epmin; a change inside it waits for its end.
  if (changed && epmin_s > 0) {
    const int64_t end = to_millis(st.last_eval) + millis(epmin_s);
    if (n < end) {
      changed = false;
      next = end;
    }
  }
  d.evaluated = changed;
  if (changed && meets_condition(eff, sampled, st)) next = std::min(next, last + millis(pmin_s));
  // pmax only counts when greater than pmin (§5.1.2); 0 means "no maximum".
  if (pmax_s > 0 && pmax_s >= pmin_s) next = std::min(next, last + millis(pmax_s));
  // Re-evaluate at least every epmax so that change conditions are sampled (§5.1.2).
  if (epmax_s > 0) next = std::min(next, n + millis(epmax_s));
  // The epmin end and the epmax sample lie after now: only pmin with a met condition, or
  // pmax, can be due.
  d.send_now = next <= n;
  if (!d.send_now) d.next_check = from_millis(next);
  return d;
}

}  // namespace lwm2m::core
