// SPDX-License-Identifier: Apache-2.0
// Observe (1.1 Core §6.4.1): a Read that also starts an observation in the observation
// table (observations.cpp), and what that table asks of the client: where a server
// stands, its defaults, and waking it up.
#include "core/client_impl.hpp"
#include "core/request.hpp"

namespace lwm2m::core {

void ops::observe(Request& r) noexcept {
  read(r);
  auto cf = r.resp.message().content_format();
  if (!(r.resp.code() == coap::codes::content) || !cf) return;
  r.client.start_observation(r, {&r.path, 1}, false, static_cast<codec::ContentFormat>(*cf));
}

void Client::Impl::start_observation(Request& r, std::span<const dm::Path> paths, bool composite,
                                     codec::ContentFormat fmt) noexcept {
  observe.start(static_cast<uint8_t>(index_of(r.account)), r.account.ssid, r.resp, paths, composite,
                fmt, now_);
}

void Client::on_observe_cancelled(coap::ObservationId id, uint32_t cookie, Errc) noexcept {
#if LWM2M_WITH_OBSERVE
  impl_->observe.cancelled(id, cookie);
#else
  (void)id;  // no observation is ever accepted
  (void)cookie;
#endif
}

// The four answers below are asked by the observation table alone: a build without Observe
// (whose table observes nothing) keeps them empty rather than link what they read.

ServerReach Client::Impl::reach(uint8_t account, TimePoint now) noexcept {
  const Account& a = accounts[account];
  ServerReach r;
  if (!LWM2M_WITH_OBSERVE || !reg_of(a)) return r;  // the bootstrap server observes nothing
  r.registered = reg_of(a)->registered();
  r.updating = reg_of(a)->fsm().state() == RegistrationState::updating;
  r.asleep = queue_mode() && now >= a.awake_until;
  return r;
}

Attributes Client::Impl::server_defaults(uint16_t ssid) noexcept {
#if !LWM2M_WITH_OBSERVE
  (void)ssid;
  return {};
#else
  const AccountsReader::DefaultPeriods d = reader.default_periods(ssid);
  Attributes defaults;
  if (d.pmin) defaults.set(Attributes::pmin, *d.pmin);
  if (d.pmax) defaults.set(Attributes::pmax, *d.pmax);
  return defaults;
#endif
}

bool Client::Impl::storing(uint16_t ssid) noexcept {
  if (!LWM2M_WITH_OBSERVE) return true;
  const std::optional<ServerEntry> srv = reader.server(ssid);
  return !srv || srv->notification_storing;
}

void Client::Impl::wake(uint8_t account, TimePoint now) noexcept {
  if (LWM2M_WITH_OBSERVE) reg_at(account).request_update(now);
}

void Client::Impl::sent(uint8_t account, TimePoint now) noexcept {
  mark_uplink(accounts[account], now);
}

}  // namespace lwm2m::core
