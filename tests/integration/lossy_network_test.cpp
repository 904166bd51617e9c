// SPDX-License-Identifier: Apache-2.0
// The client behind a lossy, misbehaving network: the fault proxy (tests/support) between
// it and the test server drops, duplicates, delays or reorders datagrams with a fixed seed.
// What a server sees must not change, only take longer: the registration completes, every
// read is answered, a duplicated Execute runs once.
#include <gtest/gtest.h>

#include "fault_proxy.hpp"
#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using test::Direction;
using test::FaultModel;
using test::FaultProxy;
using test::FaultRates;

posix::SocketAddress loopback(uint16_t port) {
  return *posix::SocketAddress::from_literal("127.0.0.1", port);
}

ts::Options loopback_server() {
  ts::Options o = server_options();
  o.bind_address = "127.0.0.1";
  return o;
}

std::string via(const FaultProxy& proxy) {
  return "coap://127.0.0.1:" + std::to_string(proxy.port());
}

// A read the server repeats until answered, as a server application would. Each one is a
// new non-confirmable GET: libcoap retransmits a confirmable one for up to a minute and
// holds every later request behind it (NSTART 1), so giving up early there helps nothing.
ts::Response read_until_answered(ts::Server& server, const std::string& ep, const std::string& path,
                                 int& attempts) {
  ts::Request get;
  get.path = path;
  get.confirmable = false;
  ts::Response r;
  for (attempts = 1; attempts <= 20; ++attempts) {
    r = server.send_request(ep, get, ts::Duration{1000});
    if (r.ok()) break;
  }
  return r;
}

TEST(LossyNetwork, RegistersAndAnswersEveryReadThroughThirtyPercentLossBothWays) {
  ts::Server server(loopback_server());
  const FaultRates loss{.drop = 0.3};
  FaultProxy proxy(loopback(server.port()), FaultModel(0x10551, loss, loss));
  Rig rig("lossy-node");
  rig.config.coap.tx.max_retransmit = 4;  // RFC 7252's default: 5 tries of each request
  auto cfg = test_server_config(1, 60);
  cfg.communication_retry_count = 5;
  rig.add_server(via(proxy), cfg);
  rig.start();

  ASSERT_TRUE(server.wait_registered("lossy-node", ts::Duration{90000}));
  int answered = 0, retried = 0;
  for (int i = 0; i < 20; ++i) {
    int attempts = 0;
    auto r = read_until_answered(server, "lossy-node", "/3/0/0", attempts);
    ASSERT_TRUE(r.ok()) << "read " << i << ": " << r.describe();
    EXPECT_EQ(r.text(), "Acme") << "read " << i;
    answered += 1;
    retried += attempts > 1;
  }
  EXPECT_EQ(answered, 20);
  // The loss was real, both ways.
  const test::ProxyStats st = proxy.stats();
  EXPECT_GT(st.to_server.dropped, 0u);
  EXPECT_GT(st.to_client.dropped, 0u);
  EXPECT_GT(retried, 0);
  // Still the one registration: no reads were lost to a re-registration.
  EXPECT_FALSE(rig.wait_client_event(core::EventKind::registration_failed, ts::Duration{0}));
}

TEST(LossyNetwork, FivePercentCorruptedDatagramsCostNoRegistration) {
  ts::Server server(loopback_server());
  const FaultRates corrupt{.corrupt = 0.05};
  FaultProxy proxy(loopback(server.port()), FaultModel(0xC0, corrupt, corrupt));
  Rig rig("corrupt-node");
  rig.add_server(via(proxy), test_server_config(1, 60));
  rig.start();
  ASSERT_TRUE(server.wait_registered("corrupt-node", kWait * 3));
  for (int i = 0; i < 60; ++i) {
    int attempts = 0;
    auto r = read_until_answered(server, "corrupt-node", "/3/0/0", attempts);
    // Plain CoAP has no integrity check: a flipped payload bit may reach the server
    // unnoticed. What matters here is that the client keeps answering.
    ASSERT_TRUE(r.ok()) << "read " << i << ": " << r.describe();
  }
  const test::ProxyStats st = proxy.stats();
  EXPECT_GT(st.to_server.corrupted + st.to_client.corrupted, 0u);
  EXPECT_FALSE(rig.wait_client_event(core::EventKind::registration_failed, ts::Duration{0}));
  EXPECT_TRUE(server.client("corrupt-node"));
}

TEST(LossyNetwork, AnExecuteDuplicatedOnTheWireRunsOnce) {
  ts::Server server(loopback_server());
  FaultProxy proxy(loopback(server.port()), FaultModel(7));
  Rig rig("dup-node");
  rig.add_server(via(proxy), test_server_config(1, 60));
  rig.start();
  ASSERT_TRUE(server.wait_registered("dup-node", kWait));

  // Every datagram towards the client now arrives twice, the copy right behind it.
  proxy.set_rates(Direction::to_client, FaultRates{.duplicate = 1.0});
  auto r = server.execute("dup-node", "/3303/0/5605", "");
  ASSERT_TRUE(r.ok()) << r.describe();
  // The copy is answered from the client's duplicate detection; wait for that answer too.
  ASSERT_TRUE(server.read("dup-node", "/3/0/0").ok());
  const auto executions = rig.locked([&](core::Client&) { return rig.sensor.executions; });
  EXPECT_EQ(executions.size(), 1u);
  EXPECT_GE(proxy.stats().to_client.duplicated, 2u);
}

TEST(LossyNetwork, DelayedAndReorderedDatagramsStillRegisterAndAnswer) {
  ts::Server server(loopback_server());
  FaultRates rates{.delay = 0.3, .reorder = 0.2};
  rates.delay_min = Duration{20};
  rates.delay_max = Duration{300};
  FaultProxy proxy(loopback(server.port()), FaultModel(0xD1, rates, rates));
  Rig rig("reorder-node");
  rig.add_server(via(proxy), test_server_config(1, 60));
  rig.start();
  ASSERT_TRUE(server.wait_registered("reorder-node", kWait * 3));
  for (int i = 0; i < 10; ++i) {
    int attempts = 0;
    auto r = read_until_answered(server, "reorder-node", "/3/0/0", attempts);
    ASSERT_TRUE(r.ok()) << r.describe();
  }
  const test::ProxyStats st = proxy.stats();
  EXPECT_GT(st.to_server.delayed + st.to_client.delayed, 0u);
  EXPECT_GT(st.to_server.reordered + st.to_client.reordered, 0u);
}

}  // namespace
}  // namespace lwm2m::itest
