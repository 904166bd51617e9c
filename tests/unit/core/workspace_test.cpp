// SPDX-License-Identifier: Apache-2.0
// Clients sharing a Workspace: each registers and answers its own server as a client with
// its own buffers does, with fewer bytes of its own and nothing allocated per request.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::test {
namespace {

namespace codes = coap::codes;

core::ClientConfig small_config(core::Workspace* ws = nullptr) {
  core::ClientConfig c;
  c.max_servers = 1;
  c.uplink_buffer = 256;
  c.scratch = 128;
  c.coap.max_message_size = 512;
  c.coap.block_size = 256;
  c.coap.exchanges = 2;
  c.coap.dedup_entries = 2;
  c.coap.block1_buffer = 0;
  c.workspace = ws;
  return c;
}

/// One client on its own simulated network with its own server.
struct Side {
  explicit Side(core::ClientConfig cfg, const char* endpoint)
      : rig((cfg.endpoint = endpoint, true), 300, cfg), cl_node(*rig.client) {
    EXPECT_EQ(net.add(bs_node), kBootstrapNode);
    EXPECT_EQ(net.add(srv_node), kServerNode);
    EXPECT_EQ(net.add(cl_node), kClientNode);
  }
  bool start_and_register() {
    return rig.client->start(net.now()).ok() &&
           net.run_until([&] { return rig.client->registered(101); },
                         net.now() + std::chrono::seconds(60));
  }
  Reply call(coap::Code code, std::string_view path, std::optional<uint16_t> accept = {}) {
    auto id = server.request(code, path, net.now(), accept);
    EXPECT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); },
                              net.now() + std::chrono::seconds(30)));
    auto& r = server.replies_for(id);
    return r.empty() ? Reply{} : r.front();
  }

  SimNet net{7};
  ClientRig rig;
  FakeServer bootstrap{11}, server{12};
  SansIoNode<FakeServer> bs_node{bootstrap}, srv_node{server};
  SansIoNode<core::Client> cl_node;
};

TEST(Workspace, ClientsSharingOneRegisterAndAnswerTheirOwnServers) {
  core::Workspace ws(small_config());
  ASSERT_TRUE(ws.valid());
  Side a(small_config(&ws), "shared-a"), b(small_config(&ws), "shared-b");
  ASSERT_TRUE(a.start_and_register());
  ASSERT_TRUE(b.start_and_register());
  ASSERT_EQ(a.server.registers.size(), 1u);
  ASSERT_EQ(b.server.registers.size(), 1u);
  EXPECT_EQ(a.server.registers[0].endpoint, "shared-a");
  EXPECT_EQ(b.server.registers[0].endpoint, "shared-b");
  // The object links went out whole, as with the client's own buffer.
  EXPECT_NE(b.server.registers[0].payload.find("</3/0>"), std::string::npos)
      << b.server.registers[0].payload;
  // Reads in turn: each answer is whole and its own (text, and TLV with Block2 over the
  // 256-byte blocks when a server asks for 64).
  for (int i = 0; i < 3; ++i) {
    Reply ra = a.call(codes::get, "/3/0/0");
    Reply rb = b.call(codes::get, "/3/0/1");
    EXPECT_EQ(ra.code, codes::content);
    EXPECT_EQ(ra.payload, "Acme");
    EXPECT_EQ(rb.code, codes::content);
    EXPECT_EQ(rb.payload, "Model 7");
  }
  Reply tlv = a.call(codes::get, "/3/0", 11542);
  EXPECT_EQ(tlv.code, codes::content);
  EXPECT_GT(tlv.payload.size(), 20u);
  a.rig.client->stop(a.net.now());
  ASSERT_TRUE(a.net.run_until([&] { return a.rig.client->stopped(); },
                              a.net.now() + std::chrono::seconds(30)));
  EXPECT_EQ(a.server.deregisters, 1);
}

TEST(Workspace, SharingClientOwnsFewerBytesAndAllocatesNothingPerRequest) {
  core::Workspace ws(small_config());
  size_t own = 0, shared = 0;
  {
    AllocationScope scope;
    Side s(small_config(), "own");
    own = scope.bytes();
  }
  AllocationScope scope;
  Side s(small_config(&ws), "shared");
  shared = scope.bytes();
  // Engine scratch (512: one message, a response's payload block at its end) and client
  // scratch (128); an uplink of one block (256) is written into its request's buffer by
  // either client, neither keeps bytes for it.
  EXPECT_GE(own - shared, 512u + 128u) << own << " vs " << shared;
  ASSERT_TRUE(s.start_and_register());
  s.call(codes::get, "/3/0/0");  // first uses of every table
  coap::Message m;
  m.type = coap::Type::con;
  m.code = codes::get;
  ASSERT_TRUE(m.add_path(coap::OptionNumber::uri_path, "3/0/0").ok());
  uint8_t buf[64];
  size_t answered = 0;
  AllocationScope reads;
  for (uint16_t i = 0; i < 100; ++i) {
    m.message_id = static_cast<uint16_t>(30000 + i);
    m.token = coap::Token::from({reinterpret_cast<const uint8_t*>(&i), 2});
    auto n = coap::encode(m, buf);
    ASSERT_TRUE(n.ok());
    s.rig.client->handle_datagram(kServerNode, {buf, *n}, s.net.now());
    while (auto d = s.rig.client->poll_transmit()) {
      const std::string_view bytes(reinterpret_cast<const char*>(d->bytes.data()), d->bytes.size());
      answered += bytes.ends_with("Acme");
    }
  }
  EXPECT_EQ(answered, 100u);
  EXPECT_EQ(reads.count(), 0u);
}

TEST(Workspace, ClientLargerThanTheWorkspaceIsNotValid) {
  core::Workspace ws(small_config());
  core::ClientConfig big = small_config(&ws);
  big.coap.max_message_size = 1152;
  big.endpoint = "too-big";
  objects::SecurityInstance sec[1];
  objects::ServerInstance srv[1];
  objects::SecurityObject security{sec};
  objects::ServerObject server{srv};
  dm::Object* slots[2] = {};
  dm::Registry registry{slots};
  ASSERT_TRUE(registry.add(security).ok());
  ASSERT_TRUE(registry.add(server).ok());
  XorShiftRandom rng{1};
  core::Client c(big, registry, rng);
  EXPECT_FALSE(c.valid());
  EXPECT_TRUE(ws.fits(small_config()));
  EXPECT_FALSE(ws.fits(big));
}

}  // namespace
}  // namespace lwm2m::test
