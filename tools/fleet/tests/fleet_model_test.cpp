// SPDX-License-Identifier: Apache-2.0
// The fleet's Temperature object (3303) as the client's data model sees it: the values a
// server reads, the changes observers are told about, the reset of the measured extremes.
#include <gtest/gtest.h>

#include <vector>

#include "model.hpp"

namespace lwm2m::fleet {
namespace {

struct Changes final : dm::ChangeListener {
  void on_value_changed(const dm::Path& path) noexcept override {
    resources.push_back(path.resource());
  }
  void on_instances_changed(dm::ObjectId) noexcept override {}
  std::vector<dm::ResourceId> resources;
};

double read(TemperatureObject& t, dm::ResourceId rid) {
  auto v = t.read(0, rid, dm::kInvalidId, {});
  EXPECT_TRUE(v.ok()) << rid;
  return v ? v->as_float() : -1000;
}

struct FleetTemperature : ::testing::Test {
  FleetTemperature() {
    EXPECT_TRUE(registry.add(t).ok());
    registry.set_listener(&changes);
  }
  TemperatureObject t{20.0};
  dm::Object* slots[1] = {};
  dm::Registry registry{slots};
  Changes changes;
};

TEST_F(FleetTemperature, ReadsItsValueInTenthsAndItsMeasuredExtremes) {
  EXPECT_EQ(t.id(), 3303);
  EXPECT_EQ(read(t, 5700), 20.0);
  t.set_value(21.14);  // a tenth of a degree is what the fleet's sensors resolve
  t.set_value(18.26);
  t.set_value(19.5);
  EXPECT_EQ(read(t, 5700), 19.5);
  EXPECT_EQ(read(t, 5601), 18.3);
  EXPECT_EQ(read(t, 5602), 21.1);
  EXPECT_EQ(read(t, 5603), -40.0);
  EXPECT_EQ(read(t, 5604), 85.0);
  auto units = t.read(0, 5701, dm::kInvalidId, {});
  ASSERT_TRUE(units.ok());
  EXPECT_EQ(units->as_string(), "Cel");
  t.set_value(200);  // beyond the sensor's range: its end
  EXPECT_EQ(read(t, 5700), 85.0);
}

TEST_F(FleetTemperature, TellsObserversWhatChanged) {
  t.set_value(20.04);  // the same tenth: nothing changed
  EXPECT_TRUE(changes.resources.empty());
  t.set_value(22.0);
  EXPECT_EQ(changes.resources, (std::vector<dm::ResourceId>{5700, 5602}));
  changes.resources.clear();
  t.set_value(21.0);
  EXPECT_EQ(changes.resources, (std::vector<dm::ResourceId>{5700}));
  changes.resources.clear();
  t.set_value(-3.0);
  EXPECT_EQ(changes.resources, (std::vector<dm::ResourceId>{5700, 5601}));
}

TEST_F(FleetTemperature, ResetSetsTheExtremesToTheCurrentValue) {
  t.set_value(25.0);
  t.set_value(22.5);
  EXPECT_FALSE(t.execute(0, 5700, {}).ok());
  ASSERT_TRUE(t.execute(0, 5605, {}).ok());
  EXPECT_EQ(read(t, 5601), 22.5);
  EXPECT_EQ(read(t, 5602), 22.5);
}

TEST_F(FleetTemperature, OffersOnlyTheResourcesItHas) {
  for (int rid : {5601, 5602, 5603, 5604, 5605, 5700, 5701})
    EXPECT_TRUE(t.has_resource(0, static_cast<dm::ResourceId>(rid))) << rid;
  EXPECT_FALSE(t.has_resource(0, 5750));  // Application Type: not offered
  EXPECT_FALSE(t.has_resource(0, 5518));  // Timestamp: not offered
  EXPECT_FALSE(t.read(0, 5750, dm::kInvalidId, {}).ok());
}

}  // namespace
}  // namespace lwm2m::fleet
