// SPDX-License-Identifier: Apache-2.0
// core::Client: the public face. Inputs are forwarded to the parts that own them (the
// server accounts and their registration exchanges, bootstrap, requests from servers, the
// observation table) and each input is followed by one step (drive); the poll_* calls
// drain what the step produced.
#include "lwm2m/core/client.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "core/client_impl.hpp"
#include "core/table_layout.hpp"
#include "core/uplink.hpp"
#include "core/well_known.hpp"
#include "lwm2m/core/download.hpp"

namespace lwm2m::core {

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
    case EventKind::register_attempt_failed:
      return "register attempt failed";
    case EventKind::update_failed:
      return "update failed";
  }
  return "?";
}

// ---- construction ----

Workspace::Workspace(const ClientConfig& config, size_t response_bytes, size_t messages) noexcept
    : engine_(config.coap), scratch_(config.scratch) {
  engine_.shared_scratch = nullptr;
  engine_.shared_responses = nullptr;
  engine_.shared_messages = nullptr;
  buf_.reset(new (std::nothrow) uint8_t[coap::Engine::scratch_size(engine_) + scratch_]);
  if (response_bytes) {
    response_bytes_.reset(new (std::nothrow) uint8_t[response_bytes]);
    if (response_bytes_)
      responses_.reset(new (std::nothrow)
                           coap::ResponseStore({response_bytes_.get(), response_bytes}));
    if (!responses_) buf_.reset();  // not valid
  }
  if (messages) {
    const size_t bytes = messages * coap::MessagePool::buffer_bytes(engine_.max_message_size);
    message_bytes_.reset(new (std::nothrow) uint8_t[bytes]);
    if (message_bytes_)
      messages_.reset(new (std::nothrow) coap::MessagePool({message_bytes_.get(), bytes},
                                                           engine_.max_message_size));
    if (!messages_) buf_.reset();  // not valid
  }
}

bool Workspace::fits(const ClientConfig& config) const noexcept {
  return valid() && config.coap.max_message_size <= engine_.max_message_size &&
         config.coap.block_size <= engine_.block_size && config.scratch <= scratch_;
}

// The engine's settings, with the workspace's buffer when the client shares one.
coap::EngineConfig Client::engine_config(const ClientConfig& config) noexcept {
  coap::EngineConfig c = config.coap;
  if (config.workspace && config.workspace->fits(config)) {
    c.shared_scratch = config.workspace->shared_engine_scratch();
    c.shared_responses = config.workspace->responses_.get();
    c.shared_messages = config.workspace->messages_.get();
  }
  return c;
}

namespace {
// Whether a client can serve this configuration; it stays invalid (and allocates nothing
// more) when not.
bool servable(const ClientConfig& c, const coap::Engine& engine, const dm::Registry& r) noexcept {
  if (c.workspace && !c.workspace->fits(c)) return false;
  if (!engine.valid() || c.endpoint.empty() || c.endpoint.size() > ClientConfig::kMaxEndpoint ||
      c.max_servers == 0)
    return false;
  return r.find(wk::kSecurity) && r.find(wk::kServer);
}
}  // namespace

// The parts are made in the member initializers: an image that never destroys its client
// then links no destructor for them (a reset() would, for the null it replaces).
Client::Client(const ClientConfig& config, dm::Registry& registry, Random& rng) noexcept
    : registry_(registry),
      engine_(engine_config(config), rng, static_cast<coap::RequestHandler*>(this)),
      impl_(servable(config, engine_, registry_) ? new (std::nothrow) Impl(*this, config)
                                                 : nullptr) {
  if (!impl_) return;
  Impl& s = *impl_;
  // A build for fewer servers (LWM2M_MAX_SERVERS) serves no more than it was built for.
#if LWM2M_MAX_SERVERS != 1
  s.account_count = std::min<size_t>(config.max_servers, LWM2M_MAX_SERVERS) + 1;
#endif
  // Without bootstrap nothing reads the policy: no code to convert it.
#if LWM2M_WITH_BOOTSTRAP
  s.bs.set_policy({config.bootstrap_timeout, config.bootstrap_retry, config.bootstrap_attempts});
#endif
  // Only a payload larger than a block needs bytes of its own (Block1 reads it until the
  // exchange ends); a smaller one is written into its request's buffer (`links` is null).
  // A client sharing a Workspace keeps neither it nor the scratch.
  const bool own_buffers = config.workspace == nullptr;
  const size_t uplink = own_buffers && config.uplink_buffer > config.coap.block_size
                            ? config.uplink_buffer
                            : size_t{0};
  if (!s.allocate_tables(config.max_events, uplink, own_buffers ? config.scratch : 0)) return;
  // Without bytes of its own a payload is one block at most (a Workspace's client too).
  if (!uplink)
    s.links = {static_cast<uint8_t*>(nullptr),
               std::min<size_t>(config.uplink_buffer, config.coap.block_size)};
  if (!own_buffers) s.scratch_at = config.workspace->shared_client_scratch();
#if LWM2M_WITH_OBSERVE
  const ObservationTable::Limits limits{config.max_observations, config.max_attributes,
                                        config.stored_notifications, config.stored_bytes};
  if (!s.observe.allocate(limits, s.scratch())) return;
#endif
  registry_.set_listener(this);
  valid_ = true;
}

bool Client::Impl::allocate_tables(uint8_t max_events, size_t uplink_bytes,
                                   size_t scratch_bytes) noexcept {
  // Every part is trivially destructible: freeing the bytes ends them.
  static_assert(std::is_trivially_destructible_v<Account> &&
                std::is_trivially_destructible_v<Registration> &&
                std::is_trivially_destructible_v<Event>);
  TableLayout layout;
  const size_t servers = account_count - 1;
  const size_t at_accounts = layout.place<Account>(account_count);
  const size_t at_regs = layout.place<Registration>(servers);
  const size_t at_events = layout.place<Event>(max_events);
  const size_t at_wish = layout.place<uint8_t>(account_count);
  const size_t at_bytes = layout.place<uint8_t>(uplink_bytes + scratch_bytes);
  // new[] of bytes is aligned for any fundamental type (alignof(std::max_align_t)).
  tables.reset(new (std::nothrow) uint8_t[layout.size]);
  if (!tables) return false;
  uint8_t* base = tables.get();
  accounts = reinterpret_cast<Account*>(base + at_accounts);
  registrations = reinterpret_cast<Registration*>(base + at_regs);
  Event* ring = reinterpret_cast<Event*>(base + at_events);
  link_wish = base + at_wish;
  for (size_t i = 0; i < account_count; ++i) {
    new (&accounts[i]) Account();
    link_wish[i] = 0;  // no command
  }
  for (size_t i = 0; i < servers; ++i)
    new (&registrations[i]) Registration();
  for (size_t i = 0; i < max_events; ++i)
    new (&ring[i]) Event{};
  events.attach(ring, max_events);
  uint8_t* bytes = base + at_bytes;
  std::memset(bytes, 0, uplink_bytes + scratch_bytes);
  links = {bytes, uplink_bytes};
  scratch_at = bytes + uplink_bytes;
  return true;
}

Client::~Client() {
  if (valid_) registry_.set_listener(nullptr);
}

// ---- lifecycle ----

Status Client::start(TimePoint now) noexcept {
  if (!valid_) return Errc::invalid_state;
  Impl& s = *impl_;
  s.now_ = now;
  s.started = true;
  s.stopping = false;
  if (Status st = s.begin(now); !st) return st;
  // A download that a restart interrupted goes on (the object kept where it was); a build
  // without Firmware Update never has a downloader (set_downloader()).
  if (LWM2M_WITH_FIRMWARE_UPDATE && s.downloader) s.downloader->resume(*this, now);
  s.drive(now);
  return {};
}

void Client::stop(TimePoint now) noexcept {
  if (!valid_) return;
  Impl& s = *impl_;
  s.now_ = now;
  s.stopping = true;
  s.bs.stop();
  for (size_t i = 1; i < s.account_count; ++i)
    if (s.accounts[i].used) s.reg_at(i).request_deregister(now);
  s.drive(now);
}

bool Client::stopped() const noexcept {
  if (!valid_) return true;
  const Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i) {
    if (s.accounts[i].used && s.reg_at(i).active()) return false;
  }
  return true;
}

// ---- I/O: every input is followed by one step ----

void Client::handle_datagram(coap::PeerId peer, ByteView datagram, TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  engine_.handle_datagram(peer, datagram, now);
  impl_->drive(now);
}

void Client::handle_oversized(coap::PeerId peer, ByteView datagram, size_t limit,
                              TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  engine_.handle_oversized(peer, datagram, limit, now);
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
    if (s.reg_at(i).fsm().deadline() < t) t = s.reg_at(i).fsm().deadline();
    if (s.reg_at(i).disabled_until() < t) t = s.reg_at(i).disabled_until();
    // Wake at the start of queue-mode sleep, so that the state (and now) is current.
    if (s.queue_mode() && a.awake_until > s.now_ && a.awake_until < t) t = a.awake_until;
  }
  if (LWM2M_WITH_BOOTSTRAP && s.bs.deadline() < t) t = s.bs.deadline();
#if LWM2M_WITH_OBSERVE
  TimePoint o = s.observe.deadline(s.now_);
  if (o < t) t = o;
#endif
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
  if (LWM2M_WITH_FIRMWARE_UPDATE && s.downloader) {
    if (const uint8_t w = s.downloader->take_link_wish())
      return LinkCommand{static_cast<LinkCommand::Kind>(w - 1), download_peer(), 0};
  }
  return std::nullopt;
}

std::optional<StateCommand> Client::poll_state() noexcept {
  if (!valid_ || impl_->state_wish == 0) return std::nullopt;
  const auto cmd = static_cast<StateCommand>(impl_->state_wish - 1);
  impl_->state_wish = 0;
  return cmd;
}

uint32_t Client::dropped_events() const noexcept {
  return valid_ ? impl_->events.dropped() : 0;
}

std::optional<Event> Client::poll_event() noexcept {
  if (!valid_) return std::nullopt;
  return impl_->events.pop();
}

void Client::peer_failed(coap::PeerId peer, Errc why, TimePoint now) noexcept {
  if (!valid_) return;
  Impl& s = *impl_;
  s.now_ = now;
  Account* a = s.account_for_peer(peer);
  if (!a) return;
  a->connected = false;
  if (const coap::RequestId id = s.in_flight(*a); id.valid()) {
    engine_.abandon(id, now);
    on_error(id, why);
  }
}

std::string_view Client::peer_uri(coap::PeerId peer) const noexcept {
  std::optional<PeerSecurity> sec = peer_security(peer);
  return sec ? sec->uri : std::string_view{};
}

void Client::set_downloader(PackageDownloader* downloader) noexcept {
  // Without LWM2M_WITH_FIRMWARE_UPDATE nothing is pulled: a written Package URI stays
  // with the object.
  if (valid_ && LWM2M_WITH_FIRMWARE_UPDATE) impl_->downloader = downloader;
}

coap::PeerId Client::download_peer() const noexcept {
  return valid_ ? static_cast<coap::PeerId>(impl_->account_count) : coap::PeerId{0};
}

std::optional<PeerSecurity> Client::peer_security(coap::PeerId peer) const noexcept {
  if (LWM2M_WITH_FIRMWARE_UPDATE && valid_ && impl_->downloader && peer == download_peer())
    return impl_->downloader->security(*this);
  if (!valid_ || peer >= impl_->account_count || !impl_->accounts[peer].used) return std::nullopt;
  return impl_->reader.peer(impl_->accounts[peer].security_iid);
}

void Client::Impl::drive(TimePoint now) noexcept {
  if (accounts_changed) {
    accounts_changed = false;
    (void)sync_accounts(now);
  }
  drive_bootstrap(now);
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used) drive_account(accounts[i], now);
#if LWM2M_WITH_OBSERVE
  observe.drive(now);
  // A notification due while asleep asks for an Update: send it in this same step.
  for (size_t i = 1; i < account_count; ++i)
    if (accounts[i].used && reg_at(i).fsm().deadline() <= now) drive_account(accounts[i], now);
#endif
}

// ---- answers to our requests: forwarded to the exchange that sent them ----

void Client::on_response(coap::RequestId id, const coap::Message& response, bool final) noexcept {
  if (!final) return;  // a Block2 block of a larger answer; the last one decides
  impl_->answered(id, &response, Errc::ok);
}

void Client::on_error(coap::RequestId id, Errc error) noexcept {
  impl_->answered(id, nullptr, error);
}

void Client::Impl::answered(coap::RequestId id, const coap::Message* response,
                            Errc error) noexcept {
  // A build without Send or bootstrap never has such a request in flight.
  if (LWM2M_WITH_SEND && send_request.valid() && id == send_request) {
    return on_send_done(answer_error(response, error));
  }
  if (registration_answered(id, response, error) || !LWM2M_WITH_BOOTSTRAP) return;
  Account* a = bootstrap_request(id);
  if (!a) return;
  a->pending = Account::Pending::none;
  bootstrap_request_id = {};
  if (response) return on_bootstrap_response(response->code.is_success());
  a->connected = false;  // the next attempt reconnects (a new DTLS handshake)
  bootstrap_failed(error, now_);
}

// ---- application ----

void Client::request_bootstrap(TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  impl_->start_bootstrap(now);
  impl_->drive(now);
}

bool Client::bootstrapping() const noexcept {
  return valid_ && impl_->bs.active();
}

void Client::request_update(uint16_t ssid, TimePoint now) noexcept {
  if (!valid_) return;
  impl_->now_ = now;
  if (Account* a = impl_->account_for_ssid(ssid)) impl_->reg_of(*a)->request_update(now);
  impl_->drive(now);
}

bool Client::gave_up() const noexcept {
  if (!valid_ || !impl_->started || impl_->stopping || impl_->bs.active()) return false;
  const Impl& s = *impl_;
  bool failed = s.bs.gave_up();
  for (size_t i = 1; i < s.account_count; ++i) {
    const Account& a = s.accounts[i];
    if (!a.used) continue;
    const RegistrationState st = s.reg_at(i).fsm().state();
    if (st == RegistrationState::failed) {
      failed = true;
    } else if (st != RegistrationState::idle || s.reg_at(i).disabled()) {
      return false;  // registered, or still trying, or back after its Disable Timeout
    }
  }
  return failed;
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
    st.asleep = impl_->queue_mode() && impl_->now_ >= a.awake_until;
    if (i == 0) {  // the bootstrap account
      st.state = impl_->bs.active() ? "bootstrapping" : impl_->bs.gave_up() ? "failed" : "idle";
      st.next_due = impl_->bs.deadline();
      st.failed_attempts = impl_->bs.attempts();
    } else {
      st.registered = impl_->reg_at(i).registered();
      st.location = impl_->reg_at(i).location();
      st.state = to_string(impl_->reg_at(i).fsm().state());
      st.lifetime_s = impl_->reg_at(i).sent_lifetime();
      st.next_due = impl_->reg_at(i).fsm().deadline();
      st.failed_attempts = impl_->reg_at(i).fsm().attempt();
    }
    return st;
  }
  return {};
}

bool Client::registered(uint16_t ssid) const noexcept {
  if (!valid_) return false;
  const Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i)
    if (s.accounts[i].used && s.accounts[i].ssid == ssid) return s.reg_at(i).registered();
  return false;
}

// ---- what objects report ----

void Client::on_value_changed(const dm::Path& path) noexcept {
#if LWM2M_WITH_OBSERVE
  impl_->observe.value_changed(path);
#else
  (void)path;  // nobody observes
#endif
  // A firmware update's state is part of what survives a restart (State, Update Result,
  // Package URI: the object reports those, not the blocks of an image).
  if (path.object() == wk::kFirmwareUpdate) impl_->want_state(StateCommand::save);
}

void Client::on_instances_changed(dm::ObjectId) noexcept {
  Impl& s = *impl_;
  for (size_t i = 1; i < s.account_count; ++i) {
    if (s.accounts[i].used) s.reg_at(i).objects_changed(s.now_);
  }
}

}  // namespace lwm2m::core
