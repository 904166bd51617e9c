// core::Client: accounts, registration (Register/Update/De-register with the 1.1 retry
// scheme), client-initiated bootstrap, the event queue and the I/O entry points.
#include "lwm2m/core/client.hpp"

#include <cstring>
#include <new>

#include "codec/dispatch.hpp"
#include "codec/number.hpp"
#include "core/client_impl.hpp"
#include "core/links.hpp"

namespace lwm2m::core {
namespace {

/// The Errc of a CoAP error answer (the reverse of coap::code_for): bad_request or
/// internal_error for a code without an Errc of its own.
Errc error_of(coap::Code code) noexcept {
  for (int e = static_cast<int>(Errc::bad_request); e <= static_cast<int>(Errc::conflict); ++e)
    if (coap::code_for(static_cast<Errc>(e)).raw == code.raw) return static_cast<Errc>(e);
  return code.cls() == 5 ? Errc::internal_error : Errc::bad_request;
}

const char* version_text(LwM2MVersion v) noexcept {
  switch (v) {
    case LwM2MVersion::v1_0:
      return "1.0";
    case LwM2MVersion::v1_1:
      return "1.1";
    default:
      return "1.2";
  }
}

/// Builds "name=value" into `buf` and adds it as a Uri-Query; the engine copies options
/// when it encodes the request, so `buf` only has to live until send_request returns.
// "ep=" and the endpoint name, on the stack while a Register or Bootstrap-Request is built.
constexpr size_t kMaxEndpointQuery = 3 + ClientConfig::kMaxEndpoint;

Status add_query(coap::Message& m, char* buf, size_t cap, std::string_view name,
                 std::string_view value) noexcept {
  if (name.size() + 1 + value.size() > cap) return Errc::buffer_too_small;
  std::memcpy(buf, name.data(), name.size());
  buf[name.size()] = '=';
  if (!value.empty()) std::memcpy(buf + name.size() + 1, value.data(), value.size());
  return m.add_string(coap::OptionNumber::uri_query,
                      std::string_view(buf, name.size() + 1 + value.size()));
}

std::string_view u32_text(uint32_t v, char (&buf)[codec::number::kMaxChars]) noexcept {
  size_t n = codec::number::format_uint(v, buf);
  return {buf, n};
}

}  // namespace

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::bootstrap_started:
      return "bootstrap started";
    case EventKind::bootstrap_finished:
      return "bootstrap finished";
    case EventKind::bootstrap_failed:
      return "bootstrap failed";
    case EventKind::registered:
      return "registered";
    case EventKind::updated:
      return "registration updated";
    case EventKind::registration_failed:
      return "registration failed";
    case EventKind::deregistered:
      return "deregistered";
    case EventKind::reboot:
      return "reboot";
    case EventKind::factory_reset:
      return "factory reset";
    case EventKind::send_done:
      return "send done";
  }
  return "?";
}

Client::Client(const ClientConfig& config, dm::Registry& registry,
               objects::SecurityObject& security, objects::ServerObject& server,
               Random& rng) noexcept
    : config_(config),
      registry_(registry),
      security_(security),
      server_(server),
      engine_(config.coap, rng, static_cast<coap::RequestHandler*>(this)) {
  if (!engine_.valid() || config_.endpoint.empty() ||
      config_.endpoint.size() > ClientConfig::kMaxEndpoint || config_.max_servers == 0)
    return;
  if (registry_.find(0) != &security_ || registry_.find(1) != &server_) return;
  impl_.reset(new (std::nothrow) Impl(*this));
  if (!impl_) return;
  Impl& s = *impl_;
  s.account_count = size_t{config_.max_servers} + 1;
  s.accounts.reset(new (std::nothrow) Account[s.account_count]);
  s.observations.reset(new (std::nothrow) Observation[config_.max_observations]);
  s.attributes.reset(new (std::nothrow) AttributeEntry[config_.max_attributes]);
  s.links.reset(new (std::nothrow) uint8_t[config_.uplink_buffer]);
  s.send_buf.reset(new (std::nothrow) uint8_t[config_.uplink_buffer]);
  s.scratch_buf.reset(new (std::nothrow) uint8_t[config_.scratch]);
  s.stored.reset(new (std::nothrow) StoredNotification[config_.stored_notifications + 1]);
  s.store_bytes.reset(new (std::nothrow) uint8_t[config_.stored_bytes + 1]);
  s.link_wish.reset(new (std::nothrow) uint8_t[s.account_count]());
  if (!s.accounts || !s.link_wish || !s.observations || !s.attributes || !s.links || !s.send_buf ||
      !s.scratch_buf || !s.stored || !s.store_bytes)
    return;
  registry_.set_listener(this);
  server_.set_listener(this);
  valid_ = true;
}

Client::~Client() {
  if (valid_) {
    registry_.set_listener(nullptr);
    server_.set_listener(nullptr);
  }
}

// ---- accounts ----

Account* Client::Impl::account_for_peer(coap::PeerId peer) noexcept {
  if (peer >= account_count || !accounts[peer].used) return nullptr;
  return &accounts[peer];
}

Account* Client::Impl::account_for_ssid(uint16_t ssid) noexcept {
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used && accounts[i].ssid == ssid) return &accounts[i];
  return nullptr;
}

void Client::Impl::build_accounts() noexcept {
  // Keeps accounts that still match their Security/Server pair, adds new ones.
  for (size_t i = 1; i < account_count; ++i) {
    Account& a = accounts[i];
    if (!a.used) continue;
    if (!c.security_.find_server(a.ssid) || !c.server_.find(a.ssid)) {
      drop_observations(static_cast<uint8_t>(i));
      a = Account{};
      want_link(i, LinkCommand::Kind::disconnect);
    }
  }
  for (const objects::SecurityInstance& sec : c.security_.instances()) {
    if (sec.id == dm::kInvalidId || sec.bootstrap || !sec.has_short_server_id) continue;
    const objects::ServerInstance* srv = c.server_.find(sec.short_server_id);
    if (!srv || account_for_ssid(sec.short_server_id)) continue;
    for (size_t i = 1; i < account_count; ++i) {
      if (accounts[i].used) continue;
      Account& a = accounts[i];
      a = Account{};
      a.used = true;
      a.ssid = sec.short_server_id;
      a.security_iid = sec.id;
      break;
    }
  }
}

void Client::Impl::connect(Account& a) noexcept {
  if (a.connected) return;
  a.connected = true;
  want_link(index_of(a), LinkCommand::Kind::connect);
}

void Client::Impl::mark_uplink(Account& a, TimePoint now) noexcept {
  if (queue_mode()) a.awake_until = now + c.config_.coap.tx.max_transmit_wait();
}

// ---- lifecycle ----

Status Client::start(TimePoint now) noexcept {
  if (!valid_) return Errc::invalid_state;
  Impl& s = *impl_;
  s.now_ = now;
  s.started = true;
  s.stopping = false;
  s.build_accounts();
  bool any = false;
  for (size_t i = 1; i < s.account_count; ++i) {
    Account& a = s.accounts[i];
    if (!a.used) continue;
    any = true;
    const objects::ServerInstance* srv = server_.find(a.ssid);
    RetryPolicy p;
    p.bootstrap_on_failure = srv->config.bootstrap_on_failure;
    p.communication_retry_count = srv->config.communication_retry_count;
    p.communication_retry_timer = Duration{int64_t{srv->config.communication_retry_timer_s} * 1000};
    p.sequence_delay_timer = Duration{int64_t{srv->config.sequence_delay_timer_s} * 1000};
    p.sequence_retry_count = srv->config.sequence_retry_count;
    a.fsm.set_policy(p);
    a.fsm.set_lifetime(srv->config.lifetime_s);
    a.fsm.set_transmit_wait(config_.coap.tx.max_transmit_wait());
    if (a.fsm.state() == RegistrationState::idle) a.fsm.start(now);
  }
  const objects::SecurityInstance* bs = security_.find_bootstrap();
  if (!any) {
    if (!bs) return Errc::invalid_state;
    s.start_bootstrap(now);
  } else if (bs && !s.accounts[0].used) {
    // Server-initiated bootstrap (1.1 Core §5.2.3): the bootstrap server may write to a
    // registered client at any time, so its endpoint stays known to the transport.
    Account& a = s.accounts[0];
    a = Account{};
    a.used = true;
    a.bootstrap = true;
    a.security_iid = bs->id;
    s.connect(a);
  }
  s.drive(now);
  return {};
}

void Client::stop(TimePoint now) noexcept {
  if (!valid_) return;
  Impl& s = *impl_;
  s.now_ = now;
  s.stopping = true;
  s.bs_state = BootstrapState::idle;
  for (size_t i = 1; i < s.account_count; ++i)
    if (s.accounts[i].used) s.accounts[i].fsm.request_deregister(now);
  s.drive(now);
}

bool Client::stopped() const noexcept {
  if (!valid_) return true;
  const Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i) {
    const Account& a = s.accounts[i];
    if (a.used && a.fsm.state() != RegistrationState::idle &&
        a.fsm.state() != RegistrationState::failed)
      return false;
  }
  return true;
}

// ---- I/O ----

void Client::handle_datagram(coap::PeerId peer, ByteView datagram, TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  engine_.handle_datagram(peer, datagram, now);
  impl_->drive(now);
}

void Client::handle_timeout(TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  engine_.handle_timeout(now);
  impl_->drive(now);
}

TimePoint Client::next_deadline() const noexcept {
  if (!valid_) return kNever;
  const Impl& s = *impl_;
  TimePoint t = engine_.next_deadline();
  for (size_t i = 1; i < s.account_count; ++i) {
    const Account& a = s.accounts[i];
    if (!a.used) continue;
    if (a.fsm.deadline() < t) t = a.fsm.deadline();
    if (a.disabled && a.disabled_until < t) t = a.disabled_until;
    // Wake at the start of queue-mode sleep, so that the state (and now) is current.
    if (config_.queue_mode && a.awake_until > s.now_ && a.awake_until < t) t = a.awake_until;
  }
  if (s.bs_deadline < t) t = s.bs_deadline;
  TimePoint o = s.observation_deadline();
  if (o < t) t = o;
  if ((s.bs_finish_accepted || s.reboot_pending || s.factory_reset_pending) && s.now_ < t)
    t = s.now_;
  return t;
}

std::optional<LinkCommand> Client::poll_link() noexcept {
  if (!valid_) return std::nullopt;
  Impl& s = *impl_;
  for (size_t i = 0; i < s.account_count; ++i) {
    if (s.link_wish[i] == 0) continue;
    LinkCommand cmd{static_cast<LinkCommand::Kind>(s.link_wish[i] - 1),
                    static_cast<coap::PeerId>(i),
                    s.accounts[i].used ? s.accounts[i].ssid : uint16_t{0}};
    s.link_wish[i] = 0;
    return cmd;
  }
  return std::nullopt;
}

uint32_t Client::dropped_events() const noexcept {
  return valid_ ? impl_->events_dropped : 0;
}

std::optional<Event> Client::poll_event() noexcept {
  if (!valid_ || impl_->event_count == 0) return std::nullopt;
  Impl& s = *impl_;
  Event e = s.events[s.event_head];
  s.event_head = static_cast<uint8_t>((s.event_head + 1) % 16);
  --s.event_count;
  return e;
}

void Client::peer_failed(coap::PeerId peer, Errc why, TimePoint now) noexcept {
  if (!valid_) return;
  Impl& s = *impl_;
  s.now_ = now;
  Account* a = s.account_for_peer(peer);
  if (!a) return;
  a->connected = false;
  if (a->pending != Account::Pending::none && a->request.valid()) {
    engine_.cancel(a->request, now);
    on_error(a->request, why);
  }
}

std::string_view Client::peer_uri(coap::PeerId peer) const noexcept {
  std::optional<PeerSecurity> sec = peer_security(peer);
  return sec ? sec->uri : std::string_view{};
}

std::optional<PeerSecurity> Client::peer_security(coap::PeerId peer) const noexcept {
  if (!valid_ || peer >= impl_->account_count || !impl_->accounts[peer].used) return std::nullopt;
  const objects::SecurityInstance* sec = security_.instance(impl_->accounts[peer].security_iid);
  if (!sec) return std::nullopt;
  return sec->peer();
}

// ---- the step that follows every input ----

void Client::Impl::drive(TimePoint now) noexcept {
  if (bs_finish_accepted) {
    bs_finish_accepted = false;
    finish_bootstrap(now);
  }
  if (reboot_pending) {
    reboot_pending = false;
    push(Event{EventKind::reboot});
  }
  if (factory_reset_pending) {
    factory_reset_pending = false;
    push(Event{EventKind::factory_reset});
  }
  if (bs_state == BootstrapState::hold_off && now >= bs_deadline) {
    if (!send_bootstrap_request(now)) bootstrap_failed(Errc::no_space, now);
  } else if (bs_state == BootstrapState::in_progress && now >= bs_deadline) {
    bootstrap_failed(Errc::timeout, now);
  }
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used) drive_account(accounts[i], now);
  drive_observations(now);
  // A notification due while asleep asks for an Update: send it in this same step.
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used && accounts[i].fsm.deadline() <= now) drive_account(accounts[i], now);
}

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
      if (a.fsm.state() == RegistrationState::failed) registration_failed(a, now, st.code());
      break;
    }
  }
}

size_t Client::Impl::write_links() noexcept {
  codec::Sink out({links.get(), c.config_.uplink_buffer});
  write_register_links(c.registry_, out);
  links_len = out.total();
  return out.overflowed() ? 0 : out.total();
}

Status Client::Impl::send_register(Account& a, TimePoint now) noexcept {
  const objects::ServerInstance* srv = c.server_.find(a.ssid);
  if (!srv) return Errc::invalid_state;
  connect(a);
  coap::Message m;
  m.code = coap::codes::post;
  (void)m.add_string(coap::OptionNumber::uri_path, "rd");
  char ep[kMaxEndpointQuery], lt[24], ver[12], b[16];
  char num[codec::number::kMaxChars];
  Status st = add_query(m, ep, sizeof ep, "ep", c.config_.endpoint);
  if (st) st = add_query(m, lt, sizeof lt, "lt", u32_text(srv->config.lifetime_s, num));
  if (st) st = add_query(m, ver, sizeof ver, "lwm2m", version_text(version(a)));
  std::string_view binding = srv->binding.str();
  bool queue = queue_mode() || objects::binding_has_queue(binding);
  char bbuf[LWM2M_SERVER_BINDING_MAX + 1];
  if (version(a) == LwM2MVersion::v1_0) {
    // 1.0 signals queue mode in the binding ("UQ").
    std::memcpy(bbuf, binding.data(), binding.size());
    size_t n = binding.size();
    if (queue && !objects::binding_has_queue(binding)) bbuf[n++] = 'Q';
    if (st) st = add_query(m, b, sizeof b, "b", std::string_view(bbuf, n));
  } else {
    // 1.1 dropped "Q" from the binding; queue mode is the separate "Q" parameter.
    size_t n = 0;
    for (char ch : binding)
      if (ch != 'Q') bbuf[n++] = ch;
    if (st) st = add_query(m, b, sizeof b, "b", std::string_view(bbuf, n));
    if (st && queue) st = m.add_string(coap::OptionNumber::uri_query, "Q");
  }
  if (!st) return st;
  size_t len = write_links();
  if (len == 0 && links_len > 0) return Errc::buffer_too_small;
  (void)m.add_uint(coap::OptionNumber::content_format,
                   static_cast<uint16_t>(codec::ContentFormat::link_format));
  m.payload = {links.get(), len};
  auto id = c.engine_.send_request(static_cast<coap::PeerId>(index_of(a)), m, c, now);
  if (!id) return id.status();
  a.request = *id;
  a.pending = Account::Pending::reg;
  a.sent_lifetime = srv->config.lifetime_s;
  a.sent_binding_len = static_cast<uint8_t>(binding.size());
  std::memcpy(a.sent_binding, binding.data(), binding.size());
  a.objects_changed = false;
  mark_uplink(a, now);
  return {};
}

Status Client::Impl::send_update(Account& a, TimePoint now) noexcept {
  const objects::ServerInstance* srv = c.server_.find(a.ssid);
  if (!srv) return Errc::invalid_state;
  coap::Message m;
  m.code = coap::codes::post;
  Status st = m.add_path(coap::OptionNumber::uri_path, {a.location, a.location_len});
  char lt[24], b[16], num[codec::number::kMaxChars];
  if (st && srv->config.lifetime_s != a.sent_lifetime)
    st = add_query(m, lt, sizeof lt, "lt", u32_text(srv->config.lifetime_s, num));
  std::string_view binding = srv->binding.str();
  if (st && binding != std::string_view(a.sent_binding, a.sent_binding_len))
    st = add_query(m, b, sizeof b, "b", binding);
  if (!st) return st;
  if (a.objects_changed) {
    size_t len = write_links();
    if (len == 0 && links_len > 0) return Errc::buffer_too_small;
    (void)m.add_uint(coap::OptionNumber::content_format,
                     static_cast<uint16_t>(codec::ContentFormat::link_format));
    m.payload = {links.get(), len};
  }
  auto id = c.engine_.send_request(static_cast<coap::PeerId>(index_of(a)), m, c, now);
  if (!id) return id.status();
  a.request = *id;
  a.pending = Account::Pending::update;
  a.sent_lifetime = srv->config.lifetime_s;
  a.sent_binding_len = static_cast<uint8_t>(binding.size());
  std::memcpy(a.sent_binding, binding.data(), binding.size());
  a.objects_changed = false;
  mark_uplink(a, now);
  return {};
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
  const objects::ServerInstance* srv = c.server_.find(a.ssid);
  // 1.1 Core §6.2.1.1: with "Bootstrap on Registration Failure" set, a failed registration
  // falls back to bootstrap when a bootstrap server is configured.
  if (srv && srv->config.bootstrap_on_failure && c.security_.find_bootstrap() &&
      bs_state == BootstrapState::idle)
    start_bootstrap(now);
}

// ---- responses to our requests ----

void Client::on_response(coap::RequestId id, const coap::Message& response, bool final) noexcept {
  if (!final) return;  // a Block2 block of a larger answer; the last one decides
  Impl& s = *impl_;
  TimePoint now = s.now_;
  if (s.send_request.valid() && id == s.send_request) {
    s.send_request = {};
    Errc e = response.code.is_success() ? Errc::ok : error_of(response.code);
    s.push(Event{EventKind::send_done, s.accounts[s.send_account].ssid, s.send_account, e});
    return;
  }
  for (size_t i = 0; i < s.account_count; ++i) {
    Account& a = s.accounts[i];
    if (!a.used || a.pending == Account::Pending::none || !(a.request == id)) continue;
    Account::Pending what = a.pending;
    a.pending = Account::Pending::none;
    a.request = {};
    bool ok = response.code.is_success();
    switch (what) {
      case Account::Pending::reg:
        if (ok) {
          // Location-Path segments joined with '/': "rd/5a3f".
          std::string_view segs[6];
          size_t n = response.strings(coap::OptionNumber::location_path, segs);
          size_t len = 0;
          bool fits = n > 0 && n <= 6;
          for (size_t k = 0; fits && k < n; ++k) {
            if (len + segs[k].size() + (k ? 1 : 0) > kLocationMax) {
              fits = false;
              break;
            }
            if (k) a.location[len++] = '/';
            std::memcpy(a.location + len, segs[k].data(), segs[k].size());
            len += segs[k].size();
          }
          if (!fits) {
            ok = false;
          } else {
            a.location_len = static_cast<uint8_t>(len);
          }
        }
        if (!ok && response.code == coap::codes::precondition_failed &&
            s.version(a) != LwM2MVersion::v1_0) {
          // A server that does not implement the lwm2m= version we sent answers 4.12
          // (Wakaama's lwm2mserver does for 1.2): register again at once one version
          // lower, 1.2 -> 1.1 -> 1.0, before counting it as a failed attempt.
          ++a.version_drop;
          if (s.send_register(a, now)) break;
        }
        a.fsm.on_register_response(ok, now);
        if (ok) {
          // A new registration starts without observations (servers such as Leshan drop
          // theirs when a client registers again).
          s.drop_observations(static_cast<uint8_t>(i));
          s.push(Event{EventKind::registered, a.ssid, static_cast<coap::PeerId>(i)});
        } else if (a.fsm.state() == RegistrationState::failed) {
          s.registration_failed(a, now, error_of(response.code));
        }
        break;
      case Account::Pending::update: {
        bool not_found = response.code == coap::codes::not_found;
        a.fsm.on_update_response(ok, not_found, now);
        if (ok) {
          s.push(Event{EventKind::updated, a.ssid, static_cast<coap::PeerId>(i)});
          // Notifications held while asleep go out now that the server knows we listen.
          for (size_t k = 0; k < config_.max_observations; ++k)
            if (s.observations[k].used && s.observations[k].account == i &&
                s.observations[k].pending)
              s.observations[k].dirty = s.any_dirty = true;
        } else if (not_found) {
          s.drop_observations(static_cast<uint8_t>(i));  // the server forgot them too
        }
        break;
      }
      case Account::Pending::dereg:
        a.fsm.on_deregister_done(now);
        s.drop_observations(static_cast<uint8_t>(i));
        s.push(Event{EventKind::deregistered, a.ssid, static_cast<coap::PeerId>(i)});
        break;
      case Account::Pending::bootstrap_request:
        if (ok) {
          s.bs_state = BootstrapState::in_progress;
          s.bs_deadline = now + config_.bootstrap_timeout;
        } else {
          s.bootstrap_failed(Errc::bad_request, now);
        }
        break;
      case Account::Pending::none:
        break;
    }
    return;
  }
}

void Client::on_error(coap::RequestId id, Errc error) noexcept {
  Impl& s = *impl_;
  TimePoint now = s.now_;
  if (s.send_request.valid() && id == s.send_request) {
    s.send_request = {};
    s.push(Event{EventKind::send_done, s.accounts[s.send_account].ssid, s.send_account, error});
    return;
  }
  for (size_t i = 0; i < s.account_count; ++i) {
    Account& a = s.accounts[i];
    if (!a.used || a.pending == Account::Pending::none || !(a.request == id)) continue;
    Account::Pending what = a.pending;
    a.pending = Account::Pending::none;
    a.request = {};
    a.connected = false;  // the next attempt reconnects (a new DTLS handshake)
    switch (what) {
      case Account::Pending::dereg:
        a.fsm.on_deregister_done(now);
        s.drop_observations(static_cast<uint8_t>(i));
        s.push(Event{EventKind::deregistered, a.ssid, static_cast<coap::PeerId>(i), error});
        break;
      case Account::Pending::bootstrap_request:
        s.bootstrap_failed(error, now);
        break;
      default:
        a.fsm.on_timeout(now);
        if (a.fsm.state() == RegistrationState::failed) s.registration_failed(a, now, error);
        break;
    }
    return;
  }
}

// ---- bootstrap ----

void Client::Impl::start_bootstrap(TimePoint now) noexcept {
  const objects::SecurityInstance* bs = c.security_.find_bootstrap();
  if (!bs) {
    push(Event{EventKind::bootstrap_failed, 0, 0, Errc::not_found});
    return;
  }
  Account& a = accounts[0];
  if (!a.used) {
    a = Account{};
    a.used = true;
    a.bootstrap = true;
  }
  a.security_iid = bs->id;
  bs_state = BootstrapState::hold_off;
  // Client Hold Off Time (/0/x/11) delays only the first attempt.
  bs_deadline = now + Duration{int64_t{bs_attempts == 0 ? bs->client_hold_off_s : 0u} * 1000};
}

Status Client::Impl::send_bootstrap_request(TimePoint now) noexcept {
  Account& a = accounts[0];
  connect(a);
  coap::Message m;
  m.code = coap::codes::post;
  (void)m.add_string(coap::OptionNumber::uri_path, "bs");
  char ep[kMaxEndpointQuery], pct[16], num[codec::number::kMaxChars];
  Status st = add_query(m, ep, sizeof ep, "ep", c.config_.endpoint);
  if (st && c.config_.version != LwM2MVersion::v1_0) {
    // 1.1 "pct": the format we prefer for Bootstrap-Write payloads.
    uint16_t f = static_cast<uint16_t>(codec::can_decode(codec::ContentFormat::senml_cbor)
                                           ? codec::ContentFormat::senml_cbor
                                           : codec::ContentFormat::lwm2m_tlv);
    st = add_query(m, pct, sizeof pct, "pct", u32_text(f, num));
  }
  if (!st) return st;
  auto id = c.engine_.send_request(0, m, c, now);
  if (!id) return id.status();
  a.request = *id;
  a.pending = Account::Pending::bootstrap_request;
  bs_state = BootstrapState::requesting;
  bs_deadline = kNever;
  ++bs_attempts;
  push(Event{EventKind::bootstrap_started});
  return {};
}

void Client::Impl::bootstrap_failed(Errc why, TimePoint now) noexcept {
  push(Event{EventKind::bootstrap_failed, 0, 0, why});
  accounts[0].connected = false;
  // Retry with a doubling delay (1 min, 2, 4... by default), as the 1.1 retry timers do
  // for servers; the spec leaves bootstrap retries to the implementation.
  if (bs_attempts >= c.config_.bootstrap_attempts) {
    bs_state = BootstrapState::idle;
    bs_deadline = kNever;
    return;
  }
  bs_state = BootstrapState::hold_off;
  bs_deadline =
      now + c.config_.bootstrap_retry * (int64_t{1} << (bs_attempts ? bs_attempts - 1 : 0));
}

void Client::Impl::finish_bootstrap(TimePoint now) noexcept {
  bs_state = BootstrapState::idle;
  bs_deadline = kNever;
  bs_attempts = 0;
  accounts[0].pending = Account::Pending::none;
  push(Event{EventKind::bootstrap_finished});
  want_link(0, LinkCommand::Kind::disconnect);
  accounts[0].connected = false;
  // Servers written by the bootstrap server are registered with from scratch.
  for (size_t i = 1; i < account_count; ++i) {
    if (!accounts[i].used) continue;
    drop_observations(static_cast<uint8_t>(i));
    accounts[i] = Account{};
    want_link(i, LinkCommand::Kind::disconnect);
  }
  (void)c.start(now);
}

void Client::request_bootstrap(TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  impl_->bs_attempts = 0;
  impl_->start_bootstrap(now);
  impl_->drive(now);
}

bool Client::bootstrapping() const noexcept {
  return valid_ && impl_->bs_state != BootstrapState::idle;
}

// ---- application ----

Status Client::send(uint16_t ssid, std::span<const dm::Path> paths, TimePoint now) noexcept {
  if (!valid_) return Errc::invalid_state;
  Impl& s = *impl_;
  s.now_ = now;
  Account* a = s.account_for_ssid(ssid);
  const objects::ServerInstance* srv = server_.find(ssid);
  if (!a || !a->fsm.registered() || !srv || srv->config.mute_send ||
      s.version(*a) == LwM2MVersion::v1_0)
    return Errc::invalid_state;
  if (s.send_request.valid()) return Errc::no_space;
  auto fmt = codec::choose_format(std::nullopt, codec::Operation::composite, {}, s.version(*a));
  if (!fmt) return Errc::unsupported_content_format;
  codec::Sink out({s.send_buf.get(), config_.uplink_buffer});
  dm::CompositeSource src(registry_, paths, s.scratch());
  const dm::ObjectId excluded[] = {0, 21};
  src.exclude_objects(excluded);
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
  s.send_account = static_cast<uint8_t>(s.index_of(*a));
  s.mark_uplink(*a, now);
  return {};
}

void Client::request_update(uint16_t ssid, TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  if (Account* a = impl_->account_for_ssid(ssid)) a->fsm.request_update(now);
  impl_->drive(now);
}

size_t Client::server_count() const noexcept {
  if (!valid_) return 0;
  size_t n = 0;
  for (size_t i = 0; i < impl_->account_count; ++i)
    n += impl_->accounts[i].used;
  return n;
}

ServerStatus Client::server_status(size_t index) const noexcept {
  if (!valid_) return {};
  for (size_t i = 0; i < impl_->account_count; ++i) {
    const Account& a = impl_->accounts[i];
    if (!a.used) continue;
    if (index-- != 0) continue;
    ServerStatus st;
    st.ssid = a.ssid;
    st.bootstrap = a.bootstrap;
    st.registered = a.fsm.registered();
    st.asleep = config_.queue_mode && impl_->now_ >= a.awake_until;
    st.location = {a.location, a.location_len};
    return st;
  }
  return {};
}

bool Client::registered(uint16_t ssid) const noexcept {
  if (!valid_) return false;
  const Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i)
    if (s.accounts[i].used && s.accounts[i].ssid == ssid) return s.accounts[i].fsm.registered();
  return false;
}

// ---- what objects report ----

void Client::on_value_changed(const dm::Path& path) noexcept {
  Impl& s = *impl_;
  for (size_t k = 0; k < config_.max_observations; ++k) {
    Observation& o = s.observations[k];
    if (!o.used) continue;
    for (size_t p = 0; p < o.path_count; ++p) {
      if (o.paths[p].is_prefix_of(path) || path.is_prefix_of(o.paths[p])) {
        o.state.changed = true;
        o.dirty = s.any_dirty = true;
        break;
      }
    }
  }
}

void Client::on_instances_changed(dm::ObjectId) noexcept {
  Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i) {
    Account& a = s.accounts[i];
    if (!a.used) continue;
    a.objects_changed = true;
    a.fsm.request_update(s.now_);
  }
}

void Client::on_disable(uint16_t ssid) noexcept {
  Impl& s = *impl_;
  Account* a = s.account_for_ssid(ssid);
  const objects::ServerInstance* srv = server_.find(ssid);
  if (!a || !srv) return;
  // De-register now, come back after the Disable Timeout (/1/x/5).
  a->fsm.request_deregister(s.now_);
  a->disabled = true;
  a->disabled_until = s.now_ + Duration{int64_t{srv->config.disable_timeout_s} * 1000};
}

void Client::on_update_trigger(uint16_t ssid) noexcept {
  Impl& s = *impl_;
  if (Account* a = s.account_for_ssid(ssid)) a->fsm.request_update(s.now_);
}

void Client::on_bootstrap_trigger(uint16_t) noexcept {
  Impl& s = *impl_;
  s.bs_attempts = 0;
  s.start_bootstrap(s.now_);
}

void Client::on_registration_params_changed(uint16_t ssid) noexcept {
  Impl& s = *impl_;
  if (Account* a = s.account_for_ssid(ssid)) {
    if (const objects::ServerInstance* srv = server_.find(ssid))
      a->fsm.set_lifetime(srv->config.lifetime_s);
    a->fsm.request_update(s.now_);
  }
}

}  // namespace lwm2m::core
