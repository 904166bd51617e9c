// SPDX-License-Identifier: Apache-2.0
// The IPSO sensor base (3301, 3303, 3304, 3315, 3316, 3317): values, min/max measured and
// their reset, ranges, units, application type (written, rolled back), timestamps, absent
// optional resources, and observers told of changes.
#include "lwm2m/objects/ipso_sensor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lwm2m/dm/registry.hpp"

namespace lwm2m::objects {
namespace {

using dm::kInvalidId;

class IpsoSensor : public ::testing::Test {
 protected:
  IpsoSensorInstance slots[2];
  IpsoSensorObject sensor{*ipso_sensor_def(3303), slots};

  double number(dm::InstanceId iid, dm::ResourceId rid) {
    auto v = sensor.read(iid, rid, kInvalidId, {});
    EXPECT_TRUE(v) << rid;
    return v ? v->as_float() : -999;
  }
};

TEST(IpsoSensorDefs, EveryRiotSensorHasItsGeneratedDescriptor) {
  for (int n : {3301, 3303, 3304, 3315, 3316, 3317}) {
    const auto id = static_cast<dm::ObjectId>(n);
    const dm::ObjectDef* def = ipso_sensor_def(id);
    ASSERT_NE(def, nullptr) << id;
    EXPECT_EQ(def->id, id);
    EXPECT_TRUE(def->multiple);
    ASSERT_NE(def->find(5700), nullptr);
    EXPECT_TRUE(def->find(5700)->mandatory);
    EXPECT_TRUE(def->find(5605)->executable());
  }
  EXPECT_EQ(ipso_sensor_def(3302), nullptr);
}

TEST_F(IpsoSensor, ValuesTrackMinAndMaxUntilReset) {
  ASSERT_TRUE(sensor.add(0, {.units = "Cel", .value = 20}));
  ASSERT_TRUE(sensor.set_value(0, 25));
  ASSERT_TRUE(sensor.set_value(0, 18));
  ASSERT_TRUE(sensor.set_value(0, 21));
  EXPECT_EQ(number(0, 5700), 21);
  EXPECT_EQ(number(0, 5601), 18);
  EXPECT_EQ(number(0, 5602), 25);
  ASSERT_TRUE(sensor.execute(0, 5605, {}));
  EXPECT_EQ(number(0, 5601), 21);
  EXPECT_EQ(number(0, 5602), 21);
  EXPECT_EQ(sensor.read(0, 5701, kInvalidId, {})->as_string(), "Cel");
}

TEST_F(IpsoSensor, OptionalResourcesAreAbsentUntilGiven) {
  ASSERT_TRUE(sensor.add(0, {}));
  for (int rid : {5518, 5603, 5604, 5701, 6042, 6049, 6050}) {
    auto r = static_cast<dm::ResourceId>(rid);
    EXPECT_FALSE(sensor.has_resource(0, r)) << rid;
    EXPECT_EQ(sensor.read(0, r, kInvalidId, {}).status().error(), Errc::not_found) << rid;
  }
  ASSERT_TRUE(sensor.add(1, {.has_range = true, .min_range = -40, .max_range = 85}));
  EXPECT_EQ(number(1, 5603), -40);
  EXPECT_EQ(number(1, 5604), 85);
  ASSERT_TRUE(sensor.set_value(1, 3, 1'700'000'000));
  EXPECT_EQ(sensor.read(1, 5518, kInvalidId, {})->as_time(), 1'700'000'000);
}

TEST_F(IpsoSensor, InstancesEnumerateInIdOrderWithinTheStorage) {
  ASSERT_TRUE(sensor.add(7, {}));
  ASSERT_TRUE(sensor.add(2, {}));
  EXPECT_EQ(sensor.add(2, {}).error(), Errc::already_exists);
  EXPECT_EQ(sensor.add(3, {}).error(), Errc::no_space);
  ASSERT_EQ(sensor.instance_count(), 2u);
  EXPECT_EQ(sensor.instance_at(0), 2);
  EXPECT_EQ(sensor.instance_at(1), 7);
  EXPECT_EQ(sensor.set_value(3, 1).error(), Errc::not_found);
}

TEST_F(IpsoSensor, ApplicationTypeIsWrittenAndRolledBack) {
  ASSERT_TRUE(sensor.add(0, {.application_type = "room"}));
  ASSERT_TRUE(sensor.write(0, 5750, kInvalidId, dm::Value::string("boiler")));
  sensor.transaction_commit();
  EXPECT_EQ(sensor.read(0, 5750, kInvalidId, {})->as_string(), "boiler");
  ASSERT_TRUE(sensor.write(0, 5750, kInvalidId, dm::Value::string("attic")));
  sensor.transaction_rollback();
  EXPECT_EQ(sensor.read(0, 5750, kInvalidId, {})->as_string(), "boiler");
  EXPECT_EQ(sensor.write(0, 5750, kInvalidId, dm::Value::string(std::string(40, 'x'))).error(),
            Errc::bad_request);
  EXPECT_EQ(sensor.write(0, 5700, kInvalidId, dm::Value::floating(1)).error(),
            Errc::method_not_allowed);
}

TEST(IpsoVoltage, CurrentCalibrationIsWritable) {
  IpsoSensorInstance slots[1];
  IpsoSensorObject voltage{*ipso_sensor_def(3316), slots};
  ASSERT_TRUE(voltage.add(0, {.units = "V", .value = 3.3}));
  ASSERT_TRUE(voltage.write(0, 5821, kInvalidId, dm::Value::floating(0.25)));
  voltage.transaction_commit();
  EXPECT_EQ(voltage.read(0, 5821, kInvalidId, {})->as_float(), 0.25);
}

TEST_F(IpsoSensor, ObserversAreToldOfWhatChanged) {
  dm::Object* registry_slots[1];
  dm::Registry registry{registry_slots};
  ASSERT_TRUE(registry.add(sensor));
  std::vector<dm::Path> seen;
  struct Listener final : dm::ChangeListener {
    std::vector<dm::Path>* out = nullptr;
    void on_value_changed(const dm::Path& p) noexcept override { out->push_back(p); }
    void on_instances_changed(dm::ObjectId) noexcept override {}
  } listener;
  listener.out = &seen;
  registry.set_listener(&listener);
  ASSERT_TRUE(sensor.add(0, {.value = 10}));
  ASSERT_TRUE(sensor.set_value(0, 12, 5));
  EXPECT_NE(std::find(seen.begin(), seen.end(), dm::Path(3303, 0, 5700)), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), dm::Path(3303, 0, 5602)), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), dm::Path(3303, 0, 5518)), seen.end());
  EXPECT_EQ(std::find(seen.begin(), seen.end(), dm::Path(3303, 0, 5601)), seen.end());
}

}  // namespace
}  // namespace lwm2m::objects
