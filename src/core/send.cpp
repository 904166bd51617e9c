// SPDX-License-Identifier: Apache-2.0
// LwM2M 1.1 Send (Information Reporting, Core §6.4.6): POST /dp with values the
// application picks, and its outcome as Event::send_done.
#include "codec/dispatch.hpp"
#include "core/client_impl.hpp"
#include "core/well_known.hpp"

namespace lwm2m::core {

Status Client::send(uint16_t ssid, std::span<const dm::Path> paths, TimePoint now) noexcept {
  if (!valid_) return Errc::invalid_state;
  if (!LWM2M_WITH_SEND) return Errc::unsupported;  // left out of this build
  Impl& s = *impl_;
  s.now_ = now;
  Account* a = s.account_for_ssid(ssid);
  const std::optional<ServerEntry> srv = s.reader.server(ssid);
  if (!a || !s.reg_of(*a)->registered() || !srv || srv->mute_send ||
      s.version(*a) == LwM2MVersion::v1_0)
    return Errc::invalid_state;
  // One Send at a time, and not while a Register or Update still uploads its payload
  // from the buffer the Send would be written to.
  if (s.send_request.valid() || s.engine.active(s.uplink_body)) return Errc::no_space;
  auto fmt = codec::choose_format(std::nullopt, codec::Operation::composite, {}, s.version(*a));
  if (!fmt) return Errc::unsupported_content_format;
  uint8_t* const at = s.uplink();
  if (!at) return Errc::no_space;  // every exchange busy
  Sink out({at, s.links.size()});
  dm::CompositeSource src(registry_, paths, s.scratch());
  src.exclude_objects(wk::kHidden);
  if (Status st = codec::encode(*fmt, dm::Path{}, src, out); !st) return st;
  if (out.overflowed()) return Errc::buffer_too_small;
  coap::Message m;
  m.code = coap::codes::post;
  (void)m.add_string(coap::OptionNumber::uri_path, "dp");
  (void)m.add_uint(coap::OptionNumber::content_format, static_cast<uint16_t>(*fmt));
  m.payload = out.window();
  auto id = engine_.send_request(static_cast<coap::PeerId>(s.index_of(*a)), m, *this, now);
  if (!id) return id.status();
  s.send_request = *id;
  s.uplink_sent(*id, m.payload.size(), true);
  s.send_account = static_cast<uint8_t>(s.index_of(*a));
  s.mark_uplink(*a, now);
  return {};
}

void Client::Impl::uplink_needed(TimePoint now) noexcept {
  // Without Send (LWM2M_WITH_SEND 0) the uplink buffer never holds a Send body.
  if (!LWM2M_WITH_SEND || !uplink_body_is_send || !engine.active(uplink_body)) return;
  engine.abandon(uplink_body, now);  // no callback follows: the event is raised here
  on_send_done(Errc::cancelled);
}

void Client::Impl::on_send_done(Errc result) noexcept {
  send_request = {};
  push(Event{EventKind::send_done, accounts[send_account].ssid, send_account, result});
}

}  // namespace lwm2m::core
