// SPDX-License-Identifier: Apache-2.0
// Device Current Time (/3/0/13) over real sockets: posix::Runner gives the Device object the
// system clock unless the application gave it one, a server's Write sets a time that keeps
// running, and an observation with pmax carries the time of each notification.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <ctime>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

struct FixedClock final : objects::DeviceObject::Clock {
  std::atomic<int64_t> now{1'234'567'890};
  int64_t unix_seconds() noexcept override { return now; }
};

struct DeviceTime : ::testing::Test {
  void start() {
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  std::optional<int64_t> read_time() {
    auto r = server.read(ep, "/3/0/13", CF::text);
    if (!r.ok()) return std::nullopt;
    return std::stoll(r.text());
  }
  template <class F>
  static bool eventually(F&& f, std::chrono::milliseconds timeout = 5s) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (f()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return f();
  }

  FixedClock clock;  // outlives the rig, whose runner may read it
  ts::Server server{server_options()};
  Rig rig{"time-node"};
  std::string ep = "time-node";
};

TEST_F(DeviceTime, TheRunnerGivesTheSystemClock) {
  start();
  auto t0 = read_time();
  ASSERT_TRUE(t0);
  EXPECT_LE(std::llabs(*t0 - static_cast<int64_t>(std::time(nullptr))), 2);
  EXPECT_TRUE(eventually([&] { return read_time().value_or(0) > *t0; }));
}

TEST_F(DeviceTime, AWrittenTimeRunsOn) {
  start();
  auto w = server.write(ep, "/3/0/13", ts::Bytes{'4', '2', '0', '0', '0'}, CF::text);
  ASSERT_EQ(w.code_string(), "2.04");
  auto t1 = read_time();
  ASSERT_TRUE(t1);
  EXPECT_GE(*t1, 42000);
  EXPECT_LE(*t1, 42002);
  EXPECT_TRUE(eventually([&] { return read_time().value_or(0) > *t1; }));
}

TEST_F(DeviceTime, TheRunnerKeepsAClockTheApplicationGave) {
  rig.device.set_clock(&clock);
  start();
  EXPECT_EQ(read_time(), 1'234'567'890);
  clock.now += 10;
  EXPECT_EQ(read_time(), 1'234'567'900);
}

TEST_F(DeviceTime, ObservedWithPminOnePmaxTwoEachNotificationCarriesALaterTime) {
  start();
  ASSERT_EQ(server.write_attributes(ep, "/3/0/13", "pmin=1&pmax=2").code_string(), "2.04");
  auto obs = server.observe(ep, "/3/0/13", CF::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  int64_t previous = std::stoll(obs.response().text());
  for (int i = 0; i < 3; ++i) {
    auto n = obs.wait_notification(kWait);
    ASSERT_TRUE(n) << "notification " << i;
    int64_t t = std::stoll(n->text());
    EXPECT_GT(t, previous) << "notification " << i;
    previous = t;
  }
}

}  // namespace
}  // namespace lwm2m::itest
