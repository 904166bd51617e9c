// SPDX-License-Identifier: Apache-2.0
// Fuzzes the CoAP engine in the client role: requests of ours (an observation, a Block1
// upload, a plain GET following Block2) are answered by fuzzer-made datagrams. A datagram
// can be marked as a reply: the harness then copies the message ID and 1-byte token of
// our latest request into it, so that arbitrary responses match our exchanges and reach
// deep into response handling (Block1 continuation, Block2 following, notifications and
// the fetch of their remaining blocks). Checked: no crash or sanitizer report, every datagram we
// emit parses, and no callback arrives for a request after its final one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "lwm2m/coap/engine.hpp"

namespace {

using namespace lwm2m;
using namespace lwm2m::coap;

void check(bool ok) {
  if (!ok) std::abort();
}

class Client final : public ResponseHandler {
 public:
  Engine* engine = nullptr;
  TimePoint now{};
  static constexpr size_t kIds = 8;
  RequestId ids[kIds];
  bool ended[kIds] = {};
  size_t count = 0;
  bool cancel_on_next = false;

  void track(RequestId id) {
    if (count < kIds) {
      ids[count] = id;
      ended[count] = false;
      ++count;
    }
  }
  size_t slot(RequestId id) const {
    for (size_t i = count; i-- > 0;)
      if (ids[i] == id) return i;
    return kIds;
  }
  void on_response(RequestId id, const Message& m, bool final) noexcept override {
    const size_t s = slot(id);
    check(s < kIds && !ended[s]);
    check(m.code.is_response());
    if (final) ended[s] = true;
    if (cancel_on_next && !final) {
      cancel_on_next = false;
      engine->cancel(id, now);  // allowed from a ResponseHandler
      ended[s] = true;
    }
  }
  void on_error(RequestId id, Errc) noexcept override {
    const size_t s = slot(id);
    check(s < kIds && !ended[s]);
    ended[s] = true;
  }
};

struct LastRequest {
  uint16_t mid = 0;
  uint8_t token = 0;
} g_last;

void drain(Engine& e) {
  while (auto d = e.poll_transmit()) {
    Message m;
    check(parse(d->bytes, m) == ParseError::none);
    if (m.code.is_request()) {
      g_last.mid = m.message_id;
      g_last.token = m.token.length > 0 ? m.token.bytes[0] : 0;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  XorShiftRandom rng(7);  // per input, so that a crash reproduces
  static uint8_t upload[600];
  EngineConfig cfg;
  cfg.block_size = 64;
  cfg.max_message_size = 256;
  cfg.block1_buffer = 256;
  cfg.exchanges = 4;
  cfg.dedup_entries = 3;
  cfg.token_length = 1;
  g_last = {};
  static uint8_t reply[512];
  Client client;
  Engine engine(cfg, rng, nullptr);
  check(engine.valid());
  client.engine = &engine;
  int64_t now = 0;

  size_t i = 0;
  while (i + 3 <= size && client.count < Client::kIds) {
    const uint8_t ctl = data[i];
    const size_t len = data[i + 1] | (static_cast<size_t>(data[i + 2] & 0x1) << 8);
    now += (ctl >> 4) * 700;
    client.now = from_millis(now);
    i += 3;
    // Low bits of the control byte: which request of ours to start before this datagram.
    switch (ctl & 0x7) {
      case 1: {
        Message m;
        m.code = codes::get;
        (void)m.add_uint(OptionNumber::observe, 0);
        (void)m.add_path(OptionNumber::uri_path, "obs");
        if (auto id =
                engine.send_request(0, m, client, client.now, {.confirmable = (ctl & 0x8) == 0})) {
          client.track(*id);
        }
        break;
      }
      case 2: {
        Message m;
        m.code = codes::put;
        (void)m.add_path(OptionNumber::uri_path, "up");
        m.payload = {upload, 64u + (ctl & 0x8 ? 500u : 90u)};
        if (auto id = engine.send_request(0, m, client, client.now)) client.track(*id);
        break;
      }
      case 3: {
        Message m;
        m.code = codes::get;
        (void)m.add_path(OptionNumber::uri_path, "big");
        if (auto id = engine.send_request(0, m, client, client.now,
                                          {.follow_block2 = (ctl & 0x8) == 0})) {
          client.track(*id);
        }
        break;
      }
      case 4:
        if (client.count > 0) engine.cancel(client.ids[client.count - 1], client.now);
        if (client.count > 0) client.ended[client.count - 1] = true;
        break;
      case 5:
        client.cancel_on_next = true;
        break;
      default:
        break;
    }
    drain(engine);
    const size_t n = len < size - i ? len : size - i;
    ByteView datagram{data + i, n};
    if ((data[i - 1] & 0x2) && n >= 5) {
      // A reply to our latest request: its message ID and token.
      std::memcpy(reply, data + i, n);
      reply[2] = static_cast<uint8_t>(g_last.mid >> 8);
      reply[3] = static_cast<uint8_t>(g_last.mid);
      reply[0] = static_cast<uint8_t>((reply[0] & 0xF0) | 1);
      reply[4] = g_last.token;
      datagram = {reply, n};
    }
    engine.handle_datagram(0, datagram, client.now);
    i += n;
    drain(engine);
    engine.handle_timeout(client.now);
    drain(engine);
  }
  // Let every exchange run out: retransmissions end, so the engine must go idle.
  for (int k = 0; k < 64 && engine.next_deadline() != kNever; ++k) {
    engine.handle_timeout(engine.next_deadline());
    drain(engine);
  }
  check(engine.next_deadline() == kNever);
  return 0;
}
