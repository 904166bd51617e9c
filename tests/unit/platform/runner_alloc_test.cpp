// SPDX-License-Identifier: Apache-2.0
// The runner on its hottest path: a request served over a real loopback socket allocates
// nothing on the runner thread (a Read of /3/0 with the host's memory figures, and of
// /3/0/0), its log line included (lines wait in buffers the runner
// keeps between steps until the lock is released). The log hook runs on the runner thread,
// so it reads that thread's allocation counter between two served requests.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "lwm2m/coap/message.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/runner.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::posix {
namespace {

namespace codes = coap::codes;

/// The server's socket: the next datagram parsed, or nullopt after 5 s.
std::optional<coap::Message> receive(UdpSocket& s, std::array<uint8_t, 1500>& buf,
                                     SocketAddress& from) {
  auto n = s.receive_from({buf.data(), buf.size()}, from, Duration{5000});
  coap::Message m;
  if (!n || coap::parse({buf.data(), *n}, m) != coap::ParseError::none) return std::nullopt;
  return m;
}

TEST(RunnerAllocations, AServedRequestAndItsLogLineAllocateNothingOnTheRunnerThread) {
  auto server = UdpSocket::open(0, true);
  ASSERT_TRUE(server.ok());
  const std::string uri = "coap://127.0.0.1:" + std::to_string(server->local_port());

  objects::SecurityInstance sec_slots[1];
  objects::ServerInstance srv_slots[1];
  objects::SecurityObject security{sec_slots};
  objects::ServerObject srv{srv_slots};
  objects::DeviceObject device{objects::DeviceInfo{"Acme", "M", "SN", "1.0", "", "", "", "U"}};
  dm::Object* slots[3] = {};
  dm::Registry registry{slots};
  ASSERT_TRUE(registry.add(security).ok());
  ASSERT_TRUE(registry.add(srv).ok());
  ASSERT_TRUE(registry.add(device).ok());
  objects::SecurityConfig sc;
  sc.uri = uri;
  sc.short_server_id = 1;
  ASSERT_TRUE(security.add(sc, 0).ok());
  objects::ServerConfig svc;
  svc.short_server_id = 1;
  ASSERT_TRUE(srv.add(svc, 0).ok());
  XorShiftRandom rng{3};
  core::ClientConfig cc;
  cc.endpoint = "alloc-node";
  core::Client client(cc, registry, rng);
  ASSERT_TRUE(client.valid());

  constexpr size_t kRequests = 20;
  std::array<size_t, kRequests> allocations_at{};  // the runner thread's count per line
  std::atomic<size_t> served{0};
  RunnerConfig rc;
  rc.local_port = 0;
  Runner runner(client, rc);
  runner.set_log([&](const char* line) {
    if (std::strncmp(line, "served GET /3/0", 15) != 0) return;
    const size_t i = served.load();
    if (i < kRequests) allocations_at[i] = test::thread_allocations();
    served.store(i + 1);
  });
  ASSERT_TRUE(runner.start().ok());

  std::array<uint8_t, 1500> buf{};
  SocketAddress client_addr;
  auto reg = receive(*server, buf, client_addr);
  ASSERT_TRUE(reg);
  ASSERT_EQ(reg->code, codes::post);
  coap::Message ack;
  ack.type = coap::Type::ack;
  ack.code = codes::created;
  ack.message_id = reg->message_id;
  ack.token = reg->token;
  ASSERT_TRUE(ack.add_string(coap::OptionNumber::location_path, "rd").ok());
  ASSERT_TRUE(ack.add_string(coap::OptionNumber::location_path, "1").ok());
  std::array<uint8_t, 64> out{};
  auto n = coap::encode(ack, out);
  ASSERT_TRUE(n);
  ASSERT_TRUE(server->send_to(client_addr, {out.data(), *n}).ok());

  for (uint16_t mid = 1; mid <= kRequests; ++mid) {
    coap::Message get;
    get.type = coap::Type::con;
    get.code = codes::get;
    get.message_id = mid;
    const uint8_t token[2] = {0x7e, static_cast<uint8_t>(mid)};
    get.token = coap::Token::from({token, 2});
    // The whole Device object in TLV (memory figures from the host included) and one
    // resource in plain text, in turn.
    if (mid % 2) {
      ASSERT_TRUE(get.add_path(coap::OptionNumber::uri_path, "3/0").ok());
      ASSERT_TRUE(get.add_uint(coap::OptionNumber::accept, 11542).ok());
    } else {
      ASSERT_TRUE(get.add_path(coap::OptionNumber::uri_path, "3/0/0").ok());
    }
    auto len = coap::encode(get, out);
    ASSERT_TRUE(len);
    ASSERT_TRUE(server->send_to(client_addr, {out.data(), *len}).ok());
    std::optional<coap::Message> resp;
    SocketAddress from;
    do {
      resp = receive(*server, buf, from);  // skips anything else the client sends
    } while (resp && resp->message_id != mid);
    ASSERT_TRUE(resp) << "no answer to request " << mid;
    EXPECT_EQ(resp->code, codes::content);
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (served.load() < kRequests && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  ASSERT_EQ(served.load(), kRequests);
  runner.stop(Duration{0});
  // The first request warms up whatever is used once; from then on, nothing.
  for (size_t i = 2; i < kRequests; ++i)
    EXPECT_EQ(allocations_at[i] - allocations_at[i - 1], 0u) << "request " << i + 1;
}

}  // namespace
}  // namespace lwm2m::posix
