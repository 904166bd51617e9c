// SPDX-License-Identifier: Apache-2.0
#include "core/observations.hpp"

#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

#include "core/table_layout.hpp"
#include "lwm2m/dm/object.hpp"

namespace lwm2m::core {

bool ObservationTable::allocate(const Limits& limits, MutableByteView scratch) noexcept {
  limits_ = limits;
  scratch_ = scratch;
  observed_below_ = 0;
  // Every row is trivially copyable and destructible, so an implicit-lifetime type: the
  // zeroed bytes hold rows that are not used (`used` false), and freeing the bytes ends them.
  static_assert(std::is_trivially_copyable_v<Observation> &&
                std::is_trivially_copyable_v<AttributeEntry> &&
                std::is_trivially_copyable_v<StoredNotification>);
  TableLayout layout;
  const size_t n_stored = size_t{limits.stored_notifications} + 1;
  const size_t at_obs = layout.place<Observation>(limits.observations);
  const size_t at_attr = layout.place<AttributeEntry>(limits.attributes);
  const size_t at_stored = layout.place<StoredNotification>(n_stored);
  const size_t at_bytes = layout.place<uint8_t>(size_t{limits.stored_bytes} + 1);
  // new[] of bytes is aligned for any fundamental type; () zeroes them.
  tables_.reset(new (std::nothrow) uint8_t[layout.size]());
  if (!tables_) return false;
  uint8_t* base = tables_.get();
  observations_ = reinterpret_cast<Observation*>(base + at_obs);
  attributes_ = reinterpret_cast<AttributeEntry*>(base + at_attr);
  stored_ = reinterpret_cast<StoredNotification*>(base + at_stored);
  store_bytes_ = base + at_bytes;
  return true;
}

// ---- attributes ----

const AttributeEntry* ObservationTable::find_attributes(uint16_t ssid,
                                                        const dm::Path& path) const noexcept {
  for (size_t i = 0; i < limits_.attributes; ++i) {
    const AttributeEntry& e = attributes_[i];
    if (e.used && e.ssid == ssid && e.path == path) return &e;
  }
  return nullptr;
}

void ObservationTable::inherit_from(Attributes& eff, uint16_t ssid, dm::Path p) const noexcept {
  for (; !p.is_root(); p = p.parent())
    if (const AttributeEntry* e = find_attributes(ssid, p)) eff.inherit(e->attrs);
}

Attributes ObservationTable::effective_attributes(uint16_t ssid, const dm::Path& path) noexcept {
  Attributes eff;
  inherit_from(eff, ssid, path);
  eff.inherit(host_.server_defaults(ssid));
  return eff;
}

Status ObservationTable::write_attributes(uint16_t ssid, const dm::Path& path,
                                          std::span<const std::string_view> query) noexcept {
  auto* e = const_cast<AttributeEntry*>(find_attributes(ssid, path));
  // A copy, stored only when valid: the parameters go into it one by one.
  Attributes attrs = e ? e->attrs : Attributes{};
  if (Status st = apply_params(attrs, query); !st) return st;
  if (Status st = validate_at(ssid, path, attrs); !st) return st;
  if (attrs.empty()) {
    if (e) e->used = false;
  } else {
    for (size_t i = 0; i < limits_.attributes && !e; ++i)
      if (!attributes_[i].used) {
        e = &attributes_[i];
        e->used = true;
        e->ssid = ssid;
        e->path = path;
      }
    if (!e) return Errc::request_entity_too_large;  // table full: nothing stored
    e->attrs = attrs;
  }
  reevaluate(ssid);
  return {};
}

// Out of line: the effective attributes are not on the stack while the query is applied.
[[gnu::noinline]] Status ObservationTable::validate_at(uint16_t ssid, const dm::Path& path,
                                                       const Attributes& attrs) noexcept {
  const dm::ResourceDef* def = path.depth() >= 3 ? registry_.resource_def(path) : nullptr;
  Attributes eff = attrs;
  inherit_from(eff, ssid, path.parent());
  return validate(eff, def ? def->type : dm::DataType::none);
}

// ---- observations ----

Observation* ObservationTable::add(uint8_t account) noexcept {
  for (size_t i = 0; i < limits_.observations; ++i) {
    Observation& o = observations_[i];
    if (o.used) continue;
    // As new: every member zero but the next check (trivially copyable, so bytes will do).
    std::memset(static_cast<void*>(&o), 0, sizeof o);
    o.next_check = kNever;
    o.used = true;
    o.account = account;
    if (i >= observed_below_) observed_below_ = static_cast<uint16_t>(i + 1);
    return &o;
  }
  return nullptr;
}

void ObservationTable::start(uint8_t account, uint16_t ssid, coap::Response& resp,
                             std::span<const dm::Path> paths, bool composite,
                             codec::ContentFormat fmt, TimePoint now) noexcept {
  Observation* o = add(account);
  if (!o) return;  // table full: answered as a plain Read
  auto id = resp.accept_observe(static_cast<uint32_t>(o - observations_));
  if (!id || paths.size() > kMaxCompositePaths) {
    if (id) engine_.cancel_observation(*id);
    o->used = false;
    return;
  }
  o->id = *id;
  o->ssid = ssid;
  o->composite = composite;
  o->format = fmt;
  for (size_t i = 0; i < paths.size(); ++i)
    o->paths[i] = paths[i];
  o->path_count = static_cast<uint8_t>(paths.size());
  o->reported(composite ? dm::Value{} : current_value(paths[0]), now);
  o->last_eval = now;            // the first answer is an evaluation too (epmin)
  o->dirty = any_dirty_ = true;  // schedules pmax
}

void ObservationTable::cancelled(coap::ObservationId id, uint32_t cookie) noexcept {
  if (cookie >= limits_.observations) return;
  Observation& o = observations_[cookie];
  if (o.used && o.id == id) o.used = false;
}

void ObservationTable::value_changed(const dm::Path& path) noexcept {
  for (size_t k = 0; k < limits_.observations; ++k) {
    Observation& o = observations_[k];
    if (!o.used) continue;
    for (size_t p = 0; p < o.path_count; ++p) {
      if (o.paths[p].is_prefix_of(path) || path.is_prefix_of(o.paths[p])) {
        o.changed = true;
        o.dirty = any_dirty_ = true;
        break;
      }
    }
  }
}

#if LWM2M_WITH_OBSERVE
void ObservationTable::reevaluate(uint16_t ssid) noexcept {
  mark_dirty(false, ssid);
}

void ObservationTable::wake_pending(uint8_t account) noexcept {
  mark_dirty(true, account);
}

// One loop for both: the observations of a server, or the pending ones of an account.
void ObservationTable::mark_dirty(bool pending_of_account, uint16_t key) noexcept {
  for (size_t i = 0; i < observed_below_; ++i) {
    Observation& o = observations_[i];
    const bool match = pending_of_account ? o.account == key && o.pending : o.ssid == key;
    if (o.used && match) o.dirty = any_dirty_ = true;
  }
}

void ObservationTable::drop(uint8_t account) noexcept {
  for (size_t i = 0; i < limits_.observations; ++i) {
    Observation& o = observations_[i];
    if (!o.used || o.account != account) continue;
    engine_.cancel_observation(o.id);
    o.used = false;
  }
  for (size_t k = stored_count_; k-- > 0;)
    if (!observations_[stored_[k].observation].used) drop_stored(k);
}
#endif

// ---- stored notifications ----

void ObservationTable::drop_stored(size_t index) noexcept {
  const StoredNotification gone = stored_[index];
  // Keep the bytes contiguous: later payloads move down over the removed one.
  std::memmove(store_bytes_ + gone.offset, store_bytes_ + gone.offset + gone.length,
               store_used_ - gone.offset - gone.length);
  store_used_ -= gone.length;
  for (size_t k = index; k + 1 < stored_count_; ++k)
    stored_[k] = stored_[k + 1];
  --stored_count_;
  for (size_t k = 0; k < stored_count_; ++k)
    if (stored_[k].offset > gone.offset)
      stored_[k].offset = static_cast<uint16_t>(stored_[k].offset - gone.length);
}

void ObservationTable::store(Observation& o) noexcept {
  const size_t cap = limits_.stored_bytes;
  if (limits_.stored_notifications == 0) return;
  // Encoded into the free end of the store. A payload larger than the whole store is not
  // kept (nothing dropped for it); else the oldest go first until it fits and a row is free
  // (each drop moves later payloads down, so it is encoded again after one).
  for (;;) {
    const size_t room = cap - store_used_;
    Sink out({store_bytes_ + store_used_, room});
    if (!encode_values(registry_, o.paths[0], {o.paths, o.path_count}, o.format, out, scratch_,
                       o.composite) ||
        out.total() > cap)
      return;
    if (out.total() <= room && stored_count_ < limits_.stored_notifications) {
      stored_[stored_count_++] = StoredNotification{static_cast<uint16_t>(&o - observations_), o.id,
                                                    static_cast<uint16_t>(store_used_),
                                                    static_cast<uint16_t>(out.total())};
      store_used_ += out.total();
      return;
    }
    drop_stored(0);
  }
}

bool ObservationTable::flush_stored(uint8_t account, TimePoint now) noexcept {
  for (size_t k = 0; k < stored_count_;) {
    const StoredNotification n = stored_[k];
    Observation& o = observations_[n.observation];
    if (!o.used || !(o.id == n.id)) {
      drop_stored(k);
      continue;
    }
    if (o.account != account) {
      ++k;
      continue;
    }
    // NON: a CON would replace the previous one still unacknowledged (RFC 7641 §4.5.2) and
    // history would be lost.
    if (!send(o, false, &n, now)) return false;
    drop_stored(k);
  }
  return true;
}

// ---- decisions ----

dm::Value ObservationTable::current_value(const dm::Path& path) noexcept {
  if (path.depth() < 3) return {};
  // A path of depth 3 or more resolves with its resource; a resource's path has no
  // resource instance (kInvalidId).
  auto t = registry_.resolve(path);
  if (!t || (path.depth() == 3 && t->resource->multiple)) return {};
  auto v = t->object->read(path.instance(), path.resource(), path.resource_instance(), scratch_);
  return v ? *v : dm::Value{};
}

TimePoint ObservationTable::deadline(TimePoint now) const noexcept {
  if (any_dirty_) return now;
  TimePoint t = kNever;
  for (size_t i = 0; i < observed_below_; ++i) {
    const Observation& o = observations_[i];
    if (o.used && !o.pending && o.next_check < t) t = o.next_check;
  }
  return t;
}

bool ObservationTable::send(Observation& o, bool con, const StoredNotification* stored,
                            TimePoint now) noexcept {
  // One filler for both: the stored payload, or the values now (in the observation's
  // format either way: a stored row belongs to the same relation).
  Status st = engine_.notify(o.id, con, now, [&](coap::Response& r) {
    if (stored) {
      r.write({store_bytes_ + stored->offset, stored->length});
    } else if (Status e = encode_values(registry_, o.paths[0], {o.paths, o.path_count}, o.format,
                                        r.payload(), scratch_, o.composite);
               !e) {
      r.payload().clear();
      r.set_code(coap::code_for(e.error()));  // an error notification ends the relation
      return;
    }
    r.set_code(coap::codes::content);
    (void)r.set_content_format(static_cast<uint16_t>(o.format));
  });
  return st.ok();
}

void ObservationTable::hold(Observation& o, const dm::Value& current, bool asleep,
                            TimePoint now) noexcept {
  // Held until the server can hear us: an Update wakes a queue-mode client; after a
  // re-registration or Update the pending notification goes out. Stored (bounded) when
  // the Server object asks for it (/1/x/6), else only the latest value goes out then.
  if (host_.storing(o.ssid)) {
    store(o);
    o.reported(current, now);
  }
  o.pending = true;
  if (asleep) host_.wake(o.account, now);
  o.next_check = kNever;
}

void ObservationTable::drive(TimePoint now) noexcept {
  // Only what is dirty or due is looked at: nothing when deadline() lies ahead. No entry at
  // or above observed_below_ was ever used.
  any_dirty_ = false;
  for (size_t i = 0; i < observed_below_; ++i) {
    Observation& o = observations_[i];
    if (!o.used) continue;
    if (!o.dirty && (o.pending || o.next_check > now)) continue;
    o.dirty = false;
    if (!engine_.observing(o.id)) {
      o.used = false;
      continue;
    }
    const ServerReach reach = host_.reach(o.account, now);
    const bool hears = reach.registered && !reach.updating && !reach.asleep;
    if (o.pending && hears) {
      if (!flush_stored(o.account, now)) {
        o.next_check = now + Duration{1000};  // no exchange slot: try again shortly
        continue;
      }
      o.pending = false;
    }
    const Attributes eff = effective_attributes(o.ssid, o.paths[0]);
    const dm::Value cur = o.composite ? dm::Value{} : current_value(o.paths[0]);
    NotifyDecision d = decide(eff, o, cur, now);
    if (d.evaluated) o.last_eval = now;
    if (d.send_now) {
      if (!hears) {
        hold(o, cur, reach.asleep && reach.registered && !reach.updating, now);
        continue;
      }
      // CON only when asked (1.2 "con" attribute); the engine still sends one CON per 24 h
      // as RFC 7641 §4.5 requires. NON is what Leshan, Wakaama and Anjay clients send by
      // default.
      if (send(o, eff.value(Attributes::con), nullptr, now)) {
        o.pending = false;
        o.reported(cur, now);
        host_.sent(o.account, now);
        d = decide(eff, o, cur, now);
      } else {
        d.next_check = now + Duration{1000};  // no exchange slot: try again shortly
      }
    }
    o.next_check = d.next_check;
  }
}

}  // namespace lwm2m::core
