// SPDX-License-Identifier: Apache-2.0
// A driver that receives into Engine::receive_buffer() (the engine's scratch) instead of a
// buffer of its own: requests and responses read from there are served and delivered
// intact, whatever the engine writes while it handles them, as the peer sees on the wire.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

#include "coap/callback_handler.hpp"
#include "lwm2m/coap/engine.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::content;
using coap::codes::get;
using coap::codes::put;

constexpr coap::PeerId kPeer = 1;
constexpr TimePoint kNow = from_millis(5000);

// Small messages, so that a response's options reach into where its payload block is
// written first (the last block_size bytes of the message).
coap::EngineConfig small_config() {
  coap::EngineConfig c;
  c.max_message_size = 192;
  c.block_size = 128;
  c.exchanges = 2;
  c.dedup_entries = 1;
  c.observations = 2;
  return c;
}

using Handler = CallbackHandler;

class EngineReceiveBuffer : public ::testing::Test {
 protected:
  EngineReceiveBuffer() : engine_(small_config(), rng_, &handler_) {}

  // The driver's part: the datagram received into the engine's buffer, then handled.
  void receive(const Bytes& datagram) {
    MutableByteView b = engine_.receive_buffer();
    ASSERT_GE(b.size(), datagram.size());
    std::memcpy(b.data(), datagram.data(), datagram.size());
    engine_.handle_datagram(kPeer, {b.data(), datagram.size()}, kNow);
  }
  std::optional<Parsed> sent() {
    auto d = engine_.poll_transmit();
    if (!d) return std::nullopt;
    return Parsed(d->bytes);
  }

  XorShiftRandom rng_{7};
  Handler handler_;
  coap::Engine engine_;
};

TEST_F(EngineReceiveBuffer, IsOneMessageOfTheEngine) {
  ASSERT_TRUE(engine_.valid());
  EXPECT_EQ(engine_.receive_buffer().size(), 192u);
}

// The handler reads the request's body from the receive buffer while it writes its answer
// byte by byte: the answer (the body reversed) comes out whole, and the response options
// that reach past the start of the payload block do not overwrite it.
TEST_F(EngineReceiveBuffer, RequestIsServedWhileItsAnswerIsWritten) {
  const std::string body = make_body(100);
  const std::string location_a(30, 'a'), location_b(30, 'b');
  std::string path_seen;
  handler_.serve = [&](const coap::IncomingRequest& req, Response& r) {
    path_seen = std::string(req.message.options()[0].string());
    for (size_t i = req.body.size(); i > 0; --i)
      r.write(ByteView{&req.body[i - 1], 1});
    (void)r.set_content_format(0);
    (void)r.message().add_string(OptionNumber::location_path, location_a);
    (void)r.message().add_string(OptionNumber::location_path, location_b);
  };
  Message m = request(Type::con, put, 0x1234, token({1, 2, 3, 4, 5, 6, 7, 8}), "echo");
  m.payload = as_bytes(body);
  receive(encode(m));

  auto got = sent();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ(path_seen, "echo");
  EXPECT_EQ(got->type(), Type::ack);
  EXPECT_EQ(got->mid(), 0x1234);
  EXPECT_EQ(got->code(), content);
  EXPECT_EQ(got->payload(), std::string(body.rbegin(), body.rend()));
  std::string_view paths[2];
  ASSERT_EQ(got->msg().strings(OptionNumber::location_path, paths), 2u);
  EXPECT_EQ(paths[0], location_a);
  EXPECT_EQ(paths[1], location_b);
}

// A representation larger than a block: the first block of 128 bytes is answered with
// Block2, and the retransmitted request gets the same bytes from the dedup cache.
TEST_F(EngineReceiveBuffer, BlockOfALargeRepresentationAndItsDuplicate) {
  const std::string representation = make_body(300, 3);
  handler_.serve = [&](const coap::IncomingRequest&, Response& r) { r.write(representation); };
  const Bytes datagram = encode(request(Type::con, get, 0x2000, token({9, 9, 9, 9}), "big"));
  receive(datagram);
  auto first = sent();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->payload(), representation.substr(0, 128));
  ASSERT_TRUE(first->block2().has_value());
  EXPECT_TRUE(first->block2()->more);

  receive(datagram);
  auto again = sent();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->bytes(), first->bytes());
}

// A ResponseHandler that asks for a notification while the answer it reads lies in the
// receive buffer: one that would replace a CON notification in flight is built there and
// is refused; the answer stays intact, and the notification goes out once the handler is
// back.
TEST_F(EngineReceiveBuffer, ReplacingNotificationWaitsUntilTheAnswerIsHandled) {
  std::optional<coap::ObservationId> obs;
  handler_.serve = [&](const coap::IncomingRequest&, Response& r) {
    auto id = r.accept_observe(1);
    ASSERT_TRUE(id.ok());
    obs = *id;
    r.write("first");
  };
  Message reg = request(Type::con, get, 0x3000, token({0x0B}), "obs");
  ASSERT_TRUE(reg.add_uint(OptionNumber::observe, 0).ok());
  receive(encode(reg));
  ASSERT_TRUE(sent().has_value());
  ASSERT_TRUE(obs.has_value());
  // A CON notification, left unacknowledged: the next one would replace it.
  ASSERT_TRUE(engine_.notify(*obs, true, kNow, [](Response& r) { r.write("second"); }).ok());
  auto con = sent();
  ASSERT_TRUE(con.has_value());
  EXPECT_EQ(con->type(), Type::con);

  // A request of ours, to another peer (NSTART holds one per peer), answered.
  Message get_it = request(Type::con, get, 0, {}, "x");
  auto rid = engine_.send_request(2, get_it, handler_, kNow);
  ASSERT_TRUE(rid.ok());
  auto req = sent();
  ASSERT_TRUE(req.has_value());
  const std::string answer = make_body(150, 5);
  std::optional<Status> nested;
  std::string delivered;
  handler_.answered = [&](const Message& m) {
    nested = engine_.notify(*obs, false, kNow, [](Response& r) { r.write(std::string(180, 'z')); });
    delivered = to_string(m.payload);
  };
  Message ack = response(Type::ack, content, req->mid(), req->tok());
  ack.payload = as_bytes(answer);
  const Bytes ack_bytes = encode(ack);
  MutableByteView b = engine_.receive_buffer();
  std::memcpy(b.data(), ack_bytes.data(), ack_bytes.size());
  engine_.handle_datagram(2, {b.data(), ack_bytes.size()}, kNow);

  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->error(), Errc::invalid_state);
  EXPECT_EQ(delivered, answer);
  EXPECT_FALSE(sent().has_value());
  ASSERT_TRUE(engine_.notify(*obs, false, kNow, [](Response& r) { r.write("third"); }).ok());
  // The replacement goes out with the next retransmission of the one in flight.
  engine_.handle_timeout(engine_.next_deadline());
  auto third = sent();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->payload(), "third");
  EXPECT_EQ(third->tok(), token({0x0B}));
}

}  // namespace
}  // namespace lwm2m::test
