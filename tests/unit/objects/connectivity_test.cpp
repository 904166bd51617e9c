// SPDX-License-Identifier: Apache-2.0
// Connectivity Monitoring (4) and Location (6): application-set values, multiple resources,
// mandatory resources with defaults, optional ones absent until set, no server writes.
#include "lwm2m/objects/connectivity.hpp"

#include <gtest/gtest.h>

namespace lwm2m::objects {
namespace {

using dm::kInvalidId;

TEST(ConnectivityMonitoring, MandatoryResourcesReadDefaultsOptionalOnesAreAbsent) {
  ConnectivityMonitoringObject cm;
  EXPECT_EQ(cm.def().id, 4);
  EXPECT_EQ(cm.def().version, "1.3");
  EXPECT_EQ(cm.read(0, 0, kInvalidId, {})->as_integer(), 0);
  EXPECT_EQ(cm.read(0, 2, kInvalidId, {})->as_integer(), 0);
  EXPECT_TRUE(cm.has_resource(0, 1));
  EXPECT_TRUE(cm.has_resource(0, 4));
  EXPECT_EQ(cm.resource_instance_count(0, 4), 0u);
  for (int rid : {3, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    EXPECT_EQ(cm.read(0, static_cast<dm::ResourceId>(rid), kInvalidId, {}).status().error(),
              Errc::not_found)
        << rid;
}

TEST(ConnectivityMonitoring, ValuesTheApplicationSets) {
  ConnectivityMonitoringObject cm;
  ASSERT_TRUE(cm.set_integer(0, 41));  // Ethernet
  ASSERT_TRUE(cm.set_integer(2, -67));
  ASSERT_TRUE(cm.set_integer(8, 12345));
  const int bearers[] = {41, 42};
  ASSERT_TRUE(cm.set_available_bearers(bearers));
  const std::string_view ips[] = {"192.0.2.7", "2001:db8::7"};
  ASSERT_TRUE(cm.set_strings(4, ips));
  EXPECT_EQ(cm.read(0, 0, kInvalidId, {})->as_integer(), 41);
  EXPECT_EQ(cm.read(0, 2, kInvalidId, {})->as_integer(), -67);
  EXPECT_EQ(cm.read(0, 8, kInvalidId, {})->as_integer(), 12345);
  EXPECT_EQ(cm.resource_instance_count(0, 1), 2u);
  EXPECT_EQ(cm.read(0, 1, 1, {})->as_integer(), 42);
  EXPECT_EQ(cm.read(0, 4, 1, {})->as_string(), "2001:db8::7");
  EXPECT_EQ(cm.read(0, 4, 2, {}).status().error(), Errc::not_found);
  ASSERT_TRUE(cm.clear(8));
  EXPECT_FALSE(cm.has_resource(0, 8));
  EXPECT_EQ(cm.set_integer(4, 1).error(), Errc::not_found);  // a string resource
  const std::string_view three[] = {"a", "b", "c"};
  EXPECT_EQ(cm.set_strings(7, three).error(), Errc::no_space);
  EXPECT_EQ(cm.write(0, 0, kInvalidId, dm::Value::integer(1)).error(), Errc::method_not_allowed);
}

TEST(Location, PositionAndOptionalValues) {
  LocationObject loc;
  EXPECT_EQ(loc.def().id, 6);
  EXPECT_EQ(loc.read(0, 0, kInvalidId, {})->as_float(), 0);
  for (int rid : {2, 3, 4, 6})
    EXPECT_EQ(loc.read(0, static_cast<dm::ResourceId>(rid), kInvalidId, {}).status().error(),
              Errc::not_found)
        << rid;
  loc.set_position(48.8566, 2.3522, 1'700'000'000);
  loc.set_altitude(35);
  loc.set_speed(1.5);
  const uint8_t velocity[] = {0x00, 0x5a, 0x00, 0x03};
  ASSERT_TRUE(loc.set_velocity(velocity));
  EXPECT_EQ(loc.read(0, 0, kInvalidId, {})->as_float(), 48.8566);
  EXPECT_EQ(loc.read(0, 1, kInvalidId, {})->as_float(), 2.3522);
  EXPECT_EQ(loc.read(0, 2, kInvalidId, {})->as_float(), 35);
  EXPECT_EQ(loc.read(0, 5, kInvalidId, {})->as_time(), 1'700'000'000);
  EXPECT_EQ(loc.read(0, 6, kInvalidId, {})->as_float(), 1.5);
  EXPECT_EQ(loc.read(0, 4, kInvalidId, {})->as_bytes().size(), 4u);
  EXPECT_FALSE(loc.has_resource(0, 3));
  loc.set_altitude(__builtin_nan(""));
  EXPECT_FALSE(loc.has_resource(0, 2));
}

}  // namespace
}  // namespace lwm2m::objects
