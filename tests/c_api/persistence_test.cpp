// SPDX-License-Identifier: Apache-2.0
// Persistence as a device lives it: the C example with --state-dir against the test
// server's bootstrap server, killed (SIGKILL) at random points of the bootstrap and
// restarted; started on a damaged state file; told to Factory Reset.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "lwm2m/testserver/server.hpp"
#include "support/subprocess.hpp"

namespace {

using namespace std::chrono_literals;
using lwm2m::interop::make_work_dir;
using lwm2m::interop::read_file;
using lwm2m::interop::Subprocess;
using lwm2m::interop::write_file;
namespace ts = lwm2m::testserver;
namespace tlv = lwm2m::testserver::tlv;

constexpr int64_t kSsid = 7;
constexpr int64_t kLifetime = 47;  // what the bootstrap server writes; the factory says 300
constexpr int64_t kPmin = 2, kPmax = 33;

/// A bootstrap server whose script writes a whole configuration in several requests, and
/// the management server it points at.
struct Servers {
  static ts::Options bs_options() {
    // Steps to a killed client fail after 2 s, so that every bootstrap run has ended (and
    // released its session) when the test ends.
    ts::Options o;
    o.request_timeout = ts::Duration{2000};
    return o;
  }
  Servers() : bs(bs_options()) {
    tlv::SecurityInstance account;
    account.server_uri = server.uri();
    account.bootstrap_server = false;
    account.security_mode = 3;  // NoSec
    account.short_server_id = kSsid;
    tlv::ServerInstance srv;
    srv.short_server_id = kSsid;
    srv.lifetime = kLifetime;
    srv.binding = "U";
    ts::BootstrapScript script;
    script.steps = {
        ts::BootstrapStep::delete_path("/"),
        ts::BootstrapStep::write("/0/1", tlv::security_resources(account)),
        ts::BootstrapStep::write("/1/0", tlv::server_resources(srv)),
        ts::BootstrapStep::write("/1/0/2", tlv::resource_int(2, kPmin)),
        ts::BootstrapStep::write("/1/0/3", tlv::resource_int(3, kPmax)),
    };
    bs.set_script(script);
  }
  static constexpr int kSteps = 5;

  size_t count(ts::Server& s, ts::Event::Kind kind, const std::string& ep) {
    size_t n = 0;
    for (const ts::Event& e : s.events())
      n += e.kind == kind && e.endpoint == ep;
    return n;
  }
  size_t count(ts::BootstrapServer& s, ts::Event::Kind kind, const std::string& ep) {
    size_t n = 0;
    for (const ts::Event& e : s.events())
      n += e.kind == kind && e.endpoint == ep;
    return n;
  }
  /// Waits (2 s at most after the last kill) until every bootstrap run has ended and let go
  /// of its session: libcoap frees the server's context only then.
  ~Servers() {
    auto ended = [&] {
      size_t requested = 0, done = 0;
      for (const ts::Event& e : bs.events()) {
        requested += e.kind == ts::Event::Kind::bootstrap_requested;
        done += e.kind == ts::Event::Kind::bootstrap_finished ||
                e.kind == ts::Event::Kind::bootstrap_failed;
      }
      return done >= requested;
    };
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!ended() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  /// When the `nth` (from 0) event of `kind` for `ep` happened, if it did.
  template <class S>
  std::optional<ts::Clock::time_point> when(S& s, ts::Event::Kind kind, const std::string& ep,
                                            size_t nth) {
    for (const ts::Event& e : s.events())
      if (e.kind == kind && e.endpoint == ep && nth-- == 0) return e.time;
    return std::nullopt;
  }

  size_t registrations(const std::string& ep) {
    return count(server, ts::Event::Kind::registered, ep);
  }
  size_t bootstrap_requests(const std::string& ep) {
    return count(bs, ts::Event::Kind::bootstrap_requested, ep);
  }

  ts::Server server;
  ts::BootstrapServer bs;
};

/// A local port for the next device process, never one an earlier process of this test
/// had: a bootstrap run for a killed device goes on sending its steps (until they time
/// out) to that device's address, and a new process the kernel gave the same ephemeral
/// port would receive them. Below the kernel's ephemeral range (32768 and up by default),
/// from a random start, skipping ports in use.
uint16_t next_local_port() {
  static uint16_t next = static_cast<uint16_t>(20000 + std::random_device{}() % 10000);
  for (;;) {
    const uint16_t port = next++;
    const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return port;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_any;
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (free) return port;
  }
}

/// The C example with --state-dir, its output in files under `dir`.
struct Device {
  Device(std::string ep, std::string work_dir, std::string bootstrap_uri)
      : endpoint(std::move(ep)), dir(std::move(work_dir)), bs_uri(std::move(bootstrap_uri)) {}

  void start() {
    ++runs;
    const std::string n = std::to_string(runs);
    auto p = Subprocess::start(
        {LWM2M_C_EXAMPLE, "--server", bs_uri, "--bootstrap", "--endpoint", endpoint, "--local-port",
         std::to_string(next_local_port()), "--state-dir", dir + "/state"},
        dir + "/out" + n, dir + "/err" + n);
    ASSERT_TRUE(p);
    process.emplace(std::move(*p));
  }
  void kill() {
    ASSERT_EQ(::kill(process->pid(), SIGKILL), 0);
    EXPECT_EQ(process->wait_for(10s), 128 + SIGKILL);
    process.reset();
  }
  std::string out() const { return read_file(dir + "/out" + std::to_string(runs)); }
  std::string all_output() const {
    std::string s;
    for (int i = 1; i <= runs; ++i)
      s += "--- run " + std::to_string(i) + " ---\n" + read_file(dir + "/out" + std::to_string(i)) +
           read_file(dir + "/err" + std::to_string(i));
    return s;
  }
  std::string state_file() const { return dir + "/state/lwm2m-state.bin"; }

  std::string endpoint, dir, bs_uri;
  std::optional<Subprocess> process;
  int runs = 0;
};

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// Polls `done` until it holds or `timeout` passes (a condition, not a fixed sleep).
template <class F>
bool wait_until(F&& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(3ms);
  }
  return true;
}

/// What the restarted device did first.
enum class Outcome { registered, bootstrapped, neither };

/// Which came first after a restart: a Register (from the saved configuration) or a
/// Bootstrap-Request. `regs` and `bsreqs` count those before the restart.
Outcome after_restart(Servers& s, const std::string& ep, size_t regs, size_t bsreqs) {
  Outcome o = Outcome::neither;
  wait_until(
      [&] {
        auto reg = s.when(s.server, ts::Event::Kind::registered, ep, regs);
        auto bsr = s.when(s.bs, ts::Event::Kind::bootstrap_requested, ep, bsreqs);
        if (bsr && (!reg || *bsr < *reg)) o = Outcome::bootstrapped;
        if (reg && (!bsr || *reg < *bsr)) o = Outcome::registered;
        return o != Outcome::neither;
      },
      20s);
  return o;
}

/// The registration and the Server instance carry everything the bootstrap server wrote.
void expect_complete_configuration(Servers& s, const std::string& ep, const std::string& why) {
  auto info = s.server.client(ep);
  ASSERT_TRUE(info) << why;
  EXPECT_EQ(info->lifetime, kLifetime) << why;
  EXPECT_TRUE(info->has_link("/1/0")) << why << info->links_raw;
  EXPECT_EQ(s.server.read(ep, "/1/0/0", ts::ContentFormat::text).text(), std::to_string(kSsid))
      << why;
  EXPECT_EQ(s.server.read(ep, "/1/0/2", ts::ContentFormat::text).text(), std::to_string(kPmin))
      << why;
  EXPECT_EQ(s.server.read(ep, "/1/0/3", ts::ContentFormat::text).text(), std::to_string(kPmax))
      << why;
}

/// Bootstraps `d` to the end and waits until the configuration is on disk.
void bootstrap_fully(Servers& s, Device& d) {
  d.start();
  ASSERT_TRUE(s.server.wait_registered(d.endpoint, 20s)) << d.all_output();
  ASSERT_TRUE(wait_until([&] { return file_exists(d.state_file()); }, 10s)) << d.all_output();
}

TEST(Persistence, SigkillAtRandomPointsOfABootstrapNeverLeavesAMix) {
  Servers s;
  const std::string base = make_work_dir(LWM2M_C_API_WORK_DIR);
  std::mt19937 rng(20261206);  // seeded: a failure is reproducible
  constexpr int kRounds = 100;
  int registered = 0, bootstrapped = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string ep = "kill-" + std::to_string(round);
    const std::string dir = base + "/" + std::to_string(round);
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    Device d(ep, dir, s.bs.uri());
    // Kill points: 0 once the Bootstrap-Request arrived, 1..kSteps once step k was answered,
    // kSteps + 1 once Bootstrap-Finish was answered; then a delay, log-uniform from 1 us to
    // 4 ms, which lands anywhere in the next exchange or in the save itself on a fast
    // machine as on a slow one (a whole bootstrap on loopback can take less than 1 ms).
    const int point = std::uniform_int_distribution<int>(0, Servers::kSteps + 1)(rng);
    const auto jitter = std::chrono::microseconds(
        int64_t(std::exp(std::uniform_real_distribution<double>(0.0, std::log(4000.0))(rng))));
    d.start();
    // The servers' waits wake on the event itself: polling would add its period to every
    // delay and leave the short ones out.
    const ts::Duration patience{20000};
    bool reached = true;
    if (point == 0) {
      reached = s.bs.wait_requested(ep, patience).has_value();
    } else if (point <= Servers::kSteps) {
      for (int k = 0; k < point && reached; ++k)
        reached = s.bs.wait_event(ts::Event::Kind::bootstrap_step, ep, patience).has_value();
    } else {
      reached = s.bs.wait_event(ts::Event::Kind::bootstrap_finished, ep, patience).has_value();
    }
    ASSERT_TRUE(reached) << "round " << round << " point " << point << "\n" << d.all_output();
    const auto until = std::chrono::steady_clock::now() + jitter;
    while (std::chrono::steady_clock::now() < until) {
      // spin: the kill point is a moment, not a condition
    }
    d.kill();
    // The restart under another endpoint name: a Register the killed process sent just
    // before it died may reach the server after the kill, and must not count.
    const std::string again = ep + "-again";
    d.endpoint = again;
    d.start();
    const Outcome o = after_restart(s, again, 0, 0);
    const std::string why = "round " + std::to_string(round) + " point " + std::to_string(point) +
                            " +" + std::to_string(jitter.count()) + " us\n" + d.all_output();
    ASSERT_NE(o, Outcome::neither) << why;
    if (o == Outcome::registered) {
      ++registered;
      // Registered without a new Bootstrap-Request: from the saved configuration, whole.
      EXPECT_EQ(s.bootstrap_requests(again), 0u) << why;
      expect_complete_configuration(s, again, why);
      EXPECT_NE(d.out().find("restored the saved configuration"), std::string::npos) << why;
    } else {
      ++bootstrapped;  // nothing half-saved to register with first
    }
    d.kill();
    if (::testing::Test::HasFailure()) break;
  }
  // Both outcomes happen, or the kill points do not cover the save.
  EXPECT_GT(registered, 5);
  EXPECT_GT(bootstrapped, 5);
  std::printf("%d restarts registered from the saved configuration, %d bootstrapped again\n",
              registered, bootstrapped);
}

TEST(Persistence, ARestartRegistersWithoutBootstrappingAgain) {
  Servers s;
  Device d("persist-restart", make_work_dir(LWM2M_C_API_WORK_DIR), s.bs.uri());
  bootstrap_fully(s, d);
  ASSERT_EQ(::kill(d.process->pid(), SIGTERM), 0);  // a clean stop this time
  EXPECT_EQ(d.process->wait_for(10s), 0) << d.all_output();
  d.start();
  ASSERT_TRUE(wait_until([&] { return s.registrations(d.endpoint) == 2; }, 20s)) << d.all_output();
  EXPECT_EQ(s.bootstrap_requests(d.endpoint), 1u) << d.all_output();
  expect_complete_configuration(s, d.endpoint, d.all_output());
}

struct Damage {
  const char* name;
  void (*apply)(std::string& bytes);
  const char* reason;  // what the log line says
};

TEST(Persistence, ADamagedStateFileIsLoggedAndTheDeviceBootstrapsAgain) {
  const Damage damages[] = {
      {"flipped byte", [](std::string& b) { b[b.size() / 2] ^= 0x20; },
       "damaged (checksum mismatch)"},
      {"truncated", [](std::string& b) { b.resize(b.size() / 2); }, "truncated"},
      {"newer format", [](std::string& b) { b[4] = 9; }, "newer format"},
      {"empty", [](std::string& b) { b.clear(); }, "truncated"},
      {"not ours", [](std::string& b) { b = "{\"servers\": []}\n"; }, "not a state file"},
  };
  Servers s;
  const std::string base = make_work_dir(LWM2M_C_API_WORK_DIR);
  int i = 0;
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    const std::string ep = "damaged-" + std::to_string(i++);
    const std::string dir = base + "/" + ep;
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    Device d(ep, dir, s.bs.uri());
    bootstrap_fully(s, d);
    d.kill();
    std::string bytes = read_file(d.state_file());
    damage.apply(bytes);
    ASSERT_TRUE(write_file(d.state_file(), bytes));
    const size_t regs = s.registrations(ep), bsreqs = s.bootstrap_requests(ep);
    d.start();
    ASSERT_EQ(after_restart(s, ep, regs, bsreqs), Outcome::bootstrapped) << d.all_output();
    // One line: the file, the reason, what happens next.
    const std::string out = d.out();
    const std::string head = "saved configuration " + d.state_file() + " ";
    const size_t at = out.find(head);
    ASSERT_NE(at, std::string::npos) << out;
    const std::string line = out.substr(at, out.find('\n', at) - at);
    EXPECT_NE(line.find(damage.reason), std::string::npos) << line;
    EXPECT_NE(line.find("not used; starting from the factory configuration"), std::string::npos)
        << line;
    EXPECT_EQ(out.find(head, at + 1), std::string::npos) << "one line only:\n" << out;
    // No crash: the bootstrap completes, the device registers and saves a good file again.
    ASSERT_TRUE(wait_until([&] { return s.registrations(ep) > regs; }, 20s)) << d.all_output();
    EXPECT_TRUE(wait_until(
        [&] { return d.out().find("saved the configuration") != std::string::npos; }, 10s));
    expect_complete_configuration(s, ep, d.all_output());
    ASSERT_EQ(::kill(d.process->pid(), SIGTERM), 0);
    EXPECT_EQ(d.process->wait_for(10s), 0) << d.all_output();
  }
}

TEST(Persistence, FactoryResetDiscardsTheSavedConfiguration) {
  Servers s;
  Device d("persist-reset", make_work_dir(LWM2M_C_API_WORK_DIR), s.bs.uri());
  bootstrap_fully(s, d);
  EXPECT_EQ(s.server.execute(d.endpoint, "/3/0/5").code_string(), "2.04");
  ASSERT_TRUE(wait_until([&] { return !file_exists(d.state_file()); }, 10s)) << d.all_output();
  EXPECT_TRUE(wait_until(
      [&] { return d.out().find("discarded the saved configuration") != std::string::npos; }, 10s))
      << d.out();
  d.kill();
  const size_t regs = s.registrations(d.endpoint), bsreqs = s.bootstrap_requests(d.endpoint);
  d.start();
  EXPECT_EQ(after_restart(s, d.endpoint, regs, bsreqs), Outcome::bootstrapped) << d.all_output();
  EXPECT_NE(d.out().find("no saved configuration"), std::string::npos) << d.out();
}

TEST(Persistence, BootstrapRequestTriggerDiscardsThenTheNewBootstrapIsSaved) {
  Servers s;
  Device d("persist-trigger", make_work_dir(LWM2M_C_API_WORK_DIR), s.bs.uri());
  bootstrap_fully(s, d);
  EXPECT_EQ(s.server.execute(d.endpoint, "/1/0/9").code_string(), "2.04");
  ASSERT_TRUE(wait_until([&] { return s.bootstrap_requests(d.endpoint) == 2; }, 10s))
      << d.all_output();
  EXPECT_TRUE(wait_until(
      [&] { return d.out().find("discarded the saved configuration") != std::string::npos; }, 10s))
      << d.out();
  ASSERT_TRUE(wait_until([&] { return s.registrations(d.endpoint) == 2; }, 20s)) << d.all_output();
  ASSERT_TRUE(wait_until([&] { return file_exists(d.state_file()); }, 10s)) << d.all_output();
  d.kill();
  d.start();
  ASSERT_TRUE(wait_until([&] { return s.registrations(d.endpoint) == 3; }, 20s)) << d.all_output();
  EXPECT_EQ(s.bootstrap_requests(d.endpoint), 2u) << d.all_output();
}

TEST(Persistence, AStateDirThatCannotBeMadeIsAnError) {
  const std::string dir = make_work_dir(LWM2M_C_API_WORK_DIR);
  ASSERT_TRUE(write_file(dir + "/file", "x"));
  auto p = Subprocess::start({LWM2M_C_EXAMPLE, "--state-dir", dir + "/file", "--local-port", "0"},
                             dir + "/out", dir + "/err");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wait_for(10s), 2);
  const std::string err = read_file(dir + "/err");
  EXPECT_NE(err.find("--state-dir"), std::string::npos) << err;
  EXPECT_NE(err.find("not a directory"), std::string::npos) << err;
}

}  // namespace
