// SPDX-License-Identifier: Apache-2.0
// Firmware pull and Access Control through the C facade (c_firmware.c): a server writes a
// coap:// Package URI and the image streams into the C callbacks byte for byte; what the
// server then wrote into Access Control, and the Downloaded state, come back after the
// client is made anew on the same state directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "lwm2m/testserver/file_server.hpp"
#include "lwm2m_client.h"
#include "object_reads.hpp"

extern "C" {
int c_firmware_start(const char* uri, const char* endpoint, const char* state_dir);
long c_firmware_image(const uint8_t** data);
int c_firmware_opens(void);
void c_firmware_stop(void);
}

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

ts::Bytes make_image(size_t n) {
  ts::Bytes b(n);
  uint32_t x = 77;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    b[i] = static_cast<uint8_t>(x >> 24);
  }
  return b;
}

bool wait_for(const std::function<bool()>& cond, ts::Duration timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

struct CFirmware : ::testing::Test {
  void SetUp() override {
    char tmpl[] = "/tmp/lwm2m-c-firmware-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    c_firmware_stop();
    std::system(("rm -rf '" + dir + "'").c_str());
  }
  ts::Server server{server_options()};
  std::string ep = "c-firmware";
  std::string dir;
};

TEST_F(CFirmware, APulledImageArrivesAndAccessControlAndStateSurviveARestart) {
  const ts::Bytes image = make_image(40 * 1024 + 5);
  ts::FileServer files("fw.bin", image);
  ASSERT_EQ(c_firmware_start(server.uri().c_str(), ep.c_str(), dir.c_str()), 0);
  ASSERT_TRUE(server.wait_registered(ep, kWait));
  EXPECT_EQ(server.read(ep, "/5/0/9", CF::text).text(), "2");  // push and pull
  EXPECT_EQ(server.read(ep, "/2/0/0", CF::text).text(), "5");
  auto w = server.write(ep, "/5/0/1", ts::to_bytes(files.uri()), CF::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  const uint8_t* data = nullptr;
  ASSERT_TRUE(wait_for([&] { return c_firmware_image(&data) >= 0; }, ts::Duration{30000}));
  ASSERT_EQ(c_firmware_image(&data), static_cast<long>(image.size()));
  EXPECT_TRUE(std::equal(image.begin(), image.end(), data)) << "the C sink's image differs";
  ASSERT_TRUE(wait_for([&] { return server.read(ep, "/5/0/3", CF::text).text() == "2"; }, kWait));
  // The owner (server 1) gives server 9 write access too: saved with the configuration.
  w = server.write(ep, "/2/0/2/9", ts::to_bytes("3"), CF::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  c_firmware_stop();

  // The same device made again: the C code creates the factory ACL (server 9: read only),
  // the saved state replaces it.
  ASSERT_EQ(c_firmware_start(server.uri().c_str(), ep.c_str(), dir.c_str()), 0);
  ASSERT_TRUE(server.wait_registered(ep, kWait));
  EXPECT_EQ(server.read(ep, "/2/0/2/9", CF::text).text(), "3") << "Access Control not restored";
  EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "2") << "Downloaded not kept";
  EXPECT_EQ(server.read(ep, "/5/0/1", CF::text).text(), files.uri());
  EXPECT_EQ(c_firmware_opens(), 1);
  EXPECT_EQ(server.execute(ep, "/5/0/2").code_string(), "2.04");
  EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "3");
}

}  // namespace
}  // namespace lwm2m::itest
