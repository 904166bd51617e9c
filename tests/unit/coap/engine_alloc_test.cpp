// SPDX-License-Identifier: Apache-2.0
// The engine's promise "no call after construction allocates", measured: after setup,
// steady-state traffic in both roles runs under an AllocationScope that must count zero.
// Datagrams are built and checked on the stack, and every check inside the scope only
// counts mismatches (a failing gtest assertion would itself allocate).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "lwm2m/coap/engine.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::coap {
namespace {

constexpr PeerId kClient = 0;  // the peer that sends us requests
constexpr PeerId kServer = 1;  // the peer our own requests go to
constexpr size_t kBigSize = 3000;

// Deterministic bytes for the Block2 resource (no allocation: a static table).
const std::array<uint8_t, kBigSize>& big_body() {
  static const std::array<uint8_t, kBigSize> body = [] {
    std::array<uint8_t, kBigSize> b{};
    for (size_t i = 0; i < b.size(); ++i)
      b[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
    return b;
  }();
  return body;
}

bool path_is(const Message& m, std::string_view a, std::string_view b = {}) {
  std::string_view seg[3];
  const size_t n = m.strings(OptionNumber::uri_path, seg);
  if (b.empty()) return n == 1 && seg[0] == a;
  return n == 2 && seg[0] == a && seg[1] == b;
}

/// The server application: /3/0 (a small TLV-like body), /big (3000 bytes), /obs.
class Server final : public RequestHandler {
 public:
  uint32_t requests = 0;
  ObservationId relation;
  // Two TLV resources of /3/0 (Manufacturer, Model Number); the literal holds NUL bytes.
  static constexpr std::string_view kDevice{
      "\xc8\x00\x14Open Mobile Alliance\xc8\x01\x0cLwM2M client", 38};

  void on_request(const IncomingRequest& req, Response& resp) noexcept override {
    ++requests;
    const Message& m = req.message;
    if (path_is(m, "3", "0")) {
      (void)resp.set_content_format(11542);
      resp.write(kDevice);
    } else if (path_is(m, "big")) {
      (void)resp.set_content_format(42);
      resp.write(ByteView{big_body().data(), big_body().size()});
    } else if (path_is(m, "obs")) {
      if (req.observe_register) {
        if (auto id = resp.accept_observe(1)) relation = *id;
      }
      resp.write("0");
    } else {
      resp.set_code(codes::not_found);
    }
  }
};

/// The client application: counts callbacks and checks each Block2 block against /big.
class Client final : public ResponseHandler {
 public:
  uint32_t responses = 0, finals = 0, errors = 0;
  size_t body_bytes = 0;
  bool body_matches = true;
  void on_response(RequestId, const Message& m, bool final) noexcept override {
    ++responses;
    finals += final ? 1 : 0;
    if (auto b2 = m.block(OptionNumber::block2)) {
      const size_t off = b2->offset();
      if (off + m.payload.size() > kBigSize ||
          std::memcmp(big_body().data() + off, m.payload.data(), m.payload.size()) != 0)
        body_matches = false;
    }
    body_bytes += m.payload.size();
  }
  void on_error(RequestId, Errc) noexcept override { ++errors; }
};

/// One datagram on the stack.
struct Wire {
  std::array<uint8_t, 1280> buf{};
  size_t len = 0;
  ByteView view() const { return {buf.data(), len}; }
};

Wire wire(const Message& m) {
  Wire w;
  auto n = encode(m, {w.buf.data(), w.buf.size()});
  w.len = n ? *n : 0;
  return w;
}

Message request(Type type, Code code, uint16_t mid, uint32_t token, std::string_view path) {
  Message m;
  m.type = type;
  m.code = code;
  m.message_id = mid;
  const uint8_t t[4] = {static_cast<uint8_t>(token >> 24), static_cast<uint8_t>(token >> 16),
                        static_cast<uint8_t>(token >> 8), static_cast<uint8_t>(token)};
  m.token = Token::from({t, 4});
  (void)m.add_path(OptionNumber::uri_path, path);
  return m;
}

class EngineAlloc : public ::testing::Test {
 protected:
  EngineAlloc() : engine_(EngineConfig{}, rng_, &server_) {}

  /// Drains the engine; returns how many datagrams it sent and keeps the last one.
  size_t drain() {
    size_t n = 0;
    while (auto d = engine_.poll_transmit()) {
      ++n;
      last_peer_ = d->peer;
      last_.len = d->bytes.size() <= last_.buf.size() ? d->bytes.size() : 0;
      std::memcpy(last_.buf.data(), d->bytes.data(), last_.len);
    }
    return n;
  }
  /// The last datagram sent, parsed (views into last_).
  bool last(Message& m) const { return parse(last_.view(), m) == ParseError::none; }

  TimePoint now_ = from_millis(5'000'000);
  XorShiftRandom rng_{99};
  Server server_;
  Client client_;
  Engine engine_;
  Wire last_;
  PeerId last_peer_ = 0;
};

TEST_F(EngineAlloc, SteadyStateTrafficInBothRolesAllocatesNothing) {
  ASSERT_TRUE(engine_.valid());
  uint32_t mismatches = 0;
  auto expect = [&](bool ok) { mismatches += ok ? 0 : 1; };
  Message r;

  test::AllocationScope scope;

  // 10,000 GET /3/0, CON and NON alternately, distinct MIDs; every 100th CON is
  // retransmitted and must be answered from the dedup cache with identical bytes.
  uint32_t dedup_replays = 0;
  for (uint32_t i = 0; i < 10'000; ++i) {
    const Type type = i % 2 == 0 ? Type::con : Type::non;
    const uint16_t mid = static_cast<uint16_t>(0x1000 + i);
    const Wire req = wire(request(type, codes::get, mid, 0xA0000000u + i, "3/0"));
    now_ += Duration{1};
    engine_.handle_datagram(kClient, req.view(), now_);
    expect(drain() == 1);
    expect(last(r) && r.code == codes::content && r.content_format() == 11542u &&
           r.payload.size() == Server::kDevice.size());
    expect(type == Type::con ? r.type == Type::ack && r.message_id == mid : r.type == Type::non);
    expect(r.token.length == 4 && r.token.bytes[3] == static_cast<uint8_t>(i));
    if (type == Type::con && i % 100 == 0) {
      const Wire first = last_;
      engine_.handle_datagram(kClient, req.view(), now_ + Duration{2000});
      expect(drain() == 1);
      expect(last_.len == first.len &&
             std::memcmp(last_.buf.data(), first.buf.data(), first.len) == 0);
      ++dedup_replays;
    }
  }
  const uint32_t after_gets = server_.requests;

  // Observe: registration, a NON and a CON notification, the CON retransmitted once and
  // then acknowledged.
  {
    Message reg = request(Type::con, codes::get, 0x7000, 0xB0B0B0B0u, "obs");
    (void)reg.add_uint(OptionNumber::observe, 0);
    engine_.handle_datagram(kClient, wire(reg).view(), now_);
    expect(drain() == 1);
    expect(last(r) && r.observe() == 0u && engine_.observing(server_.relation));
    for (bool con : {false, true}) {
      now_ += Duration{1000};
      expect(engine_.notify(server_.relation, con, now_, [](Response& n) { n.write("1"); }).ok());
      expect(drain() == 1);
      expect(last(r) && r.type == (con ? Type::con : Type::non) && r.observe().has_value() &&
             r.payload.size() == 1);
    }
    // The CON notification is lost once: the retransmission timer resends it.
    const Wire notification = last_;
    engine_.handle_timeout(engine_.next_deadline());
    expect(drain() == 1);
    expect(last_.len == notification.len &&
           std::memcmp(last_.buf.data(), notification.buf.data(), notification.len) == 0);
    Message ack;
    ack.type = Type::ack;
    ack.message_id = r.message_id;
    engine_.handle_datagram(kClient, wire(ack).view(), now_);
    expect(drain() == 0);
    expect(engine_.next_deadline() == kNever);  // nothing left to retransmit
  }

  // Server-side Block2: /big in three 1024-byte blocks.
  for (uint32_t num = 0; num < 3; ++num) {
    Message get =
        request(Type::con, codes::get, static_cast<uint16_t>(0x7100 + num), 0xC0DE, "big");
    if (num > 0) (void)get.add_uint(OptionNumber::block2, BlockOption{num, false, 6}.encode());
    engine_.handle_datagram(kClient, wire(get).view(), now_);
    expect(drain() == 1);
    auto b2 = last(r) ? r.block(OptionNumber::block2) : std::nullopt;
    expect(b2 && b2->num == num && b2->more == (num < 2) && b2->szx == 6);
    expect(std::memcmp(r.payload.data(), big_body().data() + num * 1024, r.payload.size()) == 0);
  }

  // Client role: GET /1/0 answered piggybacked, then GET /big followed over three blocks.
  {
    Message get;
    get.code = codes::get;
    (void)get.add_path(OptionNumber::uri_path, "1/0");
    expect(engine_.send_request(kServer, get, client_, now_).ok());
    expect(drain() == 1 && last_peer_ == kServer);
    Message sent;
    expect(last(sent) && sent.type == Type::con);
    Message resp;
    resp.type = Type::ack;
    resp.code = codes::content;
    resp.message_id = sent.message_id;
    resp.token = sent.token;
    resp.payload = as_bytes("ok");
    engine_.handle_datagram(kServer, wire(resp).view(), now_);
    expect(drain() == 0);
    expect(client_.responses == 1 && client_.finals == 1);

    Message big;
    big.code = codes::get;
    (void)big.add_path(OptionNumber::uri_path, "big");
    expect(engine_.send_request(kServer, big, client_, now_).ok());
    for (uint32_t num = 0; num < 3; ++num) {
      expect(drain() == 1);
      expect(last(sent) && (num == 0 ? !sent.has(OptionNumber::block2)
                                     : sent.block(OptionNumber::block2)->num == num));
      Message block;
      block.type = Type::ack;
      block.code = codes::content;
      block.message_id = sent.message_id;
      block.token = sent.token;
      const size_t off = num * 1024, n = off + 1024 <= kBigSize ? 1024 : kBigSize - off;
      (void)block.add_uint(OptionNumber::block2, BlockOption{num, num < 2, 6}.encode());
      block.payload = ByteView{big_body().data() + off, n};
      engine_.handle_datagram(kServer, wire(block).view(), now_);
    }
    expect(drain() == 0);
  }

  // Client role, observing /big: the registration's answer is block 0 with Observe, and
  // the engine fetches blocks 1 and 2 with plain GETs on a token of their own.
  {
    Message reg;
    reg.code = codes::get;
    (void)reg.add_uint(OptionNumber::observe, 0);
    (void)reg.add_path(OptionNumber::uri_path, "big");
    expect(engine_.send_request(kServer, reg, client_, now_).ok());
    for (uint32_t num = 0; num < 3; ++num) {
      expect(drain() == 1);
      Message sent;
      expect(last(sent) && sent.has(OptionNumber::observe) == (num == 0));
      Message block;
      block.type = Type::ack;
      block.code = codes::content;
      block.message_id = sent.message_id;
      block.token = sent.token;
      if (num == 0) (void)block.add_uint(OptionNumber::observe, 12);
      const size_t off = num * 1024, n = off + 1024 <= kBigSize ? 1024 : kBigSize - off;
      (void)block.add_uint(OptionNumber::block2, BlockOption{num, num < 2, 6}.encode());
      block.payload = ByteView{big_body().data() + off, n};
      engine_.handle_datagram(kServer, wire(block).view(), now_);
    }
    expect(drain() == 0);
  }

  const size_t allocations = scope.count();
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(mismatches, 0u);
  // The traffic really happened: every GET ran the handler once, replays did not.
  EXPECT_EQ(after_gets, 10'000u);
  EXPECT_EQ(dedup_replays, 100u);
  EXPECT_EQ(engine_.stats().duplicates, 100u);
  EXPECT_EQ(server_.requests, after_gets + 1 + 3);
  EXPECT_EQ(client_.responses, 7u);
  EXPECT_EQ(client_.finals, 2u);  // the observation's blocks are never final
  EXPECT_EQ(client_.errors, 0u);
  EXPECT_EQ(engine_.stats().retransmissions, 1u);
  EXPECT_EQ(client_.body_bytes, 2u + 2 * kBigSize);
  EXPECT_TRUE(client_.body_matches);
}

}  // namespace
}  // namespace lwm2m::coap
