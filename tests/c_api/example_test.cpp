// SPDX-License-Identifier: Apache-2.0
// The C example (examples/c_client) as a user runs it: a process against the test server.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "lwm2m/testserver/server.hpp"
#include "support/subprocess.hpp"

namespace {

using namespace std::chrono_literals;
using lwm2m::interop::make_work_dir;
using lwm2m::interop::read_file;
using lwm2m::interop::Subprocess;
using lwm2m::testserver::BootstrapScript;
using lwm2m::testserver::BootstrapServer;
using lwm2m::testserver::BootstrapStep;
using lwm2m::testserver::ContentFormat;
using lwm2m::testserver::Server;
namespace tlv = lwm2m::testserver::tlv;

struct ExampleRun {
  std::string dir;
  std::optional<Subprocess> process;
  std::string out() const { return read_file(dir + "/out"); }
  std::string err() const { return read_file(dir + "/err"); }
};

ExampleRun start(std::vector<std::string> args) {
  ExampleRun r;
  r.dir = make_work_dir(LWM2M_C_API_WORK_DIR);
  args.insert(args.begin(), LWM2M_C_EXAMPLE);
  if (auto p = Subprocess::start(args, r.dir + "/out", r.dir + "/err"))
    r.process.emplace(std::move(*p));
  return r;
}

TEST(CExample, RegistersServesTheTemperatureAndDeregistersOnSigterm) {
  Server server;
  ExampleRun run = start({"--server", "coap://127.0.0.1:" + std::to_string(server.port()),
                          "--endpoint", "ex-1", "--local-port", "0", "--lifetime", "60"});
  ASSERT_TRUE(run.process);
  auto info = server.wait_registered("ex-1", 20s);
  ASSERT_TRUE(info) << run.out() << run.err();
  EXPECT_EQ(info->lifetime, 60u);
  EXPECT_TRUE(info->has_link("/3/0"));
  EXPECT_TRUE(info->has_link("/3303/0"));
  auto units = server.read("ex-1", "/3303/0/5701", ContentFormat::text);
  EXPECT_EQ(units.text(), "Cel");
  auto obs = server.observe("ex-1", "/3303/0/5700", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  auto first = obs.wait_notification(10s);
  ASSERT_TRUE(first);
  auto second = obs.wait_notification(10s);
  ASSERT_TRUE(second);
  EXPECT_NE(first->text(), second->text());  // the temperature changes over time
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_TRUE(server.wait_deregistered("ex-1", 10s)) << run.out() << run.err();
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
  std::string out = run.out();
  EXPECT_NE(out.find("registered (server 1)"), std::string::npos) << out;
  EXPECT_NE(out.find("served GET /3303/0/5701 from server 1: 2.05"), std::string::npos) << out;
  EXPECT_NE(out.find("deregistered (server 1)"), std::string::npos) << out;
}

TEST(CExample, ExposesTheDeviceConnectivityAndTheIpsoSetWithChangingValues) {
  Server server;
  ExampleRun run = start({"--server", "coap://127.0.0.1:" + std::to_string(server.port()),
                          "--endpoint", "ex-objects", "--local-port", "0"});
  ASSERT_TRUE(run.process);
  auto info = server.wait_registered("ex-objects", 20s);
  ASSERT_TRUE(info) << run.out() << run.err();
  for (const char* path : {"/3/0", "/4/0", "/3301/0", "/3303/0", "/3304/0", "/3315/0", "/3316/0",
                           "/3317/0", "/3311/0", "/3342/0"})
    EXPECT_TRUE(info->has_link(path)) << path;
  // Real values from the host: memory total and the current time.
  auto memory = server.read("ex-objects", "/3/0/21", ContentFormat::text);
  ASSERT_EQ(memory.code_string(), "2.05") << memory.describe();
  EXPECT_GT(std::stoll(memory.text()), 0);
  auto now = server.read("ex-objects", "/3/0/13", ContentFormat::text);
  EXPECT_NEAR(static_cast<double>(std::stoll(now.text())), static_cast<double>(std::time(nullptr)),
              5);
  EXPECT_EQ(server.read("ex-objects", "/4/0/0", ContentFormat::text).text(), "41");
  // A simulated sensor changes over time; a server's light write reaches the application.
  auto obs = server.observe("ex-objects", "/3304/0/5700", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  auto first = obs.wait_notification(10s);
  auto second = obs.wait_notification(10s);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->text(), second->text());
  auto w = server.write("ex-objects", "/3311/0/5850", {'1'}, ContentFormat::text);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
  EXPECT_NE(run.out().find("light 0 is on, dimmer 100, colour \"white\""), std::string::npos)
      << run.out();
}

TEST(CExample, SigintDeregistersToo) {
  Server server;
  ExampleRun run = start(
      {"--server", "coap://127.0.0.1:" + std::to_string(server.port()), "--endpoint", "ex-2"});
  ASSERT_TRUE(run.process);
  ASSERT_TRUE(server.wait_registered("ex-2", 20s)) << run.out() << run.err();
  ASSERT_EQ(::kill(run.process->pid(), SIGINT), 0);
  EXPECT_TRUE(server.wait_deregistered("ex-2", 10s));
  EXPECT_EQ(run.process->wait_for(10s), 0);
}

TEST(CExample, BootstrapsFromABootstrapServerThenRegisters) {
  Server server;
  BootstrapServer bs;
  tlv::SecurityInstance account;
  account.server_uri = server.uri();
  account.bootstrap_server = false;
  account.security_mode = 3;  // NoSec
  account.short_server_id = 7;
  tlv::ServerInstance srv;
  srv.short_server_id = 7;
  srv.lifetime = 45;
  srv.binding = "U";
  BootstrapScript script;
  script.steps = {
      BootstrapStep::delete_path("/"),
      BootstrapStep::write("/0/1", tlv::security_resources(account)),
      BootstrapStep::write("/1", tlv::server_instance(0, srv)),
  };
  bs.set_script(script);
  ExampleRun run = start({"--server", bs.uri(), "--bootstrap", "--endpoint", "ex-bs"});
  ASSERT_TRUE(run.process);
  auto info = server.wait_registered("ex-bs", 20s);
  ASSERT_TRUE(info) << run.out() << run.err();
  EXPECT_EQ(info->lifetime, 45u);  // what the bootstrap server wrote
  EXPECT_TRUE(info->has_link("/3303/0"));
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_TRUE(server.wait_deregistered("ex-bs", 10s)) << run.out() << run.err();
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
}

TEST(CExample, LwM2MVersionAndQueueModeReachTheRegister) {
  Server server;
  ExampleRun run =
      start({"--server", server.uri(), "--endpoint", "ex-v10", "--lwm2m", "1.0", "--queue"});
  ASSERT_TRUE(run.process);
  auto info = server.wait_registered("ex-v10", 20s);
  ASSERT_TRUE(info) << run.out() << run.err();
  EXPECT_EQ(info->lwm2m_version, "1.0");
  EXPECT_EQ(info->binding, "UQ");
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
}

struct BadFlag {
  std::vector<std::string> args;
  std::string named;  // the flag the message names
  std::string fix;    // part of the fix it proposes
};

TEST(CExample, BadFlagsAreNamedWithTheFixAndExit2) {
  const BadFlag cases[] = {
      {{"--bogus"}, "--bogus", "--help"},
      {{"--server", "http://x"}, "--server", "coap://HOST[:PORT]"},
      {{"--server", "coaps://127.0.0.1"}, "--server", "--psk-identity ID and --psk-key HEX"},
      {{"--psk-key", "xyz1"}, "--psk-key", "hex digits"},
      {{"--lifetime", "soon"}, "--lifetime", "--lifetime 300"},
      {{"--local-port", "70000"}, "--local-port", "0-65535"},
      {{"--endpoint"}, "--endpoint", "needs a value"},
      {{"--endpoint", std::string(129, 'e')},
       "--endpoint",
       "the endpoint name is 129 bytes, the limit is 128"},
      {{"--psk-identity", "id", "--psk-key", "0102"},
       "--psk-identity/--psk-key",
       "keys need a coaps:// server"},
      {{"--lwm2m", "2.0"}, "--lwm2m", "1.0, 1.1 or 1.2"},
      {{"--retries", "0"}, "--retries", "1-255"},
      {{"--retry-delay", "soon"}, "--retry-delay", "1-86400"},
  };
  for (const BadFlag& c : cases) {
    ExampleRun run = start(c.args);
    ASSERT_TRUE(run.process);
    EXPECT_EQ(run.process->wait_for(10s), 2) << c.args[0];
    std::string err = run.err();
    EXPECT_NE(err.find(c.named), std::string::npos) << err;
    EXPECT_NE(err.find(c.fix), std::string::npos) << err;
  }
}

TEST(CExample, HelpListsEveryFlag) {
  ExampleRun run = start({"--help"});
  ASSERT_TRUE(run.process);
  EXPECT_EQ(run.process->wait_for(10s), 0);
  std::string out = run.out();
  for (const char* flag :
       {"--endpoint", "--server", "--psk-identity", "--psk-key", "--lifetime", "--local-port",
        "--bootstrap", "--lwm2m", "--queue", "--state-dir", "--keep-trying", "--retries",
        "--retry-delay", "--help", "at most 128 bytes", "a second Ctrl-C exits at once"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

// A UDP port held by the test: nothing answers there.
struct HeldPort {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  uint16_t port = 0;
  HeldPort() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
  }
  ~HeldPort() { ::close(fd); }
};

template <class F>
bool wait_until(F&& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(CExample, APortInUseIsNamedAndExits1) {
  HeldPort held;
  ASSERT_NE(held.port, 0);
  Server server;
  ExampleRun run = start({"--server", server.uri(), "--local-port", std::to_string(held.port)});
  ASSERT_TRUE(run.process);
  EXPECT_EQ(run.process->wait_for(10s), 1) << run.out() << run.err();
  EXPECT_NE(run.out().find("port " + std::to_string(held.port) + " is in use"), std::string::npos)
      << run.out();
}

// Every Register refused: with a short retry scheme from the command line the example logs
// each attempt, says it gives up and exits 1 (for a supervisor to restart it) in seconds.
TEST(CExample, GivesUpAfterTheLastAttemptAndExits1) {
  Server server;
  server.reject_registrations(10, lwm2m::testserver::coap_code(4, 3));
  ExampleRun run = start(
      {"--server", server.uri(), "--endpoint", "ex-fail", "--retries", "2", "--retry-delay", "1"});
  ASSERT_TRUE(run.process);
  EXPECT_EQ(run.process->wait_for(20s), 1) << run.out() << run.err();
  const std::string out = run.out();
  EXPECT_NE(out.find("server 1: Register failed: forbidden; attempt 1 of this retry sequence, "
                     "next attempt in 1 s"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("no server accepted us and no attempt is left: giving up"), std::string::npos)
      << out;
  EXPECT_NE(out.find("every attempt to register failed (see above): exiting with 1"),
            std::string::npos)
      << out;
}

TEST(CExample, CtrlCBeforeRegistrationExitsAtOnce) {
  HeldPort silent;  // a server that never answers
  ExampleRun run = start({"--server", "coap://127.0.0.1:" + std::to_string(silent.port)});
  ASSERT_TRUE(run.process);
  ASSERT_TRUE(wait_until([&] { return run.out().find("connecting to") != std::string::npos; }, 10s))
      << run.out() << run.err();
  ASSERT_EQ(::kill(run.process->pid(), SIGINT), 0);
  EXPECT_EQ(run.process->wait_for(3s), 0) << run.out() << run.err();
  EXPECT_NE(run.out().find("stopping: not registered yet; waiting up to 1 s"), std::string::npos)
      << run.out();
}

TEST(CExample, ASecondCtrlCExitsAtOnceWhileDeregistering) {
  auto server = std::make_unique<Server>();
  ExampleRun run = start({"--server", server->uri(), "--endpoint", "ex-int"});
  ASSERT_TRUE(run.process);
  ASSERT_TRUE(server->wait_registered("ex-int", 20s)) << run.out() << run.err();
  ASSERT_TRUE(
      wait_until([&] { return run.out().find("registered (server 1)") != std::string::npos; }, 10s))
      << run.out();  // the example saw the 2.01
  server.reset();    // the De-register will get no answer
  ASSERT_EQ(::kill(run.process->pid(), SIGINT), 0);
  ASSERT_TRUE(wait_until(
      [&] { return run.out().find("stopping: de-registering") != std::string::npos; }, 10s))
      << run.out();
  EXPECT_TRUE(run.process->running());
  ASSERT_EQ(::kill(run.process->pid(), SIGINT), 0);
  EXPECT_EQ(run.process->wait_for(1s), 130) << run.out() << run.err();
}

}  // namespace
