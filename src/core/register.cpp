// SPDX-License-Identifier: Apache-2.0
// Registration interface (OMA LwM2M 1.1 Core §6.2): each server account owns its Register,
// Update and De-register exchanges (core::Registration, registration.cpp). The client only
// drives them, routes their answers back and acts on what they mean for the parts it
// composes: observations and the fall back to bootstrap.
#include "core/client_impl.hpp"

namespace lwm2m::core {

void Client::Impl::drive_account(Account& a, TimePoint now) noexcept {
  after_registration(a, reg_of(a)->drive(*this, now), now);
}

bool Client::Impl::registration_answered(coap::RequestId id, const coap::Message* response,
                                         Errc error) noexcept {
  for (size_t i = 1; i < account_count; ++i) {
    Account& a = accounts[i];
    if (!reg_at(i).owns(id)) continue;
    if (!response) a.connected = false;  // the next attempt reconnects (a new DTLS handshake)
    after_registration(a, reg_at(i).answered(*this, response, error, now_), now_);
    return true;
  }
  return false;
}

void Client::Impl::after_registration(Account& a, Registration::Outcome outcome,
                                      TimePoint now) noexcept {
  const auto i = static_cast<uint8_t>(index_of(a));
  switch (outcome) {
    case Registration::Outcome::registered:    // servers drop theirs on a new registration
    case Registration::Outcome::forgotten:     // the server forgot them with us
    case Registration::Outcome::deregistered:  // nobody listens for them any more
      observe.drop(i);
      break;
    case Registration::Outcome::updated:
      observe.wake_pending(i);  // the server knows we listen again
      break;
    case Registration::Outcome::gave_up: {
      const std::optional<ServerEntry> srv = reader.server(a.ssid);
      // 1.1 Core §6.2.1.1: with "Bootstrap on Registration Failure" set, a failed
      // registration falls back to bootstrap when a bootstrap server is configured.
      if (srv && srv->retry.bootstrap_on_failure && reader.bootstrap_security() && !bs.active())
        start_bootstrap(now);
      break;
    }
    case Registration::Outcome::none:
      break;
  }
}

void Client::Impl::link_needed(coap::PeerId peer) noexcept {
  connect(accounts[peer]);
}

}  // namespace lwm2m::core
