// SPDX-License-Identifier: Apache-2.0
// The server account table: accounts kept in line with the Security and Server objects,
// their transports, and what the core does after a server changed the data model (the
// effects table of effects.cpp, applied after each commit).
#include "core/client_impl.hpp"

#include <new>

#include "core/well_known.hpp"
#include "lwm2m/core/download.hpp"

namespace lwm2m::core {

Account::Account() noexcept = default;

void Client::Impl::clear_account(Account& a) noexcept {
  a = Account{};
  // Trivially destructible: nothing to end first.
  if (Registration* r = reg_of(a)) new (r) Registration();
}

Account* Client::Impl::account_for_peer(coap::PeerId peer) noexcept {
  if (peer >= account_count || !accounts[peer].used) return nullptr;
  return &accounts[peer];
}

Account* Client::Impl::account_for_ssid(uint16_t ssid) noexcept {
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used && accounts[i].ssid == ssid) return &accounts[i];
  return nullptr;
}

Account* Client::Impl::bootstrap_request(coap::RequestId id) noexcept {
  Account& a = accounts[0];
  return a.used && a.pending != Account::Pending::none && bootstrap_request_id == id ? &a : nullptr;
}

// Ends account i. Its request in flight is abandoned: a Register for a server that a
// bootstrap removed would otherwise go on being retransmitted to the peer id that the next
// account reuses.
void Client::Impl::drop_account(size_t i, TimePoint now) noexcept {
  Account& a = accounts[i];
  if (const coap::RequestId id = in_flight(a); id.valid()) engine.abandon(id, now);
  observe.drop(static_cast<uint8_t>(i));
  clear_account(a);
  want_link(i, LinkCommand::Kind::disconnect);
}

void Client::Impl::connect(Account& a) noexcept {
  if (a.connected) return;
  a.connected = true;
  want_link(index_of(a), LinkCommand::Kind::connect);
}

void Client::Impl::mark_uplink(Account& a, TimePoint now) noexcept {
  if (queue_mode()) a.awake_until = now + engine.config().max_transmit_wait();
}

bool Client::Impl::sync_accounts(TimePoint now) noexcept {
  // Accounts that lost their Security or Server instance end first, so that their slots
  // serve the instances that replace them.
  for (size_t i = 1; i < account_count; ++i) {
    const Account& a = accounts[i];
    if (a.used && (!reader.security_for(a.ssid) || !reader.server(a.ssid))) drop_account(i, now);
  }
  // One pass over the Security instances finds each management server's account (made
  // when new) and starts its registration when it is not under way; the Server instance
  // read for it is the one the registration is configured with.
  bool any = false;
  for (size_t k = 0; k < reader.security_count(); ++k) {
    const SecurityEntry sec = reader.security_at(k);
    if (sec.bootstrap || !sec.ssid) continue;
    const std::optional<ServerEntry> srv = reader.server(*sec.ssid);
    if (!srv) continue;
    Account* a = account_for_ssid(*sec.ssid);
    for (size_t i = 1; !a && i < account_count; ++i) {
      if (accounts[i].used) continue;
      a = &accounts[i];
      clear_account(*a);
      a->used = true;
      a->ssid = *sec.ssid;
      a->security_iid = sec.iid;
      reg_at(i).set_server(a->ssid, static_cast<coap::PeerId>(i));
    }
    if (!a) continue;  // every slot taken
    any = true;
    // A failed account starts over too: start() after giving up tries again.
    Registration& r = reg_at(index_of(*a));
    if (r.active()) continue;
    r.configure(*srv, engine.config().max_transmit_wait());
    if (!r.disabled() && !stopping) r.start(now);
  }
  return any;
}

Status Client::Impl::begin(TimePoint now) noexcept {
  const bool any = sync_accounts(now);
  const std::optional<SecurityEntry> bs_account = reader.bootstrap_security();
  if (!any) {
    if (!bs_account) return Errc::invalid_state;
    start_bootstrap(now);
  } else if (bs_account && !accounts[0].used) {
    // Server-initiated bootstrap (1.1 Core §5.2.3): the bootstrap server may write to a
    // registered client at any time, so its endpoint stays known to the transport.
    Account& a = accounts[0];
    clear_account(a);
    a.used = true;
    a.bootstrap = true;
    a.security_iid = bs_account->iid;
    connect(a);
  }
  return {};
}

Account* Client::Impl::account_for_server_instance(dm::InstanceId iid) noexcept {
  const std::optional<ServerEntry> srv = reader.server_instance(iid);
  return srv ? account_for_ssid(srv->ssid) : nullptr;
}

void Client::Impl::disable(Account& a) noexcept {
  const std::optional<ServerEntry> srv = reader.server(a.ssid);
  if (!srv) return;
  // De-register now, come back after the Disable Timeout (/1/x/5).
  reg_of(a)->disable(Duration{int64_t{srv->disable_timeout_s} * 1000}, now_);
}

void Client::Impl::apply_effects(Account& by, const ChangeList& changes) noexcept {
  if (changes.overflowed()) {
    // Too much changed to track one by one: tell every server everything again.
    for (size_t i = 1; i < account_count; ++i)
      if (accounts[i].used) reg_at(i).objects_changed(now_);
    accounts_changed = true;
  }
  if (changes.configuration_changed()) want_state(StateCommand::save);
  for (const Change& ch : changes.items())
    for_each_effect(ch, [&](Action act) { act_on(by, ch, act); });
}

void Client::Impl::act_on(Account& by, const Change& ch, Action action) noexcept {
  Account* owner = ch.object == wk::kServer && ch.instance != dm::kInvalidId
                       ? account_for_server_instance(ch.instance)
                       : nullptr;
  const auto by_index = static_cast<uint8_t>(index_of(by));
  switch (action) {
    case Action::registration_changed:
    case Action::update_trigger:
      if (owner) reg_of(*owner)->request_update(now_);  // the Update carries the new values
      break;
    case Action::default_periods:
      if (owner) observe.reevaluate(owner->ssid);
      break;
    case Action::disable:
      if (owner) disable(*owner);
      break;
    case Action::bootstrap_trigger:
      // A restart before Bootstrap-Finish bootstraps again rather than use what was asked to
      // be replaced (with no bootstrap account, or in a build without bootstrap, nothing
      // would replace it: kept).
      if (LWM2M_WITH_BOOTSTRAP && reader.bootstrap_security()) want_state(StateCommand::discard);
      start_bootstrap(now_);
      break;
    // Told at once: the application polls events only after the request's input, when
    // the 2.04 is already queued for sending.
    case Action::reboot:
      push(Event{EventKind::reboot, by.ssid, by_index});
      break;
    case Action::factory_reset:
      push(Event{EventKind::factory_reset, by.ssid, by_index});
      want_state(StateCommand::discard);
      break;
    case Action::accounts_changed:
      accounts_changed = true;
      break;
    case Action::package_uri:
      if (LWM2M_WITH_FIRMWARE_UPDATE && downloader)
        downloader->uri_written(c, by_index, dm::Path(ch.object, ch.instance, ch.resource), now_);
      break;
    case Action::objects_changed:
      // The creating server owns the new instance under Access Control (create.cpp).
      if (acl_active()) want_state(StateCommand::save);
      for (size_t i = 1; i < account_count; ++i)
        if (accounts[i].used) reg_at(i).objects_changed(now_);
      break;
  }
}

}  // namespace lwm2m::core
