// SPDX-License-Identifier: Apache-2.0
// What a handler may call on the engine from inside its callback (the re-entry rules in
// engine.hpp), seen on the wire.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::content;
using coap::codes::get;

class EngineReentry : public EngineTest {};

// A ResponseHandler chains the next request from on_response(): it goes out at once, and
// the first exchange still ends normally.
TEST_F(EngineReentry, ResponseHandlerSendsTheNextRequest) {
  start();
  std::optional<coap::RequestId> second;
  client_.then = [&](const RecordingResponseHandler::Event& e) {
    if (second || e.is_error) return;
    Message m;
    m.code = get;
    ASSERT_TRUE(m.add_path(OptionNumber::uri_path, "second").ok());
    auto id = engine().send_request(P, m, client_, now());
    ASSERT_TRUE(id.ok());
    second = *id;
  };
  const coap::RequestId first = send_get("first", P);
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  peer_send(response(Type::ack, content, got[0].mid(), got[0].tok()));

  got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].path(), "second");
  EXPECT_EQ(got[1].type(), Type::con);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(engine().active(first));
  EXPECT_TRUE(engine().active(*second));
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].final);
  EXPECT_EQ(client_.events[0].id, first);
}

// A ResponseHandler cancels its observation from inside the notification: the
// deregistration goes out, nothing more is delivered, and no block fetch starts.
TEST_F(EngineReentry, ResponseHandlerCancelsItsObservation) {
  start();
  const coap::RequestId id = send_get("obs", P, {}, 0u);
  client_.then = [&](const RecordingResponseHandler::Event& e) {
    if (e.observe) engine().cancel(e.id, now());
  };
  run_for(0ms);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  const coap::Token tok = got[0].tok();
  Message m = response(Type::ack, content, got[0].mid(), tok);
  ASSERT_TRUE(m.add_uint(OptionNumber::observe, 3).ok());
  ASSERT_TRUE(m.add_uint(OptionNumber::block2, coap::BlockOption{0, true, 2}.encode()).ok());
  std::string block(64, 'x');
  m.payload = as_bytes(block);
  peer_send(m);

  got = received();
  ASSERT_EQ(got.size(), 2u) << "only the deregistration, no fetch of block 1";
  EXPECT_EQ(got[1].observe(), 1u);
  EXPECT_EQ(got[1].tok(), tok);
  EXPECT_FALSE(got[1].block2().has_value());
  EXPECT_FALSE(engine().active(id));
  ASSERT_EQ(client_.events.size(), 1u);
}

// A RequestHandler may not notify() while its response is being written (they share a
// buffer): invalid_state, and the response goes out intact. After it returns, it may.
TEST_F(EngineReentry, NotifyFromInsideARequestHandlerIsRefused) {
  start();
  std::optional<coap::ObservationId> obs;
  std::optional<Status> nested;
  server_.serve = [&](const coap::IncomingRequest& req, Response& r) {
    if (req.observe_register) {
      auto id = r.accept_observe(7);
      ASSERT_TRUE(id.ok());
      obs = *id;
      r.write("registered");
      return;
    }
    nested = engine().notify(*obs, false, now(), [](Response& n) { n.write("clobber!!!!!!!!!"); });
    r.write("plain");
  };
  Message reg = request(Type::con, get, 0x100, token({0x0B}), "obs");
  ASSERT_TRUE(reg.add_uint(OptionNumber::observe, 0).ok());
  peer_send(reg);
  peer_send(request(Type::con, get, 0x101, token({0x0C}), "other"));

  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->error(), Errc::invalid_state);
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].mid(), 0x101);
  EXPECT_EQ(got[1].payload(), "plain");

  ASSERT_TRUE(engine().notify(*obs, false, now(), [](Response& n) { n.write("later"); }).ok());
  run_for(0ms);
  got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].payload(), "later");
  EXPECT_EQ(got[2].tok(), token({0x0B}));
}

// A RequestHandler that accepts an observation and then cancels it answers without
// Observe: the peer is not told of a relation that does not exist (RFC 7641 §4.1).
TEST_F(EngineReentry, RelationCancelledInsideTheHandlerIsAnsweredWithoutObserve) {
  start();
  server_.serve = [&](const coap::IncomingRequest&, Response& r) {
    auto id = r.accept_observe(1);
    ASSERT_TRUE(id.ok());
    engine().cancel_observation(*id);
    r.write("v");
  };
  Message reg = request(Type::con, get, 0x100, token({0x0B}), "obs");
  ASSERT_TRUE(reg.add_uint(OptionNumber::observe, 0).ok());
  peer_send(reg);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), content);
  EXPECT_FALSE(got[0].observe().has_value());
  EXPECT_EQ(engine().observation_count(), 0u);
}

// Input fed to the engine from inside a handler is ignored (not handled against tables
// half-way through an update).
TEST_F(EngineReentry, HandleDatagramFromInsideAHandlerIsIgnored) {
  start();
  int calls = 0;
  server_.serve = [&](const coap::IncomingRequest&, Response& r) {
    ++calls;
    const Bytes again = encode(request(Type::con, get, 0x201, token({2}), "x"));
    engine().handle_datagram(P, ByteView{again.data(), again.size()}, now());
    r.write("once");
  };
  peer_send(request(Type::con, get, 0x200, token({1}), "x"));
  EXPECT_EQ(calls, 1);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mid(), 0x200);
}

}  // namespace
}  // namespace lwm2m::test
