// SPDX-License-Identifier: Apache-2.0
// CoAP message codec and engine costs on typical LwM2M traffic: a Read request
// (CON GET /3/0, 4-byte token, Accept 11542 = LwM2M TLV) and its piggybacked answer
// (ACK 2.05, Content-Format 11542, a 98-byte TLV of the Device object), and the server
// engine answering that request from a datagram (handle_datagram + poll_transmit).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/coap/message.hpp"

namespace {

using namespace lwm2m;
using namespace lwm2m::coap;

constexpr uint16_t kTlv = 11542;
constexpr uint8_t kToken[4] = {0x5a, 0x17, 0xc3, 0x0e};

// /3/0 as TLV: Manufacturer, Model Number, Serial Number, Firmware Version, Error Code,
// Current Time, Supported Binding Modes, Device Type (98 bytes). Literals are split where
// a hex escape would swallow the next character.
constexpr std::string_view kDeviceTlv{
    "\xc8\x00\x14Open Mobile Alliance"
    "\xc8\x01\x16Lightweight M2M Client"
    "\xc8\x02\x09"
    "345000123"
    "\xc8\x03\x03"
    "1.0"
    "\x88\x0b\x03\x41\x00\x00"
    "\xc4\x0d\x65\x5f\x1a\x80"
    "\xc8\x10\x01U"
    "\xc8\x11\x0dOMA-LwM2M Dev",
    98};

Message make_request() {
  Message m;
  m.type = Type::con;
  m.code = codes::get;
  m.message_id = 0x1234;
  m.token = Token::from({kToken, 4});
  (void)m.add_path(OptionNumber::uri_path, "3/0");
  (void)m.add_uint(OptionNumber::accept, kTlv);
  return m;
}

Message make_response() {
  Message m;
  m.type = Type::ack;
  m.code = codes::content;
  m.message_id = 0x1234;
  m.token = Token::from({kToken, 4});
  (void)m.add_uint(OptionNumber::content_format, kTlv);
  m.payload = as_bytes(kDeviceTlv);
  return m;
}

struct Encoded {
  std::array<uint8_t, 256> bytes{};
  size_t size = 0;
  explicit Encoded(const Message& m) {
    auto n = encode(m, {bytes.data(), bytes.size()});
    size = n ? *n : 0;
  }
  ByteView view() const { return {bytes.data(), size}; }
};

void parse_bench(benchmark::State& state, const Message& msg) {
  const Encoded wire(msg);
  for (auto _ : state) {
    Message m;
    ParseError err = parse(wire.view(), m);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size));
}

void BM_CoapParseRequest(benchmark::State& state) {
  parse_bench(state, make_request());
}
void BM_CoapParseResponse(benchmark::State& state) {
  parse_bench(state, make_response());
}

// Building the message (options added one by one) and serialising it, as the engine does
// for every request and response.
void BM_CoapBuildAndEncodeRequest(benchmark::State& state) {
  std::array<uint8_t, 256> out{};
  for (auto _ : state) {
    Message m = make_request();
    auto n = encode(m, {out.data(), out.size()});
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
}
void BM_CoapBuildAndEncodeResponse(benchmark::State& state) {
  std::array<uint8_t, 256> out{};
  for (auto _ : state) {
    Message m = make_response();
    auto n = encode(m, {out.data(), out.size()});
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
}
// Serialising an already-built message only.
void BM_CoapEncodeResponse(benchmark::State& state) {
  const Message m = make_response();
  std::array<uint8_t, 256> out{};
  for (auto _ : state) {
    auto n = encode(m, {out.data(), out.size()});
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
}

class DeviceObject final : public RequestHandler {
 public:
  void on_request(const IncomingRequest& req, Response& resp) noexcept override {
    std::string_view path[3];
    if (req.message.strings(OptionNumber::uri_path, path) == 2 && path[0] == "3" &&
        path[1] == "0") {
      (void)resp.set_content_format(kTlv);
      resp.write(kDeviceTlv);
    } else {
      resp.set_code(codes::not_found);
    }
  }
};

// One Read served end to end by the engine: parse, dedup lookup and insert, option
// checks, handler, response encoding into the cache, hand-out. Each request has a fresh
// MID (a repeated one would be answered from the dedup cache).
void BM_CoapEngineServesGet(benchmark::State& state) {
  XorShiftRandom rng(1);
  DeviceObject device;
  Engine engine(EngineConfig{}, rng, &device);
  Encoded wire(make_request());
  TimePoint now = from_millis(1'000'000);
  uint16_t mid = 0;
  benchmark::IterationCount answered = 0;
  for (auto _ : state) {
    ++mid;
    wire.bytes[2] = static_cast<uint8_t>(mid >> 8);
    wire.bytes[3] = static_cast<uint8_t>(mid);
    now += Duration{1};
    engine.handle_datagram(0, wire.view(), now);
    while (auto d = engine.poll_transmit()) {
      benchmark::DoNotOptimize(d->bytes.data());
      ++answered;
    }
  }
  if (answered != state.iterations()) state.SkipWithError("a request was not answered");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// A retransmitted request answered from the dedup cache.
void BM_CoapEngineAnswersDuplicate(benchmark::State& state) {
  XorShiftRandom rng(1);
  DeviceObject device;
  Engine engine(EngineConfig{}, rng, &device);
  const Encoded wire(make_request());
  const TimePoint now = from_millis(1'000'000);
  engine.handle_datagram(0, wire.view(), now);
  while (engine.poll_transmit()) {
  }
  for (auto _ : state) {
    engine.handle_datagram(0, wire.view(), now);
    while (auto d = engine.poll_transmit())
      benchmark::DoNotOptimize(d->bytes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK(BM_CoapParseRequest);
BENCHMARK(BM_CoapParseResponse);
BENCHMARK(BM_CoapBuildAndEncodeRequest);
BENCHMARK(BM_CoapBuildAndEncodeResponse);
BENCHMARK(BM_CoapEncodeResponse);
BENCHMARK(BM_CoapEngineServesGet);
BENCHMARK(BM_CoapEngineAnswersDuplicate);

}  // namespace
