// SPDX-License-Identifier: Apache-2.0
#include "fleet.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "lwm2m/uri.hpp"

namespace lwm2m::fleet {
namespace {

constexpr uint32_t kSignalKey = 0xFFFFFFFF;
constexpr size_t kFailuresLogged = 5;  // then only counted: a dead server would flood the log
// Open files besides the sockets: stdio, epoll, signalfd, the resolver's.
constexpr rlim_t kOtherFiles = 32;

int64_t ms(TimePoint t) {
  return to_millis(t);
}

size_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

core::ClientConfig device_config() noexcept {
  core::ClientConfig c;
  c.max_servers = 1;
  c.max_observations = 2;
  c.max_attributes = 1;
  c.uplink_buffer = 128;
  c.scratch = 64;
  c.stored_notifications = 1;
  c.stored_bytes = 32;
  c.max_events = 4;  // drained after every input
  c.coap.max_message_size = 192;
  c.coap.block_size = 128;
  c.coap.exchanges = 1;
  c.coap.dedup_entries = 1;
  c.coap.observations = 2;
  c.coap.deferred = 0;  // the client answers every request at once, never separately
  c.coap.block1_buffer = 0;
  c.coap.empty_messages = 1;  // the fleet sends after every input
  return c;
}

Device::Device(const Shared& shared, std::string_view endpoint, const core::ClientConfig& config,
               Random& rng) noexcept
    : model(shared, endpoint), client(config, model.registry, rng) {}

Devices::~Devices() {
  for (size_t i = size_; i-- > 0;)
    slot(i)->~Device();
  for (Device* block : blocks_)
    std::allocator<Device>().deallocate(block, kBlock);
}

size_t response_store_bytes(size_t clients) noexcept {
  return std::max(kResponseStoreMin, clients * kResponseBytesPerClient);
}

size_t shared_messages(size_t clients, double rate) noexcept {
  if (rate <= 0) return clients;
  return std::min(clients, std::max(kMessagesMin, static_cast<size_t>(std::ceil(rate))));
}

Fleet::Fleet(const Options& options)
    : opt_(options),
      slice_(shard_slice(options.count, options.shard_index, options.shard_count)),
      config_(device_config()),
      workspace_(config_, response_store_bytes(slice_.size()),
                 shared_messages(slice_.size(), options.rate)),
      rng_(static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {
  shared_.server_uri = opt_.server;
  shared_.lifetime_s = opt_.lifetime;
  if (opt_.dtls()) shared_.security_mode = 0;  // PSK
  config_.workspace = &workspace_;
  tty_ = isatty(STDERR_FILENO) == 1;
}

// ---- set-up ----

bool Fleet::prepare() {
  auto uri = parse_server_uri(opt_.server);
  if (!uri) return false;  // parse_options checked it
  if (opt_.dtls() && !dtls_available()) {
    std::fprintf(stderr,
                 "lwm2m-fleet: --psk-key: this build has no DTLS (mbedTLS was not found): "
                 "install libmbedtls-dev and rebuild, or run without --psk-key against a "
                 "coap:// server\n");
    return false;
  }
  posix::SocketAddress found[4];
  auto n = posix::resolve(uri->host, uri->port, found);
  if (!n || *n == 0) {
    std::fprintf(stderr,
                 "lwm2m-fleet: --server %s: cannot resolve \"%.*s\"; give a host name that "
                 "resolves or an IP address\n",
                 opt_.server.c_str(), static_cast<int>(uri->host.size()), uri->host.data());
    return false;
  }
  server_ = found[0];

  // One socket per client: raise the open-file limit as far as needed, or say how far.
  const rlim_t need = static_cast<rlim_t>(slice_.size()) + kOtherFiles;
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < need) {
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < need) {
      const size_t can = lim.rlim_max > kOtherFiles ? lim.rlim_max - kOtherFiles : 0;
      std::fprintf(stderr,
                   "lwm2m-fleet: %zu clients need %llu open files (one UDP socket each), but "
                   "the hard limit (ulimit -Hn) is %llu, so this process can run %zu clients. "
                   "Raise the hard limit (as root: ulimit -Hn %llu, or nofile in "
                   "/etc/security/limits.conf or LimitNOFILE= for a service), or split the "
                   "fleet over processes with --shard I/N (N >= %zu).\n",
                   slice_.size(), static_cast<unsigned long long>(need),
                   static_cast<unsigned long long>(lim.rlim_max), can,
                   static_cast<unsigned long long>(need),
                   can ? (slice_.size() * opt_.shard_count + can - 1) / can : 0);
      return false;
    }
    lim.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
      std::fprintf(stderr, "lwm2m-fleet: cannot raise the open-file limit to %llu: %s\n",
                   static_cast<unsigned long long>(need), std::strerror(errno));
      return false;
    }
  }

  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signals_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = kSignalKey;
  if (epoll_ < 0 || signals_ < 0 || epoll_ctl(epoll_, EPOLL_CTL_ADD, signals_, &ev) != 0) {
    std::fprintf(stderr, "lwm2m-fleet: cannot set up the event loop: %s\n", std::strerror(errno));
    return false;
  }
  if (!workspace_.valid()) {
    std::fprintf(stderr, "lwm2m-fleet: out of memory for the shared client workspace\n");
    return false;
  }
  return true;
}

void Fleet::create_devices() {
  // The names first, in one buffer that never moves: the clients keep views of them. The
  // clients themselves are made as they start, so memory grows with the clients running.
  size_t bytes = 0;
  for (size_t i = slice_.first; i < slice_.end; ++i)
    bytes += opt_.prefix.size() + 1 + std::to_string(i).size();
  names_.reserve(bytes);
  for (size_t i = slice_.first; i < slice_.end; ++i)
    names_ += opt_.prefix + "-" + std::to_string(i);
}

Device& Fleet::make_device(size_t k) {
  const size_t number = slice_.first + k;
  // Names are back to back in numbering order: this one starts after all before it.
  size_t at = 0;
  if (k > 0) at = name_end_;
  const size_t len = opt_.prefix.size() + 1 + std::to_string(number).size();
  name_end_ = at + len;
  const std::string_view name(names_.data() + at, len);
  core::ClientConfig c = config_;
  c.endpoint = name;
  Device& d = devices_.emplace_back(shared_, name, c, rng_);
  d.client.set_monitor(&served_);
  if (opt_.dtls()) {
    // The PSK identity is the endpoint name; parse_options bounded both to what fits.
    SecureLink& link = links_.emplace_back();
    if (!link.set_psk(name, {opt_.psk_key.data(), opt_.psk_key.size()}).ok()) d.model.ok = false;
  }
  return d;
}

// ---- pacing ----

// When the k-th paced action (registration or de-registration) is due.
static TimePoint paced(TimePoint origin, size_t k, double rate) {
  if (rate <= 0) return origin;
  return origin +
         Duration{static_cast<int64_t>(std::floor(static_cast<double>(k) * 1000.0 / rate))};
}

// A paced registration or de-registration waits while every shared exchange buffer is
// taken (the server answers slower than the pace) rather than fail for want of one.
bool Fleet::buffers_exhausted() const {
  const coap::MessagePool* pool = workspace_.messages();
  return pool && pool->available() == 0;
}

void Fleet::start_due(TimePoint now) {
  while (!stopping_ && next_start_ < slice_.size() &&
         paced(start_origin_, next_start_, opt_.rate) <= now && !buffers_exhausted()) {
    const uint32_t index = static_cast<uint32_t>(next_start_++);
    Device& d = make_device(index);
    if (!d.model.ok || !d.client.valid()) {
      ++failed_;
      if (failed_ <= kFailuresLogged)
        std::fprintf(stderr,
                     "lwm2m-fleet: %s-%zu: the client could not be set up (out of memory)\n",
                     opt_.prefix.c_str(), slice_.first + index);
      continue;
    }
    auto s = posix::UdpSocket::open(0, server_.family() == AF_INET);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = index;
    if (!s || epoll_ctl(epoll_, EPOLL_CTL_ADD, s->fd(), &ev) != 0) {
      ++failed_;
      ++socket_failures_;
      if (socket_failures_ <= kFailuresLogged)
        std::fprintf(stderr,
                     "lwm2m-fleet: %s-%zu: cannot open its UDP socket (%s); it is left out\n",
                     opt_.prefix.c_str(), slice_.first + index, std::strerror(errno));
      continue;
    }
    d.socket = std::move(*s);
    d.started = true;
    (void)d.client.start(now);
    flush(index, now);
  }
}

void Fleet::begin_stop(TimePoint now) {
  if (stopping_) return;
  stopping_ = true;
  stop_origin_ = now;
  // Enough for the paced De-registers and their retransmissions (93 s at most each).
  const size_t started = next_start_;
  stop_deadline_ =
      paced(now, started, opt_.rate) + config_.coap.tx.max_transmit_wait() + Duration{1000};
  std::fprintf(
      stderr, "%slwm2m-fleet: de-registering %zu clients%s (Ctrl-C again to exit at once)\n",
      tty_ ? "\n" : "", registered_,
      opt_.rate > 0 ? (" at " + std::to_string(static_cast<long long>(opt_.rate)) + "/s").c_str()
                    : "");
}

void Fleet::stop_due(TimePoint now) {
  while (stopping_ && next_stop_ < next_start_ &&
         paced(stop_origin_, next_stop_, opt_.rate) <= now && !buffers_exhausted()) {
    const uint32_t index = static_cast<uint32_t>(next_stop_++);
    Device& d = devices_[index];
    if (!d.started) continue;
    d.stop_requested = true;
    d.client.stop(now);
    flush(index, now);
  }
}

bool Fleet::all_stopped() const {
  if (next_stop_ < next_start_) return false;
  for (size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].started && !devices_[i].client.stopped()) return false;
  return true;
}

// ---- inputs ----

void Fleet::fire_timers(TimePoint now) {
  while (!timers_.empty() && timers_.top().first <= ms(now)) {
    const auto [due, index] = timers_.top();
    timers_.pop();
    Device& d = devices_[index];
    if (ms(d.due) != due) continue;  // superseded by a later deadline
    d.due = kNever;
    if (opt_.dtls()) secure_timeout(index, now);
    d.client.handle_timeout(now);
    flush(index, now);
  }
}

void Fleet::change_values(TimePoint now) {
  // Every client's temperature changes once per period, spread evenly over the period.
  if (slice_.size() == 0) return;
  const int64_t period = int64_t{opt_.change_period} * 1000;
  const auto target = static_cast<size_t>((ms(now) - ms(change_origin_)) *
                                          static_cast<int64_t>(slice_.size()) / period);
  while (changes_ < target) {
    const uint32_t index = static_cast<uint32_t>(changes_++ % slice_.size());
    if (index >= devices_.size() || !devices_[index].registered) continue;
    Device& d = devices_[index];
    // A slow wave around 20 °C, different for every device.
    const double t = static_cast<double>(changes_ / slice_.size()) + index * 0.37;
    d.model.temperature.set_value(20.0 + 5.0 * std::sin(t / 6.0));
    flush(index, now);
  }
}

void Fleet::receive(uint32_t index, TimePoint now) {
  Device& d = devices_[index];
  uint8_t buf[2048];
  for (;;) {
    posix::SocketAddress from;
    auto n = d.socket.receive_from(buf, from, Duration{0});
    if (!n) {
      if (n.status().error() == Errc::buffer_too_small) continue;  // dropped: far too large
      break;
    }
    if (!(from == server_)) continue;  // not our server: ignored
    if (opt_.dtls())
      receive_secure(index, {buf, *n}, now);
    else
      d.client.handle_datagram(d.peer, {buf, *n}, now);
    // After every datagram: the client's transmit and event queues are sized for one
    // input's output (device_config()).
    flush(index, now);
  }
}

// ---- outputs: after every input ----

void Fleet::flush(uint32_t index, TimePoint now) {
  Device& d = devices_[index];
  bool closing = false;
  while (auto l = d.client.poll_link()) {
    // One server, one socket: nothing to open or close, only the peer's name to learn, and
    // with DTLS a session to start afresh, or to end once the last datagrams are out.
    const bool connect = l->kind == core::LinkCommand::Kind::connect;
    if (connect) d.peer = l->peer;
    if (opt_.dtls() && connect) (void)open_session(index, now);
    closing = !connect;
  }
  while (auto t = d.client.poll_transmit()) {
    if (opt_.dtls())
      send_secure(index, t->bytes, now);
    else
      (void)d.socket.send_to(server_, t->bytes);
  }
  if (opt_.dtls() && closing) {
    drop_session(index);
    links_[index].held().clear();
  }
  while (auto e = d.client.poll_event()) {
    switch (e->kind) {
      case core::EventKind::registered:
        if (!d.registered) ++registered_;
        if (!d.ever_registered) ++ever_registered_;
        d.registered = d.ever_registered = true;
        if (opt_.report_memory) note_memory();
        break;
      case core::EventKind::deregistered:
        if (d.registered) {
          --registered_;
          ++deregistered_;
        }
        d.registered = false;
        break;
      case core::EventKind::update_failed:
        // The server no longer knows the client (4.04, or no answer): not registered until
        // the Register that follows succeeds.
        if (d.registered) --registered_;
        d.registered = false;
        break;
      case core::EventKind::register_attempt_failed:
        if (++attempt_failures_ <= kFailuresLogged)
          std::fprintf(stderr,
                       "%slwm2m-fleet: %s-%zu: a Register failed (%s); it tries again as its "
                       "Server object's retry timers say\n",
                       tty_ ? "\n" : "", opt_.prefix.c_str(), slice_.first + index,
                       to_string(e->error));
        break;
      case core::EventKind::registration_failed:
        if (d.registered) --registered_;
        d.registered = false;
        if (++failed_ <= kFailuresLogged)
          std::fprintf(stderr,
                       "%slwm2m-fleet: %s-%zu: registration failed (%s) after every retry; it "
                       "stays unregistered\n",
                       tty_ ? "\n" : "", opt_.prefix.c_str(), slice_.first + index,
                       to_string(e->error));
        break;
      default:
        break;
    }
  }
  while (d.client.poll_state()) {
    // Nothing is saved: a fleet device starts from its factory configuration every time.
  }
  TimePoint due = d.client.next_deadline();
  if (opt_.dtls()) due = std::min(due, session_deadline(index));
  if (due != d.due) {
    d.due = due;
    if (due != kNever) timers_.emplace(ms(due), index);
  }
}

// ---- reporting ----

void Fleet::note_memory() {
  // Resident memory when a tenth of the clients are registered and when all are: the
  // growth between the two, per client made in between, is what one more client costs.
  const size_t low = std::max<size_t>(1, slice_.size() / 10);
  if (memory_low_count_ == 0 && registered_ >= low) {
    memory_low_count_ = devices_.size();
    memory_low_rss_ = resident_bytes();
  }
  if (registered_ == slice_.size()) {
    memory_high_count_ = devices_.size();
    memory_high_rss_ = resident_bytes();
  }
}

void Fleet::progress(TimePoint now, bool final) {
  const int64_t elapsed = ms(now) - ms(last_progress_);
  if (!final && elapsed < 1000) return;
  const uint64_t served = served_.served - served_at_last_progress_;
  const double per_s =
      elapsed > 0 ? static_cast<double>(served) * 1000.0 / static_cast<double>(elapsed) : 0;
  std::fprintf(stderr, "%sregistered %zu/%zu, %.0f requests/s served, %zu failures%s%s%s",
               tty_ ? "\r" : "", registered_, slice_.size(), per_s, failed_ + attempt_failures_,
               dtls_progress().c_str(), stopping_ ? ", de-registering" : "", tty_ ? "   " : "\n");
  std::fflush(stderr);
  served_at_last_progress_ = served_.served;
  last_progress_ = now;
}

int Fleet::summary(TimePoint now) {
  if (tty_) std::fputc('\n', stderr);
  const double seconds = static_cast<double>(ms(now)) / 1000.0;
  std::fprintf(stderr,
               "lwm2m-fleet: %zu clients (%s-%zu ... %s-%zu): %zu registered, %zu de-registered, "
               "%zu still registered, %zu failed, %zu failed Register attempts, %" PRIu64
               " requests served in %.1f s\n",
               slice_.size(), opt_.prefix.c_str(), slice_.first, opt_.prefix.c_str(),
               slice_.end - 1, ever_registered_, deregistered_, registered_, failed_,
               attempt_failures_, served_.served, seconds);
  if (opt_.report_memory) {
    if (memory_high_count_ > memory_low_count_ && memory_low_count_ > 0) {
      const double per = static_cast<double>(memory_high_rss_ - memory_low_rss_) /
                         static_cast<double>(memory_high_count_ - memory_low_count_);
      std::fprintf(stderr,
                   "lwm2m-fleet: memory: resident %zu kB with %zu clients, %zu kB with %zu: "
                   "%.0f bytes per client\n",
                   memory_low_rss_ / 1024, memory_low_count_, memory_high_rss_ / 1024,
                   memory_high_count_, per);
    } else {
      std::fprintf(stderr,
                   "lwm2m-fleet: memory: not measured (it needs every client registered, and "
                   "clients started gradually: at least 20 of them and a --rate)\n");
    }
  }
  const bool ok = failed_ == 0 && ever_registered_ == slice_.size() &&
                  deregistered_ == ever_registered_ && registered_ == 0;
  return ok ? 0 : 1;
}

// ---- the loop ----

TimePoint Fleet::next_wake(TimePoint now) const {
  TimePoint t = last_progress_ + Duration{1000};
  if (!timers_.empty()) t = std::min(t, from_millis(timers_.top().first));
  // Waiting for a free buffer: look again in a millisecond (an answer frees one).
  const TimePoint retry = buffers_exhausted() ? now + Duration{1} : now;
  if (!stopping_ && next_start_ < slice_.size())
    t = std::min(t, std::max(retry, paced(start_origin_, next_start_, opt_.rate)));
  if (stopping_ && next_stop_ < next_start_)
    t = std::min(t, std::max(retry, paced(stop_origin_, next_stop_, opt_.rate)));
  if (!devices_.empty()) {
    const int64_t step = std::max<int64_t>(
        1, int64_t{opt_.change_period} * 1000 / static_cast<int64_t>(slice_.size()));
    t = std::min(t, now + Duration{step});
  }
  return std::max(t, now);
}

int Fleet::run() {
  if (!prepare()) return 2;
  origin_ = std::chrono::steady_clock::now();
  const auto clock = [&] {
    return from_millis(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - origin_)
                           .count());
  };
  create_devices();
  std::fprintf(
      stderr, "lwm2m-fleet: %zu clients %s-%zu ... %s-%zu (shard %zu/%zu of %zu) -> %s, %s\n",
      slice_.size(), opt_.prefix.c_str(), slice_.first, opt_.prefix.c_str(), slice_.end - 1,
      opt_.shard_index, opt_.shard_count, opt_.count, opt_.server.c_str(),
      opt_.rate > 0
          ? (std::to_string(static_cast<long long>(opt_.rate)) + " registrations/s").c_str()
          : "registrations unpaced");
  TimePoint now = clock();
  start_origin_ = change_origin_ = last_progress_ = now;
  epoll_event events[256];
  for (;;) {
    now = clock();
    start_due(now);
    stop_due(now);
    fire_timers(now);
    change_values(now);
    progress(now, false);
    if (stopping_ && (all_stopped() || now >= stop_deadline_)) break;
    if (opt_.dtls() && refused_ == slice_.size() && ever_registered_ == 0) {
      std::fprintf(stderr,
                   "%slwm2m-fleet: the server refused every client's DTLS handshake: give "
                   "--psk-key the key the server holds for identities %s-%zu ... %s-%zu, and "
                   "make the server accept those identities (lwm2m-server: "
                   "--psk-identity-prefix %s- --psk-key HEX)\n",
                   tty_ ? "\n" : "", opt_.prefix.c_str(), slice_.first, opt_.prefix.c_str(),
                   slice_.end - 1, opt_.prefix.c_str());
      break;
    }
    const int64_t wait = ms(next_wake(now)) - ms(now);
    const int n = epoll_wait(epoll_, events, 256, static_cast<int>(std::min<int64_t>(wait, 1000)));
    now = clock();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u32 == kSignalKey) {
        signalfd_siginfo si;
        while (read(signals_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
          if (stopping_) {
            std::fprintf(stderr, "\nlwm2m-fleet: exiting without waiting for the De-registers\n");
            return summary(now);
          }
          begin_stop(now);
        }
        continue;
      }
      receive(events[i].data.u32, now);
    }
  }
  progress(now, true);
  return summary(now);
}

}  // namespace lwm2m::fleet
