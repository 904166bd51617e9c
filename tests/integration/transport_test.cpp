// SPDX-License-Identifier: Apache-2.0
// The runner's UDP transport with real addresses: a server URI with a host name (resolved
// with getaddrinfo), an IPv6 literal, and a datagram from a peer that matches no
// connection, which is dropped and logged while the client keeps serving its server.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::itest {
namespace {

bool ipv6_loopback_available() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(Transport, RegistersWithAHostNameResolvedByGetaddrinfo) {
  ts::Server server(server_options());
  Rig rig("host-name-node");
  rig.add_server("coap://localhost:" + std::to_string(server.port()), test_server_config());
  rig.start();
  ASSERT_TRUE(server.wait_registered("host-name-node", kWait)) << (rig.dump_log(), "");
  auto r = server.read("host-name-node", "/3/0/0", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.text(), "Acme");
}

TEST(Transport, RegistersWithAnIpv6Literal) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  ts::Server server(server_options());  // binds 127.0.0.1 and ::1 on one port
  Rig rig("ipv6-node");
  rig.add_server("coap://[::1]:" + std::to_string(server.port()), test_server_config());
  rig.start();
  auto info = server.wait_registered("ipv6-node", kWait);
  ASSERT_TRUE(info) << (rig.dump_log(), "");
  auto r = server.read("ipv6-node", "/3/0/0", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.text(), "Acme");
}

TEST(Transport, ADatagramFromAnUnknownPeerIsDroppedAndLogged) {
  ts::Server server(server_options());
  Rig rig("stray-node");
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("stray-node", kWait));

  auto stray = posix::UdpSocket::open(0, true);
  ASSERT_TRUE(stray.ok());
  auto to = posix::SocketAddress::from_literal("127.0.0.1", rig.runner->local_port());
  ASSERT_TRUE(to.ok());
  // CON GET /3/0/0, message ID 0x1234, token 0xAB: a valid request, from a stranger.
  const uint8_t get[] = {0x41, 0x01, 0x12, 0x34, 0xAB, 0xB1, '3', 0x01, '0', 0x01, '0'};
  ASSERT_TRUE(stray->send_to(*to, ByteView(get, sizeof get)).ok());
  uint8_t buf[256];
  posix::SocketAddress from;
  auto got = stray->receive_from(MutableByteView(buf, sizeof buf), from, Duration{1500});
  EXPECT_FALSE(got.ok()) << "the client answered a peer it has no connection to";

  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    for (const std::string& l : rig.log_lines())
      if (l.find("no connection to that endpoint") != std::string::npos) logged = true;
    if (!logged) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(logged);
  // The real server is still served.
  auto r = server.read("stray-node", "/3/0/0", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
}

}  // namespace
}  // namespace lwm2m::itest
