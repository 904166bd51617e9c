// SPDX-License-Identifier: Apache-2.0
// The Server object rolls back what a failed request changed, for as many instances as its
// rollback log holds (ServerObject::kMaxInstancesPerRequest, LWM2M_SERVER_ROLLBACK_MAX); a
// request that changes one more fails and leaves every instance as it was.
#include <gtest/gtest.h>

#include <vector>

#include "lwm2m/objects/server.hpp"

namespace lwm2m {
namespace {

constexpr size_t kLog = objects::ServerObject::kMaxInstancesPerRequest;

uint32_t lifetime(const objects::ServerObject& server, dm::InstanceId iid) {
  return server.instance(iid)->config.lifetime_s;
}

TEST(ServerRollback, OneInstanceMoreThanTheLogHoldsFailsAndEveryChangeIsUndone) {
  std::vector<objects::ServerInstance> slots(kLog + 1);
  objects::ServerObject server(slots);
  for (size_t i = 0; i <= kLog; ++i) {
    objects::ServerConfig c;
    c.short_server_id = static_cast<uint16_t>(i + 1);
    c.lifetime_s = 100;
    ASSERT_TRUE(server.add(c, static_cast<dm::InstanceId>(i)).ok());
  }

  ASSERT_TRUE(server.transaction_begin().ok());
  for (size_t i = 0; i < kLog; ++i)
    ASSERT_TRUE(server.write(static_cast<dm::InstanceId>(i), 1, 0, dm::Value::integer(200)).ok());
  // The same instance again needs no more room.
  ASSERT_TRUE(server.write(0, 1, 0, dm::Value::integer(300)).ok());
  EXPECT_EQ(server.write(static_cast<dm::InstanceId>(kLog), 1, 0, dm::Value::integer(200)).error(),
            Errc::no_space);
  server.transaction_rollback();
  for (size_t i = 0; i <= kLog; ++i)
    EXPECT_EQ(lifetime(server, static_cast<dm::InstanceId>(i)), 100u) << "instance " << i;

  // Committed changes stay.
  ASSERT_TRUE(server.transaction_begin().ok());
  ASSERT_TRUE(server.write(0, 1, 0, dm::Value::integer(400)).ok());
  server.transaction_commit();
  EXPECT_EQ(lifetime(server, 0), 400u);
}

}  // namespace
}  // namespace lwm2m
