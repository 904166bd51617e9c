// SPDX-License-Identifier: Apache-2.0
// What the client promises about security, each shown against a real server over loopback
// (the DTLS ones, keys out of logs and off the wire, are in dtls/security_dtls_test.cpp):
//  - a management server never reaches the Security object: every operation on /0 is
//    answered 4.01 Unauthorized and no answer carries a key (LwM2M 1.1 Core, Security
//    object: "MUST NOT be accessible by any other LwM2M Server" than the bootstrap server);
//  - a server acts only within its Access Control rights, and cannot change the rights of
//    an instance whose Access Control it does not own (4.01 Unauthorized, the code the
//    Core's operation tables give for a missing access right);
//  - a coaps:// server is never sent a datagram in clear, whatever fails on the way.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

const std::string kBootstrapSecret = "bs-secret-7f3a";

bool contains(const ts::Bytes& hay, const std::string& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

ts::Bytes bytes(const std::string& s) {
  return ts::Bytes(s.begin(), s.end());
}

TEST(SecurityStatements, AManagementServerGetsUnauthorizedForEveryOperationOnTheSecurityObject) {
  ts::Server server(server_options());
  Rig rig("sec-node");
  rig.add_server(server);
  // A bootstrap server's instance carrying a PSK: what a curious server would be after.
  objects::SecurityConfig bs;
  bs.uri = "coaps://127.0.0.1:1";
  bs.bootstrap = true;
  bs.mode = objects::SecurityMode::psk;
  bs.identity = as_bytes(std::string_view("bs-id"));
  bs.secret_key = as_bytes(std::string_view(kBootstrapSecret));
  ASSERT_TRUE(rig.security.add(bs, 5).ok());
  rig.start();
  auto reg = server.wait_registered("sec-node", kWait);
  ASSERT_TRUE(reg);
  // The Register payload does not list the Security object.
  EXPECT_FALSE(reg->has_link("/0")) << reg->links_raw;
  EXPECT_FALSE(reg->has_link("/0/5")) << reg->links_raw;
  EXPECT_EQ(reg->links_raw.find("</0/"), std::string::npos) << reg->links_raw;

  std::vector<ts::Response> answers;
  for (const char* path : {"/0", "/0/5", "/0/5/5", "/0/0/0"}) {
    answers.push_back(server.read("sec-node", path));
    answers.push_back(server.read("sec-node", path, CF::senml_json));
    answers.push_back(server.discover("sec-node", path));
    answers.push_back(server.write_attributes("sec-node", path, "pmin=1"));
  }
  answers.push_back(server.write("sec-node", "/0/5/5", bytes("stolen"), CF::opaque));
  answers.push_back(server.write("sec-node", "/0/5/0", bytes("coap://evil"), CF::text));
  answers.push_back(server.del("sec-node", "/0/5"));
  answers.push_back(server.create(
      "sec-node", "/0", ts::tlv::element(0, 9, ts::tlv::resource(0, "coap://x")), CF::tlv));
  answers.push_back(server.execute("sec-node", "/0/5/5"));
  answers.push_back(server.observe("sec-node", "/0/5/5", CF::opaque).response());
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].code_string(), "4.01") << i << ": " << answers[i].describe();
    EXPECT_FALSE(contains(answers[i].payload, kBootstrapSecret)) << i;
  }
  // Composite operations name /0 in their payload, not in the URI: refused too.
  const auto read_c = server.read_composite("sec-node", bytes(R"([{"n":"/0/5/5"}])"),
                                            CF::senml_json, CF::senml_json);
  EXPECT_EQ(read_c.code_string(), "4.01") << read_c.describe();
  EXPECT_FALSE(contains(read_c.payload, kBootstrapSecret));
  const auto write_c = server.write_composite(
      "sec-node", bytes(R"([{"n":"/0/5/0","vs":"coap://evil"}])"), CF::senml_json);
  EXPECT_EQ(write_c.code_string(), "4.01") << write_c.describe();

  // Nothing changed: the instance still has its URI and key.
  rig.locked([&](core::Client&) {
    const objects::SecurityInstance* s = nullptr;
    for (const objects::SecurityInstance& i : rig.sec_storage)
      if (i.id == 5) s = &i;
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->uri.str(), "coaps://127.0.0.1:1");
    EXPECT_EQ(as_string(s->secret_key.view()), kBootstrapSecret);
  });
  // And the server is still served everything else.
  EXPECT_EQ(server.read("sec-node", "/3/0/0").text(), "Acme");
}

struct AccessRights : ::testing::Test {
  void SetUp() override {
    rig.use_access_control();
    rig.add_server(owner, test_server_config(1));
    rig.add_server(guest, test_server_config(2));
    // Sensor instance 0: server 1 owns its Access Control and may do anything; server 2
    // may only read.
    auto s0 = rig.acl.add(3303, 0, 1);
    ASSERT_TRUE(s0.ok());
    acl_iid = *s0;
    ASSERT_TRUE(rig.acl.grant(acl_iid, 1, objects::kAccessAll & ~objects::kAccessCreate).ok());
    ASSERT_TRUE(rig.acl.grant(acl_iid, 2, objects::kAccessRead).ok());
    rig.start();
    ASSERT_TRUE(owner.wait_registered(ep, kWait));
    ASSERT_TRUE(guest.wait_registered(ep, kWait));
  }
  std::string acl_path(const std::string& rest = "") const {
    return "/2/" + std::to_string(acl_iid) + rest;
  }
  ts::Server owner{server_options()}, guest{server_options()};
  Rig rig{"rights-node"};
  std::string ep = "rights-node";
  dm::InstanceId acl_iid = 0;
};

TEST_F(AccessRights, AServerCannotGrantItselfRightsOnAnInstanceWhoseAccessControlItDoesNotOwn) {
  // The guest may read the rights (every server may) but not change them in any way.
  EXPECT_EQ(guest.read(ep, acl_path("/2")).code_string(), "2.05");
  EXPECT_EQ(guest.write(ep, acl_path("/2/2"), bytes("31"), CF::text).code_string(), "4.01");
  EXPECT_EQ(guest.write(ep, acl_path("/3"), bytes("2"), CF::text).code_string(), "4.01");
  EXPECT_EQ(guest.del(ep, acl_path()).code_string(), "4.01");
  auto grab = ts::tlv::element(0, 7, ts::tlv::resource(0, "3303"));
  EXPECT_EQ(guest.create(ep, "/2", grab, CF::tlv).code_string(), "4.01");
  // So its rights are what they were: read only.
  EXPECT_EQ(guest.write(ep, "/3303/0/5750", bytes("guest"), CF::text).code_string(), "4.01");
  EXPECT_EQ(guest.execute(ep, "/3303/0/5605").code_string(), "4.01");
  const auto wc =
      guest.write_composite(ep, bytes(R"([{"n":"/3303/0/5750","vs":"guest"}])"), CF::senml_json);
  EXPECT_EQ(wc.code_string(), "4.01") << wc.describe();
  EXPECT_NE(guest.read(ep, "/3303/0/5750").text(), "guest");
  EXPECT_EQ(rig.locked([&](core::Client&) { return rig.sensor.executions.size(); }), 0u);

  // The owner may change them, and the change takes effect.
  EXPECT_EQ(owner.write(ep, acl_path("/2/2"), bytes("3"), CF::text).code_string(), "2.04");
  EXPECT_EQ(guest.write(ep, "/3303/0/5750", bytes("granted"), CF::text).code_string(), "2.04");
}

// ---- coaps:// never in clear ----------------------------------------------------------

/// A UDP socket standing in for a coaps:// server: it answers nothing and counts what
/// arrives.
class Listener {
 public:
  Listener() : sock_(posix::UdpSocket::open(0, true).value()) {}
  uint16_t port() const { return sock_.local_port(); }
  /// Datagrams that arrived (drained without waiting).
  size_t received() {
    uint8_t buf[2048];
    posix::SocketAddress from;
    while (sock_.receive_from(MutableByteView(buf, sizeof buf), from, Duration{0}).ok())
      ++count_;
    return count_;
  }

 private:
  posix::UdpSocket sock_;
  size_t count_ = 0;
};

// A coaps:// PSK account (short server id 1) whose server is the listener.
void add_coaps_account(Rig& rig, Listener& listener) {
  objects::SecurityConfig sc;
  const std::string uri = "coaps://127.0.0.1:" + std::to_string(listener.port());
  sc.uri = uri;
  sc.mode = objects::SecurityMode::psk;
  sc.identity = as_bytes(std::string_view("id"));
  sc.secret_key = as_bytes(std::string_view("key"));
  sc.short_server_id = 1;
  ASSERT_TRUE(rig.security.add(sc).ok());
  ASSERT_TRUE(rig.server.add(test_server_config(1)).ok());
}

// The client tries a coaps:// server until its retries are spent, and the server's port
// never sees a byte.
void expect_nothing_sent(Rig& rig, Listener& listener, const char* reason) {
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::register_attempt_failed, kWait, 2));
  EXPECT_TRUE(rig.log_contains(reason));
  EXPECT_EQ(listener.received(), 0u) << "a datagram left in clear for a coaps:// server";
}

TEST(SecurityStatements, ACoapsServerWithoutADtlsLayerGetsNothingInClear) {
  Listener listener;
  Rig rig("clear-node");
  ASSERT_NO_FATAL_FAILURE(add_coaps_account(rig, listener));
  rig.start();  // no SecureChannelFactory: this runner has no DTLS
  expect_nothing_sent(rig, listener, "cannot secure the connection: this build has no DTLS");
}

TEST(SecurityStatements, ACoapsServerWhoseDtlsSetupFailsGetsNothingInClear) {
  Listener listener;
  Rig rig("clear-node-2");
  ASSERT_NO_FATAL_FAILURE(add_coaps_account(rig, listener));
  // A DTLS layer that cannot set the session up (as when the credential store is full).
  rig.secure_channel_factory = [](const PeerSecurity&, Errc& error, std::string& reason) {
    error = Errc::no_space;
    reason = "credential store full";
    return std::unique_ptr<SecureChannel>{};
  };
  rig.start();
  expect_nothing_sent(rig, listener, "cannot secure the connection: credential store full");
}

TEST(SecurityStatements, ACoapsUriWithNoSecModeGetsNothingInClear) {
  Listener listener;
  Rig rig("clear-node-3");
  rig.add_server("coaps://127.0.0.1:" + std::to_string(listener.port()), test_server_config(1));
  rig.start();
  expect_nothing_sent(rig, listener, "is coaps:// but its Security mode is NoSec");
}

}  // namespace
}  // namespace lwm2m::itest
