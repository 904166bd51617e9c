// SPDX-License-Identifier: Apache-2.0
// Host names are resolved without the runner's lock and off the runner thread: while a
// name takes 5 s to resolve (a fake resolver), another thread's value_changed(), locked()
// and connections() return at once, and the client registers once the answer comes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "lwm2m/platform/udp.hpp"
#include "runner_support.hpp"

namespace lwm2m::itest {
namespace {

using Clock = std::chrono::steady_clock;

/// Answers every name with 127.0.0.1 after `delay` (or at once when released early).
class SlowResolver {
 public:
  explicit SlowResolver(std::chrono::milliseconds delay) : delay_(delay) {}
  ~SlowResolver() { release(); }

  posix::Resolver resolver() {
    return [this](std::string_view host, uint16_t port, std::span<posix::SocketAddress> out) {
      return resolve(host, port, out);
    };
  }
  void release() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      released_ = true;
    }
    cv_.notify_all();
  }
  bool wait_asked(ts::Duration timeout) {
    std::unique_lock<std::mutex> l(mutex_);
    return cv_.wait_for(l, timeout, [this] { return !hosts_.empty(); });
  }
  std::vector<std::string> hosts() {
    std::lock_guard<std::mutex> g(mutex_);
    return hosts_;
  }
  bool answered() {
    std::lock_guard<std::mutex> g(mutex_);
    return answered_;
  }

 private:
  Result<size_t> resolve(std::string_view host, uint16_t port,
                         std::span<posix::SocketAddress> out) {
    std::unique_lock<std::mutex> l(mutex_);
    hosts_.emplace_back(host);
    cv_.notify_all();
    cv_.wait_for(l, delay_, [this] { return released_; });
    answered_ = true;
    auto a = posix::SocketAddress::from_literal("127.0.0.1", port);
    if (!a || out.empty()) return Errc::not_found;
    out[0] = *a;
    return size_t{1};
  }
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> hosts_;
  bool released_ = false;
  bool answered_ = false;
};

TEST(RunnerResolver, ValueChangedDoesNotWaitForASlowNameResolution) {
  Watchdog dog(std::chrono::seconds{45},
               "RunnerResolver.ValueChangedDoesNotWaitForASlowNameResolution");
  ts::Server server(server_options());
  SlowResolver dns(std::chrono::milliseconds{5000});
  Rig rig("slow-dns-node");
  rig.add_server("coap://slow-dns.example:" + std::to_string(server.port()), test_server_config());
  posix::RunnerConfig rc = rig_runner_config();
  rc.resolver = dns.resolver();
  start_rig(rig, rc, [&](posix::Runner& r) { r.set_log([](const char*) {}); });
  ASSERT_TRUE(dns.wait_asked(kWait));
  EXPECT_EQ(dns.hosts(), std::vector<std::string>{"slow-dns.example"});

  // From this thread, while the name is being resolved: each call returns at once.
  const auto asked = Clock::now();
  Clock::duration slowest{};
  int calls = 0;
  while (Clock::now() - asked < std::chrono::milliseconds{1500} && !dns.answered()) {
    const auto t0 = Clock::now();
    rig.set_sensor(0, 20.0 + calls);  // locked() and value_changed()
    const bool registered = rig.locked([](core::Client& c) { return c.registered(1); });
    const size_t open = rig.runner->connections().size();
    slowest = std::max(slowest, Clock::now() - t0);
    EXPECT_FALSE(registered);
    EXPECT_EQ(open, 0u) << "no connection before the name is resolved";
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  EXPECT_FALSE(dns.answered()) << "the fake resolver answered early";
  EXPECT_GT(calls, 5);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count(), 200);

  // Then the client registers, with what it queued meanwhile.
  auto info = server.wait_registered("slow-dns-node", ts::Duration{15000});
  ASSERT_TRUE(info) << (rig.dump_log(), "");
  EXPECT_TRUE(dns.answered());
  auto r = server.read("slow-dns-node", "/3303/0/5700", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(std::stod(r.text()), 20.0 + calls - 1) << "the last value set while resolving";
}

TEST(RunnerResolver, ANameThatDoesNotResolveFailsTheConnectionAndIsRetried) {
  Watchdog dog(std::chrono::seconds{45}, "RunnerResolver.ANameThatDoesNotResolve...");
  ts::Server server(server_options());
  std::atomic<int> asked{0};
  std::mutex m;  // before the rig: the runner logs until it is destroyed
  std::vector<std::string> lines;
  Rig rig("no-dns-node");
  rig.add_server("coap://flaky-dns.example:" + std::to_string(server.port()), test_server_config());
  posix::RunnerConfig rc = rig_runner_config();
  rc.resolver = [&asked](std::string_view, uint16_t port,
                         std::span<posix::SocketAddress> out) -> Result<size_t> {
    if (asked++ == 0) return Errc::not_found;  // the first attempt fails, then the name is there
    out[0] = *posix::SocketAddress::from_literal("127.0.0.1", port);
    return size_t{1};
  };
  start_rig(rig, rc, [&](posix::Runner& r) {
    r.set_log([&](const char* line) {
      std::lock_guard<std::mutex> g(m);
      lines.emplace_back(line);
    });
  });
  ASSERT_TRUE(server.wait_registered("no-dns-node", kWait));
  EXPECT_GE(asked.load(), 2);
  std::lock_guard<std::mutex> g(m);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "server 1: cannot resolve \"flaky-dns.example\""),
            lines.end());
}

TEST(RunnerResolver, AnAnswerForAConnectionReopenedMeanwhileIsDropped) {
  Watchdog dog(std::chrono::seconds{45}, "RunnerResolver.AnAnswerForAConnectionReopened...");
  ts::Server server(server_options());
  // The first answer comes late and points nowhere (the discard port); by then the client
  // gave up that Register and asked for the connection again: the answer must be ignored.
  std::mutex m;
  std::condition_variable cv;
  bool released = false;
  int asked = 0;
  std::vector<std::string> lines;
  Rig rig("stale-dns-node");
  rig.config.coap.tx.ack_timeout = Duration{200};  // the first Register fails within 1 s
  rig.config.coap.tx.max_retransmit = 1;
  rig.add_server("coap://moving.example:" + std::to_string(server.port()), test_server_config());
  posix::RunnerConfig rc = rig_runner_config();
  rc.resolver = [&](std::string_view, uint16_t port,
                    std::span<posix::SocketAddress> out) -> Result<size_t> {
    std::unique_lock<std::mutex> l(m);
    if (asked++ == 0) {
      cv.wait_for(l, std::chrono::seconds{20}, [&] { return released; });
      port = 9;
    }
    out[0] = *posix::SocketAddress::from_literal("127.0.0.1", port);
    return size_t{1};
  };
  start_rig(rig, rc, [&](posix::Runner& r) {
    r.set_log([&](const char* line) {
      std::lock_guard<std::mutex> g(m);
      lines.emplace_back(line);
      cv.notify_all();
    });
  });
  auto count = [&](const std::string& line) {
    return std::count(lines.begin(), lines.end(), line);
  };
  {
    std::unique_lock<std::mutex> l(m);
    ASSERT_TRUE(cv.wait_for(l, kWait, [&] {
      return count("server 1: resolving \"moving.example\"") == 2;
    })) << "the client did not reconnect after its first Register failed";
    released = true;
    cv.notify_all();
  }
  ASSERT_TRUE(server.wait_registered("stale-dns-node", kWait)) << (rig.dump_log(), "");
  auto r = server.read("stale-dns-node", "/3/0/0", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
  const auto conns = rig.runner->connections();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0].remote.port(), server.port());
  std::lock_guard<std::mutex> g(m);
  EXPECT_EQ(count("server 1: connecting to 127.0.0.1:9 over UDP"), 0);
  EXPECT_EQ(
      count("server 1: connecting to 127.0.0.1:" + std::to_string(server.port()) + " over UDP"), 1);
}

}  // namespace
}  // namespace lwm2m::itest
