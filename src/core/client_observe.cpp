// core::Client: Write-Attributes storage with the spec's inheritance, and the observation
// table that turns value changes and timers into notifications (1.1 Core §5.1.2, §6.4).
#include "core/client_impl.hpp"

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
  if (const objects::ServerInstance* srv = c.server_.find(ssid)) {
    Attributes defaults;
    if (srv->has_pmin) defaults.pmin = srv->config.default_pmin_s;
    if (srv->has_pmax && srv->config.default_pmax_s > 0) defaults.pmax = srv->config.default_pmax_s;
    eff.inherit(defaults);
  }
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
    const Attributes eff = effective_attributes(a.ssid, o.paths[0]);
    dm::Value cur = o.composite ? dm::Value{} : current_value(o.paths[0]);
    NotifyDecision d = decide(eff, o.state, cur, now);
    if (d.send_now) {
      bool asleep = queue_mode() && now >= a.awake_until;
      if (!a.fsm.registered() || asleep || a.fsm.state() == RegistrationState::updating) {
        // Held until the server can hear us: an Update wakes a queue-mode client; after
        // a re-registration or Update the pending notification goes out.
        const objects::ServerInstance* srv = c.server_.find(a.ssid);
        if (!srv || srv->config.notification_storing) o.pending = true;
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
