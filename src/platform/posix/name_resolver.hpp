// SPDX-License-Identifier: Apache-2.0
// Host names resolved on a thread of their own, so that a slow DNS answer blocks neither
// the runner thread nor the application threads waiting for the runner's lock. The runner
// asks with a ticket and goes on; the answer comes back through poll() with that ticket
// (the runner drops it when the connection was closed or reopened meanwhile).
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lwm2m/platform/runner.hpp"

namespace lwm2m::posix {

class NameResolver {
 public:
  struct Answer {
    coap::PeerId peer = 0;
    uint32_t ticket = 0;
    std::string host;
    Errc error = Errc::ok;
    size_t count = 0;  ///< addresses found (0 with an error)
    std::array<SocketAddress, 4> addresses;
  };

  /// `answered` is called on the resolver thread after each answer (it wakes the runner).
  NameResolver(Resolver resolve, std::function<void()> answered);
  /// Waits for the resolution in progress, if any (a resolver call cannot be cancelled).
  ~NameResolver();
  NameResolver(const NameResolver&) = delete;
  NameResolver& operator=(const NameResolver&) = delete;

  void ask(coap::PeerId peer, uint32_t ticket, std::string host, uint16_t port);
  std::optional<Answer> poll();

 private:
  struct Question {
    coap::PeerId peer;
    uint32_t ticket;
    std::string host;
    uint16_t port;
  };
  void run();

  Resolver resolve_;
  std::function<void()> answered_;
  std::mutex mutex_;
  std::condition_variable asked_;
  std::deque<Question> questions_;
  std::deque<Answer> answers_;
  bool stopping_ = false;
  std::thread thread_;  ///< started by the first question
};

}  // namespace lwm2m::posix
