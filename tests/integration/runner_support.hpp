// SPDX-License-Identifier: Apache-2.0
// For the runner's thread tests: a Rig started with the test's own hooks and runner
// configuration, and a watchdog that turns a deadlock into a quick failure of this test's
// process instead of a hang (a deadlocked runner thread cannot be joined).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "fixture.hpp"

namespace lwm2m::itest {

class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::string what)
      : what_(std::move(what)), thread_([this, limit] { watch(limit); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void watch(std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (cv_.wait_for(lock, limit, [this] { return done_; })) return;
    std::fprintf(stderr, "FAILED (watchdog): %s did not finish within %lld s: deadlock?\n",
                 what_.c_str(), static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(1);
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string what_;
  std::thread thread_;
};

/// The runner configuration Rig::start() uses.
inline posix::RunnerConfig rig_runner_config() {
  posix::RunnerConfig rc;
  rc.local_port = 0;
  rc.receive_buffer = 2048;
  rc.min_refresh = Duration{200};
  return rc;
}

/// Rig::start() with `setup` called on the runner before it starts (hooks are set there).
inline void start_rig(Rig& rig, const posix::RunnerConfig& rc,
                      const std::function<void(posix::Runner&)>& setup) {
  rig.client = std::make_unique<core::Client>(rig.config, rig.registry, rig.rng);
  ASSERT_TRUE(rig.client->valid());
  rig.runner = std::make_unique<posix::Runner>(*rig.client, rc);
  setup(*rig.runner);
  ASSERT_TRUE(rig.runner->start().ok());
}

/// Polls `done` every 10 ms until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, ts::Duration timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace lwm2m::itest
