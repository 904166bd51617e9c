// SPDX-License-Identifier: Apache-2.0
// The proxy on loopback: forwards both ways, applies its faults, and after change_address()
// the server sees a new source port while the client's side stays where it was.
#include "fault_proxy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace lwm2m::test {
namespace {

using posix::SocketAddress;
using posix::UdpSocket;

UdpSocket open_socket() {
  auto s = UdpSocket::open(0, true);
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

struct Loopback : ::testing::Test {
  UdpSocket server = open_socket();
  UdpSocket client = open_socket();
  SocketAddress server_addr = *SocketAddress::from_literal("127.0.0.1", server.local_port());

  SocketAddress proxy_addr(const FaultProxy& p) {
    return *SocketAddress::from_literal("127.0.0.1", p.port());
  }
  // One datagram or nullopt within `wait`.
  std::optional<std::vector<uint8_t>> receive(UdpSocket& s, SocketAddress& from,
                                              Duration wait = Duration{2000}) {
    std::vector<uint8_t> buf(2048);
    auto n = s.receive_from({buf.data(), buf.size()}, from, wait);
    if (!n) return std::nullopt;
    buf.resize(*n);
    return buf;
  }
};

TEST_F(Loopback, ForwardsBothWaysAndAnswersReachTheClient) {
  FaultProxy proxy(server_addr, FaultModel(1));
  const uint8_t ping[] = {1, 2, 3};
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), ping).ok());
  SocketAddress seen;
  auto got = receive(server, seen);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, std::vector<uint8_t>(ping, ping + 3));
  EXPECT_EQ(seen.port(), proxy.server_side_port());
  const uint8_t pong[] = {9};
  ASSERT_TRUE(server.send_to(seen, pong).ok());
  SocketAddress from;
  auto back = receive(client, from);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, std::vector<uint8_t>{9});
  EXPECT_EQ(from.port(), proxy.port());
}

TEST_F(Loopback, AddressChangeGivesTheServerANewSourcePort) {
  FaultProxy proxy(server_addr, FaultModel(1));
  const uint8_t ping[] = {1};
  SocketAddress before, after;
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), ping).ok());
  ASSERT_TRUE(receive(server, before));
  proxy.change_address();
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), ping).ok());
  ASSERT_TRUE(receive(server, after));
  EXPECT_NE(before.port(), after.port());
  EXPECT_EQ(after.port(), proxy.server_side_port());
  // An answer to the old address is lost, as behind a NAT that forgot the mapping.
  const uint8_t late[] = {7};
  ASSERT_TRUE(server.send_to(before, late).ok());
  SocketAddress from;
  EXPECT_FALSE(receive(client, from, Duration{200}));
  EXPECT_EQ(proxy.stats().address_changes, 1u);
}

TEST_F(Loopback, DropsDuplicatesAndCorruptsAsConfigured) {
  FaultProxy proxy(server_addr, FaultModel(11, FaultRates{.drop = 0.5}, {}));
  const uint8_t d[] = {0};
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(client.send_to(proxy_addr(proxy), d).ok());
  int arrived = 0;
  SocketAddress from;
  while (receive(server, from, Duration{300}))
    ++arrived;
  const ProxyStats st = proxy.stats();
  EXPECT_EQ(st.to_server.received, 200u);
  EXPECT_EQ(st.to_server.dropped + st.to_server.sent, 200u);
  EXPECT_EQ(arrived, static_cast<int>(st.to_server.sent));
  EXPECT_GT(arrived, 70);
  EXPECT_LT(arrived, 130);

  proxy.set_rates(Direction::to_server, FaultRates{.duplicate = 1.0});
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), d).ok());
  EXPECT_TRUE(receive(server, from));
  EXPECT_TRUE(receive(server, from)) << "the duplicate";

  proxy.set_rates(Direction::to_server, FaultRates{.corrupt = 1.0});
  const uint8_t clean[] = {0, 0, 0, 0};
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), clean).ok());
  auto bad = receive(server, from);
  ASSERT_TRUE(bad);
  EXPECT_NE(*bad, std::vector<uint8_t>(4, 0));
}

TEST_F(Loopback, AReorderedDatagramArrivesAfterItsSuccessor) {
  FaultProxy proxy(server_addr, FaultModel(2, FaultRates{.reorder = 1.0}, {}));
  // With every datagram reordered, the first is held and the second overtakes it.
  const uint8_t first[] = {1}, second[] = {2};
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), first).ok());
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), second).ok());
  SocketAddress from;
  auto a = receive(server, from);
  auto b = receive(server, from);
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)[0], 2);
  EXPECT_EQ((*b)[0], 1);
}

TEST_F(Loopback, ADelayedDatagramArrivesLater) {
  FaultRates r{.delay = 1.0};
  r.delay_min = r.delay_max = Duration{150};
  FaultProxy proxy(server_addr, FaultModel(2, r, {}));
  const uint8_t d[] = {1};
  ASSERT_TRUE(client.send_to(proxy_addr(proxy), d).ok());
  SocketAddress from;
  EXPECT_FALSE(receive(server, from, Duration{80}));
  EXPECT_TRUE(receive(server, from, Duration{1000}));
  EXPECT_EQ(proxy.stats().to_server.delayed, 1u);
}

}  // namespace
}  // namespace lwm2m::test
