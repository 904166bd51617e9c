// SPDX-License-Identifier: Apache-2.0
// The Device object (/3/0) as a server sees it over real sockets: read in TLV, SenML JSON,
// SenML CBOR and LwM2M CBOR with the host's values (memory, time zone), every writable
// resource written, every executable one executed, and the codes for what is refused.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "object_reads.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

struct DeviceObjectTest : ::testing::Test {
  void SetUp() override {
    rig.device.set_battery_level(80);
    rig.device.set_battery_status(objects::DeviceObject::BatteryStatus::normal);
    ASSERT_TRUE(rig.device.add_power_source(1, 3700, 150));
    ASSERT_TRUE(rig.device.add_error_code(3));
    ASSERT_TRUE(rig.device.add_error_code(5));
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  ts::Server server{server_options()};
  Rig rig{"device-node"};
  std::string ep = "device-node";
};

TEST_F(DeviceObjectTest, ReadsInEveryFormatWithTheHostsValues) {
  PathValues v = read_in_every_format(server, ep, "/3/0");
  EXPECT_EQ(v["/3/0/0"], "\"Acme\"");
  EXPECT_EQ(v["/3/0/9"], "80");
  EXPECT_EQ(v["/3/0/20"], "0");
  EXPECT_EQ(v["/3/0/6/0"], "1");
  EXPECT_EQ(v["/3/0/7/0"], "3700");
  EXPECT_EQ(v["/3/0/8/0"], "150");
  EXPECT_EQ(v["/3/0/11/0"], "3");
  EXPECT_EQ(v["/3/0/11/1"], "5");
  EXPECT_EQ(v["/3/0/16"], "\"U\"");
  // Memory from /proc/meminfo, the UTC offset from the local time zone (posix defaults).
  ASSERT_TRUE(v.count("/3/0/10")) << "Memory Free";
  ASSERT_TRUE(v.count("/3/0/21")) << "Memory Total";
  EXPECT_GT(std::stoll(v["/3/0/21"]), 0);
  EXPECT_LE(std::stoll(v["/3/0/10"]), std::stoll(v["/3/0/21"]));
  EXPECT_EQ(v["/3/0/14"].size(), 8u) << v["/3/0/14"];  // "+HH:MM" quoted
  EXPECT_FALSE(v.count("/3/0/22"));                    // ExtDevInfo: absent
}

TEST_F(DeviceObjectTest, WritesEveryWritableResource) {
  auto w = server.write(ep, "/3/0/13", ts::to_bytes("1700000000"), CF::text);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  w = server.write(ep, "/3/0/14", ts::to_bytes("+05:30"), CF::text);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  w = server.write(ep, "/3/0/15", ts::to_bytes("Asia/Kolkata"), CF::text);
  EXPECT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(server.read(ep, "/3/0/14", CF::text).text(), "+05:30");
  EXPECT_EQ(server.read(ep, "/3/0/15", CF::text).text(), "Asia/Kolkata");
  EXPECT_GE(std::stoll(server.read(ep, "/3/0/13", CF::text).text()), 1700000000);
}

TEST_F(DeviceObjectTest, ResetErrorCodeClearsTheList) {
  auto e = server.execute(ep, "/3/0/12");
  ASSERT_EQ(e.code_string(), "2.04") << e.describe();
  auto v = senml_cbor_map(server.read(ep, "/3/0/11", CF::senml_cbor).payload);
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v["/3/0/11/0"], "0");
}

TEST_F(DeviceObjectTest, FactoryResetAndRebootAreAnswered) {
  EXPECT_EQ(server.execute(ep, "/3/0/5").code_string(), "2.04");
  EXPECT_EQ(server.execute(ep, "/3/0/4").code_string(), "2.04");
}

TEST_F(DeviceObjectTest, RefusesWhatTheDefinitionForbids) {
  // Read-only: 4.05 on a write; not executable: 4.05 on an execute.
  EXPECT_EQ(server.write(ep, "/3/0/0", ts::to_bytes("X"), CF::text).code_string(), "4.05");
  EXPECT_EQ(server.write(ep, "/3/0/21", ts::to_bytes("1"), CF::text).code_string(), "4.05");
  EXPECT_EQ(server.execute(ep, "/3/0/13").code_string(), "4.05");
  // Absent optional resources: 4.04.
  EXPECT_EQ(server.read(ep, "/3/0/22", CF::tlv).code_string(), "4.04");
  EXPECT_EQ(server.read(ep, "/3/0/17", CF::text).code_string(), "4.04");  // no device type
}

}  // namespace
}  // namespace lwm2m::itest
