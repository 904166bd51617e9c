// SPDX-License-Identifier: Apache-2.0
#include "fault_proxy.hpp"

#include <poll.h>

#include <algorithm>
#include <stdexcept>

namespace lwm2m::test {
namespace {

using Clock = std::chrono::steady_clock;
// A datagram held back for reordering goes anyway after this long without a successor.
constexpr auto kMaxHold = std::chrono::milliseconds(100);

size_t slot(Direction d) {
  return d == Direction::to_server ? 0 : 1;
}

posix::UdpSocket open_loopback_side() {
  auto s = posix::UdpSocket::open(0, /*ipv4_only=*/true);
  if (!s) throw std::runtime_error("fault proxy: cannot open a UDP socket");
  return std::move(*s);
}

}  // namespace

FaultProxy::FaultProxy(const posix::SocketAddress& server, FaultModel model)
    : server_(server),
      client_side_(open_loopback_side()),
      server_side_(open_loopback_side()),
      model_(model) {
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  thread_.join();
}

uint16_t FaultProxy::server_side_port() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return server_side_.local_port();
}

void FaultProxy::change_address() {
  std::unique_lock<std::mutex> lock(mutex_);
  rebind_requested_ = true;
  rebound_.wait(lock, [this] { return !rebind_requested_; });
}

void FaultProxy::set_rates(Direction d, const FaultRates& rates) {
  std::lock_guard<std::mutex> lock(mutex_);
  model_.set_rates(d, rates);
}

ProxyStats FaultProxy::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void FaultProxy::run() {
  while (!stop_) {
    auto wait = std::chrono::milliseconds(20);  // bounds how long stop and rebind wait
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto now = Clock::now();
      for (const Pending& p : pending_)
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(
                                  std::max(p.due - now, Clock::duration{0})));
    }
    pollfd fds[2] = {{client_side_.fd(), POLLIN, 0}, {server_side_.fd(), POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(wait.count()));
    std::lock_guard<std::mutex> lock(mutex_);
    if (n > 0 && (fds[0].revents & POLLIN)) receive(client_side_, Direction::to_server);
    if (n > 0 && (fds[1].revents & POLLIN)) receive(server_side_, Direction::to_client);
    release_due(Clock::now());
    if (rebind_requested_) {
      server_side_ = open_loopback_side();  // the old port closes: late answers are lost
      ++stats_.address_changes;
      rebind_requested_ = false;
      rebound_.notify_all();
    }
  }
}

void FaultProxy::receive(posix::UdpSocket& sock, Direction dir) {
  std::vector<uint8_t> buf(65536);
  for (;;) {
    posix::SocketAddress from;
    auto got = sock.receive_from({buf.data(), buf.size()}, from, Duration{0});
    if (!got) return;
    if (dir == Direction::to_server) {
      client_ = from;  // answers go to wherever the client last sent from
    } else if (!(from == server_)) {
      continue;  // not our server
    }
    handle(dir, std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(*got)));
  }
}

void FaultProxy::handle(Direction dir, std::vector<uint8_t> bytes) {
  DirectionStats& st = stats_of(dir);
  ++st.received;
  const Verdict v = model_.decide(dir, bytes.size());
  if (v.drop) {
    ++st.dropped;
    return;
  }
  if (v.corrupt) {
    ++st.corrupted;
    FaultModel::corrupt(v, bytes.data(), bytes.size());
  }
  if (v.copies > 1) ++st.duplicated;
  if (v.delay.count() > 0) {
    ++st.delayed;
    for (int i = 0; i < v.copies; ++i)
      pending_.push_back({Clock::now() + v.delay, dir, bytes});
    return;
  }
  std::optional<Held>& held = held_[slot(dir)];
  if (v.reorder && !held) {
    ++st.reordered;
    held = Held{Clock::now(), std::move(bytes), v.copies};
    return;
  }
  forward(dir, bytes, v.copies);
  if (held) {  // the one held back goes after its successor
    forward(dir, held->bytes, held->copies);
    held.reset();
  }
}

void FaultProxy::forward(Direction dir, const std::vector<uint8_t>& bytes, int copies) {
  for (int i = 0; i < copies; ++i) {
    if (dir == Direction::to_server) {
      (void)server_side_.send_to(server_, {bytes.data(), bytes.size()});
    } else if (client_.valid()) {
      (void)client_side_.send_to(client_, {bytes.data(), bytes.size()});
    }
    ++stats_of(dir).sent;
  }
}

void FaultProxy::release_due(Clock::time_point now) {
  for (size_t i = 0; i < pending_.size();) {
    if (pending_[i].due <= now) {
      forward(pending_[i].dir, pending_[i].bytes, 1);
      pending_.erase(pending_.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  for (std::optional<Held>& held : held_)
    if (held && now - held->since >= kMaxHold) {
      forward(&held == &held_[0] ? Direction::to_server : Direction::to_client, held->bytes,
              held->copies);
      held.reset();
    }
}

}  // namespace lwm2m::test
