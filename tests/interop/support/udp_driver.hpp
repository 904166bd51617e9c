// SPDX-License-Identifier: Apache-2.0
// Runs a sans-I/O coap::Engine over a real UDP socket with the steady clock: what a
// production driver does, reduced to one thread and a loop that a test bounds in time.
// Every datagram in both directions is captured, so tests can assert on what our endpoint
// actually put on the wire and what it was sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::interop {

/// Converts the steady clock into the engine's TimePoint (milliseconds).
TimePoint steady_now();

struct Captured {
  enum class Dir : uint8_t { in, out };
  Dir dir;
  TimePoint at;
  coap::PeerId peer;
  std::vector<uint8_t> bytes;
  bool dropped = false;  ///< outgoing, discarded by UdpDriver::drop_outgoing
};

class UdpDriver {
 public:
  /// `socket` is opened by the caller (UdpSocket::open(0) gives an ephemeral port).
  UdpDriver(coap::Engine& engine, posix::UdpSocket socket);

  uint16_t local_port() const { return socket_.local_port(); }
  /// The engine's name for an address (registered on first use).
  coap::PeerId peer(const posix::SocketAddress& address);
  const posix::SocketAddress& address(coap::PeerId peer) const { return peers_.at(peer); }

  /// Called once per loop iteration with the current time (e.g. to change a resource and
  /// notify its observers). The loop wakes at least every kMaxSleep to call it.
  std::function<void(TimePoint)> on_tick;
  static constexpr Duration kMaxSleep{10};
  /// Loss injection: an outgoing datagram for which this returns true is not sent (it is
  /// still captured, marked dropped).
  std::function<bool(const Captured&)> drop_outgoing;

  /// Runs the engine until `done()` is true or `timeout` passes; returns done().
  bool run_until(const std::function<bool()>& done, Duration timeout);
  /// Runs the engine for `d`, whatever happens.
  void run_for(Duration d) {
    run_until([] { return false; }, d);
  }

  const std::vector<Captured>& captured() const { return captured_; }
  /// One line per captured datagram ("-> 127.0.0.1:5683 CON GET mid=..."), for failure
  /// messages.
  std::string trace() const;

 private:
  void flush();

  coap::Engine& engine_;
  posix::UdpSocket socket_;
  std::vector<posix::SocketAddress> peers_;
  std::vector<Captured> captured_;
  std::vector<uint8_t> rx_;
};

/// Human-readable one-line summary of a CoAP datagram.
std::string describe(const std::vector<uint8_t>& bytes);

}  // namespace lwm2m::interop
