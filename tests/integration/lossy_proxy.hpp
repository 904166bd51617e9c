// SPDX-License-Identifier: Apache-2.0
// A UDP relay for tests that drops datagrams at random (seeded): one client on one side,
// one server on the other, each direction losing `loss` of its datagrams. The client talks
// to the proxy's port as if it were the server's.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <thread>

namespace lwm2m::itest {

class LossyProxy {
 public:
  LossyProxy(uint16_t server_port, double loss, uint32_t seed)
      : loss_(loss), rng_(seed), drop_(loss) {
    front_ = bound_socket(0);
    back_ = bound_socket(0);
    server_ = loopback(server_port);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(front_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~LossyProxy() {
    stop_ = true;
    thread_.join();
    ::close(front_);
    ::close(back_);
  }
  LossyProxy(const LossyProxy&) = delete;
  LossyProxy& operator=(const LossyProxy&) = delete;

  uint16_t port() const { return port_; }
  uint32_t dropped() const { return dropped_; }
  uint32_t relayed() const { return relayed_; }

 private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  static int bound_socket(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = loopback(port);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("LossyProxy: cannot bind a loopback socket");
    return fd;
  }
  void run() {
    uint8_t buf[65536];
    while (!stop_) {
      pollfd fds[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
      if (::poll(fds, 2, 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {  // client -> server
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n =
            ::recvfrom(front_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          client_ = from;
          have_client_ = true;
          relay(back_, buf, static_cast<size_t>(n), server_);
        }
      }
      if (fds[1].revents & POLLIN) {  // server -> client
        ssize_t n = ::recv(back_, buf, sizeof buf, 0);
        if (n > 0 && have_client_) relay(front_, buf, static_cast<size_t>(n), client_);
      }
    }
  }
  void relay(int fd, const uint8_t* data, size_t n, const sockaddr_in& to) {
    if (drop_(rng_)) {
      ++dropped_;
      return;
    }
    ++relayed_;
    ::sendto(fd, data, n, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

  double loss_;
  std::mt19937 rng_;
  std::bernoulli_distribution drop_;
  int front_ = -1, back_ = -1;
  uint16_t port_ = 0;
  sockaddr_in server_{}, client_{};
  bool have_client_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> dropped_{0}, relayed_{0};
  std::thread thread_;
};

}  // namespace lwm2m::itest
