// Information Reporting (1.1 Core §6.4): Observe, the attributes servers attach
// (Write-Attributes storage with the spec's inheritance), and the observation table that
// turns value changes and timers into notifications (1.1 Core §5.1.2).
#include <cstring>

#include "codec/dispatch.hpp"
#include "core/client_impl.hpp"
#include "core/request.hpp"

namespace lwm2m::core {

AttributeEntry* Client::Impl::find_attributes(uint16_t ssid, const dm::Path& path) const noexcept {
  for (size_t i = 0; i < c.config_.max_attributes; ++i) {
    AttributeEntry& e = attributes[i];
    if (e.used && e.ssid == ssid && e.path == path) return &e;
  }
  return nullptr;
}

Attributes Client::Impl::effective_attributes(uint16_t ssid, const dm::Path& path) const noexcept {
  // Resource instance, resource, instance, object, then the Server object's defaults.
  Attributes eff;
  for (dm::Path p = path; !p.is_root(); p = p.parent())
    if (const AttributeEntry* e = find_attributes(ssid, p)) eff.inherit(e->attrs);
  const AccountsReader::DefaultPeriods d = reader.default_periods(ssid);
  Attributes defaults;
  defaults.pmin = d.pmin;
  defaults.pmax = d.pmax;
  eff.inherit(defaults);
  return eff;
}

Status Client::Impl::write_attributes(uint16_t ssid, const dm::Path& path,
                                      const coap::Message& m) noexcept {
  std::string_view query[12];
  size_t n = m.strings(coap::OptionNumber::uri_query, query);
  if (n > 12) return Errc::bad_request;
  AttributeEntry* e = find_attributes(ssid, path);
  Attributes attrs = e ? e->attrs : Attributes{};
  if (Status st = apply_query(attrs, {query, n}); !st) return st;
  const dm::ResourceDef* def = path.depth() >= 3 ? c.registry_.resource_def(path) : nullptr;
  bool numeric_target =
      def && (def->type == dm::DataType::integer || def->type == dm::DataType::unsigned_integer ||
              def->type == dm::DataType::float_ || def->type == dm::DataType::time);
  bool boolean_target = def && def->type == dm::DataType::boolean;
  Attributes eff = attrs;
  for (dm::Path p = path.parent(); !p.is_root(); p = p.parent())
    if (const AttributeEntry* outer = find_attributes(ssid, p)) eff.inherit(outer->attrs);
  if (Status st = validate(eff, numeric_target, boolean_target); !st) return st;
  if (attrs.empty()) {
    if (e) *e = AttributeEntry{};
  } else {
    if (!e) {
      for (size_t i = 0; i < c.config_.max_attributes && !e; ++i)
        if (!attributes[i].used) e = &attributes[i];
      if (!e) return Errc::request_entity_too_large;  // table full: nothing stored
      e->used = true;
      e->ssid = ssid;
      e->path = path;
    }
    e->attrs = attrs;
  }
  for (size_t i = 0; i < c.config_.max_observations; ++i) {
    Observation& o = observations[i];
    if (o.used && accounts[o.account].ssid == ssid) o.dirty = any_dirty = true;
  }
  return {};
}

void ops::observe(Request& r) noexcept {
  read(r);
  auto cf = r.resp.message().content_format();
  if (!(r.resp.code() == coap::codes::content) || !cf) return;
  r.client.start_observation(r, {&r.path, 1}, false, static_cast<codec::ContentFormat>(*cf));
}

void Client::Impl::start_observation(Request& r, std::span<const dm::Path> paths, bool composite,
                                     codec::ContentFormat fmt) noexcept {
  Observation* o = add_observation(static_cast<uint8_t>(index_of(r.account)));
  if (!o) return;  // table full: answered as a plain Read
  auto id = r.resp.accept_observe(static_cast<uint32_t>(o - observations.get()));
  if (!id || paths.size() > kMaxCompositePaths) {
    if (id) c.engine_.cancel_observation(*id);
    *o = Observation{};
    return;
  }
  o->id = *id;
  o->composite = composite;
  o->format = fmt;
  for (size_t i = 0; i < paths.size(); ++i)
    o->paths[i] = paths[i];
  o->path_count = static_cast<uint8_t>(paths.size());
  o->state.last_notify = now_;
  o->state.last_eval = now_;  // the first answer is an evaluation too (epmin)
  o->state.last_value = composite ? std::nullopt : numeric(current_value(paths[0]));
  o->dirty = any_dirty = true;  // schedules pmax
}

void Client::on_observe_cancelled(coap::ObservationId id, uint32_t cookie, Errc) noexcept {
  Impl& s = *impl_;
  if (cookie >= config_.max_observations) return;
  Observation& o = s.observations[cookie];
  if (o.used && o.id == id) o = Observation{};
}

void Client::Impl::wake_pending_notifications(uint8_t account) noexcept {
  for (size_t k = 0; k < c.config_.max_observations; ++k)
    if (observations[k].used && observations[k].account == account && observations[k].pending)
      observations[k].dirty = any_dirty = true;
}

Observation* Client::Impl::add_observation(uint8_t account) noexcept {
  for (size_t i = 0; i < c.config_.max_observations; ++i) {
    Observation& o = observations[i];
    if (o.used) continue;
    o = Observation{};
    o.used = true;
    o.account = account;
    return &o;
  }
  return nullptr;
}

void Client::Impl::drop_observations(uint8_t account) noexcept {
  for (size_t i = 0; i < c.config_.max_observations; ++i) {
    Observation& o = observations[i];
    if (!o.used || o.account != account) continue;
    c.engine_.cancel_observation(o.id);
    o = Observation{};
  }
  for (size_t k = stored_count; k-- > 0;)
    if (!observations[stored[k].observation].used) drop_stored(k);
}

void Client::Impl::drop_stored(size_t index) noexcept {
  const StoredNotification gone = stored[index];
  // Keep the bytes contiguous: later payloads move down over the removed one.
  std::memmove(store_bytes.get() + gone.offset, store_bytes.get() + gone.offset + gone.length,
               store_used - gone.offset - gone.length);
  store_used -= gone.length;
  for (size_t k = index; k + 1 < stored_count; ++k)
    stored[k] = stored[k + 1];
  --stored_count;
  for (size_t k = 0; k < stored_count; ++k)
    if (stored[k].offset > gone.offset)
      stored[k].offset = static_cast<uint16_t>(stored[k].offset - gone.length);
}

void Client::Impl::store_notification(Observation& o) noexcept {
  const size_t cap = c.config_.stored_bytes;
  // Size it first; a payload larger than the whole store is not kept.
  Sink probe({});
  if (!encode_values(c.registry_, o.paths[0], {o.paths, o.path_count}, o.format, probe, scratch(),
                     o.composite) ||
      probe.total() > cap || c.config_.stored_notifications == 0)
    return;
  while (stored_count > 0 &&
         (stored_count == c.config_.stored_notifications || store_used + probe.total() > cap))
    drop_stored(0);  // the oldest goes first
  Sink out({store_bytes.get() + store_used, cap - store_used});
  (void)encode_values(c.registry_, o.paths[0], {o.paths, o.path_count}, o.format, out, scratch(),
                      o.composite);
  stored[stored_count++] =
      StoredNotification{static_cast<uint16_t>(&o - observations.get()), o.id, o.format,
                         static_cast<uint16_t>(store_used), static_cast<uint16_t>(out.total())};
  store_used += out.total();
}

bool Client::Impl::flush_stored(uint8_t account, TimePoint now) noexcept {
  for (size_t k = 0; k < stored_count;) {
    StoredNotification n = stored[k];
    Observation& o = observations[n.observation];
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
    ByteView bytes{store_bytes.get() + n.offset, n.length};
    Status st = c.engine_.notify(o.id, false, now, [&](coap::Response& r) {
      r.write(bytes);
      r.set_code(coap::codes::content);
      (void)r.set_content_format(static_cast<uint16_t>(n.format));
    });
    if (!st) return false;
    drop_stored(k);
  }
  return true;
}

dm::Value Client::Impl::current_value(const dm::Path& path) noexcept {
  if (path.depth() < 3) return {};
  auto t = c.registry_.resolve(path);
  if (!t || !t->resource || (path.depth() == 3 && t->resource->multiple)) return {};
  auto v =
      t->object->read(path.instance(), path.resource(),
                      path.depth() == 4 ? path.resource_instance() : dm::kInvalidId, scratch());
  return v ? *v : dm::Value{};
}

TimePoint Client::Impl::observation_deadline() const noexcept {
  if (any_dirty) return now_;
  TimePoint t = kNever;
  for (size_t i = 0; i < c.config_.max_observations; ++i) {
    const Observation& o = observations[i];
    if (o.used && !o.pending && o.next_check < t) t = o.next_check;
  }
  return t;
}

bool Client::Impl::notify(Observation& o, TimePoint now) noexcept {
  const Attributes eff = effective_attributes(accounts[o.account].ssid, o.paths[0]);
  // CON only when asked (1.2 "con" attribute); the engine still sends one CON per 24 h as
  // RFC 7641 §4.5 requires. NON is what Leshan, Wakaama and Anjay clients send by default.
  bool con = eff.con.value_or(false);
  Status st = c.engine_.notify(o.id, con, now, [&](coap::Response& r) {
    Status e = encode_values(c.registry_, o.paths[0], {o.paths, o.path_count}, o.format,
                             r.payload(), scratch(), o.composite);
    if (!e) {
      r.payload().clear();
      r.set_code(coap::code_for(e.code()));  // an error notification ends the relation
      return;
    }
    r.set_code(coap::codes::content);
    (void)r.set_content_format(static_cast<uint16_t>(o.format));
  });
  return st.ok();
}

void Client::Impl::drive_observations(TimePoint now) noexcept {
  if (observation_deadline() > now) return;
  any_dirty = false;
  for (size_t i = 0; i < c.config_.max_observations; ++i) {
    Observation& o = observations[i];
    if (!o.used) continue;
    if (!o.dirty && (o.pending || o.next_check > now)) continue;
    o.dirty = false;
    if (!c.engine_.observing(o.id)) {
      o = Observation{};
      continue;
    }
    Account& a = accounts[o.account];
    bool reachable =
        a.fsm.state() == RegistrationState::registered && !(queue_mode() && now >= a.awake_until);
    if (o.pending && reachable) {
      if (!flush_stored(o.account, now)) {
        o.next_check = now + Duration{1000};  // no exchange slot: try again shortly
        continue;
      }
      o.pending = false;
    }
    const Attributes eff = effective_attributes(a.ssid, o.paths[0]);
    dm::Value cur = o.composite ? dm::Value{} : current_value(o.paths[0]);
    NotifyDecision d = decide(eff, o.state, cur, now);
    if (d.evaluated) o.state.last_eval = now;
    if (d.send_now) {
      bool asleep = queue_mode() && now >= a.awake_until;
      if (!a.fsm.registered() || asleep || a.fsm.state() == RegistrationState::updating) {
        // Held until the server can hear us: an Update wakes a queue-mode client; after
        // a re-registration or Update the pending notification goes out.
        // Stored (bounded) when the Server object asks for it (/1/x/6), else only the
        // latest value goes out once the server hears us again.
        const std::optional<ServerEntry> srv = reader.server(a.ssid);
        if (!srv || srv->notification_storing) {
          store_notification(o);
          o.state.last_notify = now;
          o.state.changed = false;
          o.state.last_value = numeric(cur);
        }
        o.pending = true;
        if (asleep && a.fsm.state() == RegistrationState::registered) a.fsm.request_update(now);
        o.next_check = kNever;
        continue;
      }
      if (notify(o, now)) {
        o.pending = false;
        o.state.last_notify = now;
        o.state.changed = false;
        o.state.last_value = numeric(cur);
        mark_uplink(a, now);
        d = decide(eff, o.state, cur, now);
      } else {
        d.next_check = now + Duration{1000};  // no exchange slot: try again shortly
      }
    }
    o.next_check = d.next_check;
  }
}

}  // namespace lwm2m::core
