// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/udp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lwm2m::posix {
namespace {

std::string text(const SocketAddress& a) {
  char buf[SocketAddress::kMaxText];
  return std::string(buf, a.format(buf));
}

TEST(SocketAddress, LiteralsAndMappedAddressesCompareEqual) {
  auto v4 = SocketAddress::from_literal("127.0.0.1", 5683);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(text(*v4), "127.0.0.1:5683");
  auto mapped = SocketAddress::from_literal("::ffff:127.0.0.1", 5683);
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(*mapped, *v4);  // a dual-stack socket reports IPv4 peers like this
  auto v6 = SocketAddress::from_literal("::1", 5684);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(text(*v6), "[::1]:5684");
  EXPECT_FALSE(*v6 == *v4);
  EXPECT_FALSE(SocketAddress::from_literal("localhost", 1).ok());
  EXPECT_FALSE(SocketAddress::from_literal("1.2.3.4.5", 1).ok());
}

TEST(Resolve, LiteralsWithoutDnsAndLocalhostByName) {
  SocketAddress out[4];
  auto n = resolve("127.0.0.1", 5683, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(out[0].port(), 5683);
  auto m = resolve("localhost", 5684, out);
  ASSERT_TRUE(m.ok()) << "localhost must resolve through getaddrinfo";
  EXPECT_GE(*m, 1u);
  EXPECT_EQ(out[0].port(), 5684);
}

TEST(UdpSocket, LoopbackRoundTripOverIpv4AndIpv6) {
  auto a = UdpSocket::open(0);
  auto b = UdpSocket::open(0);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  ASSERT_NE(b->local_port(), 0);
  uint8_t buf[64];
  SocketAddress from;
  EXPECT_EQ(b->receive_from(buf, from, Duration{0}).error(), Errc::timeout);

  auto to = SocketAddress::from_literal("127.0.0.1", b->local_port());
  ASSERT_TRUE(a->send_to(*to, as_bytes("hello")).ok());
  auto n = b->receive_from(buf, from, Duration{2000});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_string({buf, *n}), "hello");
  EXPECT_EQ(from.family(), AF_INET);  // normalised from ::ffff:127.0.0.1
  EXPECT_EQ(from.port(), a->local_port());

  if (b->family() == AF_INET6) {
    auto to6 = SocketAddress::from_literal("::1", b->local_port());
    if (a->send_to(*to6, as_bytes("six")).ok()) {
      auto n6 = b->receive_from(buf, from, Duration{2000});
      ASSERT_TRUE(n6.ok());
      EXPECT_EQ(as_string({buf, *n6}), "six");
      EXPECT_EQ(from.family(), AF_INET6);
    }
  }
}

TEST(UdpSocket, OversizedDatagramIsReportedNotCut) {
  auto a = UdpSocket::open(0);
  auto b = UdpSocket::open(0);
  ASSERT_TRUE(a.ok() && b.ok());
  uint8_t big[300] = {};
  ASSERT_TRUE(a->send_to(*SocketAddress::from_literal("127.0.0.1", b->local_port()), big).ok());
  uint8_t small[200];
  SocketAddress from;
  EXPECT_EQ(b->receive_from(small, from, Duration{2000}).error(), Errc::buffer_too_small);
}

TEST(DatagramBatch, SendsInOrderAndReceivesWhatIsQueuedInOneCall) {
  auto a = UdpSocket::open(0);  // dual stack: IPv4 destinations leave as ::ffff:a.b.c.d
  auto b = UdpSocket::open(0, true);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto to_b = *SocketAddress::from_literal("127.0.0.1", b->local_port());
  DatagramBatch out(4, 16);
  EXPECT_TRUE(out.add(to_b, as_bytes("one")));
  EXPECT_TRUE(out.add(to_b, as_bytes("two")));
  EXPECT_TRUE(out.add(to_b, as_bytes("three")));
  EXPECT_FALSE(out.add(to_b, as_bytes("seventeen bytes!!"))) << "longer than a slot";
  EXPECT_TRUE(out.add(to_b, as_bytes("four")));
  EXPECT_TRUE(out.full());
  EXPECT_FALSE(out.add(to_b, as_bytes("five")));
  EXPECT_EQ(a->send(out), 4u);
  EXPECT_TRUE(out.empty());

  DatagramBatch in(8, 16);
  std::string got;
  size_t calls = 0;
  while (got.size() < 15 && calls < 20) {
    auto n = b->receive(in, Duration{2000});
    ASSERT_TRUE(n.ok());
    ++calls;
    for (size_t i = 0; i < in.size(); ++i) {
      got += as_string(in.bytes(i));
      got += ' ';
      EXPECT_EQ(in.address(i).port(), a->local_port());
      EXPECT_EQ(in.address(i).family(), AF_INET);
    }
  }
  EXPECT_EQ(got, "one two three four ");
  EXPECT_EQ(b->receive(in, Duration{0}).error(), Errc::timeout);
  EXPECT_TRUE(in.empty());
}

TEST(DatagramBatch, ADatagramLongerThanASlotIsReportedCutWithItsLength) {
  auto a = UdpSocket::open(0);
  auto b = UdpSocket::open(0);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto to_b = *SocketAddress::from_literal("127.0.0.1", b->local_port());
  uint8_t big[40] = {1, 2, 3};
  ASSERT_TRUE(a->send_to(to_b, big).ok());
  ASSERT_TRUE(a->send_to(to_b, as_bytes("ok")).ok());
  DatagramBatch in(4, 16);
  std::vector<std::pair<size_t, bool>> seen;  // length, truncated
  while (seen.size() < 2) {
    auto n = b->receive(in, Duration{2000});
    ASSERT_TRUE(n.ok());
    for (size_t i = 0; i < in.size(); ++i)
      seen.emplace_back(in.length(i), in.truncated(i));
  }
  EXPECT_EQ(seen[0], std::make_pair(size_t{40}, true));
  EXPECT_EQ(seen[1], std::make_pair(size_t{2}, false));
}

TEST(DatagramBatch, AnIpv4OnlySocketSkipsIpv6DestinationsAndSendsTheRest) {
  auto a = UdpSocket::open(0, true);
  auto b = UdpSocket::open(0, true);
  ASSERT_TRUE(a.ok() && b.ok());
  DatagramBatch out(3, 16);
  ASSERT_TRUE(out.add(*SocketAddress::from_literal("::1", b->local_port()), as_bytes("six")));
  ASSERT_TRUE(out.add(*SocketAddress::from_literal("127.0.0.1", b->local_port()), as_bytes("v4")));
  EXPECT_EQ(a->send(out), 1u);
  uint8_t buf[16];
  SocketAddress from;
  auto n = b->receive_from(buf, from, Duration{2000});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_string({buf, *n}), "v4");
}

// A receive sets up again only the headers the last call used: the kernel's lengths and
// flags from a receive, everything after a send through the same batch.
TEST(DatagramBatch, OneBatchReceivesSendsAndReceivesAgainWithWholeDatagrams) {
  auto a = UdpSocket::open(0, true);
  auto b = UdpSocket::open(0, true);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto to_a = *SocketAddress::from_literal("127.0.0.1", a->local_port());
  const auto to_b = *SocketAddress::from_literal("127.0.0.1", b->local_port());
  DatagramBatch batch(4, 16);
  // Receives until `want` datagrams came, as "bytes/length/port" lines.
  const auto take = [&](size_t want) {
    std::string seen;
    for (size_t got = 0, calls = 0; got < want && calls < 20; ++calls) {
      auto n = b->receive(batch, Duration{2000});
      if (!n.ok()) break;
      for (size_t i = 0; i < batch.size(); ++i, ++got)
        seen += std::string(as_string(batch.bytes(i))) + "/" + std::to_string(batch.length(i)) +
                (batch.truncated(i) ? " cut" : "") + "/" +
                std::to_string(batch.address(i).port() == a->local_port()) + "\n";
    }
    return seen;
  };
  ASSERT_TRUE(a->send_to(to_b, as_bytes("twenty-one bytes long")).ok());
  ASSERT_TRUE(a->send_to(to_b, as_bytes("p")).ok());
  ASSERT_TRUE(a->send_to(to_b, as_bytes("qq")).ok());
  EXPECT_EQ(take(3), "twenty-one bytes/21 cut/1\np/1/1\nqq/2/1\n");
  ASSERT_TRUE(a->send_to(to_b, as_bytes("x")).ok());
  EXPECT_EQ(take(1), "x/1/1\n");  // the kernel filled in one header

  batch.clear();  // what was received goes; the same slots now hold what is sent
  for (const char* d : {"r", "ss", "v"})
    ASSERT_TRUE(batch.add(to_a, as_bytes(d)));
  EXPECT_EQ(b->send(batch), 3u);  // three headers now describe these datagrams
  uint8_t buf[16];
  SocketAddress from;
  for (const char* want : {"r", "ss", "v"}) {
    auto n = a->receive_from(buf, from, Duration{2000});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(as_string({buf, *n}), want);
  }
  for (const char* d : {"tttt", "uuuuu", "wwwwww"})
    ASSERT_TRUE(a->send_to(to_b, as_bytes(d)).ok());
  EXPECT_EQ(take(3), "tttt/4/1\nuuuuu/5/1\nwwwwww/6/1\n");
}

TEST(UdpSocket, PortInUseIsAClearError) {
  auto a = UdpSocket::open(0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(UdpSocket::open(a->local_port()).error(), Errc::invalid_state);
}

}  // namespace
}  // namespace lwm2m::posix
