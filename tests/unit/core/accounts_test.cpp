// SPDX-License-Identifier: Apache-2.0
// The core reads server accounts (objects 0 and 1) and access control (object 2) through
// the data model only; these run against the library's own objects.
#include "core/accounts.hpp"

#include <gtest/gtest.h>

#include "core/access.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m::test {
namespace {

struct AccountsTest : ::testing::Test {
  AccountsTest() {
    EXPECT_TRUE(registry.add(security).ok());
    EXPECT_TRUE(registry.add(server).ok());
    objects::SecurityConfig bs;
    bs.uri = "coap://bs.example:5683";
    bs.bootstrap = true;
    bs.client_hold_off_s = 7;
    EXPECT_TRUE(security.add(bs, 0).ok());
    objects::SecurityConfig dm;
    dm.uri = "coaps://dm.example:5684";
    dm.mode = SecurityMode::psk;
    dm.identity = as_bytes(std::string_view("id"));
    dm.secret_key = as_bytes(std::string_view("key"));
    dm.short_server_id = 5;
    EXPECT_TRUE(security.add(dm, 1).ok());
    objects::ServerConfig s;
    s.short_server_id = 5;
    s.lifetime_s = 120;
    s.binding = "UQ";
    s.default_pmin_s = 3;
    s.communication_retry_count = 2;
    s.mute_send = true;
    EXPECT_TRUE(server.add(s, 4).ok());
  }
  objects::SecurityInstance sec_storage[3];
  objects::ServerInstance srv_storage[2];
  objects::SecurityObject security{sec_storage};
  objects::ServerObject server{srv_storage};
  objects::AclInstance acl_storage[3];
  objects::AccessControlObject acl{acl_storage};
  dm::Object* slots[4] = {};
  dm::Registry registry{slots};
  core::AccountsReader reader{registry};
};

TEST_F(AccountsTest, ReadsSecurityInstancesAndTheirCredentials) {
  ASSERT_EQ(reader.security_count(), 2u);
  auto bs = reader.bootstrap_security();
  ASSERT_TRUE(bs);
  EXPECT_EQ(bs->iid, 0);
  EXPECT_EQ(bs->hold_off_s, 7u);
  auto sec = reader.security_for(5);
  ASSERT_TRUE(sec);
  EXPECT_EQ(sec->iid, 1);
  EXPECT_FALSE(reader.security_for(6));
  auto peer = reader.peer(1);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->uri, "coaps://dm.example:5684");
  EXPECT_EQ(peer->mode, SecurityMode::psk);
  EXPECT_EQ(peer->ssid, 5);
  EXPECT_EQ(as_string(peer->identity), "id");
  EXPECT_EQ(as_string(peer->secret_key), "key");
  EXPECT_EQ(reader.peer(0)->ssid, 0);  // the bootstrap server
  EXPECT_EQ(reader.management_servers(), 1u);
  EXPECT_TRUE(reader.any_usable_server());
}

TEST_F(AccountsTest, ReadsServerInstancesWithTheirDefaults) {
  auto srv = reader.server(5);
  ASSERT_TRUE(srv);
  EXPECT_EQ(srv->iid, 4);
  EXPECT_EQ(srv->lifetime_s, 120u);
  EXPECT_EQ(srv->binding(), "UQ");
  EXPECT_EQ(srv->retry.communication_retry_count, 2u);
  EXPECT_TRUE(srv->mute_send);
  EXPECT_EQ(reader.server_instance(4)->ssid, 5);
  EXPECT_EQ(reader.default_periods(5).pmin, 3u);
  EXPECT_FALSE(reader.default_periods(5).pmax);
  EXPECT_FALSE(reader.default_periods(6).pmin);
  EXPECT_FALSE(reader.server(6));
  EXPECT_FALSE(reader.server_instance(0));
}

TEST_F(AccountsTest, WithoutAServerInstanceNoServerIsUsable) {
  ASSERT_TRUE(server.delete_instance(4).ok());
  EXPECT_FALSE(reader.any_usable_server());
}

TEST_F(AccountsTest, AccessControlGrantsOwnEntryThenDefaultThenOwnerRights) {
  core::AccessControl access{registry};
  EXPECT_FALSE(access.present());
  ASSERT_TRUE(registry.add(acl).ok());
  EXPECT_TRUE(access.present());
  bool governed = true;
  EXPECT_EQ(access.rights(5, 3, 0, governed), 0);
  EXPECT_FALSE(governed);
  ASSERT_TRUE(access.add_owned(3, 0, 5).ok());
  EXPECT_EQ(access.rights(5, 3, 0, governed), core::kAllRights & ~core::kCreate);
  EXPECT_TRUE(governed);
  EXPECT_EQ(access.rights(6, 3, 0, governed), 0);
  auto iid = acl.add(3303, 0, 5);
  ASSERT_TRUE(iid.ok());
  ASSERT_TRUE(acl.grant(*iid, 0, core::kRead).ok());
  ASSERT_TRUE(acl.grant(*iid, 6, core::kRead | core::kWrite).ok());
  EXPECT_EQ(access.rights(6, 3303, 0, governed), core::kRead | core::kWrite);
  EXPECT_EQ(access.rights(7, 3303, 0, governed), core::kRead);
  EXPECT_EQ(access.owner(*iid), 5);
  access.remove_for(3303, 0);
  EXPECT_EQ(access.rights(6, 3303, 0, governed), 0);
  EXPECT_FALSE(governed);
}

}  // namespace
}  // namespace lwm2m::test
