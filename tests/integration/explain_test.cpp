// SPDX-License-Identifier: Apache-2.0
// The runner's log explains what fails and what happens next: each failed Register attempt
// with its reason and when the next is due, the end of a retry sequence, giving up (and
// stopping, or starting over when told to keep trying), a Security mode that does not match
// the URI scheme, a local port in use, and a stop before registration that does not wait.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "runner_support.hpp"

namespace lwm2m::itest {
namespace {

// Log lines as the application's hook sees them.
struct Lines {
  mutable std::mutex mutex;
  std::vector<std::string> lines;
  void attach(posix::Runner& r) {
    r.set_log([this](const char* line) {
      std::lock_guard<std::mutex> g(mutex);
      lines.emplace_back(line);
    });
  }
  bool has(const std::string& text) const {
    std::lock_guard<std::mutex> g(mutex);
    for (const std::string& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  bool wait(const std::string& text, ts::Duration timeout = kWait) const {
    return wait_until([&] { return has(text); }, timeout);
  }
  std::string all() const {
    std::lock_guard<std::mutex> g(mutex);
    std::string s;
    for (const std::string& l : lines)
      s += "  " + l + "\n";
    return s;
  }
};

TEST(Explain, EachFailedAttemptSaysWhyAndWhenThenTheRunnerGivesUpAndStops) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  ts::Server server(server_options());
  server.reject_registrations(100, ts::coap_code(4, 3));
  Rig rig;
  auto cfg = test_server_config();
  cfg.communication_retry_count = 2;  // 2 attempts per sequence, 1 s apart
  cfg.sequence_retry_count = 2;       // 2 sequences, 2 s apart
  rig.add_server(server, cfg);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(wait_until([&] { return !rig.runner->running(); }, ts::Duration{20000})) << log.all();
  EXPECT_TRUE(rig.runner->gave_up());
  EXPECT_TRUE(
      log.has("server 1: Register failed: forbidden; attempt 1 of this retry sequence, next "
              "attempt in 1 s"))
      << log.all();
  EXPECT_TRUE(
      log.has("server 1: Register failed: forbidden; that ends this retry sequence, the "
              "next one starts in 2 s"))
      << log.all();
  EXPECT_TRUE(log.has("registration failed (server 1): forbidden; that was the last attempt"))
      << log.all();
  EXPECT_TRUE(
      log.has("no server accepted us and no attempt is left: giving up (the client "
              "stops)"))
      << log.all();
  EXPECT_TRUE(log.has("stopped")) << log.all();
}

TEST(Explain, EachFailedBootstrapSaysWhenTheNextIsDueThenTheRunnerGivesUp) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  ts::Server not_a_bootstrap_server(server_options());  // answers POST /bs with an error
  Rig rig;
  rig.config.bootstrap_retry = Duration{1000};
  rig.config.bootstrap_attempts = 2;
  rig.add_bootstrap(not_a_bootstrap_server.uri());
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(wait_until([&] { return !rig.runner->running(); }, ts::Duration{20000})) << log.all();
  EXPECT_TRUE(rig.runner->gave_up());
  EXPECT_TRUE(log.has("bootstrap failed: bad request; next attempt in 1 s")) << log.all();
  EXPECT_TRUE(log.has("bootstrap failed: bad request; that was the last attempt")) << log.all();
  EXPECT_TRUE(log.has("no server accepted us and no attempt is left: giving up")) << log.all();
}

TEST(Explain, KeepTryingStartsOverAfterTheLastAttempt) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  ts::Server server(server_options());
  server.reject_registrations(2, ts::coap_code(5, 3));
  Rig rig;
  auto cfg = test_server_config();
  cfg.communication_retry_count = 2;
  rig.add_server(server, cfg);
  posix::RunnerConfig rc = rig_runner_config();
  rc.keep_trying = true;
  rc.keep_trying_delay = Duration{1000};
  start_rig(rig, rc, [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(log.wait("no attempt is left; keep trying: starting over in 1 s")) << log.all();
  ASSERT_TRUE(server.wait_registered(rig.endpoint(), kWait)) << log.all();
  // The runner hands its log lines to the hook after the step that made them, so the
  // server can see the Register before the line arrives: wait for it.
  EXPECT_TRUE(log.wait("starting over: registering again")) << log.all();
  EXPECT_TRUE(rig.runner->running());
  EXPECT_FALSE(rig.runner->gave_up());
}

TEST(Explain, KeysWithACoapUriAreRefusedNotSentInClear) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  ts::Server server(server_options());
  Rig rig;
  objects::SecurityConfig sc;
  const std::string uri = server.uri();
  sc.uri = uri;
  sc.short_server_id = 1;
  sc.mode = SecurityMode::psk;
  const uint8_t id[] = {'i', 'd'}, key[] = {1, 2};
  sc.identity = id;
  sc.secret_key = key;
  ASSERT_TRUE(rig.security.add(sc).ok());
  ASSERT_TRUE(rig.server.add(test_server_config()).ok());
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(log.wait("server 1: its Security mode needs DTLS but \"" + uri +
                       "\" is coap://: refusing to send in clear; use coaps://"))
      << log.all();
  ASSERT_TRUE(log.wait("server 1: Register failed: invalid argument")) << log.all();
  EXPECT_TRUE(server.events().empty());  // nothing reached the server
}

TEST(Explain, ACoapsUriWithoutKeysIsRefused) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  Rig rig;
  rig.add_server("coaps://127.0.0.1:5684", test_server_config());
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(
      log.wait("server 1: \"coaps://127.0.0.1:5684\" is coaps:// but its Security mode "
               "is NoSec: give it keys"))
      << log.all();
}

TEST(Explain, APortInUseIsNamed) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  int held = ::socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(held, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const uint16_t port = ntohs(a.sin6_port);
  Rig rig;
  rig.add_server("coap://127.0.0.1:5683", test_server_config());
  rig.client = std::make_unique<core::Client>(rig.config, rig.registry, rig.rng);
  posix::RunnerConfig rc = rig_runner_config();
  rc.local_port = port;
  rig.runner = std::make_unique<posix::Runner>(*rig.client, rc);
  log.attach(*rig.runner);
  EXPECT_FALSE(rig.runner->start().ok());
  EXPECT_TRUE(log.has("cannot open UDP port " + std::to_string(port) + ": port " +
                      std::to_string(port) + " is in use"))
      << log.all();
  ::close(held);
}

TEST(Explain, AStopWithARegisterInFlightWaitsOneSecondAtMost) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  int silent = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(silent, reinterpret_cast<sockaddr*>(&a), &len), 0);
  Rig rig;
  rig.add_server("coap://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), test_server_config());
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(log.wait("connecting to")) << log.all();
  const auto before = std::chrono::steady_clock::now();
  rig.runner->stop(Duration{5000});  // the Register in flight gets no answer
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  EXPECT_TRUE(log.has("stopping: not registered yet; waiting up to 1 s for the Register's answer"))
      << log.all();
  ::close(silent);
}

TEST(Explain, AStopBetweenRegisterAttemptsDoesNotWait) {
  Lines log;  // outlives the rig: the runner logs until the rig stops it
  ts::Server server(server_options());
  server.reject_registrations(100, ts::coap_code(4, 3));
  Rig rig;
  auto cfg = test_server_config();
  cfg.communication_retry_timer_s = 30;
  rig.add_server(server, cfg);
  start_rig(rig, rig_runner_config(), [&](posix::Runner& r) { log.attach(r); });
  ASSERT_TRUE(log.wait("next attempt in 30 s")) << log.all();
  const auto before = std::chrono::steady_clock::now();
  rig.runner->stop(Duration{5000});
  EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
  EXPECT_TRUE(log.has("stopping: not registered, nothing to de-register")) << log.all();
}

}  // namespace
}  // namespace lwm2m::itest
