// SPDX-License-Identifier: Apache-2.0
// Engine::request_buffer(): a request's payload written straight into the message buffer
// the request then takes, so that the sender keeps no buffer for it. What the peer sees on
// the wire is the same as with a payload from elsewhere, from a handler too, while the
// datagram being handled lies in the receive buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "coap/callback_handler.hpp"
#include "lwm2m/coap/engine.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::changed;
using coap::codes::post;

constexpr coap::PeerId kPeer = 1;
constexpr TimePoint kNow = from_millis(5000);

// The tiny profile's sizes: 192-byte messages, 128-byte blocks.
coap::EngineConfig small_config(uint16_t exchanges = 2) {
  coap::EngineConfig c;
  c.max_message_size = 192;
  c.block_size = 128;
  c.exchanges = exchanges;
  c.dedup_entries = 1;
  c.observations = 1;
  return c;
}

using Handler = CallbackHandler;

// A Register-like request: Uri-Path "rd", `queries` Uri-Query options, Content-Format 40.
struct RegisterLike {
  explicit RegisterLike(std::vector<std::string> q) : queries(std::move(q)) {
    m.code = post;
    EXPECT_TRUE(m.add_string(OptionNumber::uri_path, "rd").ok());
    for (const std::string& s : queries)
      EXPECT_TRUE(m.add_string(OptionNumber::uri_query, s).ok());
    EXPECT_TRUE(m.add_uint(OptionNumber::content_format, 40).ok());
  }
  std::vector<std::string> queries;
  Message m;
};

// Writes `body` at the start of the engine's request buffer and returns the view of it.
ByteView write_into(coap::Engine& engine, const std::string& body) {
  MutableByteView b = engine.request_buffer();
  EXPECT_GE(b.size(), body.size());
  if (b.size() < body.size()) return {};
  std::memcpy(b.data(), body.data(), body.size());
  return {b.data(), body.size()};
}

std::vector<std::string> queries_of(const Parsed& p) {
  std::string_view q[8];
  const size_t n = p->strings(OptionNumber::uri_query, q);
  return {q, q + std::min<size_t>(n, 8)};
}

class EngineRequestBuffer : public ::testing::Test {
 protected:
  explicit EngineRequestBuffer(uint16_t exchanges = 2)
      : engine_(small_config(exchanges), rng_, &handler_) {}

  // The driver's part: the datagram received into the engine's buffer, then handled.
  void receive(const Bytes& datagram) {
    MutableByteView b = engine_.receive_buffer();
    ASSERT_GE(b.size(), datagram.size());
    std::memcpy(b.data(), datagram.data(), datagram.size());
    engine_.handle_datagram(kPeer, {b.data(), datagram.size()}, kNow);
  }
  std::vector<Parsed> sent() {
    std::vector<Parsed> out;
    while (auto d = engine_.poll_transmit())
      out.emplace_back(d->bytes);
    return out;
  }

  XorShiftRandom rng_{11};
  Handler handler_;
  coap::Engine engine_;
};

TEST_F(EngineRequestBuffer, IsOneBlockOfAFreeExchangesBufferApartFromTheReceiveBuffer) {
  MutableByteView req = engine_.request_buffer();
  MutableByteView rx = engine_.receive_buffer();
  ASSERT_EQ(req.size(), 128u);
  EXPECT_TRUE(req.data() + req.size() <= rx.data() || rx.data() + rx.size() <= req.data());
}

// A payload of a whole block written in the buffer, options before it that take 50 of the
// 64 bytes left: the request goes out whole, the payload after the options.
TEST_F(EngineRequestBuffer, PayloadWrittenThereGoesOutWholeBehindTheOptions) {
  RegisterLike r({"ep=" + std::string(20, 'n'), "lt=86400", "lwm2m=1.1", "b=U"});
  const std::string body = make_body(128, 5);
  r.m.payload = write_into(engine_, body);
  ASSERT_TRUE(engine_.send_request(kPeer, r.m, handler_, kNow).ok());
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0].type(), Type::con);
  EXPECT_EQ(out[0].code(), post);
  EXPECT_EQ(out[0].path(), "rd");
  EXPECT_EQ(queries_of(out[0]), r.queries);
  EXPECT_EQ(out[0].uint_option(OptionNumber::content_format), 40u);
  EXPECT_FALSE(out[0].block1().has_value());
  EXPECT_EQ(out[0].payload(), body);

  // Retransmitted byte for byte from the exchange's buffer.
  engine_.handle_timeout(kNow + std::chrono::seconds(4));
  auto again = sent();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].bytes(), out[0].bytes());
}

// Options that do not fit before the payload: buffer_too_small, nothing sent, and the
// exchange is free again for the next request.
TEST_F(EngineRequestBuffer, OptionsThatDoNotFitBeforeThePayloadFailCleanly) {
  RegisterLike r({"ep=" + std::string(60, 'n'), "lt=86400"});
  r.m.payload = write_into(engine_, make_body(128));
  EXPECT_EQ(engine_.send_request(kPeer, r.m, handler_, kNow).error(), Errc::buffer_too_small);
  EXPECT_TRUE(sent().empty());

  RegisterLike ok({"ep=node"});
  const std::string body = make_body(100, 2);
  ok.m.payload = write_into(engine_, body);
  ASSERT_TRUE(engine_.send_request(kPeer, ok.m, handler_, kNow).ok());
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload(), body);
}

class EngineRequestBufferOneExchange : public EngineRequestBuffer {
 protected:
  EngineRequestBufferOneExchange() : EngineRequestBuffer(1) {}
};

// With every exchange busy there is no buffer to lend, as send_request() has no slot.
TEST_F(EngineRequestBufferOneExchange, EmptyWhileEveryExchangeIsBusy) {
  RegisterLike r({"ep=node"});
  r.m.payload = write_into(engine_, "</1/0>,</3/0>");
  ASSERT_TRUE(engine_.send_request(kPeer, r.m, handler_, kNow).ok());
  EXPECT_TRUE(engine_.request_buffer().empty());
  EXPECT_EQ(engine_.send_request(kPeer, r.m, handler_, kNow).error(), Errc::no_space);
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  // Answered: the exchange ends and its buffer is lent again.
  receive(encode(response(Type::ack, changed, out[0].mid(), out[0].tok())));
  EXPECT_EQ(engine_.request_buffer().size(), 128u);
}

// A response read from the receive buffer whose handler sends the next request with its
// payload in the request buffer (a Register answered 4.12, sent again at once): the same
// exchange's buffer is lent, the next request goes out whole and the answer was delivered
// intact.
TEST_F(EngineRequestBufferOneExchange, ResponseHandlerSendsTheNextRequestFromThere) {
  RegisterLike first({"ep=node", "lwm2m=1.2"});
  const std::string links = "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>";
  first.m.payload = write_into(engine_, links);
  ASSERT_TRUE(engine_.send_request(kPeer, first.m, handler_, kNow).ok());
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload(), links);

  RegisterLike second({"ep=node", "lwm2m=1.1"});
  const std::string diagnostic(60, 'd');
  std::string seen;
  handler_.answered = [&](const Message& m) {
    seen.assign(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
    second.m.payload = write_into(engine_, links);
    EXPECT_TRUE(engine_.send_request(kPeer, second.m, handler_, kNow).ok());
    // The answer is still whole after the request was written.
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.payload.data()), m.payload.size()),
              diagnostic);
  };
  Message answer =
      response(Type::ack, coap::codes::precondition_failed, out[0].mid(), out[0].tok());
  answer.payload = as_bytes(diagnostic);
  receive(encode(answer));
  EXPECT_EQ(seen, diagnostic);
  auto next = sent();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].code(), post);
  EXPECT_EQ(queries_of(next[0]), second.queries);
  EXPECT_EQ(next[0].payload(), links);
}

// A request served from the receive buffer whose handler sends a request of its own (a
// Send from an Execute): the request goes out whole with its payload, the answer carries
// the request's own body, and the request's options were read intact after the write.
TEST_F(EngineRequestBuffer, RequestHandlerSendsARequestFromThere) {
  const std::string args(100, 'a');
  const std::string values = make_body(120, 9);
  std::string path_after;
  handler_.serve = [&](const coap::IncomingRequest& req, Response& r) {
    Message send;
    send.code = post;
    EXPECT_TRUE(send.add_string(OptionNumber::uri_path, "dp").ok());
    EXPECT_TRUE(send.add_uint(OptionNumber::content_format, 112).ok());
    send.payload = write_into(engine_, values);
    EXPECT_TRUE(engine_.send_request(kPeer, send, handler_, kNow).ok());
    path_after = std::string(req.message.options()[0].string());
    r.set_code(changed);
    r.write(req.body);
  };
  Message exec = request(Type::con, post, 0x4321, token({1, 2, 3, 4}), "3/0/4");
  exec.payload = as_bytes(args);
  receive(encode(exec));
  EXPECT_EQ(path_after, "3");
  auto out = sent();
  ASSERT_EQ(out.size(), 2u);
  const Parsed* answer = nullptr;
  const Parsed* ours = nullptr;
  for (const Parsed& p : out)
    (p.type() == Type::ack ? answer : ours) = &p;
  ASSERT_TRUE(answer && ours);
  EXPECT_EQ(answer->code(), changed);
  EXPECT_EQ(answer->mid(), 0x4321);
  EXPECT_EQ(answer->payload(), args);
  EXPECT_EQ(ours->type(), Type::con);
  EXPECT_EQ(ours->path(), "dp");
  EXPECT_EQ(ours->uint_option(OptionNumber::content_format), 112u);
  EXPECT_EQ(ours->payload(), values);
}

// Engines sharing a MessagePool: the buffer lent is the one the pool gives next.
TEST(EngineRequestBufferPool, LendsThePoolsNextBuffer) {
  std::vector<uint8_t> memory(2 * coap::MessagePool::buffer_bytes(192));
  coap::MessagePool pool({memory.data(), memory.size()}, 192);
  coap::EngineConfig c = small_config();
  c.shared_messages = &pool;
  XorShiftRandom rng{3};
  Handler handler;
  coap::Engine a(c, rng, &handler), b(c, rng, &handler);
  ASSERT_TRUE(a.valid() && b.valid());

  RegisterLike r({"ep=a"});
  const std::string body = make_body(90, 1);
  r.m.payload = write_into(a, body);
  ASSERT_TRUE(a.send_request(kPeer, r.m, handler, kNow).ok());
  RegisterLike s({"ep=b"});
  const std::string other = make_body(128, 4);
  s.m.payload = write_into(b, other);
  ASSERT_TRUE(b.send_request(kPeer, s.m, handler, kNow).ok());
  EXPECT_EQ(pool.available(), 0u);
  EXPECT_TRUE(a.request_buffer().empty());  // a free slot, but no buffer in the pool

  auto da = a.poll_transmit();
  ASSERT_TRUE(da.has_value());
  EXPECT_EQ(Parsed(da->bytes).payload(), body);
  auto db = b.poll_transmit();
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(Parsed(db->bytes).payload(), other);
}

}  // namespace
}  // namespace lwm2m::test
