// SPDX-License-Identifier: Apache-2.0
// Client-initiated bootstrap (OMA LwM2M 1.1 Core §6.1): the Bootstrap-Request and what
// follows it, driven by BootstrapFsm. The requests of the bootstrap server are served by
// bootstrap_ops.cpp.
#include "core/client_impl.hpp"
#include "core/uplink.hpp"

namespace lwm2m::core {

void Client::Impl::start_bootstrap(TimePoint now) noexcept {
  if (!LWM2M_WITH_BOOTSTRAP) {  // left out of this build: only configured servers
    push(Event{EventKind::bootstrap_failed, 0, 0, Errc::unsupported});
    return;
  }
  const std::optional<SecurityEntry> bs_account = reader.bootstrap_security();
  if (!bs_account) {
    push(Event{EventKind::bootstrap_failed, 0, 0, Errc::not_found});
    return;
  }
  Account& a = accounts[0];
  if (!a.used) {
    clear_account(a);
    a.used = true;
    a.bootstrap = true;
  }
  a.security_iid = bs_account->iid;
  // Client Hold Off Time (/0/x/11) delays the first request.
  bs.start(now, Duration{int64_t{bs_account->hold_off_s} * 1000});
}

Status Client::Impl::send_bootstrap_request(TimePoint now) noexcept {
  Account& a = accounts[0];
  connect(a);
  coap::Message m;
  m.code = coap::codes::post;
  Query q(m);
  q.also(m.add_string(coap::OptionNumber::uri_path, "bs"));
  q.add("ep=", config.endpoint);
  if (config.version != LwM2MVersion::v1_0) {
    // 1.1 "pct": the format we prefer for Bootstrap-Write payloads.
    q.add("pct=", static_cast<uint32_t>(codec::can_decode(codec::ContentFormat::senml_cbor)
                                            ? codec::ContentFormat::senml_cbor
                                            : codec::ContentFormat::lwm2m_tlv));
  }
  if (Status st = q.status(); !st) return st;
  auto id = c.engine_.send_request(0, m, c, now);
  if (!id) return id.status();
  bootstrap_request_id = *id;
  a.pending = Account::Pending::bootstrap_request;
  push(Event{EventKind::bootstrap_started});
  return {};
}

void Client::Impl::bootstrap_failed(Errc why, TimePoint now) noexcept {
  (void)bs.on_failure(now);  // retried later with a doubling delay, or given up
  report_bootstrap_failure(why);
}

void Client::Impl::report_bootstrap_failure(Errc why) noexcept {
  push(Event{EventKind::bootstrap_failed, 0, 0, why});
  accounts[0].connected = false;
}

void Client::Impl::drive_bootstrap(TimePoint now) noexcept {
  if (!LWM2M_WITH_BOOTSTRAP) return;  // never started
  for (;;) {
    switch (bs.poll(now)) {
      case BootstrapAction::none:
        return;
      case BootstrapAction::send_request:
        if (!send_bootstrap_request(now)) bootstrap_failed(Errc::no_space, now);
        break;
      case BootstrapAction::timed_out:
        report_bootstrap_failure(Errc::timeout);
        break;
      case BootstrapAction::finished:
        finish_bootstrap(now);
        break;
    }
  }
}

void Client::Impl::on_bootstrap_response(bool ok) noexcept {
  if (ok) {
    bs.on_request_response(true, now_);
  } else {
    bootstrap_failed(Errc::bad_request, now_);
  }
}

void Client::Impl::finish_bootstrap(TimePoint now) noexcept {
  accounts[0].pending = Account::Pending::none;
  push(Event{EventKind::bootstrap_finished});
  want_state(StateCommand::save);  // the whole configuration, now that it is committed
  want_link(0, LinkCommand::Kind::disconnect);
  accounts[0].connected = false;
  // Servers written by the bootstrap server are registered with from scratch.
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used) drop_account(i, now);
  (void)begin(now);  // the accounts as the bootstrap server left them
}

}  // namespace lwm2m::core
