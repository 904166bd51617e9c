// SPDX-License-Identifier: Apache-2.0
// Fuzzes the CoAP engine as a server: the input is split into datagrams (2-byte length
// prefix each, with a peer id and a time step), fed to handle_datagram/handle_timeout, and
// every output is drained. No crash, hang, leak or sanitizer report is acceptable, and
// every datagram the engine emits must parse as a well-formed CoAP message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lwm2m/coap/engine.hpp"

namespace {

using namespace lwm2m;
using namespace lwm2m::coap;

class Handler final : public RequestHandler {
 public:
  Engine* engine = nullptr;
  ObservationId last_obs;
  void on_request(const IncomingRequest& req, Response& resp) noexcept override {
    if (req.observe_register) {
      if (auto id = resp.accept_observe(1)) last_obs = *id;
    }
    // Echo the body back, padded to exercise Block2 windows.
    resp.write(req.body);
    for (int i = 0; i < (req.message.code.raw & 0x7) * 300; ++i)
      resp.write("x");
    if (req.message.code == codes::del) (void)resp.defer();
  }
};

void drain(Engine& e) {
  while (auto d = e.poll_transmit()) {
    Message m;
    if (parse(d->bytes, m) != ParseError::none) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static XorShiftRandom rng(42);
  EngineConfig cfg;
  cfg.block_size = 64;
  cfg.max_message_size = 256;
  cfg.block1_buffer = 512;
  cfg.exchanges = 3;
  cfg.dedup_entries = 3;
  cfg.observations = 2;
  Handler h;
  Engine engine(cfg, rng, &h);
  if (!engine.valid()) std::abort();
  h.engine = &engine;
  int64_t now = 0;
  size_t i = 0;
  while (i + 3 <= size) {
    const PeerId peer = data[i] & 0x3;
    const size_t len = data[i + 1] | (static_cast<size_t>(data[i + 2] & 0x3) << 8);
    now += (data[i] >> 2) * 500;
    i += 3;
    const size_t n = len < size - i ? len : size - i;
    engine.handle_datagram(peer, {data + i, n}, from_millis(now));
    i += n;
    if (h.last_obs.valid())
      (void)engine.notify(h.last_obs, (now & 1) != 0, from_millis(now),
                          [](Response& r) { r.write("v"); });
    drain(engine);
    engine.handle_timeout(from_millis(now));
    drain(engine);
  }
  return 0;
}
