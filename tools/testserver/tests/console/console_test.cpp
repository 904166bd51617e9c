// SPDX-License-Identifier: Apache-2.0
// lwm2m-server driven from a pipe, as a script or CI would: every console command against
// the library client (UDP) and the C example (DTLS PSK, bootstrap), every bad command and
// every bad flag. Tests wait for output lines, never sleep.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <fstream>

#include "block_upload.hpp"
#include "fixture.hpp"
#include "process.hpp"
#include "render.hpp"

namespace lwm2m::console_test {
namespace {

using namespace std::chrono_literals;
using itest::Rig;

const char kServerExe[] = LWM2M_SERVER_EXE;
const char kExampleExe[] = LWM2M_C_CLIENT_EXE;

uint16_t port_after(const std::string& line, const std::string& scheme) {
  size_t at = line.find(scheme + "127.0.0.1:");
  EXPECT_NE(at, std::string::npos) << line;
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::stoi(line.substr(at + scheme.size() + 10)));
}

std::string temp_file(const std::string& name, const std::string& content) {
  // Per process: other test binaries may run at the same time.
  std::string path = ::testing::TempDir() + "lwm2m-server-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

bool example_available() {
  if (access(kExampleExe, X_OK) == 0) return true;
  // In CI a missing peer is a failure, not a skip.
  if (std::getenv("CI")) ADD_FAILURE() << kExampleExe << " is missing";
  return false;
}

// Firmware Update's Package resource, readable here so that a test can read back what
// push-firmware wrote.
constexpr dm::ResourceDef kFirmwareResources[] = {
    {0, dm::DataType::opaque, dm::Operations::read_write, false, true, "Package"},
};
constexpr dm::ObjectDef kFirmwareDef{5, "1.0", false, false, kFirmwareResources, "Firmware Update"};

class FirmwareObject final : public dm::Object {
 public:
  FirmwareObject() : dm::Object(kFirmwareDef) {}
  std::vector<uint8_t> package;
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  Result<dm::Value> read(dm::InstanceId, dm::ResourceId, dm::ResourceInstanceId,
                         MutableByteView) noexcept override {
    return dm::Value::opaque(ByteView(package.data(), package.size()));
  }
  Status write(dm::InstanceId, dm::ResourceId, dm::ResourceInstanceId,
               const dm::Value& v) noexcept override {
    package.assign(v.as_bytes().begin(), v.as_bytes().end());
    return {};
  }
};

// ---- the whole console against the library client, over UDP ----------------------------

class ConsoleUdp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto first = server.expect("listening on coap://");
    ASSERT_TRUE(first) << server.output();
    ASSERT_TRUE(rig.registry.add(firmware).ok());
    rig.config.coap.block1_buffer = block1_buffer;
    rig.add_server("coap://127.0.0.1:" + std::to_string(port_after(*first, "coap://")),
                   itest::test_server_config(1, 300));
    rig.start();
    ASSERT_TRUE(server.expect("registered ep=console-node")) << server.output();
    // The client too knows it is registered (before that, it cannot Send).
    ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, itest::kWait));
  }
  /// Sends a command and waits for each of `lines` in order.
  void run(const std::string& command, const std::vector<std::string>& lines) {
    server.send(command);
    for (const std::string& l : lines)
      ASSERT_TRUE(server.expect(l)) << command << ": no line with \"" << l << "\"\n"
                                    << server.output();
  }

  uint32_t block1_buffer = 8192;  // the client's Block1 reassembly buffer
  Process server{{kServerExe, "--port", "0", "--timeout", "10"}};
  Rig rig{"console-node"};
  FirmwareObject firmware;
};

TEST_F(ConsoleUdp, ListShowsTheRegisteredClientAtOnce) {
  run("list", {"1 client(s) registered", "console-node location=/rd/", "objects: "});
}

TEST_F(ConsoleUdp, ReadInEveryFormatPrintsATree) {
  for (const char* f : {"tlv", "senml-json", "senml-cbor", "lwm2m-cbor", "lwm2m-json"}) {
    run(std::string("read console-node /3/0 ") + f,
        {std::string("read console-node /3/0 -> 2.05 Content (") + f, "  /3/0",
         "    /3/0/0 Manufacturer: \"Acme\"", "    /3/0/1 Model Number: \"Model 7\""});
  }
  run("read console-node /3303/0/5700 text",
      {"-> 2.05 Content (text, 4 bytes)", "  /3303/0/5700 Sensor Value: 21.5"});
  run("read console-node /3303/0/5700 cbor",
      {"-> 2.05 Content (cbor,", "  /3303/0/5700 Sensor Value: 21.5"});
  run("read console-node /3303/0/5700",
      {"read console-node /3303/0/5700 -> 2.05 Content", "/3303/0/5700 Sensor Value: 21.5"});
  // Raw bytes only when asked.
  run("hex on", {"raw payloads in hex: on"});
  run("read console-node /3303/0/5700 text", {"Sensor Value: 21.5", "  hex: 32312e35"});
  run("hex off", {"raw payloads in hex: off"});
}

TEST_F(ConsoleUdp, WriteExecCreateDeleteDiscoverAndAttributes) {
  run("write console-node /3303/0/5750 kitchen",
      {"write console-node /3303/0/5750 -> 2.04 Changed"});
  run("read console-node /3303/0/5750", {"/3303/0/5750 Application Type: \"kitchen\""});
  run("write console-node /3303/0/5750 \"living room\" tlv", {"-> 2.04 Changed"});
  run("read console-node /3303/0/5750 senml-json", {"Application Type: \"living room\""});
  run("exec console-node /3303/0/5605 2='x',3", {"exec console-node /3303/0/5605 -> 2.04 Changed"});
  rig.locked([&](core::Client&) {
    ASSERT_EQ(rig.sensor.executions.size(), 1u);
    EXPECT_EQ(rig.sensor.executions[0], "0/5605:2='x',3");
  });
  run("create console-node /3303/2 5750=hall", {"create console-node /3303/2 -> 2.01 Created"});
  run("read console-node /3303/2/5750", {"Application Type: \"hall\""});
  run("create console-node /3303 5750=porch", {"-> 2.01 Created", "  created /3303/"});
  run("delete console-node /3303/2", {"delete console-node /3303/2 -> 2.02 Deleted"});
  run("read console-node /3303/2/5750", {"-> 4.04 Not Found"});
  run("attr console-node /3303/0/5700 pmin=1 pmax=5",
      {"attr console-node /3303/0/5700 -> 2.04 Changed"});
  run("discover console-node /3303/0",
      {"discover console-node /3303/0 -> 2.05 Content (link,", "  </3303/0/5700> pmax=5 pmin=1"});
  run("composite-read console-node /3/0/0 /3303/0/5700",
      {"composite-read console-node -> 2.05 Content", "/3/0/0 Manufacturer: \"Acme\"",
       "/3303/0/5700 Sensor Value: 21.5"});
  run("composite-read console-node /3/0/0 /3303/0/5700 senml-cbor",
      {"-> 2.05 Content (senml-cbor", "/3/0/0 Manufacturer: \"Acme\""});
}

TEST_F(ConsoleUdp, ObserveThreeNotificationsThenCancel) {
  run("observe console-node /3303/0/5700 text",
      {"observe console-node /3303/0/5700 -> 2.05 Content (text", "Sensor Value: 21.5"});
  const double values[] = {22.5, 23.5, 24.5};
  for (int i = 0; i < 3; ++i) {
    rig.set_sensor(0, values[i]);
    std::string n = "notification console-node /3303/0/5700 #" + std::to_string(i + 1);
    ASSERT_TRUE(server.expect(n)) << server.output();
    char v[48];
    std::snprintf(v, sizeof v, "/3303/0/5700 Sensor Value: %.1f", values[i]);
    ASSERT_TRUE(server.expect(v)) << server.output();
  }
  run("cancel console-node /3303/0/5700", {"cancel console-node /3303/0/5700 -> 2.05 Content"});
}

TEST_F(ConsoleUdp, SendDataIsPrintedAsItArrives) {
  const dm::Path paths[] = {dm::Path(3303, 0, 5700)};
  rig.locked([&](core::Client& c) { EXPECT_TRUE(c.send(1, paths, itest::runner_now()).ok()); });
  ASSERT_TRUE(server.expect("send from console-node -> 2.04")) << server.output();
  ASSERT_TRUE(server.expect("/3303/0/5700 Sensor Value: 21.5")) << server.output();
}

TEST_F(ConsoleUdp, PushFirmwareWritesTheFileInBlocks) {
  std::string image;
  for (int i = 0; i < 3000; ++i)
    image += static_cast<char>(i * 7);
  std::string file = temp_file("firmware.bin", image);
  run("push-firmware console-node " + file,
      {"3000 bytes to /5/0/0", "push-firmware console-node -> 2.04 (3000 bytes in 3 requests)"});
  rig.locked([&](core::Client&) {
    EXPECT_EQ(std::string(firmware.package.begin(), firmware.package.end()), image);
  });
  run("read console-node /5/0/0 opaque",
      {"-> 2.05 Content (opaque, 3000 bytes)", "/5/0/0 Package: opaque 3000 bytes 0x00070e15"});
}

// A client whose buffer is smaller than the image answers 4.13 with its limit (Size1):
// the push stops there and says why.
class ConsoleUdpSmallBuffer : public ConsoleUdp {
 protected:
  ConsoleUdpSmallBuffer() { block1_buffer = 2048; }
};

TEST_F(ConsoleUdpSmallBuffer, PushFirmwareTooLargeSaysTheClientsLimit) {
  std::string file = temp_file("large.bin", std::string(3000, 'x'));
  run("push-firmware console-node " + file,
      {"3000 bytes to /5/0/0", "push-firmware console-node -> 4.13 Request Entity Too Large",
       "failed: the client refused the firmware as too large (it takes at most 2048 bytes)"});
  rig.locked([&](core::Client&) { EXPECT_TRUE(firmware.package.empty()); });
}

TEST_F(ConsoleUdp, DeregisterIsSeen) {
  rig.runner->stop(Duration{3000});
  ASSERT_TRUE(server.expect("deregistered ep=console-node")) << server.output();
  run("list", {"0 client(s) registered"});
  server.send("quit");
  EXPECT_EQ(server.wait_exit(10s), 0);
}

// Each bad command: one line that says what was expected, and the console goes on.
TEST_F(ConsoleUdp, EveryBadCommandGetsOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"bogus", "error: unknown command \"bogus\"; expected one of list, read,"},
      {"list all", "error: usage: list (no arguments)"},
      {"read", "error: usage: read EP PATH [FORMAT]"},
      {"read console-node 3/0", "error: \"3/0\" is not an LwM2M path; expected /OBJECT"},
      {"read console-node /3/0 xml", "error: \"xml\" is not a content format; expected one of"},
      {"read nobody /3/0", "error: no client \"nobody\" is registered"},
      {"write console-node /3303/0/5750", "error: usage: write EP PATH VALUE [FORMAT]"},
      {"write console-node /3303/0 x", "error: write takes a resource path such as /1/0/1"},
      {"write console-node /1/0/1 abc", "error: /1/0/1 (Lifetime) takes a whole number"},
      {"write console-node /3/0/4 1", "error: /3/0/4 is executable: use exec"},
      {"write console-node /5/0/0 xyz opaque", "error: opaque values are hex digits"},
      {"write console-node /1/0/1 \"120", "error: a \" is not closed"},
      {"exec console-node", "error: usage: exec EP PATH [ARGS]"},
      {"exec console-node /3/0", "error: exec takes a resource path such as /3/0/4"},
      {"create console-node", "error: usage: create EP /OBJECT[/INSTANCE]"},
      {"create console-node /3303/0/1", "error: create takes an object or a new instance path"},
      {"create console-node /3303 abc=1", "error: create expects a resource id before '='"},
      {"create console-node /3303 5750 x", "error: create expects RID=VALUE"},
      {"create console-node /3303 5750=x senml-json",
       "error: create without an instance id needs tlv"},
      {"delete console-node", "error: usage: delete EP PATH"},
      {"discover console-node", "error: usage: discover EP PATH"},
      {"observe console-node", "error: usage: observe EP PATH [FORMAT]"},
      {"cancel console-node /3/0", "error: no observation of /3/0 on console-node"},
      {"attr console-node /3/0", "error: usage: attr EP PATH NAME=VALUE..."},
      {"attr console-node /3/0 foo=1", "error: \"foo\" is not an attribute; expected pmin"},
      {"attr console-node /3/0 pmin=soon", "error: pmin takes a number"},
      {"composite-read console-node", "error: usage: composite-read EP PATH... [FORMAT]"},
      {"push-firmware console-node", "error: usage: push-firmware EP FILE"},
      {"push-firmware console-node /nonexistent/fw.bin",
       "error: cannot read \"/nonexistent/fw.bin\""},
      {"hex maybe", "error: usage: hex on|off"},
      {"quit now", "error: usage: quit"},
  };
  for (const auto& [command, message] : cases) {
    server.send(command);
    auto line = server.expect(message);
    ASSERT_TRUE(line) << command << "\n" << server.output();
    // One line: the next thing printed is the answer to the next command.
    size_t after = server.line_count();
    server.send("hex off");
    ASSERT_TRUE(server.expect("raw payloads in hex: off")) << server.output();
    EXPECT_EQ(server.line_count(), after + 1) << command << "\n" << server.output();
  }
}

// ---- bad flags ----------------------------------------------------------------------------

TEST(ServerFlags, EveryBadFlagSaysWhatWasExpectedAndExitsNonZero) {
  std::string bad_bootstrap = temp_file("bad-bootstrap.txt", "server http://x\n");
  std::string no_server = temp_file("no-server.txt", "lifetime 60\n");
  std::string psk_mismatch =
      temp_file("mismatch.txt", "server coaps://127.0.0.1:5684\nsecurity nosec\n");
  std::string bad_psk_file = temp_file("bad-psk.txt", "id-only\n");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--bogus"}, "unknown option \"--bogus\""},
      {{"--port"}, "--port needs a value"},
      {{"--port", "x"}, "--port needs a port number 0-65535"},
      {{"--port", "70000"}, "--port needs a port number 0-65535"},
      {{"--dtls-port", "-1"}, "--dtls-port needs a port number"},
      {{"--bootstrap-port", "z"}, "--bootstrap-port needs a port number"},
      {{"--timeout", "0"}, "--timeout needs seconds > 0"},
      {{"--bind", "localhost"}, "--bind needs a numeric IPv4 or IPv6 address"},
      {{"--psk-key", "00"}, "--psk-key needs a --psk-identity before it"},
      {{"--psk-identity", "a"}, "--psk-identity a has no --psk-key"},
      {{"--psk-identity", "a", "--psk-key", "zz"}, "--psk-key needs the key in hex digits"},
      {{"--psk-identity-prefix", "f-"}, "--psk-identity-prefix f- has no --psk-key"},
      {{"--psk-identity-prefix", ""}, "--psk-identity-prefix needs a non-empty identity"},
      {{"--psk-identity-prefix", "f-", "--psk-identity", "a"},
       "--psk-identity-prefix f- has no --psk-key"},
      {{"--psk-file", "/nonexistent"}, "--psk-file: cannot read \"/nonexistent\""},
      {{"--psk-file", bad_psk_file}, "expected \"IDENTITY HEXKEY\""},
      {{"--bootstrap", "/nonexistent"}, "--bootstrap: cannot read \"/nonexistent\""},
      {{"--bootstrap", bad_bootstrap}, ":1: server takes a coap:// or coaps:// URI"},
      {{"--bootstrap", no_server}, "\"lifetime\" before the first \"server\" line"},
      {{"--bootstrap", psk_mismatch}, "security nosec does not match the coaps scheme"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> argv{kServerExe};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Process p(argv);
    EXPECT_EQ(p.wait_exit(10s), 2) << flags[0] << "\n" << p.output();
    EXPECT_NE(p.output().find("lwm2m-server: "), std::string::npos) << p.output();
    EXPECT_NE(p.output().find(message), std::string::npos) << flags[0] << "\n" << p.output();
    EXPECT_NE(p.output().find("(see lwm2m-server --help)"), std::string::npos) << p.output();
  }
}

TEST(ServerFlags, HelpListsCommandsAndTheBootstrapFileAndExitsZero) {
  Process p({kServerExe, "--help"});
  EXPECT_EQ(p.wait_exit(10s), 0);
  for (const char* text : {"--psk-file FILE", "--psk-identity-prefix P", "push-firmware EP FILE",
                           "composite-read", "Bootstrap file (--bootstrap FILE)", "security psk"})
    EXPECT_NE(p.output().find(text), std::string::npos) << text;
}

TEST(ServerFlags, APortInUseIsNamedAndTheServerExits) {
  Process first({kServerExe, "--port", "0"});
  auto line = first.expect("listening on coap://");
  ASSERT_TRUE(line) << first.output();
  std::string port = std::to_string(port_after(*line, "coap://"));
  Process second({kServerExe, "--port", port});
  EXPECT_EQ(second.wait_exit(10s), 1) << second.output();
  EXPECT_NE(second.output().find("lwm2m-server: UDP port (--port) " + port + " is in use"),
            std::string::npos)
      << second.output();
}

// ---- DTLS PSK and bootstrap with the C example ------------------------------------------

TEST(ConsoleDtls, TheCExampleOverDtlsPsk) {
  if (!example_available()) GTEST_SKIP() << "the C example is not built";
  // Identities from a flag and from a file.
  std::string keys = temp_file("psk.txt", "# identity key\ndtls-id 736563726574\n");
  Process server({kServerExe, "--port", "0", "--dtls-port", "0", "--psk-identity", "other",
                  "--psk-key", "00aa", "--psk-file", keys});
  auto line = server.expect("(DTLS PSK, 2 identities)");
  ASSERT_TRUE(line) << server.output();
  std::string uri = "coaps://127.0.0.1:" + std::to_string(port_after(*line, "coaps://"));
  Process client({kExampleExe, "--endpoint", "dtls-node", "--server", uri, "--psk-identity",
                  "dtls-id", "--psk-key", "736563726574"});
  ASSERT_TRUE(server.expect("registered ep=dtls-node")) << server.output() << client.output();
  auto run = [&](const std::string& command, const std::vector<std::string>& lines) {
    server.send(command);
    for (const std::string& l : lines)
      ASSERT_TRUE(server.expect(l)) << command << ": " << l << "\n" << server.output();
  };
  run("list", {"1 client(s) registered", "via coaps://"});
  for (const char* f : {"tlv", "senml-json", "senml-cbor", "lwm2m-cbor"})
    run(std::string("read dtls-node /3/0 ") + f,
        {"-> 2.05 Content", "/3/0/1 Model Number: \"lwm2m-c-client\""});
  run("read dtls-node /3303/0/5700 text", {"-> 2.05 Content (text", "/3303/0/5700 Sensor Value: "});
  run("write dtls-node /1/0/1 120", {"write dtls-node /1/0/1 -> 2.04 Changed"});
  run("read dtls-node /1/0/1", {"/1/0/1 Lifetime: 120"});
  run("discover dtls-node /3303", {"-> 2.05 Content (link", "</3303/0/5700>"});
  run("observe dtls-node /3303/0/5700", {"observe dtls-node /3303/0/5700 -> 2.05 Content"});
  // The example changes its temperature every second.
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(server.expect("notification dtls-node /3303/0/5700 #" + std::to_string(i)))
        << server.output();
  run("cancel dtls-node /3303/0/5700", {"cancel dtls-node /3303/0/5700 -> 2.05"});
  client.signal(SIGTERM);
  ASSERT_TRUE(server.expect("deregistered ep=dtls-node")) << server.output() << client.output();
  EXPECT_EQ(client.wait_exit(10s), 0) << client.output();
}

// A free UDP port for a bootstrap file that must name the server before it starts.
uint16_t free_udp_port() {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

TEST(ConsoleBootstrap, TheFileConfiguresTheClientWhichThenRegisters) {
  if (!example_available()) GTEST_SKIP() << "the C example is not built";
  std::string port = std::to_string(free_udp_port());
  std::string file =
      temp_file("bootstrap.txt", "# the test's server\nserver coap://127.0.0.1:" + port +
                                     "\nshort-id 7\nlifetime 90\n");
  Process server({kServerExe, "--port", port, "--bootstrap", file, "--bootstrap-port", "0"});
  auto line = server.expect("bootstrap server listening on coap://");
  ASSERT_TRUE(line) << server.output();
  EXPECT_NE(line->find("(1 server(s) from "), std::string::npos) << *line;
  std::string bs = "coap://127.0.0.1:" + std::to_string(port_after(*line, "coap://"));
  Process client({kExampleExe, "--endpoint", "bs-node", "--server", bs, "--bootstrap"});
  ASSERT_TRUE(server.expect("bootstrap-requested ep=bs-node")) << server.output();
  // The client registers as soon as it has answered Bootstrap-Finish: the server may see
  // the Register before the answer, so the two lines come in either order.
  size_t from = 0;
  ASSERT_TRUE(server.wait_line("bootstrap-finished ep=bs-node", from, 10s))
      << server.output() << client.output();
  ASSERT_TRUE(server.expect("registered ep=bs-node")) << server.output() << client.output();
  server.send("read bs-node /1");
  ASSERT_TRUE(server.expect("/1/0/0 Short Server ID: 7")) << server.output();
  ASSERT_TRUE(server.expect("/1/0/1 Lifetime: 90")) << server.output();
  client.signal(SIGTERM);
  ASSERT_TRUE(server.expect("deregistered ep=bs-node")) << server.output();
}

// ---- Block1 size negotiation (RFC 7959 §2.3, §2.9.3) -------------------------------------

using testserver::console::BlockOption;
using testserver::console::BlockUpload;

constexpr uint8_t code(int c, int d) {
  return static_cast<uint8_t>(c << 5 | d);
}

// Numbers are printed as a server's user wrote them: the shortest text that reads back as
// the same value, in plain notation (a lifetime of 20 once showed as "2e+01").
TEST(Render, FloatsAreShownInTheirShortestPlainForm) {
  auto shown = [](const std::string& text) {
    testserver::Bytes payload(text.begin(), text.end());
    return testserver::console::render_payload(testserver::ContentFormat::text, payload,
                                               "/3303/0/5700", false, "");
  };
  EXPECT_EQ(shown("20"), "/3303/0/5700 Sensor Value: 20\n");
  EXPECT_EQ(shown("21.5"), "/3303/0/5700 Sensor Value: 21.5\n");
  EXPECT_EQ(shown("0.1"), "/3303/0/5700 Sensor Value: 0.1\n");
  EXPECT_EQ(shown("-1e+300"), "/3303/0/5700 Sensor Value: -1e+300\n");
}

TEST(BlockUpload, StartsWith1024AndFollowsA413WithASmallerBlock1) {
  BlockUpload up(2500);
  EXPECT_EQ(up.block().size(), 1024u);
  EXPECT_EQ(up.block().num, 0u);
  EXPECT_TRUE(up.block().more);
  // 4.13 with Block1 SZX 5: send again from offset 0 in 512-byte blocks.
  EXPECT_TRUE(up.on_response(code(4, 13), BlockOption{0, false, 5}.encode(), std::nullopt));
  EXPECT_EQ(up.block().size(), 512u);
  EXPECT_EQ(up.offset(), 0u);
  for (uint32_t n = 0; n < 4; ++n) {
    EXPECT_EQ(up.block().num, n);
    EXPECT_EQ(up.length(), 512u);
    EXPECT_TRUE(up.on_response(code(2, 31), BlockOption{n, true, 5}.encode(), std::nullopt));
  }
  EXPECT_EQ(up.block().num, 4u);
  EXPECT_EQ(up.length(), 452u);
  EXPECT_FALSE(up.block().more);
  EXPECT_FALSE(up.on_response(code(2, 4), BlockOption{4, false, 5}.encode(), std::nullopt));
  EXPECT_TRUE(up.done());
}

TEST(BlockUpload, A413MidwayResendsFromTheSameOffset) {
  BlockUpload up(4096);
  EXPECT_TRUE(up.on_response(code(2, 31), BlockOption{0, true, 6}.encode(), std::nullopt));
  EXPECT_EQ(up.offset(), 1024u);
  EXPECT_TRUE(up.on_response(code(4, 13), BlockOption{0, false, 4}.encode(), std::nullopt));
  EXPECT_EQ(up.block().size(), 256u);
  EXPECT_EQ(up.block().num, 4u);  // byte 1024 in 256-byte blocks
  EXPECT_EQ(up.offset(), 1024u);
}

TEST(BlockUpload, A2_31WithASmallerSizeShrinksTheNextBlocks) {
  BlockUpload up(3000);
  EXPECT_TRUE(up.on_response(code(2, 31), BlockOption{0, true, 5}.encode(), std::nullopt));
  EXPECT_EQ(up.offset(), 1024u);
  EXPECT_EQ(up.block().num, 2u);
  EXPECT_EQ(up.block().size(), 512u);
}

TEST(BlockUpload, A413WithoutASmallerSizeEndsWithTheLimit) {
  BlockUpload up(9000);
  EXPECT_FALSE(up.on_response(code(4, 13), std::nullopt, 4096u));
  EXPECT_FALSE(up.done());
  EXPECT_EQ(up.failure(),
            "the client refused the firmware as too large (it takes at most 4096 bytes)");
  BlockUpload same(9000);
  EXPECT_FALSE(same.on_response(code(4, 13), BlockOption{0, false, 6}.encode(), std::nullopt));
  EXPECT_FALSE(same.failure().empty());
}

TEST(BlockUpload, AnErrorCodeEndsTheUpload) {
  BlockUpload up(100);
  EXPECT_FALSE(up.block().more);
  EXPECT_FALSE(up.on_response(code(4, 4), std::nullopt, std::nullopt));
  EXPECT_EQ(up.failure(), "the client refused block 0");
}

}  // namespace
}  // namespace lwm2m::console_test
