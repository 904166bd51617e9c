// SPDX-License-Identifier: Apache-2.0
// The lwm2m-testserver CLI as a demo runs it: a scenario against a fake client, its
// printed steps and its exit code.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "fake_client.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {
namespace {

using namespace std::chrono_literals;

struct CliRun {
  std::string output;
  int exit_code = -1;
};

class Cli {
 public:
  explicit Cli(const std::string& args) {
    std::string cmd = std::string(LWM2M_TESTSERVER_CLI) + " " + args + " 2>&1";
    pipe_ = popen(cmd.c_str(), "r");
  }
  ~Cli() {
    if (pipe_) pclose(pipe_);
  }
  std::string line() {
    char buf[4096];
    if (!pipe_ || !fgets(buf, sizeof buf, pipe_)) return "";
    output_ += buf;
    return buf;
  }
  CliRun finish() {
    while (!line().empty()) {
    }
    int status = pclose(pipe_);
    pipe_ = nullptr;
    return {output_, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
  }

 private:
  FILE* pipe_ = nullptr;
  std::string output_;
};

uint16_t port_from(const std::string& line) {
  size_t colon = line.rfind(':');
  return static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
}

TEST(TestServerCli, ReadObserveAndDeregisterScenarioSucceeds) {
  Cli cli("--port 0 --timeout 10 --read /3/0 --observe /3/0/13 --notifications 2");
  std::string first = cli.line();
  ASSERT_NE(first.find("listening on coap://127.0.0.1:"), std::string::npos) << first;
  fake::FakeClient client(port_from(first));
  client.set_resource("/3/0", 110, R"([{"bn":"/3/0/","n":"0","vs":"ACME"}])");
  client.set_resource("/3/0/13", 0, "1700000000");
  auto reg = client.request(fake::kPost, "/rd", {"ep=demo", "lt=60", "lwm2m=1.1"}, "</3/0>", 40);
  ASSERT_EQ(code_string(reg.code), "2.01");
  for (int i = 0; i < 500 && client.observers("/3/0/13") == 0; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(client.observers("/3/0/13"), 1u);
  client.notify("/3/0/13", "1700000001", 0);
  std::this_thread::sleep_for(20ms);
  client.notify("/3/0/13", "1700000002", 0);
  for (int i = 0; i < 500 && client.observers("/3/0/13") == 1; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(client.observers("/3/0/13"), 0u);  // cancelled by the CLI
  std::string loc = "/" + reg.location[0] + "/" + reg.location[1];
  EXPECT_EQ(code_string(client.request(fake::kDelete, loc, {}).code), "2.02");
  CliRun run = cli.finish();
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("registered: demo"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("-> read /3/0\n<- 2.05 Content (application/senml+json"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("notification 2 (Observe"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("1700000002"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("de-registered: demo"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("all steps succeeded"), std::string::npos) << run.output;
}

TEST(TestServerCli, AFailingStepGivesANonZeroExitAndSaysWhy) {
  Cli cli("--port 0 --timeout 5 --read /4/0 --no-deregister");
  std::string first = cli.line();
  fake::FakeClient client(port_from(first));
  ASSERT_EQ(code_string(client.request(fake::kPost, "/rd", {"ep=demo2"}, "</3/0>", 40).code),
            "2.01");
  CliRun run = cli.finish();
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("FAILED: read /4/0: 4.04 Not Found"), std::string::npos) << run.output;
}

TEST(TestServerCli, BadFlagsNameTheFlagAndTheFix) {
  CliRun run = Cli("--port 99999").finish();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("--port needs a port number 0-65535, e.g. --port 5683"),
            std::string::npos)
      << run.output;
  run = Cli("--psk-identity me").finish();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("both --psk-identity ID and --psk-key HEX"), std::string::npos);
  run = Cli("--frobnicate").finish();
  EXPECT_NE(run.output.find("unknown option \"--frobnicate\""), std::string::npos);
  run = Cli("--help").finish();
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("--bootstrap-port N"), std::string::npos);
}

}  // namespace
}  // namespace lwm2m::testserver
