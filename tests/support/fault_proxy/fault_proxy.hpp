// SPDX-License-Identifier: Apache-2.0
// A UDP proxy for tests that puts a lossy, misbehaving network between one client and one
// server on loopback: the client sends to port(), the proxy forwards to the server from a
// socket of its own and sends the answers back to the client's last address. Faults come
// from a seeded FaultModel per direction; change_address() moves the proxy's server-facing
// side to a new source port mid-session, which is what a NAT rebinding looks like to the
// server (late answers to the old port are lost, as behind a real NAT).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fault_model.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::test {

struct DirectionStats {
  uint64_t received = 0;  ///< datagrams that reached the proxy
  uint64_t sent = 0;      ///< datagrams it sent on (duplicates count twice)
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
  uint64_t reordered = 0;
  uint64_t corrupted = 0;
};

struct ProxyStats {
  DirectionStats to_server;
  DirectionStats to_client;
  uint32_t address_changes = 0;
};

class FaultProxy {
 public:
  /// Listens on an ephemeral loopback port and starts forwarding at once.
  FaultProxy(const posix::SocketAddress& server, FaultModel model);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// Where the client sends (127.0.0.1).
  uint16_t port() const noexcept { return client_side_.local_port(); }
  /// The source port the server sees now.
  uint16_t server_side_port() const;
  /// NAT rebinding: a new server-facing socket (new source port); returns once in effect.
  void change_address();
  void set_rates(Direction d, const FaultRates& rates);
  ProxyStats stats() const;

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    Direction dir;
    std::vector<uint8_t> bytes;
  };
  struct Held {
    std::chrono::steady_clock::time_point since;
    std::vector<uint8_t> bytes;
    int copies = 1;
  };

  void run();
  void receive(posix::UdpSocket& sock, Direction dir);
  void handle(Direction dir, std::vector<uint8_t> bytes);
  void forward(Direction dir, const std::vector<uint8_t>& bytes, int copies);
  void release_due(std::chrono::steady_clock::time_point now);
  DirectionStats& stats_of(Direction d) {
    return d == Direction::to_server ? stats_.to_server : stats_.to_client;
  }

  posix::SocketAddress server_;
  posix::SocketAddress client_;
  posix::UdpSocket client_side_;
  posix::UdpSocket server_side_;
  FaultModel model_;
  std::vector<Pending> pending_;
  std::optional<Held> held_[2];
  ProxyStats stats_;
  mutable std::mutex mutex_;
  std::condition_variable rebound_;
  bool rebind_requested_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace lwm2m::test
