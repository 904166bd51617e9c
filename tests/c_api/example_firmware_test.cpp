// SPDX-License-Identifier: Apache-2.0
// The C example's --firmware-dir: a pushed image streams to DIR/firmware.bin; Update of
// an image that begins with LWFW moves it to DIR/installed.bin and, after the reboot delay,
// reports Update Result 1 and the new firmware version; any other image gets Result 6.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "lwm2m/testserver/block1_push.hpp"
#include "lwm2m/testserver/server.hpp"
#include "support/subprocess.hpp"

namespace {

using namespace std::chrono_literals;
using lwm2m::interop::make_work_dir;
using lwm2m::interop::read_file;
using lwm2m::interop::Subprocess;
using lwm2m::testserver::Bytes;
using lwm2m::testserver::ContentFormat;
using lwm2m::testserver::Server;

struct ExampleProcess {
  std::string dir;
  std::optional<Subprocess> process;
  std::string out() const { return read_file(dir + "/out"); }
  std::string err() const { return read_file(dir + "/err"); }
};

ExampleProcess start(Server& server, const std::string& ep) {
  ExampleProcess r;
  r.dir = make_work_dir(LWM2M_C_API_WORK_DIR);
  std::vector<std::string> args = {LWM2M_C_EXAMPLE,  "--server", server.uri(), "--endpoint", ep,
                                   "--firmware-dir", r.dir};
  if (auto p = Subprocess::start(args, r.dir + "/out", r.dir + "/err"))
    r.process.emplace(std::move(*p));
  return r;
}

Bytes image(const std::string& head, size_t size) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i)
    b[i] = static_cast<uint8_t>(i * 7 + 3);
  std::copy(head.begin(), head.end(), b.begin());
  return b;
}

// Polls a text read until it answers `want` or `timeout` passes.
bool wait_value(Server& s, const std::string& ep, const std::string& path, const std::string& want,
                std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (s.read(ep, path, ContentFormat::text).text() == want) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

TEST(CExampleFirmware, AnLwfwImageIsInstalledAndReportedWithItsVersion) {
  Server server;
  ExampleProcess run = start(server, "ex-fw");
  ASSERT_TRUE(run.process);
  auto info = server.wait_registered("ex-fw", 20s);
  ASSERT_TRUE(info) << run.out() << run.err();
  EXPECT_TRUE(info->has_link("/5/0"));
  const Bytes img = image("LWFW2.0.0\n", 20000);
  // The example's receive buffer is RIOT's 200 bytes: the push falls back to 128-byte blocks.
  auto w = lwm2m::testserver::push_block1(server, "ex-fw", "/5/0/0", img, ContentFormat::opaque);
  ASSERT_EQ(w.last.code_string(), "2.04") << w.last.describe() << run.out() << run.err();
  EXPECT_EQ(w.block_size, 128u);
  EXPECT_EQ(read_file(run.dir + "/firmware.bin"), std::string(img.begin(), img.end()));
  EXPECT_EQ(server.read("ex-fw", "/5/0/3", ContentFormat::text).text(), "2");
  ASSERT_EQ(server.execute("ex-fw", "/5/0/2").code_string(), "2.04");
  EXPECT_EQ(server.read("ex-fw", "/5/0/3", ContentFormat::text).text(), "3");
  ASSERT_TRUE(wait_value(server, "ex-fw", "/5/0/5", "1", 20s)) << run.out() << run.err();
  EXPECT_EQ(server.read("ex-fw", "/5/0/3", ContentFormat::text).text(), "0");
  EXPECT_EQ(server.read("ex-fw", "/3/0/3", ContentFormat::text).text(), "2.0.0");
  EXPECT_EQ(read_file(run.dir + "/installed.bin"), std::string(img.begin(), img.end()));
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
}

TEST(CExampleFirmware, AnyOtherImageGetsUpdateResult6) {
  Server server;
  ExampleProcess run = start(server, "ex-fw6");
  ASSERT_TRUE(run.process);
  ASSERT_TRUE(server.wait_registered("ex-fw6", 20s)) << run.out() << run.err();
  const Bytes img = image("ELF?", 3000);
  auto w = lwm2m::testserver::push_block1(server, "ex-fw6", "/5/0/0", img, ContentFormat::opaque);
  ASSERT_EQ(w.last.code_string(), "2.04") << w.last.describe();
  ASSERT_EQ(server.execute("ex-fw6", "/5/0/2").code_string(), "2.04");
  EXPECT_EQ(server.read("ex-fw6", "/5/0/5", ContentFormat::text).text(), "6");
  EXPECT_EQ(server.read("ex-fw6", "/5/0/3", ContentFormat::text).text(), "0");
  EXPECT_EQ(read_file(run.dir + "/installed.bin"), "");
  ASSERT_EQ(::kill(run.process->pid(), SIGTERM), 0);
  EXPECT_EQ(run.process->wait_for(10s), 0) << run.out() << run.err();
}

TEST(CExampleFirmware, HelpNamesTheFlagAndAnEmptyDirectoryIsRefused) {
  ExampleProcess help;
  help.dir = make_work_dir(LWM2M_C_API_WORK_DIR);
  auto p = Subprocess::start({LWM2M_C_EXAMPLE, "--help"}, help.dir + "/out", help.dir + "/err");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wait_for(10s), 0);
  EXPECT_NE(help.out().find("--firmware-dir DIR"), std::string::npos) << help.out();
  auto bad = Subprocess::start({LWM2M_C_EXAMPLE, "--firmware-dir", ""}, help.dir + "/out2",
                               help.dir + "/err2");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->wait_for(10s), 2);
  EXPECT_NE(read_file(help.dir + "/err2").find("--firmware-dir: needs a directory"),
            std::string::npos);
}

}  // namespace
