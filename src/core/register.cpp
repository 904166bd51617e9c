// SPDX-License-Identifier: Apache-2.0
// Registration interface (OMA LwM2M 1.1 Core §6.2): each server account's Register,
// Update and De-register exchanges, driven by its RegistrationFsm, and their answers.
#include <cstring>

#include "core/client_impl.hpp"
#include "core/links.hpp"
#include "core/uplink.hpp"

namespace lwm2m::core {

void Client::Impl::drive_account(Account& a, TimePoint now) noexcept {
  if (a.disabled && now >= a.disabled_until && a.fsm.state() == RegistrationState::idle) {
    a.disabled = false;  // Disable Timeout over: register again
    a.disabled_until = kNever;
    a.fsm.start(now);
  }
  for (;;) {
    RegistrationAction act = a.fsm.poll(now);
    if (act == RegistrationAction::none) break;
    Status st;
    switch (act) {
      case RegistrationAction::send_register:
        st = send_register(a, now);
        break;
      case RegistrationAction::send_update:
        st = send_update(a, now);
        break;
      case RegistrationAction::send_deregister:
        st = send_deregister(a, now);
        break;
      default:
        break;
    }
    if (!st) {
      // Nothing went out (no exchange slot, payload too large): count it as a failed
      // attempt so that the retry timers apply instead of a busy loop.
      a.pending = Account::Pending::none;
      a.fsm.on_timeout(now);
      if (act == RegistrationAction::send_register) register_attempt_failed(a, now, st.error());
      break;
    }
  }
}

Status Client::Impl::attach_links(coap::Message& m) noexcept {
  Sink out(links_out);
  write_register_links(c.registry_, out);
  if (out.overflowed()) return Errc::buffer_too_small;
  (void)m.add_uint(coap::OptionNumber::content_format,
                   static_cast<uint16_t>(codec::ContentFormat::link_format));
  m.payload = {links_out.data(), out.total()};
  return {};
}

Status Client::Impl::send_registration(Account& a, coap::Message& m, Account::Pending what,
                                       uint32_t lifetime_s, std::string_view binding,
                                       TimePoint now) noexcept {
  auto id = c.engine_.send_request(static_cast<coap::PeerId>(index_of(a)), m, c, now);
  if (!id) return id.status();
  a.request = *id;
  a.pending = what;
  // What the server now knows, so that the next Update carries only what changes.
  a.sent_lifetime = lifetime_s;
  a.fsm.set_lifetime(lifetime_s);  // the Update cadence follows what the server was told
  a.sent_binding_len = static_cast<uint8_t>(binding.size());
  std::memcpy(a.sent_binding, binding.data(), binding.size());
  a.objects_changed = false;
  mark_uplink(a, now);
  return {};
}

Status Client::Impl::send_register(Account& a, TimePoint now) noexcept {
  const std::optional<ServerEntry> srv = reader.server(a.ssid);
  if (!srv) return Errc::invalid_state;
  // The next Update is scheduled from the lifetime this Register announces.
  a.fsm.set_lifetime(srv->lifetime_s);
  connect(a);
  coap::Message m;
  m.code = coap::codes::post;
  (void)m.add_string(coap::OptionNumber::uri_path, "rd");
  char ep[kMaxEndpointQuery], lt[24], ver[12], b[16];
  char num[codec::number::kMaxChars];
  Status st = add_query(m, ep, sizeof ep, "ep", c.config_.endpoint);
  if (st) st = add_query(m, lt, sizeof lt, "lt", u32_text(srv->lifetime_s, num));
  if (st) st = add_query(m, ver, sizeof ver, "lwm2m", version_text(version(a)));
  std::string_view binding = srv->binding();
  bool queue = queue_mode() || binding_has_queue(binding);
  // 1.0 signals queue mode in the binding ("UQ"); 1.1 dropped "Q" from the binding and
  // sends queue mode as the separate "Q" parameter.
  const bool v1_0 = version(a) == LwM2MVersion::v1_0;
  char bbuf[LWM2M_SERVER_BINDING_MAX + 1];
  size_t n = 0;
  for (char ch : binding)
    if (v1_0 || ch != 'Q') bbuf[n++] = ch;
  if (v1_0 && queue && !binding_has_queue(binding)) bbuf[n++] = 'Q';
  if (st) st = add_query(m, b, sizeof b, "b", std::string_view(bbuf, n));
  if (st && queue && !v1_0) st = m.add_string(coap::OptionNumber::uri_query, "Q");
  if (st) st = attach_links(m);
  if (!st) return st;
  return send_registration(a, m, Account::Pending::reg, srv->lifetime_s, binding, now);
}

Status Client::Impl::send_update(Account& a, TimePoint now) noexcept {
  const std::optional<ServerEntry> srv = reader.server(a.ssid);
  if (!srv) return Errc::invalid_state;
  coap::Message m;
  m.code = coap::codes::post;
  Status st = m.add_path(coap::OptionNumber::uri_path, {a.location, a.location_len});
  char lt[24], b[16], num[codec::number::kMaxChars];
  if (st && srv->lifetime_s != a.sent_lifetime)
    st = add_query(m, lt, sizeof lt, "lt", u32_text(srv->lifetime_s, num));
  std::string_view binding = srv->binding();
  if (st && binding != std::string_view(a.sent_binding, a.sent_binding_len))
    st = add_query(m, b, sizeof b, "b", binding);
  if (st && a.objects_changed) st = attach_links(m);
  if (!st) return st;
  return send_registration(a, m, Account::Pending::update, srv->lifetime_s, binding, now);
}

Status Client::Impl::send_deregister(Account& a, TimePoint now) noexcept {
  coap::Message m;
  m.code = coap::codes::del;
  if (Status st = m.add_path(coap::OptionNumber::uri_path, {a.location, a.location_len}); !st)
    return st;
  auto id = c.engine_.send_request(static_cast<coap::PeerId>(index_of(a)), m, c, now);
  if (!id) return id.status();
  a.request = *id;
  a.pending = Account::Pending::dereg;
  return {};
}

void Client::Impl::registration_failed(Account& a, TimePoint now, Errc why) noexcept {
  push(Event{EventKind::registration_failed, a.ssid, static_cast<coap::PeerId>(index_of(a)), why});
  const std::optional<ServerEntry> srv = reader.server(a.ssid);
  // 1.1 Core §6.2.1.1: with "Bootstrap on Registration Failure" set, a failed registration
  // falls back to bootstrap when a bootstrap server is configured.
  if (srv && srv->retry.bootstrap_on_failure && reader.bootstrap_security() && !bs.active())
    start_bootstrap(now);
}

void Client::Impl::on_registration_response(Account& a, Account::Pending what,
                                            const coap::Message& response) noexcept {
  const TimePoint now = now_;
  const auto i = static_cast<uint8_t>(index_of(a));
  bool ok = response.code.is_success();
  switch (what) {
    case Account::Pending::reg:
      if (ok && !store_location(a, response)) ok = false;
      if (!ok && response.code == coap::codes::precondition_failed &&
          version(a) != LwM2MVersion::v1_0) {
        // A server that does not implement the lwm2m= version we sent answers 4.12
        // (Wakaama's lwm2mserver does for 1.2): register again at once one version
        // lower, 1.2 -> 1.1 -> 1.0, before counting it as a failed attempt.
        ++a.version_drop;
        if (send_register(a, now)) break;
      }
      a.fsm.on_register_response(ok, now);
      if (ok) {
        // A new registration starts without observations (servers such as Leshan drop
        // theirs when a client registers again).
        observe.drop(i);
        push(Event{EventKind::registered, a.ssid, i});
      } else {
        register_attempt_failed(a, now, error_of(response.code));
      }
      break;
    case Account::Pending::update: {
      const bool not_found = response.code == coap::codes::not_found;
      a.fsm.on_update_response(ok, not_found, now);
      if (ok) {
        push(Event{EventKind::updated, a.ssid, i});
        observe.wake_pending(i);  // the server knows we listen again
      } else {
        if (not_found) observe.drop(i);  // the server forgot them too
        push(Event{EventKind::update_failed, a.ssid, i, error_of(response.code)});
      }
      break;
    }
    case Account::Pending::dereg:
      a.fsm.on_deregister_done(now);
      observe.drop(i);
      // The registration is gone from our side either way; the event tells whether the
      // server agreed.
      push(Event{EventKind::deregistered, a.ssid, i, ok ? Errc::ok : error_of(response.code)});
      break;
    default:
      break;
  }
}

void Client::Impl::on_registration_error(Account& a, Account::Pending what, Errc error) noexcept {
  const TimePoint now = now_;
  const auto i = static_cast<uint8_t>(index_of(a));
  if (what == Account::Pending::dereg) {
    a.fsm.on_deregister_done(now);
    observe.drop(i);
    push(Event{EventKind::deregistered, a.ssid, i, error});
    return;
  }
  a.fsm.on_timeout(now);
  if (what == Account::Pending::reg) register_attempt_failed(a, now, error);
  if (what == Account::Pending::update) push(Event{EventKind::update_failed, a.ssid, i, error});
}

void Client::Impl::register_attempt_failed(Account& a, TimePoint now, Errc why) noexcept {
  if (a.fsm.state() == RegistrationState::failed) return registration_failed(a, now, why);
  if (a.fsm.state() == RegistrationState::waiting)
    push(Event{EventKind::register_attempt_failed, a.ssid, static_cast<coap::PeerId>(index_of(a)),
               why});
}

bool Client::Impl::store_location(Account& a, const coap::Message& response) noexcept {
  // Location-Path segments joined with '/': "rd/5a3f".
  std::string_view segs[6];
  const size_t n = response.strings(coap::OptionNumber::location_path, segs);
  if (n == 0 || n > 6) return false;
  size_t len = 0;
  for (size_t k = 0; k < n; ++k) {
    if (len + segs[k].size() + (k ? 1 : 0) > kLocationMax) return false;
    if (k) a.location[len++] = '/';
    std::memcpy(a.location + len, segs[k].data(), segs[k].size());
    len += segs[k].size();
  }
  a.location_len = static_cast<uint8_t>(len);
  return true;
}

}  // namespace lwm2m::core
