// SPDX-License-Identifier: Apache-2.0
// A client and a scripted LwM2M server (and bootstrap server) on the simulated network.
// The server side is our CoAP engine in the server role for /rd and /bs, and in the
// client role for management requests; tests assert on what crosses the wire.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "support/coap_wire.hpp"
#include "support/sim_link.hpp"

namespace lwm2m::test {

/// Node ids on the network: the client's PeerId for an account is its index (0 the
/// bootstrap server, 1.. management servers), so the servers take those node ids.
inline constexpr NodeId kBootstrapNode = 0;
inline constexpr NodeId kServerNode = 1;
inline constexpr NodeId kClientNode = 2;

struct Reply {
  coap::Code code;
  std::optional<uint16_t> content_format;
  std::string payload;
  std::vector<std::string> location;
  std::optional<uint32_t> observe;
};

/// What a server sees and sends.
class FakeServer final : public coap::RequestHandler, public coap::ResponseHandler {
 public:
  explicit FakeServer(uint64_t seed) : rng_(seed), engine_(config(), rng_, this) {}

  static coap::EngineConfig config() {
    coap::EngineConfig c;
    c.exchanges = 8;
    c.observations = 8;
    return c;
  }

  struct Registration {
    std::string endpoint, lifetime, version, binding, payload;
    bool queue = false;
    std::vector<std::string> queries;
  };

  NodeId client_node = kClientNode;

  // ---- what arrived ----
  std::vector<Registration> registers;
  std::vector<std::vector<std::string>> updates;  ///< queries of each Update
  std::vector<std::string> update_payloads;
  int deregisters = 0;
  int bootstrap_requests = 0;
  std::vector<std::string> bootstrap_queries;
  std::vector<std::pair<uint16_t, std::string>> sends;  ///< content format, payload
  /// The next Update is answered 4.04 (the server forgot us).
  bool forget = false;
  /// Registers are answered with this code while set.
  std::optional<coap::Code> reject_register;
  std::optional<coap::Code> reject_send;        ///< answer to POST /dp instead of 2.04
  std::optional<coap::Code> reject_deregister;  ///< answer to DELETE /rd/.. instead of 2.02
  /// Register with one of these lwm2m= versions is answered 4.12 (as Wakaama does for 1.2).
  std::vector<std::string> refused_versions;

  // ---- management requests ----
  /// Sends a request to the client; the reply lands in replies[id].
  coap::RequestId request(coap::Code code, std::string_view path, TimePoint now,
                          std::optional<uint16_t> accept = std::nullopt,
                          std::optional<uint16_t> content_format = std::nullopt,
                          std::string payload = {}, std::vector<std::string> queries = {},
                          bool observe = false) {
    bodies_.push_back(std::move(payload));
    coap::Message m;
    m.code = code;
    if (!path.empty() && path != "/") {
      EXPECT_TRUE(m.add_path(coap::OptionNumber::uri_path, path.substr(1)).ok());
    }
    query_store_.push_back(std::move(queries));
    for (const std::string& q : query_store_.back()) {
      EXPECT_TRUE(m.add_string(coap::OptionNumber::uri_query, q).ok());
    }
    if (accept) {
      EXPECT_TRUE(m.add_uint(coap::OptionNumber::accept, *accept).ok());
    }
    if (content_format) {
      EXPECT_TRUE(m.add_uint(coap::OptionNumber::content_format, *content_format).ok());
    }
    if (observe) {
      EXPECT_TRUE(m.add_uint(coap::OptionNumber::observe, 0).ok());
    }
    const std::string& body = bodies_.back();
    m.payload = {reinterpret_cast<const uint8_t*>(body.data()), body.size()};
    auto id = engine_.send_request(client_node, m, *this, now);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : coap::RequestId{};
  }

  std::map<std::pair<uint16_t, uint16_t>, std::vector<Reply>> replies;
  std::map<std::pair<uint16_t, uint16_t>, Errc> errors;
  std::vector<Reply>& replies_for(coap::RequestId id) { return replies[{id.index, id.generation}]; }

  coap::Engine& engine() { return engine_; }
  // Sans-I/O endpoint interface for SansIoNode.
  void handle_datagram(coap::PeerId p, ByteView d, TimePoint now) {
    engine_.handle_datagram(p, d, now);
  }
  void handle_timeout(TimePoint now) { engine_.handle_timeout(now); }
  std::optional<coap::Datagram> poll_transmit() { return engine_.poll_transmit(); }
  TimePoint next_deadline() const { return engine_.next_deadline(); }

 private:
  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    std::string_view segs[4];
    size_t n = req.message.strings(coap::OptionNumber::uri_path, segs);
    std::string_view q[16];
    size_t nq = req.message.strings(coap::OptionNumber::uri_query, q);
    std::vector<std::string> queries(q, q + std::min<size_t>(nq, 16));
    std::string body(reinterpret_cast<const char*>(req.body.data()), req.body.size());
    auto code = req.message.code;
    if (n == 1 && segs[0] == "rd" && code == coap::codes::post) {
      if (reject_register) {
        resp.set_code(*reject_register);
        return;
      }
      Registration r;
      r.queries = queries;
      for (auto& s : queries) {
        if (s.rfind("ep=", 0) == 0) r.endpoint = s.substr(3);
        if (s.rfind("lt=", 0) == 0) r.lifetime = s.substr(3);
        if (s.rfind("lwm2m=", 0) == 0) r.version = s.substr(6);
        if (s.rfind("b=", 0) == 0) r.binding = s.substr(2);
        if (s == "Q") r.queue = true;
      }
      r.payload = body;
      registers.push_back(r);
      for (const std::string& v : refused_versions)
        if (r.version == v) {
          resp.set_code(coap::codes::precondition_failed);
          return;
        }
      (void)resp.message().add_string(coap::OptionNumber::location_path, "rd");
      (void)resp.message().add_string(coap::OptionNumber::location_path, "5a3f");
      resp.set_code(coap::codes::created);
      return;
    }
    if (n == 2 && segs[0] == "rd" && segs[1] == "5a3f") {
      if (code == coap::codes::post) {
        updates.push_back(queries);
        update_payloads.push_back(body);
        if (forget) {
          forget = false;
          resp.set_code(coap::codes::not_found);
          return;
        }
        resp.set_code(coap::codes::changed);
        return;
      }
      if (code == coap::codes::del) {
        ++deregisters;
        resp.set_code(reject_deregister.value_or(coap::codes::deleted));
        return;
      }
    }
    if (n == 1 && segs[0] == "bs" && code == coap::codes::post) {
      ++bootstrap_requests;
      bootstrap_queries = queries;
      resp.set_code(coap::codes::changed);
      return;
    }
    if (n == 1 && segs[0] == "dp" && code == coap::codes::post) {
      sends.emplace_back(req.message.content_format().value_or(0xFFFF), body);
      resp.set_code(reject_send.value_or(coap::codes::changed));
      return;
    }
    resp.set_code(coap::codes::not_found);
  }

  void on_response(coap::RequestId id, const coap::Message& m, bool) noexcept override {
    Reply r;
    r.code = m.code;
    r.content_format = m.content_format();
    r.payload.assign(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
    std::string_view segs[4];
    size_t n = m.strings(coap::OptionNumber::location_path, segs);
    for (size_t i = 0; i < n && i < 4; ++i)
      r.location.emplace_back(segs[i]);
    r.observe = m.observe();
    replies_for(id).push_back(std::move(r));
  }
  void on_error(coap::RequestId id, Errc e) noexcept override {
    errors[{id.index, id.generation}] = e;
  }

  XorShiftRandom rng_;
  coap::Engine engine_;
  std::deque<std::string> bodies_;
  std::deque<std::vector<std::string>> query_store_;
};

/// A client with Security, Server and Device objects and one management server.
struct ClientRig {
  objects::SecurityInstance sec_storage[3];
  objects::ServerInstance srv_storage[2];
  objects::SecurityObject security{sec_storage};
  objects::ServerObject server{srv_storage};
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 7", "SN-1", "1.0.3", "", "", "", "U"}};
  dm::Object* slots[8] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{42};
  std::unique_ptr<core::Client> client;

  explicit ClientRig(bool with_server = true, uint32_t lifetime = 300,
                     core::ClientConfig cfg = {}) {
    EXPECT_TRUE(registry.add(security).ok());
    EXPECT_TRUE(registry.add(server).ok());
    EXPECT_TRUE(registry.add(device).ok());
    if (with_server) {
      objects::SecurityConfig sc;
      sc.uri = "coap://127.0.0.1:5683";
      sc.short_server_id = 101;
      EXPECT_TRUE(security.add(sc, 1).ok());
      objects::ServerConfig srv;
      srv.short_server_id = 101;
      srv.lifetime_s = lifetime;
      srv.communication_retry_timer_s = 2;
      EXPECT_TRUE(server.add(srv, 0).ok());
    }
    if (cfg.endpoint.empty()) cfg.endpoint = "urn:dev:test-1";
    client = std::make_unique<core::Client>(cfg, registry, rng);
    EXPECT_TRUE(client->valid());
  }

  std::vector<core::Event> drain_events() {
    std::vector<core::Event> out;
    while (auto e = client->poll_event())
      out.push_back(*e);
    return out;
  }
};

/// One client registered (on demand) with one scripted server, on a simulated network.
struct ClientTest : ::testing::Test {
  explicit ClientTest(bool with_server = true, uint32_t lifetime = 300)
      : rig(with_server, lifetime), bs_node(bootstrap), srv_node(server), cl_node(*rig.client) {
    EXPECT_EQ(net.add(bs_node), kBootstrapNode);
    EXPECT_EQ(net.add(srv_node), kServerNode);
    EXPECT_EQ(net.add(cl_node), kClientNode);
  }

  void start_and_register() {
    ASSERT_TRUE(rig.client->start(net.now()).ok());
    ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); },
                              net.now() + std::chrono::seconds(60)));
  }

  /// Sends a request and runs until its reply arrived.
  Reply call(coap::Code code, std::string_view path, std::optional<uint16_t> accept = {},
             std::optional<uint16_t> cf = {}, std::string payload = {},
             std::vector<std::string> queries = {}) {
    auto id =
        server.request(code, path, net.now(), accept, cf, std::move(payload), std::move(queries));
    EXPECT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); },
                              net.now() + std::chrono::seconds(30)));
    auto& r = server.replies_for(id);
    return r.empty() ? Reply{} : r.front();
  }

  SimNet net{7};
  ClientRig rig;
  FakeServer bootstrap{11}, server{12};
  SansIoNode<FakeServer> bs_node, srv_node;
  SansIoNode<core::Client> cl_node;
};

inline bool has_event(const std::vector<core::Event>& events, core::EventKind k) {
  for (auto& e : events)
    if (e.kind == k) return true;
  return false;
}

}  // namespace lwm2m::test
