// SPDX-License-Identifier: Apache-2.0
// lwm2m-client as a process whose console is a pipe (a FIFO the test writes to), against the
// libcoap test server: every console command, every bad command and bad flag, and the log
// lines that explain failures (retries, giving up, a port in use, a wrong PSK, Ctrl-C).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/testserver/file_server.hpp"
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
using lwm2m::testserver::Bytes;
using lwm2m::testserver::coap_code;
using lwm2m::testserver::ContentFormat;
using lwm2m::testserver::Event;
using lwm2m::testserver::FileServer;
using lwm2m::testserver::Options;
using lwm2m::testserver::PskCredential;
using lwm2m::testserver::Server;
namespace tlv = lwm2m::testserver::tlv;

constexpr auto kWait = 20s;
// Files a test keeps across its runs of the client (each ClientRun empties its own directory).
const std::string kFilesDir = std::string(LWM2M_CLIENT_TOOL_WORK_DIR) + "/files";

// One lwm2m-client process: its console is fed line by line through a FIFO; its stdout
// and stderr go to files the test reads.
class ClientRun {
 public:
  explicit ClientRun(std::vector<std::string> args) {
    dir_ = make_work_dir(LWM2M_CLIENT_TOOL_WORK_DIR);
    const std::string fifo = dir_ + "/in";
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    args.insert(args.begin(), LWM2M_CLIENT_TOOL);
    if (auto p = Subprocess::start(args, dir_ + "/out", dir_ + "/err", fifo))
      process_.emplace(std::move(*p));
    // Blocks until the child opened its end (or it exited: then the open fails).
    if (process_) input_ = ::open(fifo.c_str(), O_WRONLY);
  }
  ~ClientRun() { close_input(); }
  ClientRun(const ClientRun&) = delete;
  ClientRun& operator=(const ClientRun&) = delete;

  bool started() const { return process_.has_value() && input_ >= 0; }
  const std::string& dir() const { return dir_; }
  Subprocess& process() { return *process_; }
  void type(const std::string& line) {
    const std::string l = line + "\n";
    ASSERT_EQ(::write(input_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
  }
  void close_input() {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }
  std::string out() const { return read_file(dir_ + "/out"); }
  std::string err() const { return read_file(dir_ + "/err"); }
  std::string both() const { return "stdout:\n" + out() + "stderr:\n" + err(); }
  /// Waits until stdout (or stderr) holds `text` `times` times.
  bool wait_out(const std::string& text, std::chrono::milliseconds timeout = kWait,
                size_t times = 1) {
    return wait([&] { return count(out(), text) >= times; }, timeout);
  }
  bool wait_err(const std::string& text, std::chrono::milliseconds timeout = kWait) {
    return wait([&] { return err().find(text) != std::string::npos; }, timeout);
  }

 private:
  static size_t count(const std::string& s, const std::string& text) {
    size_t n = 0;
    for (size_t at = s.find(text); at != std::string::npos; at = s.find(text, at + 1))
      ++n;
    return n;
  }
  template <class F>
  static bool wait(F&& done, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  std::string dir_;
  std::optional<Subprocess> process_;
  int input_ = -1;
};

// Without DTLS in this build the DTLS tests cannot run: a skip locally, a failure in CI.
bool dtls_missing() {
  if (LWM2M_CLIENT_TOOL_HAVE_DTLS) return false;
  if (std::getenv("CI")) ADD_FAILURE() << "CI builds need DTLS (libmbedtls-dev)";
  return true;
}

bool contains(const std::string& s, const std::string& text) {
  return s.find(text) != std::string::npos;
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

TEST(ClientTool, ConsoleDrivesEveryCommandAgainstTheServerOverUdp) {
  Server server;
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-1", "--lifetime", "120", "--objects",
                 "temperature,humidity"});
  ASSERT_TRUE(run.started());
  auto info = server.wait_registered("tool-1", kWait);
  ASSERT_TRUE(info) << run.both();
  EXPECT_EQ(info->lifetime, 120u);
  EXPECT_TRUE(info->has_link("/3303/0"));
  EXPECT_TRUE(info->has_link("/3304/0"));
  ASSERT_TRUE(run.wait_err("registered (server 1)")) << run.both();  // the client saw the 2.01

  run.type("status");
  ASSERT_TRUE(run.wait_out("server 1: registered, location " + info->location +
                           ", lifetime 120 s, next Update in "))
      << run.both();
  run.type("objects");
  ASSERT_TRUE(run.wait_out("/3304 Humidity: instances 0")) << run.both();  // the last one
  EXPECT_TRUE(contains(run.out(), "/3 Device: instances 0"));
  EXPECT_TRUE(contains(run.out(), "/3303 Temperature: instances 0"));

  // set notifies the server's observation; get shows the new value.
  auto obs = server.observe("tool-1", "/3303/0/5700", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  EXPECT_EQ(obs.response().text(), "21.5");
  run.type("set /3303/0/5700 30.25");
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n) << run.both();
  EXPECT_EQ(n->text(), "30.25");
  run.type("get /3303/0");
  // One line per readable resource, in order (the answer to set said "set: /3303/0/5700 =
  // 30.25"): the measured minimum and maximum follow the values set.
  ASSERT_TRUE(run.wait_out(
      "\n/3303/0/5601 = 21.5\n/3303/0/5602 = 30.25\n/3303/0/5603 = -40\n/3303/0/5604 = 85\n"
      "/3303/0/5700 = 30.25\n/3303/0/5701 = \"Cel\"\n/3303/0/5750 = \"\"\n"))
      << run.both();
  // A string with spaces, written by the console and read by the server.
  run.type("set /3303/0/5750 living room");
  ASSERT_TRUE(run.wait_out("set: /3303/0/5750 = living room")) << run.both();
  EXPECT_EQ(server.read("tool-1", "/3303/0/5750", ContentFormat::text).text(), "living room");

  run.type("send /3303/0/5700 /3304/0/5700");
  auto sent = server.wait_send("tool-1", kWait);
  ASSERT_TRUE(sent) << run.both();
  EXPECT_TRUE(run.wait_out("send: sent to server 1"));

  run.type("update");
  ASSERT_TRUE(server.wait_update("tool-1", kWait)) << run.both();
  run.type("deregister");
  ASSERT_TRUE(server.wait_deregistered("tool-1", kWait)) << run.both();
  ASSERT_TRUE(run.wait_err("deregistered (server 1)")) << run.both();
  run.type("status");
  ASSERT_TRUE(run.wait_out("server 1: idle")) << run.both();
  run.type("register");
  ASSERT_TRUE(server.wait_registered("tool-1", kWait)) << run.both();
  run.type("bootstrap");  // no bootstrap server configured: said so
  ASSERT_TRUE(run.wait_err("bootstrap failed: no bootstrap server is configured")) << run.both();
  run.type("help");
  ASSERT_TRUE(run.wait_out("commands: get, set, send")) << run.both();
  run.type("quit");
  EXPECT_TRUE(server.wait_deregistered("tool-1", kWait)) << run.both();
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
  EXPECT_TRUE(contains(run.out(), "exiting with 0"));
}

TEST(ClientTool, ConsoleOverDtlsPsk) {
  if (dtls_missing()) GTEST_SKIP() << "this build has no DTLS";
  Options o;
  o.psk = {PskCredential{"tool-psk", {0x73, 0x65, 0x63, 0x72, 0x65, 0x74}}};
  Server server(o);
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-psk", "--psk-identity", "tool-psk",
                 "--psk-key", "736563726574"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(server.wait_registered("tool-psk", kWait)) << run.both();
  ASSERT_TRUE(run.wait_err("registered (server 1)")) << run.both();
  EXPECT_TRUE(contains(run.err(), "DTLS session established"));
  auto obs = server.observe("tool-psk", "/3303/0/5700", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  run.type("set /3303/0/5700 -4.5");
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n) << run.both();
  EXPECT_EQ(n->text(), "-4.5");
  run.type("status");
  ASSERT_TRUE(run.wait_out("server 1: registered")) << run.both();
  run.close_input();  // end of input quits too
  EXPECT_TRUE(server.wait_deregistered("tool-psk", kWait)) << run.both();
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
}

TEST(ClientTool, TheServerReadsInEveryFormatWritesObservesThreeChangesAndExecutes) {
  Server server;
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-dm", "--lwm2m", "1.1"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(server.wait_registered("tool-dm", kWait)) << run.both();
  ASSERT_TRUE(run.wait_err("registered (server 1)")) << run.both();
  for (ContentFormat f : {ContentFormat::tlv, ContentFormat::senml_json, ContentFormat::senml_cbor,
                          ContentFormat::lwm2m_json, ContentFormat::lwm2m_cbor}) {
    auto r = server.read("tool-dm", "/3303/0", f);
    EXPECT_EQ(r.code_string(), "2.05") << to_string(f);
    EXPECT_EQ(r.content_format, f);
    EXPECT_FALSE(r.payload.empty()) << to_string(f);
  }
  EXPECT_EQ(server.read("tool-dm", "/3303/0/5701", ContentFormat::text).text(), "Cel");
  const std::string kitchen = "kitchen";
  auto w = server.write("tool-dm", "/3303/0/5750", {kitchen.begin(), kitchen.end()},
                        ContentFormat::text);
  EXPECT_EQ(w.code_string(), "2.04");
  run.type("get /3303/0/5750");
  ASSERT_TRUE(run.wait_out("/3303/0/5750 = \"kitchen\"")) << run.both();

  auto obs = server.observe("tool-dm", "/3303/0/5700", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  for (const char* v : {"22", "23.5", "-1"}) {
    run.type(std::string("set /3303/0/5700 ") + v);
    auto n = obs.wait_notification(kWait);
    ASSERT_TRUE(n) << v << "\n" << run.both();
    EXPECT_EQ(n->text(), v);
  }
  // Reboot (/3/0/4): the client answers, de-registers and exits 0 to be started again.
  EXPECT_EQ(server.execute("tool-dm", "/3/0/4").code_string(), "2.04");
  EXPECT_TRUE(server.wait_deregistered("tool-dm", kWait)) << run.both();
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
  EXPECT_TRUE(contains(run.out(), "the server asked for a reboot: exiting")) << run.out();
}

struct BadCommand {
  std::string line;
  std::string expected;  // part of the one line that answers it
};

TEST(ClientTool, EveryBadCommandGetsOneLineSayingWhatWasExpected) {
  Server server;
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-bad"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(server.wait_registered("tool-bad", kWait)) << run.both();
  ASSERT_TRUE(run.wait_err("registered (server 1)")) << run.both();
  const BadCommand cases[] = {
      {"frobnicate", "unknown command \"frobnicate\": expected one of get, set, send"},
      {"get", "get: expected one path, e.g. get /3303/0/5700"},
      {"get /3303/0 /3/0", "get: expected one path"},
      {"get 3303", "get: \"3303\" is not a path; expected /OBJECT[/INSTANCE[/RESOURCE]]"},
      {"get /9999", "get: no object 9999 (the command objects lists them)"},
      {"set /3303/0/5700", "set: expected a resource path and a value"},
      {"set /3303/0 1",
       "set: \"/3303/0\" is not a resource path; expected /OBJECT/INSTANCE/RESOURCE"},
      {"set /3303/0/5700 warm", "set: /3303/0/5700 is float: expected a number, e.g. 21.5"},
      {"set /3303/0/9 1", "set: no resource /3303/0/9"},
      {"send", "send: expected one or more paths"},
      {"send /x", "send: \"/x\" is not a path"},
      {"update now", "update: takes no argument (got \"now\")"},
      {"status all", "status: takes no argument"},
      {"objects 3", "objects: takes no argument"},
      {"deregister 1", "deregister: takes no argument"},
      {"register 1", "register: takes no argument"},
      {"register", "register: server 1 is registered; expected every server idle"},
      {"bootstrap x", "bootstrap: takes no argument"},
      {"quit now", "quit: takes no argument"},
  };
  for (const BadCommand& c : cases) {
    run.type(c.line);
    EXPECT_TRUE(run.wait_err(c.expected, 5s)) << c.line << "\n" << run.both();
  }
  // Each bad command got exactly one line, and none ended the program.
  size_t lines = 0;
  for (const std::string& s : {run.err()})
    for (char ch : s)
      lines += ch == '\n';
  size_t log_lines = 0;
  for (size_t at = run.err().find("lwm2m-client: "); at != std::string::npos;
       at = run.err().find("lwm2m-client: ", at + 1))
    ++log_lines;
  EXPECT_EQ(lines - log_lines, std::size(cases)) << run.err();
  EXPECT_TRUE(run.process().running());
  // At the end of piped input, a failed command makes the exit code 1.
  run.type("quit");
  EXPECT_EQ(run.process().wait_for(kWait), 1) << run.both();
  EXPECT_TRUE(server.wait_deregistered("tool-bad", kWait));
}

struct BadFlag {
  std::vector<std::string> args;
  std::string named;  // the flag the message names
  std::string fix;    // part of the fix it proposes
};

TEST(ClientTool, BadFlagsAreNamedWithTheFixAndExit2) {
  const BadFlag cases[] = {
      {{"--bogus"}, "--bogus", "unknown option; the options are listed by --help"},
      {{"--endpoint"}, "--endpoint", "needs a value"},
      {{"--endpoint", ""}, "--endpoint", "needs a non-empty name"},
      {{"--endpoint", std::string(129, 'e')},
       "--endpoint",
       "the endpoint name is 129 bytes, the limit is 128"},
      {{"--server", "http://x"}, "--server", "coap://HOST[:PORT]"},
      {{"--server", "coap://127.0.0.1:"}, "--server", "coap://HOST[:PORT]"},
      {{"--server", "coaps://127.0.0.1"}, "--server", "a coaps:// server needs keys"},
      {{"--psk-identity", "id", "--psk-key", "0102"},
       "--psk-identity/--psk-key",
       "keys need a coaps:// server"},
      {{"--server", "coaps://127.0.0.1", "--psk-identity", "id"},
       "--psk-identity/--psk-key",
       "PSK needs both"},
      {{"--psk-key", "xyz1"}, "--psk-key", "hex digits 0-9 a-f"},
      {{"--psk-key", "123"}, "--psk-key", "an even number of hex digits"},
      {{"--server", "coaps://h", "--cert", "c.der"},
       "--cert/--key/--server-cert",
       "certificate mode needs all three"},
      {{"--server", "coaps://h", "--cert", "/nonexistent", "--key", "/nonexistent", "--server-cert",
        "/nonexistent"},
       "--cert",
       "cannot read \"/nonexistent\""},
      {{"--lifetime", "soon"}, "--lifetime", "--lifetime 300"},
      {{"--lifetime", "0"}, "--lifetime", ">= 1"},
      {{"--local-port", "70000"}, "--local-port", "0-65535"},
      {{"--lwm2m", "2.0"}, "--lwm2m", "1.0, 1.1 or 1.2"},
      {{"--binding", "T"}, "--binding", "U or UQ"},
      {{"--log-level", "loud"}, "--log-level", "none, info or debug"},
      {{"--objects", "temperature,toaster"},
       "--objects",
       "unknown object \"toaster\"; expected a comma-separated list of temperature"},
      {{"--retries", "0"}, "--retries", "1-255"},
      {{"--retry-delay", "-1"}, "--retry-delay", "1-86400"},
  };
  for (const BadFlag& c : cases) {
    ClientRun run(c.args);
    ASSERT_TRUE(run.started());
    EXPECT_EQ(run.process().wait_for(10s), 2) << c.args[0];
    const std::string err = run.err();
    EXPECT_TRUE(contains(err, "lwm2m-client: " + c.named + ": ")) << err;
    EXPECT_TRUE(contains(err, c.fix)) << err;
    EXPECT_TRUE(contains(err, "(see lwm2m-client --help)")) << err;
  }
}

TEST(ClientTool, HelpListsEveryFlagCommandAndExitCode) {
  ClientRun run({"--help"});
  ASSERT_TRUE(run.started());
  EXPECT_EQ(run.process().wait_for(10s), 0);
  const std::string out = run.out();
  for (const char* flag : {"--endpoint",
                           "--server",
                           "--bootstrap",
                           "--psk-identity",
                           "--psk-key",
                           "--cert",
                           "--key",
                           "--server-cert",
                           "--lifetime",
                           "--local-port",
                           "--lwm2m",
                           "--binding",
                           "--queue",
                           "--keep-trying",
                           "--retries",
                           "--retry-delay",
                           "--objects",
                           "--log-level",
                           "--help",
                           "at most 128 bytes",
                           "--state-dir",
                           "--firmware-dir",
                           "temperature, humidity, illuminance, barometer, voltage, current"})
    EXPECT_TRUE(contains(out, flag)) << flag;
  for (const char* command : {"get PATH", "set PATH VALUE", "send PATH...", "update", "deregister",
                              "register", "bootstrap", "status", "objects", "quit"})
    EXPECT_TRUE(contains(out, "  " + std::string(command))) << command;
  EXPECT_TRUE(contains(out, "Exit codes: 0"));
}

TEST(ClientTool, EachFailedAttemptIsLoggedThenItGivesUpAndExits1) {
  Server server;
  server.reject_registrations(10, coap_code(4, 3));
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-fail", "--retries", "2",
                 "--retry-delay", "1"});
  ASSERT_TRUE(run.started());
  EXPECT_EQ(run.process().wait_for(kWait), 1) << run.both();
  const std::string err = run.err();
  EXPECT_TRUE(contains(err,
                       "server 1: Register failed: forbidden; attempt 1 of this retry sequence, "
                       "next attempt in 1 s"))
      << err;
  EXPECT_TRUE(contains(err, "registration failed (server 1): forbidden; that was the last attempt"))
      << err;
  EXPECT_TRUE(contains(err, "no server accepted us and no attempt is left: giving up")) << err;
  EXPECT_TRUE(contains(run.out(), "every attempt to register failed (see above): exiting with 1"))
      << run.out();
}

TEST(ClientTool, KeepTryingStaysUpAfterTheLastAttemptAndRegisterStartsOver) {
  Server server;
  server.reject_registrations(2, coap_code(4, 3));
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-keep", "--retries", "2",
                 "--retry-delay", "1", "--keep-trying"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(run.wait_err("no attempt is left; keep trying: starting over in 60 s")) << run.both();
  EXPECT_TRUE(run.process().running());
  run.type("status");
  ASSERT_TRUE(run.wait_out("server 1: failed")) << run.both();
  run.type("register");  // no need to wait a minute
  ASSERT_TRUE(server.wait_registered("tool-keep", kWait)) << run.both();
  run.type("quit");
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
}

TEST(ClientTool, APortInUseIsNamed) {
  HeldPort held;
  ASSERT_NE(held.port, 0);
  Server server;
  ClientRun run({"--server", server.uri(), "--local-port", std::to_string(held.port)});
  ASSERT_TRUE(run.started());
  EXPECT_EQ(run.process().wait_for(kWait), 1) << run.both();
  EXPECT_TRUE(contains(run.err(), "port " + std::to_string(held.port) + " is in use")) << run.err();
}

TEST(ClientTool, CtrlCBeforeRegistrationExitsAtOnce) {
  HeldPort silent;  // a server that never answers
  ClientRun run({"--server", "coap://127.0.0.1:" + std::to_string(silent.port)});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(run.wait_err("connecting to 127.0.0.1")) << run.both();
  ASSERT_EQ(::kill(run.process().pid(), SIGINT), 0);
  EXPECT_EQ(run.process().wait_for(3s), 0) << run.both();
  EXPECT_TRUE(contains(run.err(), "stopping: not registered yet; waiting up to 1 s")) << run.err();
}

TEST(ClientTool, ASecondCtrlCExitsAtOnceWhileDeregistering) {
  auto server = std::make_unique<Server>();
  ClientRun run({"--server", server->uri(), "--endpoint", "tool-int"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(server->wait_registered("tool-int", kWait)) << run.both();
  ASSERT_TRUE(run.wait_err("registered (server 1)")) << run.both();
  server.reset();  // the De-register will get no answer
  ASSERT_EQ(::kill(run.process().pid(), SIGINT), 0);
  ASSERT_TRUE(run.wait_out("signal received: stopping (again to exit at once)")) << run.both();
  ASSERT_TRUE(run.wait_err("stopping: de-registering")) << run.both();
  EXPECT_TRUE(run.process().running());
  ASSERT_EQ(::kill(run.process().pid(), SIGINT), 0);
  EXPECT_EQ(run.process().wait_for(1s), 130) << run.both();
}

TEST(ClientTool, AWrongPskIsReportedWithinHalfAMinute) {
  if (dtls_missing()) GTEST_SKIP() << "this build has no DTLS";
  Options o;
  o.psk = {PskCredential{"tool-wrong", {0x01, 0x02}}};
  Server server(o);
  const auto start = std::chrono::steady_clock::now();
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-wrong", "--psk-identity",
                 "tool-wrong", "--psk-key", "0103"});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(run.wait_err("server 1: DTLS failed: ", 40s)) << run.both();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_TRUE(run.wait_err("server 1: Register failed: ")) << run.both();
  EXPECT_TRUE(contains(run.err(), "PSK")) << run.err();
  run.type("quit");
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
}

size_t bootstrap_requests(const BootstrapServer& bs, const std::string& ep) {
  size_t n = 0;
  for (const Event& e : bs.events())
    n += e.kind == Event::Kind::bootstrap_requested && e.endpoint == ep;
  return n;
}

// --state-dir: the first start bootstraps and keeps what the bootstrap server wrote; the
// second start registers at once with that configuration, without a Bootstrap-Request.
TEST(ClientTool, StateDirKeepsTheBootstrappedConfigurationAcrossARestart) {
  Server server;
  BootstrapServer bs;
  tlv::SecurityInstance account;
  account.server_uri = server.uri();
  account.security_mode = 3;  // NoSec
  account.short_server_id = 7;
  tlv::ServerInstance srv;
  srv.short_server_id = 7;
  srv.lifetime = 45;
  BootstrapScript script;
  script.steps = {
      BootstrapStep::delete_path("/"),
      BootstrapStep::write("/0/1", tlv::security_resources(account)),
      BootstrapStep::write("/1", tlv::server_instance(0, srv)),
  };
  bs.set_script(script);
  const std::string state = make_work_dir(kFilesDir) + "/state";
  const std::vector<std::string> args = {"--server",   bs.uri(),      "--bootstrap", "--endpoint",
                                         "tool-state", "--state-dir", state};
  {
    ClientRun first(args);
    ASSERT_TRUE(first.started());
    auto info = server.wait_registered("tool-state", kWait);
    ASSERT_TRUE(info) << first.both();
    EXPECT_EQ(info->lifetime, 45u);  // what the bootstrap server wrote
    EXPECT_TRUE(contains(first.err(), "no saved configuration in " + state)) << first.err();
    EXPECT_EQ(bootstrap_requests(bs, "tool-state"), 1u);
    first.type("quit");
    EXPECT_EQ(first.process().wait_for(kWait), 0) << first.both();
    EXPECT_TRUE(server.wait_deregistered("tool-state", kWait));
  }
  EXPECT_FALSE(read_file(state + "/lwm2m-state.bin").empty());
  ClientRun second(args);
  ASSERT_TRUE(second.started());
  auto info = server.wait_registered("tool-state", kWait);
  ASSERT_TRUE(info) << second.both();
  EXPECT_EQ(info->lifetime, 45u);
  EXPECT_TRUE(contains(second.err(), "restored the saved configuration from " + state))
      << second.err();
  ASSERT_TRUE(second.wait_err("registered (server 7)")) << second.both();
  EXPECT_EQ(bootstrap_requests(bs, "tool-state"), 1u);  // no second Bootstrap-Request
  second.type("quit");
  EXPECT_EQ(second.process().wait_for(kWait), 0) << second.both();
}

TEST(ClientTool, AStateDirThatCannotBeUsedIsNamedAndExits2) {
  ClientRun run({"--state-dir", "/proc/no/such/dir"});
  ASSERT_TRUE(run.started());
  EXPECT_EQ(run.process().wait_for(kWait), 2) << run.both();
  EXPECT_TRUE(contains(run.err(), "--state-dir /proc/no/such/dir: cannot be used")) << run.err();
}

Bytes image_bytes(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

// --firmware-dir, pushed: the server writes Package with Block1, the image lands in the
// directory, Update installs it and the server sees State and Update Result change.
TEST(ClientTool, FirmwarePushedByTheServerIsStoredAndInstalled) {
  Server server;
  const std::string fw = make_work_dir(kFilesDir) + "/fw";
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-fw", "--firmware-dir", fw});
  ASSERT_TRUE(run.started());
  auto info = server.wait_registered("tool-fw", kWait);
  ASSERT_TRUE(info) << run.both();
  EXPECT_TRUE(info->has_link("/5/0"));
  std::string image = "LWFW2.0.0\n";
  for (int i = 0; image.size() < 3000; ++i)
    image += static_cast<char>('a' + i % 26);
  auto w = server.write("tool-fw", "/5/0/0", image_bytes(image), ContentFormat::opaque);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(read_file(fw + "/firmware.bin"), image);
  EXPECT_EQ(server.read("tool-fw", "/5/0/3", ContentFormat::text).text(), "2");  // Downloaded
  EXPECT_EQ(server.execute("tool-fw", "/5/0/2").code_string(), "2.04");
  ASSERT_TRUE(run.wait_out("firmware: now running version 2.0.0 (Update Result 1)")) << run.both();
  EXPECT_EQ(read_file(fw + "/installed.bin"), image);
  EXPECT_EQ(server.read("tool-fw", "/5/0/3", ContentFormat::text).text(), "0");  // Idle
  EXPECT_EQ(server.read("tool-fw", "/5/0/5", ContentFormat::text).text(), "1");  // success
  EXPECT_EQ(server.read("tool-fw", "/3/0/3", ContentFormat::text).text(), "2.0.0");
  run.type("quit");
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
}

// --firmware-dir, pulled: the server writes Package URI naming its own file server; the
// client fetches it block by block into the directory.
TEST(ClientTool, FirmwarePulledFromPackageUriIsStored) {
  Server server;
  std::string image = "LWFW3.1\n";
  for (int i = 0; image.size() < 5000; ++i)
    image += static_cast<char>('A' + i % 26);
  FileServer files("fw.bin", image_bytes(image));
  const std::string uri = files.uri();
  const std::string fw = make_work_dir(kFilesDir) + "/fw";
  ClientRun run({"--server", server.uri(), "--endpoint", "tool-pull", "--firmware-dir", fw});
  ASSERT_TRUE(run.started());
  ASSERT_TRUE(server.wait_registered("tool-pull", kWait)) << run.both();
  auto w = server.write("tool-pull", "/5/0/1", image_bytes(uri), ContentFormat::text);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  ASSERT_TRUE(run.wait_out("firmware: 5000 bytes stored in " + fw + "/firmware.bin")) << run.both();
  EXPECT_EQ(read_file(fw + "/firmware.bin"), image);
  EXPECT_EQ(server.read("tool-pull", "/5/0/3", ContentFormat::text).text(), "2");  // Downloaded
  run.type("quit");
  EXPECT_EQ(run.process().wait_for(kWait), 0) << run.both();
}

}  // namespace
