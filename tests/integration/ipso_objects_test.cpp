// SPDX-License-Identifier: Apache-2.0
// Connectivity Monitoring (4), Location (6), the IPSO sensors, Light Control (3311) and
// On/Off Switch (3342) as a server sees them over real sockets: each read in TLV, SenML
// JSON, SenML CBOR and LwM2M CBOR, every writable resource written, every executable one
// executed, 4.05 for what the definition forbids and 4.04 for absent optional resources,
// and a notification when the application sets a value.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "lwm2m/objects/connectivity.hpp"
#include "lwm2m/objects/ipso_sensor.hpp"
#include "lwm2m/objects/light_control.hpp"
#include "object_reads.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

struct LightRecorder final : objects::LightControlObject::Listener {
  std::atomic<int> changes{0};
  std::atomic<bool> on{false};
  void on_light_changed(const objects::LightControlInstance& l) noexcept override {
    on = l.live.on;
    ++changes;
  }
};

// The sensors other than 3303, which the rig already has.
constexpr dm::ObjectId kSensorIds[] = {3301, 3304, 3315, 3316, 3317};

struct IpsoObjects : ::testing::Test {
  void SetUp() override {
    const int bearers[] = {41};
    const std::string_view ips[] = {"192.0.2.10"};
    ASSERT_TRUE(connectivity.set_integer(0, 41));
    ASSERT_TRUE(connectivity.set_integer(2, -70));
    ASSERT_TRUE(connectivity.set_available_bearers(bearers));
    ASSERT_TRUE(connectivity.set_strings(4, ips));
    location.set_position(52.52, 13.405, 1'700'000'000);
    location.set_altitude(34);
    for (size_t k = 0; k < std::size(kSensorIds); ++k) {
      sensors[k] = std::make_unique<objects::IpsoSensorObject>(
          *objects::ipso_sensor_def(kSensorIds[k]), std::span(sensor_slots[k]));
      ASSERT_TRUE(sensors[k]->add(
          0, {.units = "u", .has_range = true, .min_range = 0, .max_range = 85.5, .value = 10.5}));
      ASSERT_TRUE(rig.registry.add(*sensors[k]));
    }
    light.set_listener(&recorder);
    ASSERT_TRUE(light.add(0, "RGB", "white", "hall"));
    ASSERT_TRUE(on_off.add(0, "door"));
    for (dm::Object* o :
         std::initializer_list<dm::Object*>{&connectivity, &location, &light, &on_off})
      ASSERT_TRUE(rig.registry.add(*o));
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  void expect_code(const ts::Response& r, const char* code) {
    EXPECT_EQ(r.code_string(), code) << r.describe();
  }

  objects::ConnectivityMonitoringObject connectivity;
  objects::LocationObject location;
  objects::IpsoSensorInstance sensor_slots[std::size(kSensorIds)][2];
  std::unique_ptr<objects::IpsoSensorObject> sensors[std::size(kSensorIds)];
  LightRecorder recorder;
  objects::LightControlInstance light_slots[2];
  objects::LightControlObject light{light_slots};
  objects::OnOffSwitchInstance switch_slots[2];
  objects::OnOffSwitchObject on_off{switch_slots};
  ts::Server server{server_options()};
  Rig rig{"ipso-node"};
  std::string ep = "ipso-node";
};

TEST_F(IpsoObjects, RegistersEveryObjectWithItsVersion) {
  auto info = server.client(ep);
  ASSERT_TRUE(info);
  for (const char* path : {"/4/0", "/6/0", "/3301/0", "/3304/0", "/3315/0", "/3316/0", "/3317/0",
                           "/3311/0", "/3342/0"})
    EXPECT_TRUE(info->has_link(path)) << path;
}

TEST_F(IpsoObjects, ConnectivityMonitoringReadsInEveryFormat) {
  PathValues v = read_in_every_format(server, ep, "/4/0");
  EXPECT_EQ(v["/4/0/0"], "41");
  EXPECT_EQ(v["/4/0/1/0"], "41");
  EXPECT_EQ(v["/4/0/2"], "-70");
  EXPECT_EQ(v["/4/0/4/0"], "\"192.0.2.10\"");
  EXPECT_FALSE(v.count("/4/0/8"));
  expect_code(server.read(ep, "/4/0/8", CF::text), "4.04");
  expect_code(server.write(ep, "/4/0/2", ts::to_bytes("1"), CF::text), "4.05");
}

TEST_F(IpsoObjects, LocationReadsInEveryFormat) {
  PathValues v = read_in_every_format(server, ep, "/6/0");
  EXPECT_EQ(v["/6/0/0"], "52.52");
  EXPECT_EQ(v["/6/0/1"], "13.405");
  EXPECT_EQ(v["/6/0/2"], "34.0");
  EXPECT_EQ(v["/6/0/5"], "1700000000");
  expect_code(server.read(ep, "/6/0/6", CF::text), "4.04");
  expect_code(server.write(ep, "/6/0/0", ts::to_bytes("1.5"), CF::text), "4.05");
}

TEST_F(IpsoObjects, EverySensorReadsWritesAndResets) {
  for (size_t k = 0; k < std::size(kSensorIds); ++k) {
    std::string inst = "/" + std::to_string(kSensorIds[k]) + "/0";
    SCOPED_TRACE(inst);
    PathValues v = read_in_every_format(server, ep, inst);
    EXPECT_EQ(v[inst + "/5700"], "10.5");
    EXPECT_EQ(v[inst + "/5701"], "\"u\"");
    EXPECT_EQ(v[inst + "/5604"], "85.5");
    rig.locked([&](core::Client&) { (void)sensors[k]->set_value(0, 30.25); });
    EXPECT_EQ(server.read(ep, inst + "/5602", CF::text).text(), "30.25");
    expect_code(server.write(ep, inst + "/5750", ts::to_bytes("tank"), CF::text), "2.04");
    EXPECT_EQ(server.read(ep, inst + "/5750", CF::text).text(), "tank");
    if (kSensorIds[k] == 3316 || kSensorIds[k] == 3317) {
      expect_code(server.write(ep, inst + "/5821", ts::to_bytes("0.5"), CF::text), "2.04");
      EXPECT_EQ(server.read(ep, inst + "/5821", CF::text).text(), "0.5");
    }
    expect_code(server.execute(ep, inst + "/5605"), "2.04");
    EXPECT_EQ(server.read(ep, inst + "/5601", CF::text).text(), "30.25");
    expect_code(server.write(ep, inst + "/5700", ts::to_bytes("1"), CF::text), "4.05");
    expect_code(server.read(ep, inst + "/6042", CF::text), "4.04");
  }
}

TEST_F(IpsoObjects, ASensorValueSetByTheApplicationIsNotified) {
  auto obs = server.observe(ep, "/3304/0/5700", CF::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  rig.locked([&](core::Client&) { (void)sensors[1]->set_value(0, 55.5); });
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "55.5");
}

TEST_F(IpsoObjects, LightControlWritesReachTheApplication) {
  PathValues v = read_in_every_format(server, ep, "/3311/0");
  EXPECT_EQ(v["/3311/0/5850"], "false");
  EXPECT_EQ(v["/3311/0/5706"], "\"white\"");
  expect_code(server.write(ep, "/3311/0/5850", ts::to_bytes("1"), CF::text), "2.04");
  expect_code(server.write(ep, "/3311/0/5851", ts::to_bytes("40"), CF::text), "2.04");
  expect_code(server.write(ep, "/3311/0/5852", ts::to_bytes("0"), CF::text), "2.04");
  expect_code(server.write(ep, "/3311/0/5706", ts::to_bytes("blue"), CF::text), "2.04");
  expect_code(server.write(ep, "/3311/0/5750", ts::to_bytes("porch"), CF::text), "2.04");
  EXPECT_EQ(recorder.changes.load(), 4);  // On time's reset changes nothing the app sees
  EXPECT_TRUE(recorder.on.load());
  EXPECT_EQ(server.read(ep, "/3311/0/5851", CF::text).text(), "40");
  expect_code(server.write(ep, "/3311/0/5851", ts::to_bytes("101"), CF::text), "4.00");
  expect_code(server.write(ep, "/3311/0/5701", ts::to_bytes("x"), CF::text), "4.05");
  expect_code(server.read(ep, "/3311/0/5805", CF::text), "4.04");
}

TEST_F(IpsoObjects, OnOffSwitchReadsAndResetsItsTimes) {
  rig.locked([&](core::Client&) { (void)on_off.set_state(0, true); });
  PathValues v = read_in_every_format(server, ep, "/3342/0");
  EXPECT_EQ(v["/3342/0/5500"], "true");
  EXPECT_EQ(v["/3342/0/5501"], "1");
  expect_code(server.write(ep, "/3342/0/5852", ts::to_bytes("0"), CF::text), "2.04");
  expect_code(server.write(ep, "/3342/0/5854", ts::to_bytes("0"), CF::text), "2.04");
  expect_code(server.write(ep, "/3342/0/5750", ts::to_bytes("gate"), CF::text), "2.04");
  EXPECT_EQ(server.read(ep, "/3342/0/5750", CF::text).text(), "gate");
  expect_code(server.write(ep, "/3342/0/5500", ts::to_bytes("0"), CF::text), "4.05");
  expect_code(server.read(ep, "/3342/0/6050", CF::text), "4.04");
}

}  // namespace
}  // namespace lwm2m::itest
