// SPDX-License-Identifier: Apache-2.0
// The runner's hooks run without its lock: a log, event or reboot hook may call back into
// the runner (locked(), value_changed(), connections()) without deadlocking it, and the log
// hook still sees every line, in order. A deadlock ends the test through its watchdog.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "runner_support.hpp"

namespace lwm2m::itest {
namespace {

constexpr std::chrono::seconds kWatchdog{45};

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// What a hook saw when it called back into the runner.
struct Seen {
  std::mutex mutex;
  std::vector<std::string> lines;
  bool registered = false;  ///< locked(): Client::registered(1)
  size_t connections = 0;
  uint16_t connection_ssid = 0;
  bool done = false;

  void record(posix::Runner& r) {
    const bool reg = r.locked([](core::Client& c) { return c.registered(1); });
    r.value_changed(dm::Path(3303, 0, 5700));
    const std::vector<posix::ConnectionInfo> conns = r.connections();
    std::lock_guard<std::mutex> g(mutex);
    registered = reg;
    connections = conns.size();
    connection_ssid = conns.empty() ? 0 : conns[0].ssid;
    done = true;
  }
  bool is_done() {
    std::lock_guard<std::mutex> g(mutex);
    return done;
  }
};

TEST(RunnerHooks, ALogHookMayCallBackIntoTheRunner) {
  Watchdog dog(kWatchdog, "RunnerHooks.ALogHookMayCallBackIntoTheRunner");
  ts::Server server(server_options());
  Seen seen;
  Rig rig("log-hook-node");
  rig.add_server(server);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) {
    r.set_log([&seen, &r](const char* line) {
      // Every line calls back; the one saying the client registered records what it saw.
      const bool registered_line = starts_with(line, "registered (server 1)");
      if (registered_line) {
        seen.record(r);
      } else {
        (void)r.locked([](core::Client& c) { return c.registered(1); });
        (void)r.connections();
      }
      std::lock_guard<std::mutex> g(seen.mutex);
      seen.lines.emplace_back(line);
    });
  });
  ASSERT_TRUE(server.wait_registered("log-hook-node", kWait));
  ASSERT_TRUE(wait_until([&] { return seen.is_done(); }, kWait));
  std::lock_guard<std::mutex> g(seen.mutex);
  EXPECT_TRUE(seen.registered);
  EXPECT_EQ(seen.connections, 1u);
  EXPECT_EQ(seen.connection_ssid, 1);
}

TEST(RunnerHooks, AnEventHookMayCallBackIntoTheRunner) {
  Watchdog dog(kWatchdog, "RunnerHooks.AnEventHookMayCallBackIntoTheRunner");
  ts::Server server(server_options());
  Seen seen;
  Rig rig("event-hook-node");
  rig.add_server(server);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) {
    r.set_log([](const char*) {});
    r.set_event_hook([&seen, &r](const core::Event& e) {
      if (e.kind == core::EventKind::registered) seen.record(r);
    });
  });
  ASSERT_TRUE(server.wait_registered("event-hook-node", kWait));
  ASSERT_TRUE(wait_until([&] { return seen.is_done(); }, kWait));
  std::lock_guard<std::mutex> g(seen.mutex);
  EXPECT_TRUE(seen.registered) << "the event comes after the client registered";
  EXPECT_EQ(seen.connections, 1u);
  EXPECT_EQ(seen.connection_ssid, 1);
}

TEST(RunnerHooks, ARebootHookMayCallBackIntoTheRunner) {
  Watchdog dog(kWatchdog, "RunnerHooks.ARebootHookMayCallBackIntoTheRunner");
  ts::Server server(server_options());
  Seen seen;
  Rig rig("reboot-hook-node");
  rig.add_server(server);
  posix::RunnerConfig rc = rig_runner_config();
  rc.reboot_delay = Duration{100};
  start_rig(rig, rc, [&](posix::Runner& r) {
    r.set_log([](const char*) {});
    r.set_reboot_hook([&seen, &r] { seen.record(r); });
  });
  ASSERT_TRUE(server.wait_registered("reboot-hook-node", kWait));
  auto x = server.execute("reboot-hook-node", "/3/0/4");
  ASSERT_TRUE(x.ok()) << x.describe();
  ASSERT_TRUE(wait_until([&] { return seen.is_done(); }, kWait));
  EXPECT_TRUE(rig.runner->running()) << "with a hook, rebooting is the hook's business";
  std::lock_guard<std::mutex> g(seen.mutex);
  EXPECT_TRUE(seen.registered);
  EXPECT_EQ(seen.connections, 1u);
}

TEST(RunnerHooks, TheLogHookSeesEveryLineInOrder) {
  Watchdog dog(kWatchdog, "RunnerHooks.TheLogHookSeesEveryLineInOrder");
  ts::Server server(server_options());
  Seen seen;
  Rig rig("log-order-node");
  rig.add_server(server);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) {
    r.set_log([&seen](const char* line) {
      std::lock_guard<std::mutex> g(seen.mutex);
      seen.lines.emplace_back(line);
    });
  });
  ASSERT_TRUE(server.wait_registered("log-order-node", kWait));
  const std::vector<std::string> paths = {"/3/0/0",       "/3/0/1",       "/3/0/2",
                                          "/3/0/3",       "/3303/0/5700", "/3303/0/5701",
                                          "/3303/0/5750", "/3/0/17"};
  for (const std::string& p : paths) {
    auto r = server.read("log-order-node", p, ts::ContentFormat::text);
    ASSERT_TRUE(r.received()) << p << ": " << r.describe();
  }
  rig.runner->stop(Duration{3000});  // the last lines come from outside any step
  ASSERT_FALSE(rig.runner->running());

  std::vector<std::string> lines;
  {
    std::lock_guard<std::mutex> g(seen.mutex);
    lines = seen.lines;
  }
  auto find = [&](std::string_view prefix) {
    return std::find_if(lines.begin(), lines.end(),
                        [&](const std::string& l) { return starts_with(l, prefix); });
  };
  auto connecting = find("server 1: connecting to 127.0.0.1:");
  auto registered = find("registered (server 1)");
  ASSERT_NE(connecting, lines.end());
  ASSERT_NE(registered, lines.end());
  EXPECT_LT(connecting, registered);
  // One line per request, in the order the server sent them, all after the registration.
  auto at = registered;
  for (const std::string& p : paths) {
    const std::string prefix = "served GET " + p + " from server 1: ";
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [&](const std::string& l) { return starts_with(l, prefix); }),
              1)
        << p;
    auto next =
        std::find_if(at, lines.end(), [&](const std::string& l) { return starts_with(l, prefix); });
    ASSERT_NE(next, lines.end()) << prefix << " missing or out of order";
    at = next;
  }
  auto stopping = find("stopping: de-registering");
  ASSERT_NE(stopping, lines.end());
  EXPECT_LT(at, stopping);
  EXPECT_EQ(lines.back(), "stopped");
}

TEST(RunnerHooks, AHookForStateChangesGetsNoLinePerRequest) {
  Watchdog dog(kWatchdog, "RunnerHooks.AHookForStateChangesGetsNoLinePerRequest");
  ts::Server server(server_options());
  Seen seen;
  Rig rig("log-state-node");
  rig.add_server(server);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) {
    r.set_log(
        [&seen](const char* line) {
          std::lock_guard<std::mutex> g(seen.mutex);
          seen.lines.emplace_back(line);
        },
        posix::LogDetail::state);
  });
  ASSERT_TRUE(server.wait_registered("log-state-node", kWait));
  for (const char* p : {"/3/0/0", "/3/0"}) {
    auto r = server.read("log-state-node", p, ts::ContentFormat::tlv);
    ASSERT_TRUE(r.received()) << p << ": " << r.describe();
  }
  rig.runner->stop(Duration{3000});
  std::lock_guard<std::mutex> g(seen.mutex);
  EXPECT_EQ(std::count_if(seen.lines.begin(), seen.lines.end(),
                          [](const std::string& l) { return starts_with(l, "served "); }),
            0);
  EXPECT_EQ(std::count_if(seen.lines.begin(), seen.lines.end(),
                          [](const std::string& l) { return starts_with(l, "registered ("); }),
            1);
  ASSERT_FALSE(seen.lines.empty());
  EXPECT_EQ(seen.lines.back(), "stopped");
}

}  // namespace
}  // namespace lwm2m::itest
