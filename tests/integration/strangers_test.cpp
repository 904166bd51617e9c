// SPDX-License-Identifier: Apache-2.0
// Datagrams from endpoints that are not a server: a flood gets no answer (nothing to
// reflect or amplify), costs the client no connection, and costs its log one line with the
// address plus at most one counting line per interval, however many datagrams come.
#include <gtest/gtest.h>

#include <cstdlib>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

bool is_stranger_line(const std::string& l) {
  return l.find("no connection to that endpoint") != std::string::npos ||
         l.find("from endpoints without a connection") != std::string::npos;
}

// "dropped N more datagrams ..." -> N.
uint64_t folded_count(const std::string& l) {
  const std::string head = "dropped ";
  if (l.rfind(head, 0) != 0 || l.find(" more datagrams") == std::string::npos) return 0;
  return std::strtoull(l.c_str() + head.size(), nullptr, 10);
}

TEST(Strangers, AFloodGetsNoAnswerNoStateAndAFewCountedLogLines) {
  ts::Server server(server_options());
  Rig rig("flooded-node");
  rig.runner_config.stranger_log_interval = Duration{500};
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("flooded-node", kWait));

  auto stranger = posix::UdpSocket::open(0, true);
  ASSERT_TRUE(stranger.ok());
  auto to = posix::SocketAddress::from_literal("127.0.0.1", rig.runner->local_port());
  ASSERT_TRUE(to.ok());
  // CON GET /3/0/0: a valid request, which a server would have answered.
  const uint8_t get[] = {0x41, 0x01, 0x12, 0x34, 0xAB, 0xB1, '3', 0x01, '0', 0x01, '0'};
  const auto start = std::chrono::steady_clock::now();
  constexpr int kFlood = 5000;
  for (int i = 0; i < kFlood; ++i) {
    (void)stranger->send_to(*to, ByteView(get, sizeof get));
    if (i % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Wait for the line that counts what was not logged (it comes once the interval ends).
  uint64_t folded = 0;
  for (int i = 0; i < 500 && folded == 0; ++i) {
    for (const std::string& l : rig.log_lines())
      folded += folded_count(l);
    if (folded == 0) std::this_thread::sleep_for(20ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;

  uint8_t buf[256];
  posix::SocketAddress from;
  EXPECT_FALSE(stranger->receive_from(MutableByteView(buf, sizeof buf), from, Duration{300}).ok())
      << "the client answered a peer it has no connection to";

  size_t lines = 0;
  size_t with_address = 0;
  for (const std::string& l : rig.log_lines()) {
    lines += is_stranger_line(l);
    with_address += l.find("dropped a datagram from 127.0.0.1:") != std::string::npos;
  }
  EXPECT_EQ(with_address, 1u) << "one line names the stranger";
  EXPECT_GE(folded, 100u) << "most of the flood was counted, not logged";
  EXPECT_LE(folded + 1, static_cast<uint64_t>(kFlood));
  // One line with the address, then at most one per 500 ms interval.
  const auto intervals = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed) / 500ms;
  EXPECT_LE(lines, static_cast<size_t>(2 + intervals)) << lines << " lines";

  // No state for the stranger: still the one connection, and the server is still served.
  EXPECT_EQ(rig.runner->connections().size(), 1u);
  auto r = server.read("flooded-node", "/3/0/0", ts::ContentFormat::text);
  ASSERT_TRUE(r.ok()) << r.describe();
}

TEST(Strangers, AfterAQuietIntervalTheNextStrangerIsNamedAgain) {
  ts::Server server(server_options());
  Rig rig("quiet-node");
  rig.runner_config.stranger_log_interval = Duration{200};
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("quiet-node", kWait));
  auto stranger = posix::UdpSocket::open(0, true);
  ASSERT_TRUE(stranger.ok());
  auto to = posix::SocketAddress::from_literal("127.0.0.1", rig.runner->local_port());
  const uint8_t junk[] = {0x40, 0x01, 0x00, 0x01};
  auto named = [&] {
    size_t n = 0;
    for (const std::string& l : rig.log_lines())
      n += l.find("dropped a datagram from 127.0.0.1:") != std::string::npos;
    return n;
  };
  ASSERT_TRUE(stranger->send_to(*to, ByteView(junk, sizeof junk)).ok());
  for (int i = 0; i < 250 && named() < 1; ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(named(), 1u);
  // The window closes after a quiet interval (the runner wakes at least every 200 ms).
  std::this_thread::sleep_for(700ms);
  ASSERT_TRUE(stranger->send_to(*to, ByteView(junk, sizeof junk)).ok());
  for (int i = 0; i < 250 && named() < 2; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(named(), 2u);
}

}  // namespace
}  // namespace lwm2m::itest
