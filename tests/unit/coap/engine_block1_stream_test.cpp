// SPDX-License-Identifier: Apache-2.0
// Block1 requests a handler takes block by block (RequestHandler::streams_block1()), and
// the 4.13 answer to a request larger than the receive buffer (RFC 7959 §2.9.3).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/alloc_counter.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using coap::BlockOption;
using coap::Message;
using coap::OptionNumber;
using coap::Type;
namespace codes = coap::codes;

struct StreamingHandler final : coap::RequestHandler {
  bool stream = true;
  bool record = true;  // false: count blocks only (no allocation in the handler)
  size_t count = 0;
  std::vector<std::pair<uint32_t, std::string>> blocks;  // offset, bytes
  std::vector<std::string> whole;                        // reassembled bodies
  bool streams_block1(coap::PeerId, const Message&) noexcept override { return stream; }
  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    ++count;
    if (req.block1 && !record) {
      resp.set_code(codes::continue_);
    } else if (req.block1) {
      blocks.emplace_back(req.block1->offset(), to_string(req.body));
      resp.set_code(req.block1->more ? codes::continue_ : codes::changed);
    } else {
      whole.push_back(to_string(req.body));
      resp.set_code(codes::changed);
    }
  }
};

class EngineBlock1Stream : public ::testing::Test {
 protected:
  EngineBlock1Stream() {
    cfg.block1_buffer = 64;  // far smaller than the bodies below: streaming needs none
  }
  void SetUp() override { ASSERT_TRUE(engine.valid()); }

  Message put(uint16_t mid, std::optional<BlockOption> b1, std::string_view data) {
    Message m =
        request(Type::con, codes::put, mid, token({0x50, static_cast<uint8_t>(mid)}), "5/0/0");
    if (b1) {
      EXPECT_TRUE(m.add_uint(OptionNumber::block1, b1->encode()).ok());
    }
    m.payload = as_bytes(data);
    return m;
  }
  // Feeds `m` to the engine (as oversized against `limit` when non-zero) and returns the
  // answer.
  Parsed answer(const Message& m, size_t limit = 0) {
    Bytes b = encode(m);
    if (limit)
      engine.handle_oversized(7, {b.data(), b.size()}, limit, now);
    else
      engine.handle_datagram(7, {b.data(), b.size()}, now);
    auto d = engine.poll_transmit();
    EXPECT_TRUE(d.has_value());
    return Parsed(d ? Bytes(d->bytes.begin(), d->bytes.end()) : Bytes{});
  }

  coap::EngineConfig cfg;
  XorShiftRandom rng{1};
  StreamingHandler handler;
  coap::Engine engine{cfg, rng, &handler};
  TimePoint now = from_millis(1000);
};

TEST_F(EngineBlock1Stream, EachBlockGoesToTheHandlerAsItArrivesAndIsAnsweredWithItsEcho) {
  const std::string body = make_body(300);
  for (uint32_t i = 0; i < 3; ++i) {
    const bool more = i < 2;
    auto got = answer(put(static_cast<uint16_t>(i + 1), BlockOption{i, more, 3},
                          std::string_view(body).substr(i * 128, 128)));
    EXPECT_EQ(got.code(), more ? codes::continue_ : codes::changed);
    ASSERT_TRUE(got.block1().has_value());
    EXPECT_EQ(got.block1()->num, i);
    EXPECT_EQ(got.block1()->more, more);
    EXPECT_EQ(got.block1()->szx, 3);
    ASSERT_EQ(handler.blocks.size(), i + 1) << "block " << i << " reached the handler at once";
  }
  EXPECT_EQ(handler.blocks[1].first, 128u);
  EXPECT_EQ(handler.blocks[0].second + handler.blocks[1].second + handler.blocks[2].second, body);
  EXPECT_TRUE(handler.whole.empty());
}

TEST_F(EngineBlock1Stream, AMoreBlockOfTheWrongSizeIsABadRequest) {
  auto got = answer(put(1, BlockOption{0, true, 3}, "short"));
  EXPECT_EQ(got.code(), codes::bad_request);
  EXPECT_TRUE(handler.blocks.empty());
}

TEST_F(EngineBlock1Stream, WithoutStreamingTheBodyIsReassembledAsBefore) {
  handler.stream = false;
  auto got = answer(put(1, BlockOption{0, true, 0}, "0123456789abcdef"));
  EXPECT_EQ(got.code(), codes::continue_);
  got = answer(put(2, BlockOption{1, false, 0}, "xy"));
  EXPECT_EQ(got.code(), codes::changed);
  ASSERT_EQ(handler.whole.size(), 1u);
  EXPECT_EQ(handler.whole[0], "0123456789abcdefxy");
}

TEST_F(EngineBlock1Stream, StreamingAllocatesNothing) {
  const std::string block(64, 'x');
  std::vector<Bytes> datagrams;
  for (uint16_t i = 0; i < 200; ++i)
    datagrams.push_back(encode(put(static_cast<uint16_t>(i + 1), BlockOption{i, true, 2}, block)));
  handler.record = false;
  AllocationScope scope;
  for (const Bytes& b : datagrams) {
    engine.handle_datagram(7, {b.data(), b.size()}, now);
    while (engine.poll_transmit()) {
    }
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_EQ(handler.count, 200u);
}

// RFC 7959 §2.9.3: a 1024-byte block against a 200-byte receive buffer is answered 4.13
// with Block1 naming the largest block that fits with the request's options (128 here).
TEST_F(EngineBlock1Stream, OversizedRequestGets413WithABlockSizeThatFits) {
  const std::string block(1024, 'x');
  auto got = answer(put(1, BlockOption{0, true, 6}, block), 200);
  EXPECT_EQ(got.code(), codes::request_entity_too_large);
  EXPECT_EQ(got.type(), Type::ack);
  EXPECT_EQ(got.mid(), 1);
  ASSERT_TRUE(got.block1().has_value());
  EXPECT_EQ(got.block1()->szx, 3);  // 128 bytes
  EXPECT_EQ(got.block1()->num, 0u);
  EXPECT_TRUE(handler.blocks.empty()) << "the oversized block never reaches the handler";

  // The retransmission of the same datagram gets the same answer from the cache.
  auto again = answer(put(1, BlockOption{0, true, 6}, block), 200);
  EXPECT_EQ(again.bytes(), got.bytes());

  // A 512-byte block against 200 bytes: again 128 (smaller than what was sent, and fits).
  auto second = answer(put(2, BlockOption{0, true, 5}, std::string(512, 'y')), 200);
  EXPECT_EQ(second.block1()->szx, 3);
  // A request without Block1 is told the size too.
  auto plain = answer(put(3, std::nullopt, std::string(400, 'z')), 200);
  EXPECT_EQ(plain.code(), codes::request_entity_too_large);
  EXPECT_EQ(plain.block1()->szx, 3);
}

TEST_F(EngineBlock1Stream, AnOversizedResponseIsDropped) {
  Message m = response(Type::ack, codes::content, 99, token({1}));
  const std::string big(400, 'r');
  m.payload = as_bytes(big);
  Bytes b = encode(m);
  engine.handle_oversized(7, {b.data(), b.size()}, 200, now);
  EXPECT_FALSE(engine.poll_transmit().has_value());
}

}  // namespace
}  // namespace lwm2m::test
