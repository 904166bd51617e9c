// SPDX-License-Identifier: Apache-2.0
// One reassembly buffer for incoming Block1 bodies: a second transfer that starts while one
// is under way is answered 5.03 Service Unavailable with a Max-Age saying when the buffer
// frees (RFC 7252 §5.9.3.4), and the transfer under way completes undisturbed.
#include <gtest/gtest.h>

#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::BlockOption;
using coap::Message;
using coap::OptionNumber;
using coap::Type;
using coap::codes::changed;
using coap::codes::continue_;
using coap::codes::put;

class EngineBlockSlots : public EngineTest {
 protected:
  void SetUp() override {
    start();
    server_.serve = [](const coap::IncomingRequest&, coap::Response& r) { r.set_code(changed); };
  }
  static Message block_put(uint16_t mid, const char* path, BlockOption b1, std::string_view data) {
    Message m = request(Type::con, put, mid, token({0x51, static_cast<uint8_t>(mid)}), path);
    EXPECT_TRUE(m.add_uint(OptionNumber::block1, b1.encode()).ok());
    m.payload = as_bytes(data);
    return m;
  }
};

TEST_F(EngineBlockSlots, ASecondTransferWaitsItsTurnAndTheFirstCompletes) {
  const std::string first = make_body(300, 1);
  const std::string second = make_body(200, 2);
  const std::string_view f(first), s(second);
  peer_send(block_put(1, "up", BlockOption{0, true, 3}, f.substr(0, 128)));
  // Another server (P2) starts a transfer of its own: told to come back later.
  peer2_.send(E, encode(block_put(7, "up", BlockOption{0, true, 3}, s.substr(0, 128))));
  run_for(0ms);
  // And P itself to another resource: the same answer.
  peer_send(block_put(2, "other", BlockOption{0, true, 3}, s.substr(0, 128)));
  peer_send(block_put(3, "up", BlockOption{1, true, 3}, f.substr(128, 128)));
  peer_send(block_put(4, "up", BlockOption{2, false, 3}, f.substr(256)));

  const auto theirs = received(peer2_);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].code(), coap::codes::service_unavailable);
  const auto max_age = theirs[0].uint_option(OptionNumber::max_age);
  ASSERT_TRUE(max_age.has_value());
  EXPECT_GT(*max_age, 0u);
  EXPECT_LE(*max_age, 247u) << "at most EXCHANGE_LIFETIME";

  const auto ours = received();
  ASSERT_EQ(ours.size(), 4u);
  EXPECT_EQ(ours[0].code(), continue_);
  EXPECT_EQ(ours[1].code(), coap::codes::service_unavailable);
  EXPECT_EQ(ours[2].code(), continue_);
  EXPECT_EQ(ours[3].code(), changed);
  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_TRUE(same_body(server_.calls[0].body, first));

  // Once it is done, the other transfer goes through.
  peer2_.send(E, encode(block_put(8, "up", BlockOption{0, true, 3}, s.substr(0, 128))));
  peer2_.send(E, encode(block_put(9, "up", BlockOption{1, false, 3}, s.substr(128))));
  run_for(0ms);
  const auto later = received(peer2_);
  ASSERT_EQ(later.size(), 3u);
  EXPECT_EQ(later[1].code(), continue_);
  EXPECT_EQ(later[2].code(), changed);
  ASSERT_EQ(server_.calls.size(), 2u);
  EXPECT_TRUE(same_body(server_.calls[1].body, second));
}

TEST_F(EngineBlockSlots, TheSameTransferStartingOverTakesTheBufferBack) {
  const std::string body = make_body(200, 3);
  const std::string_view b(body);
  peer_send(block_put(1, "up", BlockOption{0, true, 3}, b.substr(0, 128)));
  peer_send(block_put(2, "up", BlockOption{0, true, 3}, b.substr(0, 128)));  // a new MID
  peer_send(block_put(3, "up", BlockOption{1, false, 3}, b.substr(128)));
  const auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].code(), continue_);
  EXPECT_EQ(got[2].code(), changed);
  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_TRUE(same_body(server_.calls[0].body, body));
}

TEST_F(EngineBlockSlots, AnAbandonedTransferFreesTheBufferAfterItsLifetime) {
  const std::string body = make_body(128, 4);
  peer_send(block_put(1, "up", BlockOption{0, true, 3}, body));
  // EXCHANGE_LIFETIME (247 s by default) without a next block: the buffer is free again.
  run_for(248s);
  peer2_.send(E, encode(block_put(5, "up", BlockOption{0, true, 3}, body)));
  run_for(0ms);
  const auto theirs = received(peer2_);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].code(), continue_);
}

}  // namespace
}  // namespace lwm2m::test
