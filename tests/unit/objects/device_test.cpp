// SPDX-License-Identifier: Apache-2.0
// Current Time (/3/0/13) of the Device object: read from the application's clock, a
// written time kept as an offset that keeps running. Simulated time: a fake clock.
#include "lwm2m/objects/device.hpp"

#include <gtest/gtest.h>

#include "lwm2m/dm/registry.hpp"
#include "lwm2m/dm/slot_object.hpp"

namespace lwm2m::objects {
namespace {

struct FakeClock final : DeviceObject::Clock {
  int64_t now = 1'700'000'000;
  int64_t unix_seconds() noexcept override { return now; }
};

class DeviceTimeTest : public ::testing::Test {
 protected:
  DeviceObject device{DeviceInfo{"ACME", "M1", "", "", "", "", "", "U"}};
  FakeClock clock;

  int64_t read_time() {
    auto v = device.read(0, 13, dm::kInvalidId, {});
    EXPECT_TRUE(v) << "read /3/0/13";
    return v ? v->as_time() : -1;
  }
  Status write_time(int64_t t) { return device.write(0, 13, dm::kInvalidId, dm::Value::time(t)); }
};

TEST_F(DeviceTimeTest, ReadsTheClockAndAdvancesWithIt) {
  device.set_clock(&clock);
  EXPECT_EQ(read_time(), 1'700'000'000);
  clock.now += 5;
  EXPECT_EQ(read_time(), 1'700'000'005);
}

TEST_F(DeviceTimeTest, AWrittenTimeAdvancesFromTheWrittenValue) {
  device.set_clock(&clock);
  ASSERT_TRUE(write_time(1'000'000'000));
  EXPECT_EQ(read_time(), 1'000'000'000);
  clock.now += 3;
  EXPECT_EQ(read_time(), 1'000'000'003);
  clock.now += 60;
  EXPECT_EQ(read_time(), 1'000'000'063);
  ASSERT_TRUE(write_time(2'000'000'000));  // a second write replaces the offset
  clock.now += 1;
  EXPECT_EQ(read_time(), 2'000'000'001);
}

TEST_F(DeviceTimeTest, WithoutAClockReadsTheWrittenValue) {
  EXPECT_FALSE(device.has_clock());
  EXPECT_EQ(read_time(), 0);
  ASSERT_TRUE(write_time(1'234));
  EXPECT_EQ(read_time(), 1'234);
}

TEST_F(DeviceTimeTest, AClockGivenAfterAWriteRunsFromTheWrittenTime) {
  ASSERT_TRUE(write_time(1'234));
  device.set_clock(&clock);
  EXPECT_EQ(read_time(), 1'234);
  clock.now += 2;
  EXPECT_EQ(read_time(), 1'236);
}

TEST_F(DeviceTimeTest, FromFindsTheDeviceObjectOnlyBehindObjectThree) {
  dm::Object* slots[4] = {};
  dm::Registry registry{slots};
  ASSERT_TRUE(registry.add(device));
  EXPECT_EQ(DeviceObject::from(registry.find(3)), &device);
  EXPECT_EQ(DeviceObject::from(nullptr), nullptr);
  // Another implementation of object 3 is not taken for it.
  static constexpr dm::ObjectDef kOther{3, "1.0", false, true, {}, "Other Device"};
  dm::SlotObject other{kOther, {}};
  EXPECT_EQ(DeviceObject::from(&other), nullptr);
}

}  // namespace
}  // namespace lwm2m::objects
