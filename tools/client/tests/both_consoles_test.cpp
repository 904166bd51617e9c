// SPDX-License-Identifier: Apache-2.0
// lwm2m-client against lwm2m-server, both driven through their consoles from pipes, over UDP
// and DTLS PSK: register, read in every format, write, observe with three notifications
// caused by the client's `set`, Send, a firmware push installed by Update, De-register.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "process.hpp"

namespace {

using namespace std::chrono_literals;
using lwm2m::console_test::Process;

uint16_t port_after(const std::string& line, const std::string& scheme) {
  size_t at = line.find(scheme + "127.0.0.1:");
  EXPECT_NE(at, std::string::npos) << line;
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::stoi(line.substr(at + scheme.size() + 10)));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A fresh directory for one test's files.
std::string work_dir(const std::string& name) {
  const std::string dir = std::string(LWM2M_BOTH_CONSOLES_WORK_DIR) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void play(bool dtls) {
  Process server({LWM2M_SERVER_TOOL, "--port", "0", "--dtls-port", "0", "--psk-identity", "both-id",
                  "--psk-key", "736563726574"});
  ASSERT_TRUE(server.expect("(DTLS PSK, 1 identities)")) << server.output();
  const std::string scheme = dtls ? "coaps://" : "coap://";
  const std::string out = server.output();
  const uint16_t port = port_after(out.substr(out.find(scheme + "127.0.0.1:")), scheme);
  const std::string ep = dtls ? "both-dtls" : "both-udp";
  const std::string dir = work_dir(ep);
  std::vector<std::string> args = {
      LWM2M_CLIENT_TOOL, "--endpoint", ep, "--server", scheme + "127.0.0.1:" + std::to_string(port),
      "--firmware-dir",  dir + "/fw"};
  if (dtls) args.insert(args.end(), {"--psk-identity", "both-id", "--psk-key", "736563726574"});
  // debug logs every request served; info (the default) does not.
  if (!dtls) args.insert(args.end(), {"--log-level", "debug"});
  Process client(args);
  ASSERT_TRUE(server.expect("registered ep=" + ep)) << server.output() << client.output();
  ASSERT_TRUE(client.expect("registered (server 1)")) << client.output();
  auto run = [&](const std::string& command, const std::vector<std::string>& lines) {
    server.send(command);
    for (const std::string& l : lines)
      ASSERT_TRUE(server.expect(l)) << command << ": " << l << "\n" << server.output();
  };
  run("list", {"1 client(s) registered", "via " + scheme});
  for (const char* f : {"tlv", "senml-json", "senml-cbor", "lwm2m-cbor"})
    run("read " + ep + " /3/0 " + f, {"-> 2.05 Content", "/3/0/1 Model Number: \"lwm2m-client\""});
  run("read " + ep + " /3303/0/5700 text",
      {"-> 2.05 Content (text", "/3303/0/5700 Sensor Value: 21.5"});
  run("write " + ep + " /3303/0/5750 kitchen", {"write " + ep + " /3303/0/5750 -> 2.04 Changed"});
  client.send("get /3303/0/5750");
  ASSERT_TRUE(client.expect("/3303/0/5750 = \"kitchen\"")) << client.output();
  run("observe " + ep + " /3303/0/5700", {"observe " + ep + " /3303/0/5700 -> 2.05 Content"});
  for (int i = 1; i <= 3; ++i) {
    client.send("set /3303/0/5700 " + std::to_string(20 + i) + ".5");
    ASSERT_TRUE(server.expect("notification " + ep + " /3303/0/5700 #" + std::to_string(i)))
        << server.output() << client.output();
    ASSERT_TRUE(server.expect(std::to_string(20 + i) + ".5")) << server.output();
  }
  const bool served_logged =
      client.output().find("served GET /3/0 from server 1: 2.05") != std::string::npos;
  EXPECT_EQ(served_logged, !dtls) << client.output();
  client.send("send /3303/0/5700");
  ASSERT_TRUE(server.expect("send from " + ep + " -> 2.04")) << server.output() << client.output();
  // A firmware push: the image streams into the client's --firmware-dir; Update installs it
  // and the server reads State and Update Result as they change.
  std::string image = "LWFW1.2.3\n";
  for (int i = 0; image.size() < 3000; ++i)
    image += static_cast<char>('a' + i % 26);
  std::ofstream(dir + "/image.bin", std::ios::binary) << image;
  run("push-firmware " + ep + " " + dir + "/image.bin",
      {"3000 bytes to /5/0/0", "push-firmware " + ep + " -> 2.04 (3000 bytes in "});
  EXPECT_EQ(read_file(dir + "/fw/firmware.bin"), image);
  run("read " + ep + " /5/0/3 text", {"/5/0/3 State: 2"});  // Downloaded
  run("read " + ep + " /5/0/5 text", {"/5/0/5 Update Result: 0"});
  run("exec " + ep + " /5/0/2", {"exec " + ep + " /5/0/2 -> 2.04 Changed"});
  ASSERT_TRUE(client.expect("firmware: now running version 1.2.3 (Update Result 1)"))
      << client.output();
  EXPECT_EQ(read_file(dir + "/fw/installed.bin"), image);
  run("read " + ep + " /5/0/3 text", {"/5/0/3 State: 0"});  // Idle
  run("read " + ep + " /5/0/5 text", {"/5/0/5 Update Result: 1"});
  run("read " + ep + " /3/0/3 text", {"/3/0/3 Firmware Version: \"1.2.3\""});
  client.send("deregister");
  ASSERT_TRUE(server.expect("deregistered ep=" + ep)) << server.output() << client.output();
  client.send("quit");
  EXPECT_EQ(client.wait_exit(10s), 0) << client.output();
  server.send("quit");
  EXPECT_EQ(server.wait_exit(10s), 0) << server.output();
}

TEST(BothConsoles, OverUdp) {
  play(false);
}

TEST(BothConsoles, OverDtlsPsk) {
  if (!LWM2M_CLIENT_TOOL_HAVE_DTLS) {
    if (std::getenv("CI")) FAIL() << "CI builds need DTLS (libmbedtls-dev)";
    GTEST_SKIP() << "this build has no DTLS";
  }
  play(true);
}

}  // namespace
