// SPDX-License-Identifier: Apache-2.0
// The Security and Server objects keep instances in whichever slot is free; a server still
// sees them by ascending id (instance_at), however they were added and removed.
#include <gtest/gtest.h>

#include <array>

#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m {
namespace {

template <class Object>
std::vector<dm::InstanceId> enumerated(const Object& o) {
  std::vector<dm::InstanceId> ids;
  for (size_t i = 0; i < o.instance_count(); ++i)
    ids.push_back(o.instance_at(i));
  return ids;
}

TEST(SlotOrder, SecurityInstancesEnumerateByAscendingIdWhateverTheirSlot) {
  std::array<objects::SecurityInstance, 4> slots{};
  objects::SecurityObject security(slots);
  objects::SecurityConfig sc;
  sc.uri = "coap://127.0.0.1:5683";
  for (const dm::InstanceId id : {dm::InstanceId{7}, dm::InstanceId{2}, dm::InstanceId{40}}) {
    sc.short_server_id = static_cast<uint16_t>(id + 1);
    ASSERT_TRUE(security.add(sc, id).ok());
  }
  EXPECT_EQ(enumerated(security), (std::vector<dm::InstanceId>{2, 7, 40}));
  ASSERT_TRUE(security.delete_instance(7).ok());
  sc.short_server_id = 9;
  ASSERT_TRUE(security.add(sc, 0).ok());  // into the slot 7 left
  EXPECT_EQ(enumerated(security), (std::vector<dm::InstanceId>{0, 2, 40}));
  EXPECT_EQ(security.instance_at(3), dm::kInvalidId);
}

TEST(SlotOrder, ServerInstancesEnumerateByAscendingIdWhateverTheirSlot) {
  std::array<objects::ServerInstance, 3> slots{};
  objects::ServerObject server(slots);
  objects::ServerConfig cfg;
  for (const dm::InstanceId id : {dm::InstanceId{5}, dm::InstanceId{1}}) {
    cfg.short_server_id = static_cast<uint16_t>(id + 100);
    ASSERT_TRUE(server.add(cfg, id).ok());
  }
  EXPECT_EQ(server.instance_count(), 2u);
  EXPECT_EQ(enumerated(server), (std::vector<dm::InstanceId>{1, 5}));
  ASSERT_TRUE(server.delete_instance(1).ok());
  EXPECT_EQ(enumerated(server), (std::vector<dm::InstanceId>{5}));
}

}  // namespace
}  // namespace lwm2m
