// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "lwm2m/objects/device.hpp"
#include "lwm2m/platform/device_defaults.hpp"
#include "lwm2m/uri.hpp"
#include "name_resolver.hpp"
#include "session_watch.hpp"

namespace lwm2m::posix {
namespace {

const char* method_name(coap::Code c) {
  switch (c.raw) {
    case 1:
      return "GET";
    case 2:
      return "POST";
    case 3:
      return "PUT";
    case 4:
      return "DELETE";
    case 5:
      return "FETCH";
    case 7:
      return "iPATCH";
    default:
      return "?";
  }
}

// "in 120 s" / "now": when something scheduled at `due` happens, seen from `now`.
void format_due(char (&out)[32], TimePoint due, TimePoint now) {
  if (due == kNever) {
    std::snprintf(out, sizeof out, "never");
    return;
  }
  const auto ms = std::chrono::duration_cast<Duration>(due - now).count();
  if (ms <= 0) {
    std::snprintf(out, sizeof out, "now");
    return;
  }
  std::snprintf(out, sizeof out, "in %lld s", static_cast<long long>((ms + 999) / 1000));
}

std::optional<core::ServerStatus> status_of(const core::Client& client, uint16_t ssid,
                                            bool bootstrap) {
  for (size_t i = 0; i < client.server_count(); ++i) {
    core::ServerStatus st = client.server_status(i);
    if (st.bootstrap == bootstrap && (bootstrap || st.ssid == ssid)) return st;
  }
  return std::nullopt;
}

// What a stop must wait for: a registration to take back, or a Register in flight whose
// answer may be on its way (then the registration it makes is taken back too).
enum class Pending { nothing, register_in_flight, registration };
Pending pending_registration(const core::Client& client) {
  Pending p = Pending::nothing;
  for (size_t i = 0; i < client.server_count(); ++i) {
    core::ServerStatus st = client.server_status(i);
    if (st.bootstrap) continue;
    if (st.registered || std::strcmp(st.state, "deregistering") == 0) return Pending::registration;
    if (std::strcmp(st.state, "registering") == 0) p = Pending::register_in_flight;
  }
  return p;
}

// How long a stop waits for the answer to a Register in flight: enough for a reply already
// on its way, not for the retransmissions to a server that does not answer.
constexpr Duration kRegisterAnswerWait{1000};

// Datagrams per system call: more than a server usually keeps in flight, so that a batch
// is seldom full (a full one is followed by another recvmmsg, which then mostly finds
// nothing: with 8 requests in flight, all 8 were in it). Receive slots
// hold any DTLS record (2^14 bytes of data plus expansion): a handshake flight does not fit
// RIOT's 200 bytes, which bound what reaches CoAP (checked in deliver_plaintext()). Their
// pages are touched only as far as datagrams reach.
constexpr size_t kBatch = 16;
constexpr size_t kReceiveSlot = 18 * 1024;
// What the client sends fits an Ethernet frame; a larger datagram leaves on its own.
constexpr size_t kSendSlot = 1500;

}  // namespace

Runner::Runner(core::Client& client, const RunnerConfig& config)
    : client_(client),
      config_(config),
      rx_(kBatch, std::max(config.receive_buffer, kReceiveSlot)),
      tx_(kBatch, kSendSlot) {
  conns_.resize(16);
  watches_.resize(16);
  outbox_.reserve(32);
  outbox_text_.reserve(4096);
  client_.set_monitor(this);
}

Runner::~Runner() {
  stop();
  resolver_.reset();  // joined before the wake pipe it writes to closes
  client_.set_monitor(nullptr);
  for (int& fd : wake_pipe_)
    if (fd >= 0) ::close(fd);
}

TimePoint Runner::now() const {
  auto t = std::chrono::steady_clock::now().time_since_epoch();
  return TimePoint{std::chrono::duration_cast<Duration>(t)};
}

void Runner::log(const char* fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  const size_t size = std::min(sizeof line - 1, static_cast<size_t>(n));
  Output out{Output::Kind::line};
  out.begin = static_cast<uint32_t>(outbox_text_.size());
  out.size = static_cast<uint32_t>(size);
  outbox_text_.append(line, size).push_back('\0');  // the hook takes a C string
  outbox_.push_back(out);
}

// On the runner thread (or in start() before it exists), without the lock: the hooks may
// call back into the runner. Indexes, not iterators: nothing a hook may call logs, but a
// line added meanwhile would still be dispatched in order.
void Runner::dispatch() {
  for (size_t i = 0; i < outbox_.size(); ++i) {
    const Output out = outbox_[i];
    switch (out.kind) {
      case Output::Kind::line: {
        const char* line = outbox_text_.data() + out.begin;
        if (log_) {
          log_(line);
        } else {
          std::fprintf(stderr, "lwm2m: %s\n", line);
        }
        break;
      }
      case Output::Kind::event:
        if (event_hook_) event_hook_(out.event);
        break;
      case Output::Kind::reboot:
        if (reboot_hook_) reboot_hook_();
        break;
    }
  }
  outbox_.clear();  // both keep their capacity
  outbox_text_.clear();
}

RestoreResult Runner::restore_saved_state() {
  if (!saved_) return RestoreResult::absent;
  restored_ = true;
  RestoreResult r;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    r = saved_->restore();
  }
  const std::string_view dir = saved_->storage().location();
  const std::string_view name = saved_->name();
  const int dn = static_cast<int>(dir.size()), nn = static_cast<int>(name.size());
  if (r == RestoreResult::restored) {
    log("restored the saved configuration from %.*s/%.*s", dn, dir.data(), nn, name.data());
  } else if (r == RestoreResult::absent) {
    log("no saved configuration in %.*s: starting from the factory configuration", dn, dir.data());
  } else {
    const std::string_view detail = saved_->storage().error_detail();
    log("saved configuration %.*s/%.*s %s%s%.*s: not used; starting from the factory "
        "configuration (bootstrap, when it has a bootstrap server)",
        dn, dir.data(), nn, name.data(), to_string(r),
        r == RestoreResult::unreadable && !detail.empty() ? ": " : "",
        r == RestoreResult::unreadable ? static_cast<int>(detail.size()) : 0, detail.data());
  }
  dispatch();  // on the caller, before the client says anything: the thread does not exist yet
  return r;
}

void Runner::carry_out(core::StateCommand command) {
  const std::string_view dir = saved_->storage().location();
  const std::string_view name = saved_->name();
  const int dn = static_cast<int>(dir.size()), nn = static_cast<int>(name.size());
  const bool save = command == core::StateCommand::save;
  const Status st = save ? saved_->save() : saved_->discard();
  const std::string_view detail = saved_->storage().error_detail();
  if (st) {
    log(save ? "saved the configuration to %.*s/%.*s"
             : "discarded the saved configuration %.*s/%.*s: a restart starts from the "
               "factory configuration",
        dn, dir.data(), nn, name.data());
  } else {
    log("cannot %s the saved configuration %.*s/%.*s: %s%s%.*s; a restart uses %s",
        save ? "write" : "remove", dn, dir.data(), nn, name.data(), to_string(st.error()),
        detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data(),
        save ? "the previous one" : "it still");
  }
}

Status Runner::start() {
  if (running_) return Errc::invalid_state;
  if (saved_ && !restored_) (void)restore_saved_state();
  auto sock = UdpSocket::open(config_.local_port, config_.ipv4_only);
  if (!sock) {
    if (sock.error() == Errc::invalid_state) {
      log("cannot open UDP port %u: port %u is in use (choose another local port, or 0 for a "
          "free one)",
          config_.local_port, config_.local_port);
    } else {
      log("cannot open UDP port %u: %s", config_.local_port, to_string(sock.error()));
    }
    dispatch();
    return sock.status();
  }
  socket_ = std::move(*sock);
  if (wake_pipe_[0] < 0) {
    if (::pipe(wake_pipe_) != 0) return Errc::internal_error;
    for (int fd : wake_pipe_)
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  stop_requested_ = false;
  reboot_requested_ = false;
  gave_up_ = false;
  reboot_at_ = kNever;
  restart_at_ = kNever;
  stop_deadline_ = kNever;
  Status started;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto* device = objects::DeviceObject::from(client_.registry().find(3));
    if (device) apply_host_defaults(*device);
    started = client_.start(now());
  }
  if (!started) {
    if (!client_.valid()) {
      log("the client cannot start: its configuration is invalid (an endpoint name empty or "
          "over %zu bytes, no Security or Server object, or out of memory)",
          core::ClientConfig::kMaxEndpoint);
    } else {
      log("the client cannot start: %s (no server and no bootstrap server configured?)",
          to_string(started.error()));
    }
    dispatch();
    socket_.close();
    return started;
  }
  if (!resolver_) resolver_ = std::make_unique<NameResolver>(config_.resolver, [this] { wake(); });
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return {};
}

void Runner::stop(Duration grace) {
  if (thread_.joinable()) {
    stop_deadline_ = now() + grace;
    stop_requested_ = true;
    wake();
    if (thread_.get_id() == std::this_thread::get_id()) return;  // from a hook: no join
    thread_.join();
  }
  running_ = false;
  socket_.close();
}

void Runner::wake() {
  if (wake_pipe_[1] >= 0) {
    char b = 1;
    (void)!::write(wake_pipe_[1], &b, 1);
  }
}

void Runner::value_changed(const dm::Path& path) {
  locked([&](core::Client& c) { c.registry().value_changed(path); });
}

std::vector<ConnectionInfo> Runner::connections() const {
  std::lock_guard<std::mutex> guard(mutex_);
  const TimePoint t = now();
  const auto wall = std::chrono::system_clock::now();
  // A time on the runner's clock as wall-clock time; the epoch for "never".
  const auto wall_clock = [&](TimePoint at) {
    return at == kNever
               ? std::chrono::system_clock::time_point{}
               : wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(t - at);
  };
  std::vector<ConnectionInfo> out;
  for (size_t i = 0; i < conns_.size(); ++i)
    if (conns_[i].used)
      out.push_back({static_cast<coap::PeerId>(i), conns_[i].ssid, conns_[i].remote,
                     conns_[i].secure, wall_clock(conns_[i].last_send)});
  return out;
}

void Runner::run() {
  bool stopping = false;
  for (;;) {
    TimePoint t = now();
    TimePoint deadline;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (stop_requested_ && !stopping) {
        stopping = true;
        // Not registered anywhere: nothing to take back, so no reason to wait long.
        switch (pending_registration(client_)) {
          case Pending::registration:
            log("stopping: de-registering");
            break;
          case Pending::register_in_flight:
            log("stopping: not registered yet; waiting up to 1 s for the Register's answer");
            stop_deadline_ = std::min(stop_deadline_, t + kRegisterAnswerWait);
            break;
          case Pending::nothing:
            log("stopping: not registered, nothing to de-register");
            stop_deadline_ = t;
            break;
        }
        client_.stop(t);
      }
      take_answers(t);
      step(t);
      send_queued();
      if (stopping && (client_.stopped() || t >= stop_deadline_)) break;
      deadline = client_.next_deadline();
      if (restart_at_ < deadline) deadline = restart_at_;
      for (const Connection& c : channels_made_ ? conns_ : std::span<const Connection>{})
        if (c.used && c.channel && c.channel->next_deadline() < deadline)
          deadline = c.channel->next_deadline();
      if (reboot_at_ < deadline) deadline = reboot_at_;
    }
    dispatch();
    Duration wait = config_.min_refresh;
    if (deadline != kNever) {
      Duration until =
          deadline > t ? std::chrono::duration_cast<Duration>(deadline - t) : Duration{0};
      if (until < wait) wait = until;
    }
    if (stopping && stop_deadline_ - t < wait)
      wait = std::max(Duration{0}, std::chrono::duration_cast<Duration>(stop_deadline_ - t));
    pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(wait.count()));
    if (n > 0 && (fds[1].revents & POLLIN)) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (n > 0 && (fds[0].revents & POLLIN)) receive_batch();
  }
  dispatch();  // what the last step produced
  running_ = false;
  log("stopped");
  dispatch();
}

// Everything that is queued, without blocking, a batch per system call; the answers leave
// together after each batch.
void Runner::receive_batch() {
  while (socket_.receive(rx_, Duration{0})) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      const TimePoint t = now();
      for (size_t i = 0; i < rx_.size(); ++i) {
        if (rx_.truncated(i)) {
          log("dropped a datagram larger than the %zu-byte receive buffer", rx_.slot_size());
          continue;
        }
        deliver(rx_.address(i), rx_.bytes(i), t);
      }
      step(t);        // the timers and the given-up check, once per batch
      send_queued();  // under the lock, as every send: before the hooks hear of the step
    }
    dispatch();
    if (!rx_.full()) return;  // the socket is drained: no need to ask again
  }
}

void Runner::deliver(const SocketAddress& from, ByteView datagram, TimePoint t) {
  for (size_t i = 0; i < conns_.size(); ++i) {
    Connection& c = conns_[i];
    if (!c.used || !(c.remote == from)) continue;
    if (c.channel) {
      c.channel->handle_ciphertext(datagram, t);
      drive_channels(t);
      step(t);
    } else if (c.secure) {
      return;  // the session failed: no new one until we send, and never plaintext
    } else {
      deliver_plaintext(static_cast<coap::PeerId>(i), datagram, t);
      answer_step(t);
    }
    return;
  }
  note_stranger(from, t);
}

// Anyone who reaches the port can send; a line per datagram would let them fill the log.
void Runner::note_stranger(const SocketAddress& from, TimePoint t) {
  fold_stranger_log(t);
  if (stranger_window_) {
    ++strangers_unlogged_;
    return;
  }
  char text[SocketAddress::kMaxText];
  size_t n = from.format(text);
  log("dropped a datagram from %.*s: no connection to that endpoint", static_cast<int>(n), text);
  stranger_window_ = true;
  stranger_window_start_ = t;
}

void Runner::fold_stranger_log(TimePoint t) {
  if (!stranger_window_ || t - stranger_window_start_ < config_.stranger_log_interval) return;
  if (strangers_unlogged_ == 0) {
    stranger_window_ = false;  // quiet for a whole interval: the next one gets its own line
    return;
  }
  log("dropped %llu more datagrams from endpoints without a connection in the last %lld ms "
      "(one line per %lld ms while they keep coming)",
      static_cast<unsigned long long>(strangers_unlogged_),
      static_cast<long long>(
          std::chrono::duration_cast<Duration>(t - stranger_window_start_).count()),
      static_cast<long long>(config_.stranger_log_interval.count()));
  strangers_unlogged_ = 0;
  stranger_window_start_ = t;
}

// A message larger than the receive buffer is what a device with that buffer could not
// take: a request among them is answered 4.13 with a block size that fits, anything else
// is dropped.
void Runner::deliver_plaintext(coap::PeerId peer, ByteView message, TimePoint t) {
  if (message.size() <= config_.receive_buffer) {
    client_.handle_datagram(peer, message, t);
    return;
  }
  log("a %zu-byte message exceeds the %zu-byte receive buffer: a request is answered 4.13 "
      "with a smaller block size, anything else dropped",
      message.size(), config_.receive_buffer);
  client_.handle_oversized(peer, message, config_.receive_buffer, t);
}

void Runner::open_connection(coap::PeerId peer, uint16_t ssid, TimePoint t) {
  if (peer >= conns_.size()) conns_.resize(peer + 1u);
  if (peer >= watches_.size()) watches_.resize(peer + 1u);
  Connection& c = conns_[peer];
  c = Connection{};
  c.ssid = ssid;
  std::string_view uri_text = client_.peer_uri(peer);
  auto uri = parse_server_uri(uri_text);
  if (!uri) {
    log("server %u: bad URI \"%.*s\"", ssid, static_cast<int>(uri_text.size()), uri_text.data());
    client_.peer_failed(peer, Errc::invalid_argument, t);
    return;
  }
  if (uri->scheme != UriScheme::coap && uri->scheme != UriScheme::coaps) {
    log("server %u: only coap:// and coaps:// are supported (UDP), not \"%.*s\"", ssid,
        static_cast<int>(uri_text.size()), uri_text.data());
    client_.peer_failed(peer, Errc::not_implemented, t);
    return;
  }
  c.secure = uri->secure();
  if (!check_security(c, peer, uri_text, t)) return;
  if (auto literal = SocketAddress::from_literal(uri->host, uri->port)) {
    connect(peer, c, {&*literal, 1}, uri->host, t);
    return;
  }
  // A host name: the resolver thread answers later (take_answers); datagrams wait in `held`.
  c.resolving = true;
  c.ticket = ++tickets_;
  log("server %u: resolving \"%.*s\"", ssid, static_cast<int>(uri->host.size()), uri->host.data());
  resolver_->ask(peer, c.ticket, std::string(uri->host), uri->port);
}

void Runner::take_answers(TimePoint t) {
  while (auto a = resolver_->poll()) {
    // The client may have closed or reopened the connection while the name was resolved.
    if (a->peer >= conns_.size()) continue;
    Connection& c = conns_[a->peer];
    if (!c.resolving || c.ticket != a->ticket) continue;
    c.resolving = false;
    if (a->error != Errc::ok) {
      log("server %u: cannot resolve \"%s\"", c.ssid, a->host.c_str());
      c = Connection{};
      client_.peer_failed(a->peer, Errc::not_found, t);
      continue;
    }
    connect(a->peer, c, {a->addresses.data(), a->count}, a->host, t);
  }
}

void Runner::connect(coap::PeerId peer, Connection& c, std::span<const SocketAddress> found,
                     std::string_view host, TimePoint t) {
  // A dual-stack socket reaches both families; an IPv4-only one needs an IPv4 address.
  size_t pick = 0;
  if (socket_.family() == AF_INET)
    while (pick < found.size() && found[pick].family() != AF_INET)
      ++pick;
  if (pick == found.size()) {
    log("server %u: no IPv4 address for \"%.*s\"", c.ssid, static_cast<int>(host.size()),
        host.data());
    c = Connection{};
    client_.peer_failed(peer, Errc::not_found, t);
    return;
  }
  c.used = true;
  c.remote = found[pick];
  if (c.secure && !open_channel(peer, c, t)) return;
  char text[SocketAddress::kMaxText];
  size_t n = c.remote.format(text);
  log("server %u: connecting to %.*s over %s", c.ssid, static_cast<int>(n), text,
      c.secure ? "DTLS" : "UDP");
  if (c.secure) return;  // what was held leaves once the handshake is done
  for (const std::vector<uint8_t>& h : c.held) {
    (void)socket_.send_to(c.remote, {h.data(), h.size()});
    c.last_send = t;
  }
  c.held.clear();
}

bool Runner::open_channel(coap::PeerId peer, Connection& c, TimePoint t) {
  const std::optional<PeerSecurity> sec = client_.peer_security(peer);
  Errc err = Errc::not_implemented;
  std::string reason = "this build has no DTLS support";
  c.session_up = false;
  if (factory_ && sec) c.channel = factory_(*sec, err, reason);
  if (!c.channel) {
    // Never fall back to plain UDP for a coaps:// server.
    log("server %u: cannot secure the connection: %s", c.ssid, reason.c_str());
    c.used = false;
    c.held.clear();
    client_.peer_failed(peer, err, t);
    return false;
  }
  channels_made_ = true;
  c.channel->start(t);
  send_ciphertext(c);  // the ClientHello leaves now, not at the next wake-up
  return true;
}

void Runner::send_ciphertext(Connection& c) {
  bool sent = false;
  while (auto d = c.channel->poll_ciphertext()) {
    (void)socket_.send_to(c.remote, *d);
    sent = true;
  }
  if (sent) c.last_send = now();
}

void Runner::hold(Connection& c, ByteView datagram) {
  constexpr size_t kMaxHeld = 4;
  if (c.held.size() == kMaxHeld) c.held.erase(c.held.begin());
  c.held.emplace_back(datagram.begin(), datagram.end());
}

void Runner::drive_channels(TimePoint t) {
  if (!channels_made_) return;
  for (size_t i = 0; i < conns_.size(); ++i) {
    Connection& c = conns_[i];
    if (!c.used || !c.channel) continue;
    if (c.channel->next_deadline() <= t) c.channel->handle_timeout(t);
    send_ciphertext(c);
    // Session changes in the log: what a user debugging DTLS against a server looks for.
    if (c.channel->connected() != c.session_up) {
      c.session_up = c.channel->connected();
      if (c.session_up) {
        watches_[i].established(t);
        log("server %u: DTLS session established (%s)", c.ssid, c.channel->session_info());
      } else {
        const char* why = c.channel->end_reason();
        log("server %u: DTLS session replaced: closed by the server (%s); new handshake", c.ssid,
            *why != '\0' ? why : "no reason given");
      }
    }
    if (c.channel->connected() && !c.held.empty()) {
      for (const std::vector<uint8_t>& h : c.held)
        if (c.channel->write({h.data(), h.size()}, t).ok()) send_ciphertext(c);
      c.held.clear();
    }
    while (auto p = c.channel->poll_plaintext()) {
      watches_[i].heard(t);
      deliver_plaintext(static_cast<coap::PeerId>(i), *p, t);
    }
    Errc err;
    const char* reason = nullptr;
    if (c.channel->failed(err, reason)) {
      log("server %u: DTLS failed: %s", c.ssid, reason ? reason : to_string(err));
      // The connection stays, without a session: the exchange in progress fails (the retry
      // scheme applies; a new Register reopens the connection), and anything else the
      // client sends there later (an Update, a notification) starts a new handshake.
      c.channel.reset();
      c.session_up = false;
      c.held.clear();
      client_.peer_failed(static_cast<coap::PeerId>(i), err, t);
    }
  }
}

void Runner::flush(TimePoint t) {
  while (auto d = client_.poll_transmit()) {
    if (d->peer >= conns_.size()) continue;
    Connection& c = conns_[d->peer];
    if (c.resolving) {
      hold(c, d->bytes);  // sent once the name is resolved
      continue;
    }
    if (!c.used) continue;  // the connection failed
    if (c.secure && !c.channel) {
      log("server %u: new DTLS handshake", c.ssid);
      if (!open_channel(d->peer, c, t)) continue;
    }
    if (c.channel) {
      check_session(d->peer, c, d->bytes, t);
      if (!c.channel->connected() || !c.channel->write(d->bytes, t).ok())
        hold(c, d->bytes);  // sent once the handshake is done
      send_ciphertext(c);   // the records, or the handshake flight just started
    } else if (!c.secure) {
      send_plaintext(c, d->bytes, t);
    }
  }
}

void Runner::check_session(coap::PeerId peer, Connection& c, ByteView datagram, TimePoint t) {
  if (!c.channel->connected()) return;  // held until the handshake is done
  SessionWatch& w = watches_[peer];
  const auto seconds = [](Duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  };
  char why[160];
  switch (w.before_send(datagram, t, config_.dtls_refresh_after_retransmissions,
                        config_.nat_timeout, c.channel->connection_id_in_use())) {
    case SessionWatch::Verdict::keep:
      return;
    case SessionWatch::Verdict::idle:
      std::snprintf(why, sizeof why,
                    "idle for %lld s, longer than the NAT timeout of %lld s (the device's "
                    "address may have changed)",
                    seconds(w.idle_for()), seconds(config_.nat_timeout));
      break;
    case SessionWatch::Verdict::unanswered:
      std::snprintf(why, sizeof why,
                    "retransmission %u of a request got no answer over it for %lld ms (the "
                    "server may have lost the session, e.g. restarted)",
                    static_cast<unsigned>(w.retransmissions()),
                    static_cast<long long>(
                        std::chrono::duration_cast<Duration>(w.unanswered_for(t)).count()));
      break;
  }
  replace_session(c, why, t);
}

void Runner::replace_session(Connection& c, const char* why, TimePoint t) {
  log("server %u: DTLS session replaced: %s; new handshake", c.ssid, why);
  c.channel->start(t);  // a fresh handshake; what the client sends meanwhile is held
  c.session_up = false;
}

// Queued, to leave with the rest of the batch (send_queued()): the client's buffer is
// copied, as the next input may reuse it.
void Runner::send_plaintext(Connection& c, ByteView datagram, TimePoint t) {
  if (!tx_.add(c.remote, datagram)) {
    send_queued();  // in order: what was queued before it leaves first
    if (!tx_.add(c.remote, datagram)) (void)socket_.send_to(c.remote, datagram);
  }
  c.last_send = t;
}

void Runner::send_queued() {
  if (tx_.empty()) return;
  (void)socket_.send(tx_);
}

void Runner::step(TimePoint t) {
  if (t >= reboot_at_) {
    reboot_at_ = kNever;
    log("rebooting (Execute /3/0/4)");
    if (reboot_hook_) {
      outbox_.push_back({Output::Kind::reboot});
    } else {
      reboot_requested_ = true;
      stop_deadline_ = t + Duration{5000};
      stop_requested_ = true;
    }
  }
  if (t >= restart_at_) {
    restart_at_ = kNever;
    log("starting over: registering again");
    (void)client_.start(t);
  }
  if (client_.next_deadline() <= t) client_.handle_timeout(t);
  fold_stranger_log(t);
  drive_channels(t);
  answer_step(t);
  check_given_up(t);
}

void Runner::answer_step(TimePoint t) {
  // A disconnect takes effect after the flush below: the client may have queued a last
  // datagram for that peer (the 2.04 to Bootstrap-Finish comes with its disconnect).
  closing_.clear();
  while (auto l = client_.poll_link()) {
    if (l->kind == core::LinkCommand::Kind::connect) {
      open_connection(l->peer, l->ssid, t);
    } else if (l->peer < conns_.size()) {
      closing_.push_back(l->peer);
    }
  }
  while (auto e = client_.poll_event()) {
    if (e->kind == core::EventKind::reboot) reboot_at_ = t + config_.reboot_delay;
    log_event(*e, t);
    outbox_.push_back({Output::Kind::event, *e});
  }
  // Before the flush: the answer that caused a save leaves once the state is on disk.
  while (auto s = client_.poll_state())
    if (saved_) carry_out(*s);
  flush(t);
  for (coap::PeerId peer : closing_)
    conns_[peer] = Connection{};
}

void Runner::log_event(const core::Event& e, TimePoint t) {
  char due[32];
  switch (e.kind) {
    case core::EventKind::register_attempt_failed: {
      const auto st = status_of(client_, e.ssid, false);
      format_due(due, st ? st->next_due : kNever, t);
      if (st && st->failed_attempts == 0) {
        log("server %u: Register failed: %s; that ends this retry sequence, the next one "
            "starts %s",
            e.ssid, to_string(e.error), due);
      } else {
        log("server %u: Register failed: %s; attempt %u of this retry sequence, next attempt "
            "%s",
            e.ssid, to_string(e.error), st ? st->failed_attempts : 0u, due);
      }
      return;
    }
    case core::EventKind::update_failed: {
      // The recovery from a server restart: say why the client registers again.
      const auto st = status_of(client_, e.ssid, false);
      const bool again = st && (std::strcmp(st->state, "waiting") == 0 ||
                                std::strcmp(st->state, "registering") == 0);
      const char* next = again ? "registering again" : "not registering again (stopping)";
      if (e.error == Errc::not_found) {
        log("server %u: Update rejected 4.04 (the server has no registration for us, e.g. it "
            "restarted): %s",
            e.ssid, next);
      } else {
        log("server %u: Update failed: %s; %s", e.ssid, to_string(e.error), next);
      }
      return;
    }
    case core::EventKind::registration_failed:
      log("registration failed (server %u): %s; that was the last attempt (the Server "
          "object's retry settings, /1/x/17-20, are spent)",
          e.ssid, to_string(e.error));
      return;
    case core::EventKind::bootstrap_failed: {
      const auto st = status_of(client_, 0, true);
      if (e.error == Errc::not_found && !st) {
        log("bootstrap failed: no bootstrap server is configured");
        return;
      }
      const bool retry = st && st->next_due != kNever && std::strcmp(st->state, "failed") != 0;
      format_due(due, retry ? st->next_due : kNever, t);
      if (retry) {
        log("bootstrap failed: %s; next attempt %s", to_string(e.error), due);
      } else {
        log("bootstrap failed: %s; that was the last attempt", to_string(e.error));
      }
      return;
    }
    default:
      break;
  }
  if (e.error != Errc::ok) {
    log("%s (server %u): %s", core::to_string(e.kind), e.ssid, to_string(e.error));
  } else {
    log("%s (server %u)", core::to_string(e.kind), e.ssid);
  }
}

void Runner::check_given_up(TimePoint t) {
  if (stop_requested_ || gave_up_ || restart_at_ != kNever || !client_.gave_up()) return;
  if (config_.keep_trying) {
    restart_at_ = t + config_.keep_trying_delay;
    char due[32];
    format_due(due, restart_at_, t);
    log("no server accepted us and no attempt is left; keep trying: starting over %s", due);
    return;
  }
  log("no server accepted us and no attempt is left: giving up (the client stops)");
  gave_up_ = true;
  stop_deadline_ = t;
  stop_requested_ = true;
  wake();  // the loop acts on the stop at once, not after its next wait
}

bool Runner::check_security(const Connection& c, coap::PeerId peer, std::string_view uri,
                            TimePoint t) {
  const std::optional<PeerSecurity> sec = client_.peer_security(peer);
  if (!sec || c.secure == uses_dtls(sec->mode)) return true;
  if (c.secure) {
    log("server %u: \"%.*s\" is coaps:// but its Security mode is NoSec: give it keys (PSK "
        "identity and key, or certificates) or use coap://",
        c.ssid, static_cast<int>(uri.size()), uri.data());
  } else {
    log("server %u: its Security mode needs DTLS but \"%.*s\" is coap://: refusing to send "
        "in clear; use coaps://",
        c.ssid, static_cast<int>(uri.size()), uri.data());
  }
  client_.peer_failed(peer, Errc::invalid_argument, t);
  return false;
}

void Runner::on_request_served(uint16_t ssid, const coap::Message& request,
                               coap::Code result) noexcept {
  if (log_detail_ != LogDetail::requests) return;  // formatting is most of a line's cost
  // A fixed buffer: no allocation per request, and GCC 12 reports a false -Wrestrict on
  // std::string assignment here in release builds.
  char path[128];
  size_t len = 0;
  for (const coap::Option& o : request.options())
    if (o.number == static_cast<uint16_t>(coap::OptionNumber::uri_path)) {
      const auto seg = o.string();
      const int n = std::snprintf(path + len, sizeof path - len, "/%.*s",
                                  static_cast<int>(seg.size()), seg.data());
      if (n < 0) break;
      len = std::min(sizeof path - 1, len + static_cast<size_t>(n));
    }
  if (len == 0) std::snprintf(path, sizeof path, "/");
  log("served %s %s from server %u: %u.%02u", method_name(request.code), path, ssid, result.cls(),
      result.detail());
}

}  // namespace lwm2m::posix
