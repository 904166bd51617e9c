// SPDX-License-Identifier: Apache-2.0
// One server account's registration exchanges (OMA LwM2M 1.1 Core §6.2): Register (POST
// /rd), Update (POST to the location) and De-register (DELETE the location).
#include "core/registration.hpp"

#include <cstring>

#include "core/links.hpp"
#include "core/uplink.hpp"

namespace lwm2m::core {

void Query::add(const char* key, std::string_view value) noexcept {
  if (!st_) return;
  const size_t k = std::strlen(key);
  const size_t n = k + value.size();
  if (n > sizeof buf_ - used_) {
    st_ = Errc::buffer_too_small;
    return;
  }
  char* at = buf_ + used_;
  std::memcpy(at, key, k);
  if (!value.empty()) std::memcpy(at + k, value.data(), value.size());
  used_ += n;
  st_ = m_.add_string(coap::OptionNumber::uri_query, std::string_view(at, n));
}

Errc answer_error(const coap::Message* response, Errc error) noexcept {
  if (!response) return error;
  const coap::Code code = response->code;
  if (code.is_success()) return Errc::ok;
  // The reverse of coap::code_for().
  for (int e = static_cast<int>(Errc::bad_request); e <= static_cast<int>(Errc::conflict); ++e)
    if (coap::code_for(static_cast<Errc>(e)).raw == code.raw) return static_cast<Errc>(e);
  return code.cls() == 5 ? Errc::internal_error : Errc::bad_request;
}

namespace {

using namespace std::string_view_literals;

/// Whether the client registers in queue mode: configured so, or asked for by a 1.0-style
/// binding ("UQ"). A build without queue mode never claims it.
bool queue_mode(const RegistrationHost& host, std::string_view binding) noexcept {
  return LWM2M_WITH_QUEUE_MODE && (host.config.queue_mode || binding_has_queue(binding));
}

/// A binding as `v` spells it in "b=" (into `out`, LWM2M_SERVER_BINDING_MAX + 1 chars): 1.0
/// has queue mode as a "Q" among the letters ("UQ"); 1.1 dropped that letter and sends queue
/// mode as the Register's own "Q" parameter (servers such as Leshan refuse "b=UQ" from a 1.1
/// client, also in an Update).
std::string_view spelled_binding(std::string_view binding, bool queue, LwM2MVersion v,
                                 char* out) noexcept {
  const bool v1_0 = v == LwM2MVersion::v1_0;
  size_t n = 0;
  for (char ch : binding)
    if (ch != 'Q' || (v1_0 && queue)) out[n++] = ch;
  if (v1_0 && queue && !binding_has_queue(binding)) out[n++] = 'Q';
  return {out, n};
}

/// The object links of Register and Update into the host's uplink and onto `m`, which is
/// sent right after.
Status attach_links(RegistrationHost& host, coap::Message& m, TimePoint now) noexcept {
  host.uplink_needed(now);  // a Send still uploading from the buffer gives way
  uint8_t* const at = host.uplink();
  if (!at) return Errc::no_space;  // every exchange busy, as send_request() says
  Sink out({at, host.links.size()});
  write_register_links(host.reader.registry(), out);
  if (out.overflowed()) return Errc::buffer_too_small;
  (void)m.add_uint(coap::OptionNumber::content_format,
                   static_cast<uint16_t>(codec::ContentFormat::link_format));
  m.payload = {at, out.total()};
  return {};
}

}  // namespace

Registration::Registration() noexcept = default;

void Registration::objects_changed(TimePoint now) noexcept {
  objects_changed_ = true;
  fsm_.request_update(now);
}

LwM2MVersion Registration::version(LwM2MVersion configured) const noexcept {
  const int v = static_cast<int>(configured) - version_drop_;
  return static_cast<LwM2MVersion>(v < 0 ? 0 : v);
}

// ---- sending ----

Registration::Outcome Registration::drive(RegistrationHost& host, TimePoint now) noexcept {
  if (now >= disabled_until_ && fsm_.state() == RegistrationState::idle) {
    disabled_until_ = kNever;  // Disable Timeout over: register again
    fsm_.start(now);
  }
  for (;;) {
    const RegistrationAction act = fsm_.poll(now);
    if (act == RegistrationAction::none) return Outcome::none;
    // An action and the exchange that carries it are numbered alike.
    const auto what = static_cast<Exchange>(act);
    if (const Status st = send_registration(host, what, now); !st) {
      // Nothing went out (no exchange slot, payload too large): answered as an exchange
      // that got no answer, so that the retry timers apply instead of a busy loop and the
      // application hears of it as of any failed exchange.
      exchange_ = what;
      return answered(host, nullptr, st.error(), now);
    }
  }
}

Status Registration::send_registration(RegistrationHost& host, Exchange what,
                                       TimePoint now) noexcept {
  if (what == Exchange::dereg) {
    coap::Message m;
    m.code = coap::codes::del;
    if (Status st = m.add_path(coap::OptionNumber::uri_path, location()); !st) return st;
    return send_request(host, m, Exchange::dereg, now);
  }
  const std::optional<ServerEntry> srv = host.reader.server(ssid_);
  if (!srv) return Errc::invalid_state;
  // The binding as this registration's version spells it: what "b=" carries, and what an
  // Update compares with what was sent last (in 1.1 a change of queue mode alone is not
  // sent, since the letters leave it out).
  const LwM2MVersion v = version(host.config.version);
  const bool queue = queue_mode(host, srv->binding());
  char letters[LWM2M_SERVER_BINDING_MAX + 1];
  const std::string_view binding = spelled_binding(srv->binding(), queue, v, letters);
  coap::Message m;
  m.code = coap::codes::post;
  Query q(m);
  const bool reg = what == Exchange::reg;
  if (reg) {
    // The next Update is scheduled from the lifetime this Register announces.
    fsm_.set_lifetime(srv->lifetime_s);
    host.link_needed(peer_);
    q.also(m.add_string(coap::OptionNumber::uri_path, "rd"sv));
    q.add("ep=", host.config.endpoint);
    q.add("lt=", srv->lifetime_s);
    q.add("lwm2m=", version_text(v));
    q.add("b=", binding);
    if (queue && v != LwM2MVersion::v1_0) q.add("Q", std::string_view{});
  } else {
    // Only what changed since the server was last told (1.1 Core §6.2.2).
    q.also(m.add_path(coap::OptionNumber::uri_path, location()));
    if (srv->lifetime_s != sent_lifetime_) q.add("lt=", srv->lifetime_s);
    if (binding != std::string_view(sent_binding_, sent_binding_len_)) q.add("b=", binding);
  }
  Status st = q.status();
  if (st && (reg || objects_changed_)) st = attach_links(host, m, now);
  if (st) st = send_request(host, m, what, now);
  if (!st) return st;
  host.uplink_sent(request_, m.payload.size(), false);
  // What the server now knows, so that the next Update carries only what changes.
  sent_lifetime_ = srv->lifetime_s;
  fsm_.set_lifetime(srv->lifetime_s);  // the Update cadence follows what the server was told
  sent_binding_len_ = static_cast<uint8_t>(binding.size());
  std::memcpy(sent_binding_, binding.data(), binding.size());
  objects_changed_ = false;
  host.sent(static_cast<uint8_t>(peer_), now);
  return {};
}

Status Registration::send_request(RegistrationHost& host, const coap::Message& m, Exchange what,
                                  TimePoint now) noexcept {
  auto id = host.engine.send_request(peer_, m, host.answers, now);
  if (!id) return id.status();
  request_ = *id;
  exchange_ = what;
  return {};
}

// ---- answers ----

Registration::Outcome Registration::answered(RegistrationHost& host, const coap::Message* response,
                                             Errc error, TimePoint now) noexcept {
  const Exchange what = exchange_;
  exchange_ = Exchange::none;
  const bool ok = response && response->code.is_success();
  error = answer_error(response, error);
  // (No answer is the same to the state machine as a failure: on_timeout() is the failed
  // response of the exchange in flight.)
  switch (what) {
    case Exchange::reg:
      return register_answered(host, response, ok, error, now);
    case Exchange::update: {
      const bool forgotten = response && response->code == coap::codes::not_found;
      fsm_.on_update_response(ok, forgotten, now);  // 4.04: Register again
      // On a failure the runner says what happens next.
      report(host, ok ? EventKind::updated : EventKind::update_failed, error);
      if (ok) return Outcome::updated;
      return forgotten ? Outcome::forgotten : Outcome::none;
    }
    case Exchange::dereg:
      fsm_.on_deregister_done(now);
      // The registration is gone from our side either way; the event tells whether the
      // server agreed.
      report(host, EventKind::deregistered, error);
      return Outcome::deregistered;
    default:
      return Outcome::none;
  }
}

Registration::Outcome Registration::register_answered(RegistrationHost& host,
                                                      const coap::Message* response, bool ok,
                                                      Errc error, TimePoint now) noexcept {
  ok = ok && store_location(*response);
  if (!ok && response && response->code == coap::codes::precondition_failed &&
      version(host.config.version) != LwM2MVersion::v1_0) {
    // A server that does not implement the lwm2m= version we sent answers 4.12
    // (Wakaama's lwm2mserver does for 1.2): register again at once one version lower,
    // 1.2 -> 1.1 -> 1.0, before counting it as a failed attempt.
    ++version_drop_;
    if (send_registration(host, Exchange::reg, now)) return Outcome::none;
  }
  fsm_.on_register_response(ok, now);
  // A 2.01 without a Location-Path we can keep fails as bad_request.
  if (!ok) return attempt_failed(host, error == Errc::ok ? Errc::bad_request : error);
  report(host, EventKind::registered);
  return Outcome::registered;
}

Registration::Outcome Registration::attempt_failed(RegistrationHost& host, Errc why) noexcept {
  if (fsm_.state() == RegistrationState::failed) {
    report(host, EventKind::registration_failed, why);  // carries why the last attempt failed
    return Outcome::gave_up;
  }
  if (fsm_.state() == RegistrationState::waiting)
    report(host, EventKind::register_attempt_failed, why);
  return Outcome::none;
}

bool Registration::store_location(const coap::Message& response) noexcept {
  // Location-Path segments joined with '/': "rd/5a3f"; at most 6 segments and kLocationMax
  // characters, or nothing is kept.
  size_t len = 0, n = 0;
  for (const coap::Option& o : response.options()) {
    if (o.number != static_cast<uint16_t>(coap::OptionNumber::location_path)) continue;
    const std::string_view seg = o.string();
    if (++n > 6 || len + seg.size() + (n > 1) > kLocationMax) return false;
    if (n > 1) location_[len++] = '/';
    std::memcpy(location_ + len, seg.data(), seg.size());
    len += seg.size();
  }
  if (n == 0) return false;
  location_len_ = static_cast<uint8_t>(len);
  return true;
}

void Registration::report(RegistrationHost& host, EventKind kind, Errc why) const noexcept {
  host.events.push(Event{kind, ssid_, peer_, why});
}

}  // namespace lwm2m::core
