// SPDX-License-Identifier: Apache-2.0
// Every generated descriptor compiles, is sorted as the registry needs, and says what the
// OMA definitions say (spot checks against the DDF XML, which the ddf_generated_current test
// compares in full when the DDF directory is given).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <type_traits>

#include "lwm2m/objects/ddf/object_0_v1_0.hpp"
#include "lwm2m/objects/ddf/object_0_v1_1.hpp"
#include "lwm2m/objects/ddf/object_0_v1_2.hpp"
#include "lwm2m/objects/ddf/object_19_v1_0.hpp"
#include "lwm2m/objects/ddf/object_1_v1_0.hpp"
#include "lwm2m/objects/ddf/object_1_v1_1.hpp"
#include "lwm2m/objects/ddf/object_1_v1_2.hpp"
#include "lwm2m/objects/ddf/object_2_v1_0.hpp"
#include "lwm2m/objects/ddf/object_2_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3301_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3303_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3304_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3311_v1_0.hpp"
#include "lwm2m/objects/ddf/object_3315_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3316_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3317_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3342_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3_v1_0.hpp"
#include "lwm2m/objects/ddf/object_3_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3_v1_2.hpp"
#include "lwm2m/objects/ddf/object_4_v1_0.hpp"
#include "lwm2m/objects/ddf/object_4_v1_1.hpp"
#include "lwm2m/objects/ddf/object_4_v1_3.hpp"
#include "lwm2m/objects/ddf/object_5_v1_0.hpp"
#include "lwm2m/objects/ddf/object_5_v1_1.hpp"
#include "lwm2m/objects/ddf/object_5_v1_2.hpp"
#include "lwm2m/objects/ddf/object_6_v1_0.hpp"
#include "lwm2m/objects/ddf/object_7_v1_0.hpp"
#include "lwm2m/objects/ddf/object_9_v1_0.hpp"

namespace lwm2m::objects::ddf {
namespace {

bool sorted(const dm::ObjectDef& def) {
  return std::is_sorted(def.resources.begin(), def.resources.end(),
                        [](const auto& a, const auto& b) { return a.id < b.id; }) &&
         std::adjacent_find(def.resources.begin(), def.resources.end(),
                            [](const auto& a, const auto& b) { return a.id == b.id; }) ==
             def.resources.end();
}

TEST(DdfDescriptors, EveryTableIsSortedByIdWithoutDuplicates) {
  const dm::ObjectDef* all[] = {
      &lwm2m_security_v1_0::kObject,
      &lwm2m_security_v1_1::kObject,
      &lwm2m_security_v1_2::kObject,
      &binaryappdatacontainer_v1_0::kObject,
      &lwm2m_server_v1_0::kObject,
      &lwm2m_server_v1_1::kObject,
      &lwm2m_server_v1_2::kObject,
      &lwm2m_access_control_v1_0::kObject,
      &lwm2m_access_control_v1_1::kObject,
      &illuminance_v1_1::kObject,
      &temperature_v1_1::kObject,
      &humidity_v1_1::kObject,
      &light_control_v1_0::kObject,
      &barometer_v1_1::kObject,
      &voltage_v1_1::kObject,
      &current_v1_1::kObject,
      &on_off_switch_v1_1::kObject,
      &device_v1_0::kObject,
      &device_v1_1::kObject,
      &device_v1_2::kObject,
      &connectivity_monitoring_v1_0::kObject,
      &connectivity_monitoring_v1_1::kObject,
      &connectivity_monitoring_v1_3::kObject,
      &firmware_update_v1_0::kObject,
      &firmware_update_v1_1::kObject,
      &firmware_update_v1_2::kObject,
      &location_v1_0::kObject,
      &connectivity_statistics_v1_0::kObject,
      &lwm2m_software_management_v1_0::kObject,
  };
  for (const dm::ObjectDef* def : all) {
    EXPECT_TRUE(sorted(*def)) << def->id;
    EXPECT_FALSE(def->resources.empty()) << def->id;
  }
}

TEST(DdfDescriptors, DeviceSaysWhatTheXmlSays) {
  const dm::ObjectDef& d = device_v1_1::kObject;
  EXPECT_EQ(d.id, 3);
  EXPECT_EQ(d.version, "1.1");
  EXPECT_FALSE(d.multiple);
  EXPECT_TRUE(d.mandatory);
  EXPECT_EQ(d.name, "Device");
  const dm::ResourceDef* errors = d.find(device_v1_1::rid::kErrorCode);
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->id, 11);
  EXPECT_EQ(errors->type, dm::DataType::integer);
  EXPECT_EQ(errors->ops, dm::Operations::read);
  EXPECT_TRUE(errors->multiple);
  EXPECT_TRUE(errors->mandatory);
  const dm::ResourceDef* reboot = d.find(4);
  ASSERT_NE(reboot, nullptr);
  EXPECT_EQ(reboot->type, dm::DataType::none);
  EXPECT_TRUE(reboot->executable());
  EXPECT_EQ(d.find(13)->ops, dm::Operations::read_write);
  EXPECT_EQ(d.find(13)->type, dm::DataType::time);
  EXPECT_EQ(d.find(22)->type, dm::DataType::objlnk);
  const dm::ResourceInfo* battery = dm::find_info(device_v1_1::kInfo, 9);
  ASSERT_NE(battery, nullptr);
  EXPECT_EQ(battery->units, "%");  // 1.1 says "%", 1.2 "/100"
  EXPECT_EQ(battery->kind, dm::RangeKind::value);
  EXPECT_EQ(battery->min, 0);
  EXPECT_EQ(battery->max, 100);
  EXPECT_TRUE(battery->accepts(100));
  EXPECT_FALSE(battery->accepts(101));
  EXPECT_EQ(dm::find_info(device_v1_1::kInfo, 0), nullptr);  // no units, no range
}

// A library built with names (LWM2M_WITH_NAMES, the default on a host) keeps every name,
// unit and range text; tests/tiers checks a build without them.
TEST(DdfDescriptors, NamesUnitsAndRangeTextsAreKeptInABuildWithNames) {
#if LWM2M_WITH_NAMES
  static_assert(std::is_same_v<dm::Name, std::string_view>);
  const dm::ResourceDef* trigger = lwm2m_server_v1_1::kObject.find(8);
  ASSERT_NE(trigger, nullptr);
  EXPECT_EQ(trigger->name, "Registration Update Trigger");
  EXPECT_EQ(lwm2m_server_v1_1::kObject.name, "LwM2M Server");
  const dm::ResourceInfo* fraction = dm::find_info(temperature_v1_1::kInfo, 6050);
  ASSERT_NE(fraction, nullptr);
  EXPECT_EQ(fraction->units, "s");
  EXPECT_EQ(fraction->range, "0..1");
  dm::ObjectDef def{4242};
  const std::string runtime_name = "Made At Run Time";
  def.name = runtime_name;
  EXPECT_EQ(def.name, "Made At Run Time");
#else
  GTEST_SKIP() << "built with LWM2M_WITH_NAMES=OFF";
#endif
}

TEST(DdfDescriptors, IpsoAndLocationSayWhatTheXmlSays) {
  const dm::ResourceDef* value = temperature_v1_1::kObject.find(5700);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->name, "Sensor Value");
  EXPECT_EQ(value->type, dm::DataType::floating);
  EXPECT_TRUE(value->mandatory);
  EXPECT_TRUE(temperature_v1_1::kObject.multiple);
  EXPECT_EQ(light_control_v1_0::kObject.find(light_control_v1_0::rid::kOnOff)->type,
            dm::DataType::boolean);
  const dm::ResourceInfo* dimmer = dm::find_info(light_control_v1_0::kInfo, 5851);
  ASSERT_NE(dimmer, nullptr);
  EXPECT_EQ(dimmer->units, "/100");
  EXPECT_EQ(dimmer->max, 100);
  EXPECT_EQ(dm::find_info(location_v1_0::kInfo, 6)->units, "m/s");
  EXPECT_EQ(location_v1_0::kObject.find(4)->type, dm::DataType::opaque);
  EXPECT_EQ(connectivity_monitoring_v1_3::kObject.find(4)->multiple, true);
  // A length range: "0..255 bytes" bounds the length of the value, "6 bytes" fixes it.
  const dm::ResourceInfo* uri = dm::find_info(lwm2m_security_v1_1::kInfo, 0);
  ASSERT_NE(uri, nullptr);
  EXPECT_EQ(uri->kind, dm::RangeKind::length);
  EXPECT_EQ(uri->max, 255);
  const dm::ResourceInfo* sms = dm::find_info(lwm2m_security_v1_0::kInfo, 7);
  ASSERT_NE(sms, nullptr);
  EXPECT_EQ(sms->kind, dm::RangeKind::length);
  EXPECT_EQ(sms->min, 6);
  EXPECT_EQ(sms->max, 6);
  // A range given only as text stays text.
  EXPECT_EQ(dm::find_info(lwm2m_security_v1_0::kInfo, 8)->kind, dm::RangeKind::none);
}

}  // namespace
}  // namespace lwm2m::objects::ddf
