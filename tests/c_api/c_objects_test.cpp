// SPDX-License-Identifier: Apache-2.0
// The standard and IPSO objects made through the C facade (c_objects.c), as the test server
// sees them: each read in the four formats, values the C side updates notified, a server's
// Light Control write reaching the C callback.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "lwm2m_client.h"
#include "object_reads.hpp"

extern "C" {
int c_objects_start(const char* uri, const char* endpoint);
int c_objects_registered(void);
int c_objects_temperature(double v);
int c_objects_switch(bool on);
int c_objects_light(bool on, int dimmer);
int c_objects_unknown_sensor(void);
int c_objects_light_calls(bool* on, uint8_t* dimmer, char colour[32]);
void c_objects_deinit(void);
}

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

struct CObjects : ::testing::Test {
  void SetUp() override {
    ASSERT_EQ(c_objects_start(server.uri().c_str(), ep.c_str()), 0);
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  void TearDown() override { c_objects_deinit(); }
  ts::Server server{server_options()};
  std::string ep = "c-objects";
};

TEST_F(CObjects, EveryObjectReadsInEveryFormat) {
  PathValues d = read_in_every_format(server, ep, "/3/0");
  EXPECT_EQ(d["/3/0/9"], "90");
  EXPECT_EQ(d["/3/0/20"], "1");
  EXPECT_EQ(d["/3/0/7/0"], "3700");
  EXPECT_EQ(d["/3/0/11/0"], "2");
  EXPECT_TRUE(d.count("/3/0/21")) << "Memory Total from the host";
  PathValues c = read_in_every_format(server, ep, "/4/0");
  EXPECT_EQ(c["/4/0/0"], "41");
  EXPECT_EQ(c["/4/0/4/0"], "\"192.0.2.1\"");
  PathValues l = read_in_every_format(server, ep, "/6/0");
  EXPECT_EQ(l["/6/0/0"], "1.5");
  EXPECT_FALSE(l.count("/6/0/2"));
  PathValues t = read_in_every_format(server, ep, "/3303/0");
  EXPECT_EQ(t["/3303/0/5700"], "21.5");
  EXPECT_EQ(t["/3303/0/5701"], "\"Cel\"");
  EXPECT_EQ(t["/3303/0/5603"], "-40.5");
  PathValues h = read_in_every_format(server, ep, "/3304/0");
  EXPECT_EQ(h["/3304/0/5701"], "\"%RH\"");
  read_in_every_format(server, ep, "/3311/0");
  read_in_every_format(server, ep, "/3342/0");
}

TEST_F(CObjects, ValuesTheCSideUpdatesAreNotified) {
  auto obs = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  ASSERT_EQ(c_objects_temperature(23.25), LWM2M_CLIENT_OK);
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "23.25");
  EXPECT_EQ(server.read(ep, "/3303/0/5602", CF::text).text(), "23.25");
  EXPECT_EQ(c_objects_unknown_sensor(), LWM2M_CLIENT_ERR_NOT_FOUND);  // no 3301 made
  ASSERT_EQ(c_objects_switch(true), LWM2M_CLIENT_OK);
  EXPECT_EQ(server.read(ep, "/3342/0/5500", CF::text).text(), "1");
  ASSERT_EQ(c_objects_light(true, 30), LWM2M_CLIENT_OK);
  EXPECT_EQ(server.read(ep, "/3311/0/5851", CF::text).text(), "30");
  EXPECT_EQ(c_objects_light(true, 300), LWM2M_CLIENT_ERR_INVALID_ARGUMENT);
}

TEST_F(CObjects, AServersLightWriteReachesTheCallback) {
  auto w = server.write(ep, "/3311/0/5706", ts::to_bytes("amber"), CF::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  w = server.write(ep, "/3311/0/5850", ts::to_bytes("1"), CF::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  bool on = false;
  uint8_t dimmer = 0;
  char colour[32] = {};
  EXPECT_EQ(c_objects_light_calls(&on, &dimmer, colour), 2);
  EXPECT_TRUE(on);
  EXPECT_EQ(dimmer, 100);
  EXPECT_STREQ(colour, "amber");
  EXPECT_EQ(server.execute(ep, "/3303/0/5605").code_string(), "2.04");
  EXPECT_EQ(server.write(ep, "/4/0/0", ts::to_bytes("1"), CF::text).code_string(), "4.05");
}

}  // namespace
}  // namespace lwm2m::itest
