// SPDX-License-Identifier: Apache-2.0
// IPSO Light Control (3311) and On/Off Switch (3342): server writes reach the application
// only on commit, On time counts with the clock, a switch counts rising edges, and the
// resources a definition makes optional are absent until given.
#include "lwm2m/objects/light_control.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lwm2m::objects {
namespace {

using dm::kInvalidId;

struct FakeClock final : DeviceObject::Clock {
  int64_t now = 1000;
  int64_t unix_seconds() noexcept override { return now; }
};

struct Recorder final : LightControlObject::Listener {
  std::vector<std::string> seen;
  void on_light_changed(const LightControlInstance& l) noexcept override {
    seen.push_back(std::to_string(l.id) + (l.live.on ? " on " : " off ") +
                   std::to_string(l.live.dimmer) + " " + std::string(l.live.colour.view()));
  }
};

class LightControl : public ::testing::Test {
 protected:
  void SetUp() override {
    light.set_clock(&clock);
    light.set_listener(&recorder);
    ASSERT_TRUE(light.add(0, "", "white"));
  }
  FakeClock clock;
  Recorder recorder;
  LightControlInstance slots[2];
  LightControlObject light{slots};
};

TEST_F(LightControl, TheDescriptorIsTheGeneratedOne) {
  EXPECT_EQ(&light.def(), &light_control_object_def());
  EXPECT_EQ(light.def().id, 3311);
  EXPECT_TRUE(light.def().find(5850)->mandatory);
}

TEST_F(LightControl, AServerWriteReachesTheApplicationOnCommitOnly) {
  ASSERT_TRUE(light.write(0, 5850, kInvalidId, dm::Value::boolean(true)));
  ASSERT_TRUE(light.write(0, 5851, kInvalidId, dm::Value::integer(40)));
  EXPECT_TRUE(recorder.seen.empty());
  light.transaction_commit();
  ASSERT_EQ(recorder.seen, std::vector<std::string>{"0 on 40 white"});
  ASSERT_TRUE(light.write(0, 5706, kInvalidId, dm::Value::string("red")));
  light.transaction_rollback();
  EXPECT_EQ(light.read(0, 5706, kInvalidId, {})->as_string(), "white");
  light.transaction_commit();
  EXPECT_EQ(recorder.seen.size(), 1u);  // nothing changed
}

TEST_F(LightControl, DimmerOutOfRangeIsABadRequest) {
  EXPECT_EQ(light.write(0, 5851, kInvalidId, dm::Value::integer(101)).error(), Errc::bad_request);
  EXPECT_EQ(light.set(0, true, 150).error(), Errc::invalid_argument);
}

TEST_F(LightControl, OnTimeCountsWhileOnAndAWriteOfZeroRestartsIt) {
  ASSERT_TRUE(light.set(0, true));
  clock.now += 30;
  EXPECT_EQ(light.read(0, 5852, kInvalidId, {})->as_integer(), 30);
  ASSERT_TRUE(light.write(0, 5852, kInvalidId, dm::Value::integer(0)));
  clock.now += 5;
  EXPECT_EQ(light.read(0, 5852, kInvalidId, {})->as_integer(), 5);
  EXPECT_EQ(light.write(0, 5852, kInvalidId, dm::Value::integer(7)).error(), Errc::bad_request);
  ASSERT_TRUE(light.set(0, false));
  EXPECT_EQ(light.read(0, 5852, kInvalidId, {})->as_integer(), 0);
}

TEST_F(LightControl, PowerAndUnitsAreAbsentUntilGiven) {
  for (int rid : {5805, 5820, 5701})
    EXPECT_EQ(light.read(0, static_cast<dm::ResourceId>(rid), kInvalidId, {}).status().error(),
              Errc::not_found)
        << rid;
  ASSERT_TRUE(light.set_power(0, 12.5, 0.9));
  EXPECT_EQ(light.read(0, 5805, kInvalidId, {})->as_float(), 12.5);
  EXPECT_EQ(light.write(0, 5805, kInvalidId, dm::Value::floating(1)).error(),
            Errc::method_not_allowed);
}

TEST(OnOffSwitch, CountsRisingEdgesAndTimesEachState) {
  FakeClock clock;
  OnOffSwitchInstance slots[1];
  OnOffSwitchObject sw{slots};
  sw.set_clock(&clock);
  ASSERT_TRUE(sw.add(0, "door"));
  EXPECT_EQ(sw.def().id, 3342);
  EXPECT_FALSE(sw.has_resource(0, 5518));  // no change yet
  clock.now += 10;
  EXPECT_EQ(sw.read(0, 5854, kInvalidId, {})->as_integer(), 10);  // off time
  ASSERT_TRUE(sw.set_state(0, true));
  ASSERT_TRUE(sw.set_state(0, false));
  ASSERT_TRUE(sw.set_state(0, true));
  clock.now += 4;
  EXPECT_TRUE(sw.read(0, 5500, kInvalidId, {})->as_bool());
  EXPECT_EQ(sw.read(0, 5501, kInvalidId, {})->as_integer(), 2);
  EXPECT_EQ(sw.read(0, 5852, kInvalidId, {})->as_integer(), 4);
  EXPECT_EQ(sw.read(0, 5854, kInvalidId, {})->as_integer(), 0);
  EXPECT_EQ(sw.read(0, 5518, kInvalidId, {})->as_time(), 1010);
  EXPECT_EQ(sw.read(0, 6050, kInvalidId, {}).status().error(), Errc::not_found);
  EXPECT_EQ(sw.write(0, 5500, kInvalidId, dm::Value::boolean(false)).error(),
            Errc::method_not_allowed);
  ASSERT_TRUE(sw.write(0, 5750, kInvalidId, dm::Value::string("window")));
  sw.transaction_rollback();
  EXPECT_EQ(sw.read(0, 5750, kInvalidId, {})->as_string(), "door");
}

}  // namespace
}  // namespace lwm2m::objects
