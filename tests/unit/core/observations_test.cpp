// SPDX-License-Identifier: Apache-2.0
// The observation table on its own: attributes kept per server with the spec's
// inheritance and the server's defaults under them (the Host supplies those).
#include "core/observations.hpp"

#include <gtest/gtest.h>

#include "lwm2m/objects/device.hpp"
#include "support/sim_link.hpp"

namespace lwm2m::test {
namespace {

struct FakeHost final : core::ObservationTable::Host {
  core::ServerReach reach(uint8_t, TimePoint) noexcept override { return {true, false, false}; }
  core::Attributes server_defaults(uint16_t ssid) noexcept override {
    core::Attributes a;
    if (ssid == 7) a.set(core::Attributes::pmax, 600);
    return a;
  }
  bool storing(uint16_t) noexcept override { return true; }
  void wake(uint8_t, TimePoint) noexcept override { ++wakes; }
  void sent(uint8_t, TimePoint) noexcept override { ++sends; }
  int wakes = 0, sends = 0;
};

struct NoRequests final : coap::RequestHandler {
  void on_request(const coap::IncomingRequest&, coap::Response& r) noexcept override {
    r.set_code(coap::codes::not_found);
  }
};

struct ObservationTableTest : ::testing::Test {
  ObservationTableTest() {
    EXPECT_TRUE(registry.add(device).ok());
    EXPECT_TRUE(table.allocate({4, 4, 2, 64}, {scratch, sizeof scratch}));
  }
  objects::DeviceObject device{objects::DeviceInfo{"Acme", "M", "S", "1", "", "", "", "U"}};
  dm::Object* slots[2] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{5};
  NoRequests handler;
  coap::Engine engine{coap::EngineConfig{}, rng, &handler};
  FakeHost host;
  uint8_t scratch[64] = {};
  core::ObservationTable table{engine, registry, host};
};

TEST_F(ObservationTableTest, AttributesInheritPerServerAndEndOnTheServersDefaults) {
  const std::string_view obj[] = {"pmin=5"};
  const std::string_view res[] = {"pmin=1", "gt=50"};
  ASSERT_TRUE(table.write_attributes(7, dm::Path(3), obj).ok());
  ASSERT_TRUE(table.write_attributes(7, dm::Path(3, 0, 9), res).ok());
  core::Attributes eff = table.effective_attributes(7, dm::Path(3, 0, 9));
  EXPECT_EQ(eff.get(core::Attributes::pmin), 1u);
  EXPECT_EQ(eff.get(core::Attributes::gt), 50.0);
  EXPECT_EQ(eff.get(core::Attributes::pmax),
            600u);  // the server's default, under everything written
  EXPECT_EQ(table.effective_attributes(7, dm::Path(3, 0, 0)).get(core::Attributes::pmin), 5u);
  // Another server sees none of them.
  EXPECT_FALSE(table.effective_attributes(8, dm::Path(3, 0, 9)).get(core::Attributes::pmin));
  EXPECT_EQ(table.find_attributes(8, dm::Path(3)), nullptr);
}

TEST_F(ObservationTableTest, RefusesWhatTheSpecRefusesAndSaysWhenFull) {
  const std::string_view gt[] = {"gt=1"};
  EXPECT_EQ(table.write_attributes(7, dm::Path(3, 0, 0), gt).error(), Errc::bad_request);  // string
  const std::string_view pmin[] = {"pmin=1"};
  for (dm::ResourceId r :
       {dm::ResourceId{0}, dm::ResourceId{1}, dm::ResourceId{2}, dm::ResourceId{3}})
    ASSERT_TRUE(table.write_attributes(7, dm::Path(3, 0, r), pmin).ok());
  EXPECT_EQ(table.write_attributes(7, dm::Path(3, 0, 13), pmin).error(),
            Errc::request_entity_too_large);
  const std::string_view remove[] = {"pmin"};
  ASSERT_TRUE(table.write_attributes(7, dm::Path(3, 0, 0), remove).ok());  // frees one
  EXPECT_TRUE(table.write_attributes(7, dm::Path(3, 0, 13), pmin).ok());
}

TEST_F(ObservationTableTest, NothingToDoWithoutObservations) {
  EXPECT_EQ(table.deadline(from_millis(0)), kNever);
  table.value_changed(dm::Path(3, 0, 9));
  table.drive(from_millis(0));
  EXPECT_EQ(host.sends, 0);
  EXPECT_EQ(host.wakes, 0);
}

}  // namespace
}  // namespace lwm2m::test
