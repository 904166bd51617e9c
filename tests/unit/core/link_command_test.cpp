// SPDX-License-Identifier: Apache-2.0
// Link commands (Client::poll_link) reach the driver however many accrue between two polls:
// a bootstrap that configures eight servers asks to close the bootstrap link and to open
// eight others, and no event the application relies on is pushed out by them.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/client_fixture.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;
constexpr uint16_t kText = 0;
constexpr size_t kServers = 8;

struct EightServers : ::testing::Test {
  explicit EightServers(uint8_t max_events = core::ClientConfig{}.max_events) {
    EXPECT_TRUE(registry.add(security).ok());
    EXPECT_TRUE(registry.add(server).ok());
    EXPECT_TRUE(registry.add(device).ok());
    objects::SecurityConfig bs;
    bs.uri = "coap://127.0.0.1:5783";
    bs.bootstrap = true;
    EXPECT_TRUE(security.add(bs, 0).ok());
    core::ClientConfig cfg;
    cfg.endpoint = "urn:dev:eight";
    cfg.max_servers = kServers;
    cfg.max_observations = 2;
    cfg.max_events = max_events;
    client = std::make_unique<core::Client>(cfg, registry, rng);
    EXPECT_TRUE(client->valid());
    // Node ids are the client's peer ids: 0 the bootstrap server, 1..8 the servers.
    for (size_t i = 0; i <= kServers; ++i) {
      servers.push_back(std::make_unique<FakeServer>(100 + i));
      servers.back()->client_node = kServers + 1;
      nodes.push_back(std::make_unique<SansIoNode<FakeServer>>(*servers.back()));
      EXPECT_EQ(net.add(*nodes.back()), i);
    }
    client_node = std::make_unique<SansIoNode<core::Client>>(*client);
    EXPECT_EQ(net.add(*client_node), kServers + 1);
  }

  coap::Code bs_write(const std::string& path, const std::string& value) {
    FakeServer& bs = *servers[0];
    auto id = bs.request(codes::put, path, net.now(), {}, kText, value);
    EXPECT_TRUE(net.run_until([&] { return !bs.replies_for(id).empty(); }, net.now() + 30s));
    return bs.replies_for(id).empty() ? coap::Code{} : bs.replies_for(id).front().code;
  }

  objects::SecurityInstance sec_storage[kServers + 1];
  objects::ServerInstance srv_storage[kServers];
  objects::SecurityObject security{sec_storage};
  objects::ServerObject server{srv_storage};
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 8", "SN-8", "1.0", "", "", "", "U"}};
  dm::Object* slots[4] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{8};
  std::unique_ptr<core::Client> client;
  SimNet net{8};
  std::vector<std::unique_ptr<FakeServer>> servers;
  std::vector<std::unique_ptr<SansIoNode<FakeServer>>> nodes;
  std::unique_ptr<SansIoNode<core::Client>> client_node;
};

TEST_F(EightServers, BootstrapFinishConnectsEveryServerWithoutLosingACommandOrAnEvent) {
  ASSERT_TRUE(client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return servers[0]->bootstrap_requests == 1; }, net.now() + 10s));
  for (size_t k = 1; k <= kServers; ++k) {
    const std::string sec = "/0/" + std::to_string(k) + "/";
    const std::string srv = "/1/" + std::to_string(k - 1) + "/";
    const std::string ssid = std::to_string(100 + k);
    EXPECT_EQ(bs_write(sec + "0", "coap://127.0.0.1:" + std::to_string(5683 + k)), codes::changed);
    EXPECT_EQ(bs_write(sec + "1", "0"), codes::changed);
    EXPECT_EQ(bs_write(sec + "2", "3"), codes::changed);
    EXPECT_EQ(bs_write(sec + "10", ssid), codes::changed);
    EXPECT_EQ(bs_write(srv + "0", ssid), codes::changed);
    EXPECT_EQ(bs_write(srv + "1", "600"), codes::changed);
    EXPECT_EQ(bs_write(srv + "7", "U"), codes::changed);
  }
  FakeServer& bs = *servers[0];
  auto fin = bs.request(codes::post, "/bs", net.now());
  ASSERT_TRUE(net.run_until([&] { return !bs.replies_for(fin).empty(); }, net.now() + 30s));
  EXPECT_EQ(bs.replies_for(fin).front().code, codes::changed);
  // Every server registers (the simulated network needs no connection); the driver has not
  // polled anything yet.
  ASSERT_TRUE(net.run_until(
      [&] {
        for (size_t k = 1; k <= kServers; ++k)
          if (!client->registered(static_cast<uint16_t>(100 + k))) return false;
        return true;
      },
      net.now() + 60s));

  std::vector<core::LinkCommand> links;
  while (auto l = client->poll_link())
    links.push_back(*l);
  ASSERT_EQ(links.size(), kServers + 1);
  EXPECT_EQ(links[0].kind, core::LinkCommand::Kind::disconnect);
  EXPECT_EQ(links[0].peer, 0);
  for (size_t k = 1; k <= kServers; ++k) {
    EXPECT_EQ(links[k].kind, core::LinkCommand::Kind::connect) << k;
    EXPECT_EQ(links[k].peer, k);
    EXPECT_EQ(links[k].ssid, 100 + k);
    EXPECT_EQ(client->peer_uri(links[k].peer), "coap://127.0.0.1:" + std::to_string(5683 + k));
  }
  EXPECT_FALSE(client->poll_link());

  std::vector<core::EventKind> kinds;
  while (auto e = client->poll_event())
    kinds.push_back(e->kind);
  EXPECT_EQ(client->dropped_events(), 0u);
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds[0], core::EventKind::bootstrap_started);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), core::EventKind::bootstrap_finished), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), core::EventKind::registered),
            static_cast<long>(kServers));
}

TEST_F(EightServers, AFullEventQueueCountsWhatItDrops) {
  ASSERT_TRUE(client->start(net.now()).ok());
  // The bootstrap server never answers: each failed attempt is an event.
  net.set_filter([](const WireRecord&) { return true; });
  for (int i = 0; i < 20; ++i)
    client->request_bootstrap(net.now() + std::chrono::milliseconds(i));
  size_t n = 0;
  while (client->poll_event())
    ++n;
  EXPECT_EQ(n, 16u);
  EXPECT_GT(client->dropped_events(), 0u);
}

struct EightServersThreeEvents : EightServers {
  EightServersThreeEvents() : EightServers(3) {}
};

TEST_F(EightServersThreeEvents, TheEventQueueHoldsTheConfiguredNumberAndKeepsTheNewest) {
  ASSERT_TRUE(client->start(net.now()).ok());
  net.set_filter([](const WireRecord&) { return true; });
  for (int i = 0; i < 20; ++i)
    client->request_bootstrap(net.now() + std::chrono::milliseconds(i));
  std::vector<core::EventKind> kinds;
  while (auto e = client->poll_event())
    kinds.push_back(e->kind);
  ASSERT_EQ(kinds.size(), 3u);
  const uint32_t dropped = client->dropped_events();
  EXPECT_GT(dropped, 0u);
  // A driver that polls after every input loses none.
  for (int i = 0; i < 5; ++i) {
    client->request_bootstrap(net.now() + std::chrono::seconds(1 + i));
    size_t got = 0;
    while (client->poll_event())
      ++got;
    EXPECT_GT(got, 0u);
  }
  EXPECT_EQ(client->dropped_events(), dropped);
}

}  // namespace
}  // namespace lwm2m::test
