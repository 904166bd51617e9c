// SPDX-License-Identifier: Apache-2.0
// Shared fixture of the engine tests: one coap::Engine under test on a simulated network,
// next to scripted peers that send hand-built messages and record what the engine sends.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/coap_wire.hpp"
#include "support/sim_link.hpp"

namespace lwm2m::test {

using namespace std::chrono_literals;

/// Server-side application: records every request and relation end; `serve` decides
/// the response (default: 2.05 "hello", Content-Format 0).
class RecordingRequestHandler final : public coap::RequestHandler {
 public:
  struct Call {
    TimePoint at;
    coap::PeerId peer;
    coap::Type type;
    coap::Code code;
    uint16_t mid;
    coap::Token token;
    std::string path;
    std::string body;
    bool observe_register;
    bool observe_deregister;
  };
  struct Cancelled {
    coap::ObservationId id;
    uint32_t cookie;
    Errc reason;
  };

  explicit RecordingRequestHandler(const SimNet& net) : net_(net) {}

  std::function<void(const coap::IncomingRequest&, coap::Response&)> serve;
  std::vector<Call> calls;
  std::vector<Cancelled> cancelled;

  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    std::string path;
    for (const coap::Option& o : req.message.options()) {
      if (o.number != static_cast<uint16_t>(coap::OptionNumber::uri_path)) continue;
      if (!path.empty()) path += '/';
      path += o.string();
    }
    calls.push_back(Call{net_.now(), req.peer, req.message.type, req.message.code,
                         req.message.message_id, req.message.token, path, to_string(req.body),
                         req.observe_register, req.observe_deregister});
    if (serve) {
      serve(req, resp);
    } else {
      (void)resp.set_content_format(0);
      resp.write("hello");
    }
  }
  void on_observe_cancelled(coap::ObservationId id, uint32_t cookie,
                            Errc reason) noexcept override {
    cancelled.push_back(Cancelled{id, cookie, reason});
  }

 private:
  const SimNet& net_;
};

/// Client-side application: records every response, block, notification and error.
class RecordingResponseHandler final : public coap::ResponseHandler {
 public:
  struct Event {
    TimePoint at;
    coap::RequestId id;
    bool is_error = false;
    Errc error = Errc::ok;
    coap::Type type = coap::Type::con;
    coap::Code code;
    std::string payload;
    std::optional<coap::BlockOption> block1, block2;
    std::optional<uint32_t> observe;
    bool final = false;
  };

  explicit RecordingResponseHandler(const SimNet& net) : net_(net) {}

  std::vector<Event> events;
  /// Called after an event is recorded (e.g. to chain the next request).
  std::function<void(const Event&)> then;

  void on_response(coap::RequestId id, const coap::Message& m, bool final) noexcept override {
    Event e;
    e.at = net_.now();
    e.id = id;
    e.type = m.type;
    e.code = m.code;
    e.payload = to_string(m.payload);
    e.block1 = m.block(coap::OptionNumber::block1);
    e.block2 = m.block(coap::OptionNumber::block2);
    e.observe = m.observe();
    e.final = final;
    events.push_back(e);
    if (then) then(events.back());
  }
  void on_error(coap::RequestId id, Errc error) noexcept override {
    Event e;
    e.at = net_.now();
    e.id = id;
    e.is_error = true;
    e.error = error;
    e.final = true;
    events.push_back(e);
    if (then) then(events.back());
  }

  size_t responses() const {
    size_t n = 0;
    for (const Event& e : events)
      n += e.is_error ? 0 : 1;
    return n;
  }
  size_t errors() const { return events.size() - responses(); }
  bool done() const { return !events.empty() && events.back().final; }

 private:
  const SimNet& net_;
};

/// The engine under test is node E; scripted peers are nodes P and P2.
class EngineTest : public ::testing::Test {
 protected:
  static constexpr TimePoint kStart = from_millis(1'000'000);

  void start(const coap::EngineConfig& cfg = {}, uint64_t rng_seed = 42) {
    rng_ = std::make_unique<XorShiftRandom>(rng_seed);
    engine_ = std::make_unique<coap::Engine>(cfg, *rng_, &server_);
    ASSERT_TRUE(engine_->valid());
    node_ = std::make_unique<SansIoNode<coap::Engine>>(*engine_);
    E = net_.add(*node_);
    P = net_.add(peer_);
    P2 = net_.add(peer2_);
  }

  coap::Engine& engine() { return *engine_; }
  TimePoint now() const { return net_.now(); }

  /// The scripted peer P sends `m` to the engine, and the network runs for `d`.
  void peer_send(const coap::Message& m, Duration d = 0ms) { peer_raw(encode(m), d); }
  void peer_raw(Bytes bytes, Duration d = 0ms) {
    peer_.send(E, std::move(bytes));
    ASSERT_TRUE(net_.run_for(d));
  }
  void run_for(Duration d) { ASSERT_TRUE(net_.run_for(d)); }

  /// What peer P (or P2) has received, parsed.
  std::vector<Parsed> received(const ScriptedPeer& p) const {
    std::vector<Parsed> out;
    for (const auto& r : p.inbox())
      out.emplace_back(r.bytes);
    return out;
  }
  std::vector<Parsed> received() const { return received(peer_); }
  std::vector<TimePoint> arrival_times(const ScriptedPeer& p) const {
    std::vector<TimePoint> out;
    for (const auto& r : p.inbox())
      out.push_back(r.at);
    return out;
  }

  /// A client request from the engine to `peer` (default P).
  coap::RequestId send_get(std::string_view path, coap::PeerId to, coap::RequestOptions opts = {},
                           std::optional<uint32_t> observe = std::nullopt) {
    coap::Message m;
    m.code = coap::codes::get;
    if (observe) {
      EXPECT_TRUE(m.add_uint(coap::OptionNumber::observe, *observe).ok());
    }
    EXPECT_TRUE(m.add_path(coap::OptionNumber::uri_path, path).ok());
    auto id = engine_->send_request(to, m, client_, now(), opts);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : coap::RequestId{};
  }

  SimNet net_{1, kStart};
  RecordingRequestHandler server_{net_};
  RecordingResponseHandler client_{net_};
  ScriptedPeer peer_, peer2_;
  NodeId E = 0, P = 0, P2 = 0;

 private:
  std::unique_ptr<XorShiftRandom> rng_;
  std::unique_ptr<coap::Engine> engine_;
  std::unique_ptr<SansIoNode<coap::Engine>> node_;
};

}  // namespace lwm2m::test
