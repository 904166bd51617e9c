// SPDX-License-Identifier: Apache-2.0
// The Security and Server objects answer Read, Write, Create and Delete through one shared
// table of where each resource lives (objects/slot_table.hpp): each object's rules, as a
// server sees them, through that code.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m {
namespace {

using dm::kInvalidId;
using dm::Value;

class SecurityTable : public ::testing::Test {
 protected:
  void SetUp() override {
    objects::SecurityConfig c;
    c.uri = "coap://192.0.2.1:5683";
    c.short_server_id = 7;
    ASSERT_TRUE(security.add(c, 3).ok());
  }
  std::array<objects::SecurityInstance, 2> slots{};
  objects::SecurityObject security{slots};
};

TEST_F(SecurityTable, ReadsEachKeptResourceAsItsDeclaredType) {
  auto uri = security.read(3, 0, kInvalidId, {});
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri, Value::string("coap://192.0.2.1:5683"));
  EXPECT_EQ(*security.read(3, 1, kInvalidId, {}), Value::boolean(false));
  EXPECT_EQ(*security.read(3, 2, kInvalidId, {}), Value::integer(3));  // NoSec
  EXPECT_EQ(*security.read(3, 3, kInvalidId, {}), Value::opaque({}));
  EXPECT_EQ(*security.read(3, 10, kInvalidId, {}), Value::integer(7));
  // Hold Off and the account timeout are the bootstrap server's only.
  EXPECT_FALSE(security.has_resource(3, 11));
  EXPECT_EQ(security.read(3, 12, kInvalidId, {}).error(), Errc::not_found);
  // SMS and TLS options are accepted and not kept.
  EXPECT_TRUE(security.write(3, 7, kInvalidId, Value::opaque(as_bytes("k"))).ok());
  EXPECT_FALSE(security.has_resource(3, 7));
  EXPECT_EQ(security.read(3, 14, kInvalidId, {}).error(), Errc::not_found);
  EXPECT_EQ(security.read(4, 0, kInvalidId, {}).error(), Errc::not_found);
  EXPECT_EQ(security.write(4, 7, kInvalidId, Value::opaque({})).error(), Errc::not_found);
}

TEST_F(SecurityTable, WritesKeepTheResourcesRanges) {
  EXPECT_EQ(security.write(3, 2, kInvalidId, Value::integer(5)).error(), Errc::bad_request);
  EXPECT_EQ(security.write(3, 2, kInvalidId, Value::integer(-1)).error(), Errc::bad_request);
  EXPECT_TRUE(security.write(3, 2, kInvalidId, Value::integer(0)).ok());
  EXPECT_EQ(security.instance(3)->mode, objects::SecurityMode::psk);
  EXPECT_EQ(security.write(3, 10, kInvalidId, Value::integer(0)).error(), Errc::bad_request);
  EXPECT_EQ(security.write(3, 10, kInvalidId, Value::integer(65535)).error(), Errc::bad_request);
  EXPECT_EQ(security.write(3, 11, kInvalidId, Value::integer(-1)).error(), Errc::bad_request);
  EXPECT_EQ(security.write(3, 12, kInvalidId, Value::integer(0x100000000)).error(),
            Errc::bad_request);
  const std::string long_uri(LWM2M_SECURITY_URI_MAX + 1, 'u');
  EXPECT_EQ(security.write(3, 0, kInvalidId, Value::string(long_uri)).error(),
            Errc::request_entity_too_large);
  // The bootstrap flag makes the bootstrap-only resources present.
  ASSERT_TRUE(security.write(3, 1, kInvalidId, Value::boolean(true)).ok());
  ASSERT_TRUE(security.write(3, 11, kInvalidId, Value::integer(30)).ok());
  EXPECT_EQ(*security.read(3, 11, kInvalidId, {}), Value::integer(30));
}

TEST_F(SecurityTable, ShortServerIdIsAbsentOnceResetAndPresentOnceWritten) {
  ASSERT_TRUE(security.reset_resource(3, 10).ok());
  EXPECT_FALSE(security.has_resource(3, 10));
  EXPECT_FALSE(security.instance(3)->has_short_server_id);
  ASSERT_TRUE(security.write(3, 10, kInvalidId, Value::integer(9)).ok());
  EXPECT_TRUE(security.has_resource(3, 10));
  EXPECT_EQ(*security.read(3, 10, kInvalidId, {}), Value::integer(9));
}

TEST_F(SecurityTable, CreateReplaceAndDeleteInstances) {
  EXPECT_EQ(security.create_instance(3).error(), Errc::already_exists);
  EXPECT_EQ(security.create_instance(kInvalidId).error(), Errc::invalid_argument);
  ASSERT_TRUE(security.create_instance(0).ok());
  EXPECT_EQ(security.create_instance(1).error(), Errc::no_space);
  EXPECT_EQ(*security.read(0, 2, kInvalidId, {}), Value::integer(3));  // NoSec when created
  EXPECT_EQ(*security.read(0, 0, kInvalidId, {}), Value::string(""));
  ASSERT_TRUE(security.reset_instance(3).ok());
  EXPECT_EQ(*security.read(3, 0, kInvalidId, {}), Value::string(""));
  EXPECT_FALSE(security.has_resource(3, 10));
  ASSERT_TRUE(security.delete_instance(3).ok());
  EXPECT_EQ(security.instance_count(), 1u);
  EXPECT_EQ(security.delete_instance(3).error(), Errc::not_found);
}

class ServerTable : public ::testing::Test {
 protected:
  void SetUp() override {
    objects::ServerConfig c;
    c.short_server_id = 101;
    c.lifetime_s = 300;
    c.default_pmax_s = 60;
    ASSERT_TRUE(server.add(c, 0).ok());
  }
  std::array<objects::ServerInstance, 2> slots{};
  objects::ServerObject server{slots};
};

TEST_F(ServerTable, ReadsEachResourceAsItsDeclaredType) {
  EXPECT_EQ(*server.read(0, 0, kInvalidId, {}), Value::integer(101));
  EXPECT_EQ(*server.read(0, 1, kInvalidId, {}), Value::integer(300));
  EXPECT_FALSE(server.has_resource(0, 2));  // no default minimum period
  EXPECT_EQ(server.read(0, 2, kInvalidId, {}).error(), Errc::not_found);
  EXPECT_EQ(*server.read(0, 3, kInvalidId, {}), Value::integer(60));
  EXPECT_EQ(*server.read(0, 6, kInvalidId, {}), Value::boolean(true));
  EXPECT_EQ(*server.read(0, 7, kInvalidId, {}), Value::string("U"));
  EXPECT_EQ(*server.read(0, 17, kInvalidId, {}), Value::unsigned_integer(5));
  EXPECT_EQ(*server.read(0, 18, kInvalidId, {}), Value::unsigned_integer(60));
  EXPECT_EQ(*server.read(0, 23, kInvalidId, {}), Value::boolean(false));
  // Executable resources are there to execute; the accepted-and-dropped ones are absent.
  EXPECT_TRUE(server.has_resource(0, 8));
  EXPECT_TRUE(server.execute(0, 8, {}).ok());
  EXPECT_EQ(server.execute(1, 8, {}).error(), Errc::not_found);
  EXPECT_FALSE(server.has_resource(0, 13));
  EXPECT_TRUE(server.write(0, 13, kInvalidId, Value::unsigned_integer(1)).ok());
  EXPECT_EQ(server.write(1, 13, kInvalidId, Value::unsigned_integer(1)).error(), Errc::not_found);
}

TEST_F(ServerTable, WritesKeepTheResourcesRanges) {
  EXPECT_EQ(server.write(0, 1, kInvalidId, Value::integer(-1)).error(), Errc::bad_request);
  EXPECT_EQ(server.write(0, 0, kInvalidId, Value::integer(65535)).error(), Errc::bad_request);
  EXPECT_EQ(server.write(0, 17, kInvalidId, Value::unsigned_integer(0x100000000)).error(),
            Errc::bad_request);
  EXPECT_EQ(server.write(0, 7, kInvalidId, Value::string("UX")).error(), Errc::bad_request);
  const std::string long_binding(LWM2M_SERVER_BINDING_MAX + 1, 'U');
  EXPECT_EQ(server.write(0, 7, kInvalidId, Value::string(long_binding)).error(), Errc::bad_request);
  ASSERT_TRUE(server.write(0, 7, kInvalidId, Value::string("UQ")).ok());
  EXPECT_EQ(server.instance(0)->binding.str(), "UQ");
  ASSERT_TRUE(server.write(0, 18, kInvalidId, Value::unsigned_integer(90)).ok());
  EXPECT_EQ(server.instance(0)->config.communication_retry_timer_s, 90u);
  ASSERT_TRUE(server.write(0, 16, kInvalidId, Value::boolean(false)).ok());
  EXPECT_FALSE(server.instance(0)->config.bootstrap_on_failure);
}

TEST_F(ServerTable, DefaultPeriodsArePresentOnceWrittenAndAbsentOnceReset) {
  ASSERT_TRUE(server.write(0, 2, kInvalidId, Value::integer(5)).ok());
  EXPECT_TRUE(server.has_resource(0, 2));
  EXPECT_EQ(*server.read(0, 2, kInvalidId, {}), Value::integer(5));
  ASSERT_TRUE(server.reset_resource(0, 3).ok());
  EXPECT_FALSE(server.has_resource(0, 3));
  EXPECT_TRUE(server.has_resource(0, 2));
}

TEST_F(ServerTable, CreateGivesTheDefaultsAndReplaceKeepsTheShortServerId) {
  ASSERT_TRUE(server.create_instance(4).ok());
  const objects::ServerInstance& fresh = *server.instance(4);
  const objects::ServerConfig defaults;
  EXPECT_EQ(fresh.config.short_server_id, defaults.short_server_id);
  EXPECT_EQ(fresh.config.lifetime_s, defaults.lifetime_s);
  EXPECT_EQ(fresh.config.sequence_delay_timer_s, defaults.sequence_delay_timer_s);
  EXPECT_EQ(fresh.binding.str(), "U");
  EXPECT_FALSE(fresh.has_pmin);
  ASSERT_TRUE(server.reset_instance(0).ok());
  EXPECT_EQ(*server.read(0, 0, kInvalidId, {}), Value::integer(101));
  EXPECT_EQ(*server.read(0, 1, kInvalidId, {}), Value::integer(defaults.lifetime_s));
  EXPECT_FALSE(server.has_resource(0, 3));
}

TEST_F(ServerTable, ARolledBackRequestLeavesEverySlotAsItWas) {
  ASSERT_TRUE(server.transaction_begin().ok());
  ASSERT_TRUE(server.write(0, 1, kInvalidId, Value::integer(999)).ok());
  ASSERT_TRUE(server.reset_resource(0, 3).ok());
  ASSERT_TRUE(server.create_instance(1).ok());
  server.transaction_rollback();
  EXPECT_EQ(*server.read(0, 1, kInvalidId, {}), Value::integer(300));
  EXPECT_TRUE(server.has_resource(0, 3));
  EXPECT_EQ(server.instance(1), nullptr);
  EXPECT_EQ(server.instance_count(), 1u);
}

}  // namespace
}  // namespace lwm2m
