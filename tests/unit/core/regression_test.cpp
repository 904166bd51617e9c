// SPDX-License-Identifier: Apache-2.0
// Regression tests for interop bugs found against an independent server (issue #8): each
// failed before its fix.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;
constexpr uint16_t kText = 0;
constexpr uint16_t kLink = 40;

/// Runs until the server has seen one more Update than now; false if none came by `within`.
bool next_update(ClientTest& t, Duration within) {
  const size_t seen = t.server.updates.size();
  return t.net.run_until([&] { return t.server.updates.size() > seen; }, t.net.now() + within);
}

TEST_F(ClientTest, UpdatesFollowAShorterLifetimeTheServerWrites) {
  start_and_register();  // lifetime 300
  ASSERT_EQ(call(codes::put, "/1/0/1", {}, kText, "20").code, codes::changed);
  ASSERT_TRUE(next_update(*this, 5s));
  EXPECT_EQ(server.updates.back(), std::vector<std::string>{"lt=20"});
  // Every following Update reaches the server before 20 s have passed.
  for (int i = 0; i < 5; ++i) {
    const TimePoint before = net.now();
    ASSERT_TRUE(next_update(*this, 20s)) << "Update " << i;
    EXPECT_LT(net.now() - before, Duration{20000});
  }
  // The server forgets the registration: the client registers again with lt=20, and the
  // Updates still come on the 20 s cadence.
  server.forget = true;
  ASSERT_TRUE(net.run_until([&] { return server.registers.size() == 2; }, net.now() + 30s));
  EXPECT_EQ(server.registers[1].lifetime, "20");
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 5s));
  for (int i = 0; i < 3; ++i) {
    const TimePoint before = net.now();
    ASSERT_TRUE(next_update(*this, 20s)) << "Update after re-Register " << i;
    EXPECT_LT(net.now() - before, Duration{20000});
  }
}

TEST_F(ClientTest, UpdatesFollowALongerLifetimeTheServerWrites) {
  start_and_register();  // lifetime 300: an Update each 207 s (300 - MAX_TRANSMIT_WAIT)
  ASSERT_EQ(call(codes::put, "/1/0/1", {}, kText, "600").code, codes::changed);
  ASSERT_TRUE(next_update(*this, 5s));
  EXPECT_EQ(server.updates.back(), std::vector<std::string>{"lt=600"});
  const TimePoint before = net.now();
  ASSERT_TRUE(next_update(*this, 600s));
  EXPECT_GT(net.now() - before, Duration{300000});  // not on the old cadence
  EXPECT_LT(net.now() - before, Duration{600000});
}

TEST_F(ClientTest, DiscoverReportsAttributesInheritedFromInstanceAndObject) {
  start_and_register();
  rig.device.set_battery_level(80);
  ASSERT_EQ(call(codes::put, "/3", {}, {}, {}, {"pmin=5", "pmax=50"}).code, codes::changed);
  ASSERT_EQ(call(codes::put, "/3/0", {}, {}, {}, {"pmin=3", "pmax=40"}).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/3/0/9", kLink).payload, "</3/0/9>;pmin=3;pmax=40");
  ASSERT_EQ(call(codes::put, "/3/0", {}, {}, {}, {"pmax"}).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/3/0/9", kLink).payload, "</3/0/9>;pmin=3;pmax=50");
  ASSERT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"pmin=1", "gt=50"}).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/3/0/9", kLink).payload, "</3/0/9>;pmin=1;pmax=50;gt=50");
  // On an instance: its own link carries what it inherits; the links below it carry only
  // what was written on them.
  Reply r = call(codes::get, "/3/0", kLink);
  EXPECT_EQ(r.payload.substr(0, r.payload.find(',')), "</3/0>;pmin=3;pmax=50");
  EXPECT_NE(r.payload.find(",</3/0/9>;pmin=1;gt=50,"), std::string::npos) << r.payload;
  EXPECT_NE(r.payload.find(",</3/0/0>,"), std::string::npos) << r.payload;
  // On the object: its own attributes only.
  r = call(codes::get, "/3", kLink);
  EXPECT_EQ(r.payload.substr(0, r.payload.find(',')), "</3>;ver=1.1;pmin=5;pmax=50");
}

TEST_F(ClientTest, RebootAndFactoryResetEventsNameTheServerThatExecuted) {
  start_and_register();
  rig.drain_events();
  ASSERT_EQ(call(codes::post, "/3/0/4").code, codes::changed);
  ASSERT_EQ(call(codes::post, "/3/0/5").code, codes::changed);
  net.run_for(10ms);
  int seen = 0;
  for (const core::Event& e : rig.drain_events()) {
    if (e.kind != core::EventKind::reboot && e.kind != core::EventKind::factory_reset) continue;
    ++seen;
    EXPECT_EQ(e.ssid, 101) << core::to_string(e.kind);
    EXPECT_EQ(e.peer, kServerNode) << core::to_string(e.kind);
  }
  EXPECT_EQ(seen, 2);
}

TEST_F(ClientTest, ADeregisterAnsweredWithAnErrorYieldsTheErrorInTheEvent) {
  start_and_register();
  rig.drain_events();
  server.reject_deregister = codes::bad_request;
  rig.client->stop(net.now());
  ASSERT_TRUE(net.run_until([&] { return rig.client->stopped(); }, net.now() + 30s));
  std::optional<core::Event> dereg;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::deregistered) dereg = e;
  ASSERT_TRUE(dereg);
  EXPECT_EQ(dereg->ssid, 101);
  EXPECT_EQ(dereg->error, Errc::bad_request);
}

TEST_F(ClientTest, ASuccessfulDeregisterYieldsNoError) {
  start_and_register();
  rig.drain_events();
  rig.client->stop(net.now());
  ASSERT_TRUE(net.run_until([&] { return rig.client->stopped(); }, net.now() + 30s));
  std::optional<core::Event> dereg;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::deregistered) dereg = e;
  ASSERT_TRUE(dereg);
  EXPECT_EQ(dereg->error, Errc::ok);
}

// A bootstrap that replaces the server ends the old server's exchanges: the Register that
// was waiting for an answer is not retransmitted any more (found by the whole-client fuzzer:
// it went on for 40 s, to the peer id the new server's account reuses).
TEST_F(ClientTest, ABootstrapThatReplacesTheServerEndsItsRegisterInFlight) {
  objects::SecurityConfig bs;
  bs.uri = "coap://127.0.0.1:5783";
  bs.bootstrap = true;
  ASSERT_TRUE(rig.security.add(bs, 0).ok());
  // The old server never hears the client: its Register stays in flight.
  bool cut = true;
  net.set_filter([&](const WireRecord& w) { return cut && w.to == kServerNode; });
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  net.run_for(1s);
  ASSERT_EQ(net.sent(kClientNode, kServerNode).size(), 1u);  // the Register, unanswered
  // Server-initiated bootstrap: the old account goes, a new one (short server id 102) comes.
  auto bs_request = [&](coap::Code code, const std::string& path, const std::string& value) {
    auto id =
        bootstrap.request(code, path, net.now(), {},
                          value.empty() ? std::nullopt : std::optional<uint16_t>(kText), value);
    EXPECT_TRUE(net.run_until([&] { return !bootstrap.replies_for(id).empty(); }, net.now() + 30s));
    return bootstrap.replies_for(id).empty() ? coap::Code{}
                                             : bootstrap.replies_for(id).front().code;
  };
  EXPECT_EQ(bs_request(codes::del, "/0/1", ""), codes::deleted);
  EXPECT_EQ(bs_request(codes::del, "/1/0", ""), codes::deleted);
  EXPECT_EQ(bs_request(codes::put, "/0/2/0", "coap://127.0.0.1:5684"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/0/2/1", "0"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/0/2/2", "3"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/0/2/10", "102"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/1/1/0", "102"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/1/1/1", "300"), codes::changed);
  EXPECT_EQ(bs_request(codes::put, "/1/1/7", "U"), codes::changed);
  EXPECT_EQ(bs_request(codes::post, "/bs", ""), codes::changed);
  // The new account has the same peer id as the old one: the server node now stands for it.
  cut = false;
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(102); }, net.now() + 60s));
  net.run_for(120s);  // longer than the old Register's retransmissions would have lasted
  EXPECT_EQ(server.registers.size(), 1u) << "only the new account's Register reached the node";
}

}  // namespace
}  // namespace lwm2m::test
