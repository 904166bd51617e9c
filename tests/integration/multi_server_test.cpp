// SPDX-License-Identifier: Apache-2.0
// Two management servers at once over real sockets: each has its own registration, and the
// Access Control object decides what each may do (4.01 without the right).
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

TEST(MultiServer, EachServerHasItsOwnRegistration) {
  ts::Server a(server_options()), b(server_options());
  Rig rig("two-node");
  rig.add_server(a, test_server_config(1, 50));
  rig.add_server(b, test_server_config(2, 70));
  rig.start();
  auto ra = a.wait_registered("two-node", kWait);
  auto rb = b.wait_registered("two-node", kWait);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->lifetime, 50u);
  EXPECT_EQ(rb->lifetime, 70u);
  EXPECT_TRUE(ra->has_link("/1/0") && ra->has_link("/1/1")) << ra->links_raw;
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait, 2));
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(1) && c.registered(2); }));
  // Each server reaches the client on its own registration.
  EXPECT_EQ(a.read("two-node", "/3/0/0").text(), "Acme");
  EXPECT_EQ(b.read("two-node", "/3/0/0").text(), "Acme");
  // A lifetime written by server 2 is its own business: only server 2 gets an Update.
  auto w = b.write("two-node", "/1/1/1", ts::to_bytes("90"), CF::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  auto up = b.wait_update("two-node", kWait);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->lifetime, 90u);
  EXPECT_FALSE(a.wait_update("two-node", ts::Duration{1000}));
  // Both are told goodbye.
  rig.runner->stop(Duration{5000});
  EXPECT_TRUE(a.wait_deregistered("two-node", ts::Duration{1000}));
  EXPECT_TRUE(b.wait_deregistered("two-node", ts::Duration{1000}));
}

struct AccessControl : ::testing::Test {
  void SetUp() override {
    rig.use_access_control();
    rig.add_server(a, test_server_config(1));
    rig.add_server(b, test_server_config(2));
    // Device: readable by every server. Sensor instance 0: server 1 owns it and may do
    // anything; server 2 may only read. Creating sensors: server 1 only.
    auto dev = rig.acl.add(3, 0, 1);
    ASSERT_TRUE(dev.ok());
    ASSERT_TRUE(rig.acl.grant(*dev, 0, objects::kAccessRead).ok());
    auto s0 = rig.acl.add(3303, 0, 1);
    ASSERT_TRUE(s0.ok());
    ASSERT_TRUE(rig.acl.grant(*s0, 1, objects::kAccessAll & ~objects::kAccessCreate).ok());
    ASSERT_TRUE(rig.acl.grant(*s0, 2, objects::kAccessRead).ok());
    auto create = rig.acl.add(3303, dm::kInvalidId, 1);
    ASSERT_TRUE(create.ok());
    ASSERT_TRUE(rig.acl.grant(*create, 1, objects::kAccessCreate).ok());
    rig.start();
    ASSERT_TRUE(a.wait_registered(ep, kWait));
    ASSERT_TRUE(b.wait_registered(ep, kWait));
  }
  ts::Server a{server_options()}, b{server_options()};
  Rig rig{"acl-node"};
  std::string ep = "acl-node";
};

TEST_F(AccessControl, AServerWithoutTheRightGetsUnauthorized) {
  // Read: both may.
  EXPECT_EQ(a.read(ep, "/3303/0/5700").text(), "21.5");
  EXPECT_EQ(b.read(ep, "/3303/0/5700").text(), "21.5");
  EXPECT_EQ(b.read(ep, "/3/0/0").text(), "Acme");
  EXPECT_TRUE(b.observe(ep, "/3303/0/5700", CF::text).established());
  // Write and Execute: server 1 only.
  EXPECT_EQ(a.write(ep, "/3303/0/5750", ts::to_bytes("mine"), CF::text).code_string(), "2.04");
  EXPECT_EQ(b.write(ep, "/3303/0/5750", ts::to_bytes("theirs"), CF::text).code_string(), "4.01");
  EXPECT_EQ(a.read(ep, "/3303/0/5750").text(), "mine");
  EXPECT_EQ(b.execute(ep, "/3303/0/5605").code_string(), "4.01");
  EXPECT_EQ(a.execute(ep, "/3303/0/5605").code_string(), "2.04");
  EXPECT_EQ(b.del(ep, "/3303/0").code_string(), "4.01");
  EXPECT_EQ(b.write_attributes(ep, "/3/0/0", "pmin=5").code_string(), "2.04");  // read right
  EXPECT_EQ(b.write(ep, "/3/0/14", ts::to_bytes("+02:00"), CF::text).code_string(), "4.01");
  // Create: server 2 has no right on the object; server 1 does and owns what it creates.
  auto tlv = ts::tlv::element(0, 3, ts::tlv::resource(5750, "x"));
  EXPECT_EQ(b.create(ep, "/3303", tlv, CF::tlv).code_string(), "4.01");
  auto c = a.create(ep, "/3303", tlv, CF::tlv);
  ASSERT_EQ(c.code_string(), "2.01") << c.describe();
  EXPECT_EQ(a.write(ep, "/3303/3/5750", ts::to_bytes("y"), CF::text).code_string(), "2.04");
  EXPECT_EQ(b.read(ep, "/3303/3/5750").code_string(), "4.01");
  // What server 2 was refused changed nothing.
  EXPECT_EQ(rig.locked([&](core::Client&) { return rig.sensor.executions.size(); }), 1u);
}

}  // namespace
}  // namespace lwm2m::itest
