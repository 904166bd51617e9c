// SPDX-License-Identifier: Apache-2.0
#include "support/udp_driver.hpp"

#include <algorithm>
#include <cstdio>

namespace lwm2m::interop {

TimePoint steady_now() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  return from_millis(ms.count());
}

UdpDriver::UdpDriver(coap::Engine& engine, posix::UdpSocket socket)
    : engine_(engine), socket_(std::move(socket)), rx_(65536) {}

coap::PeerId UdpDriver::peer(const posix::SocketAddress& address) {
  for (size_t i = 0; i < peers_.size(); ++i)
    if (peers_[i] == address) return static_cast<coap::PeerId>(i);
  peers_.push_back(address);
  return static_cast<coap::PeerId>(peers_.size() - 1);
}

void UdpDriver::flush() {
  while (auto d = engine_.poll_transmit()) {
    captured_.push_back(Captured{Captured::Dir::out, steady_now(), d->peer,
                                 std::vector<uint8_t>(d->bytes.begin(), d->bytes.end())});
    if (drop_outgoing && drop_outgoing(captured_.back())) {
      captured_.back().dropped = true;
      continue;
    }
    // A send failure is a lost datagram, which CoAP's retransmission covers.
    (void)socket_.send_to(peers_.at(d->peer), d->bytes);
  }
}

bool UdpDriver::run_until(const std::function<bool()>& done, Duration timeout) {
  const TimePoint end = steady_now() + timeout;
  for (;;) {
    TimePoint now = steady_now();
    if (engine_.next_deadline() <= now) engine_.handle_timeout(now);
    if (on_tick) on_tick(now);
    flush();
    if (done()) return true;
    if (now >= end) return false;
    // Sleep until the engine's next deadline, the next tick or the next datagram.
    TimePoint wake = std::min({engine_.next_deadline(), now + kMaxSleep, end});
    posix::SocketAddress from;
    auto n = socket_.receive_from(rx_, from, wake > now ? wake - now : Duration{0});
    if (!n.ok()) continue;  // timeout (or a datagram too large for CoAP over UDP)
    const coap::PeerId p = peer(from);
    now = steady_now();
    captured_.push_back(
        Captured{Captured::Dir::in, now, p, std::vector<uint8_t>(rx_.begin(), rx_.begin() + *n)});
    engine_.handle_datagram(p, {rx_.data(), *n}, now);
    flush();
  }
}

std::string describe(const std::vector<uint8_t>& bytes) {
  coap::Message m;
  coap::ParseError err = coap::parse({bytes.data(), bytes.size()}, m);
  char line[256];
  if (err != coap::ParseError::none) {
    std::snprintf(line, sizeof(line), "malformed (%s), %zu bytes", coap::to_string(err),
                  bytes.size());
    return line;
  }
  static const char* types[] = {"CON", "NON", "ACK", "RST"};
  std::snprintf(line, sizeof(line), "%s %u.%02u mid=%u tkl=%u", types[static_cast<int>(m.type)],
                m.code.cls(), m.code.detail(), m.message_id, m.token.length);
  std::string s = line;
  for (const coap::Option& o : m.options()) {
    auto n = static_cast<coap::OptionNumber>(o.number);
    if (n == coap::OptionNumber::uri_path) {
      s += " /" + std::string(o.string());
    } else if (n == coap::OptionNumber::block1 || n == coap::OptionNumber::block2) {
      auto b = coap::BlockOption::decode(o.uint_value());
      std::snprintf(line, sizeof(line), " Block%c:%u/%d/%u",
                    n == coap::OptionNumber::block1 ? '1' : '2', b ? b->num : 0u,
                    b && b->more ? 1 : 0, b ? b->size() : 0u);
      s += line;
    } else {
      std::snprintf(line, sizeof(line), " opt%u(%u)=%u", o.number, o.length, o.uint_value());
      s += line;
    }
  }
  if (!m.payload.empty()) s += " payload " + std::to_string(m.payload.size()) + "B";
  return s;
}

std::string UdpDriver::trace() const {
  std::string out;
  const TimePoint t0 = captured_.empty() ? TimePoint{} : captured_.front().at;
  for (const Captured& c : captured_) {
    char addr[posix::SocketAddress::kMaxText];
    size_t n = peers_.at(c.peer).format(addr);
    out += "  +" + std::to_string((c.at - t0).count()) + "ms ";
    out += c.dir == Captured::Dir::out ? "-> " : "<- ";
    out += std::string(addr, n) + " " + describe(c.bytes) + (c.dropped ? " (dropped)" : "") + "\n";
  }
  return out;
}

}  // namespace lwm2m::interop
