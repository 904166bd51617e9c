// SPDX-License-Identifier: Apache-2.0
// Encode and decode the Device object instance /3/0 (every readable resource) in SenML
// JSON, SenML CBOR and LwM2M CBOR.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "codec/lwm2m_cbor.hpp"
#include "codec/senml.hpp"

namespace {

using lwm2m::codec::Record;
using lwm2m::dm::Path;
using lwm2m::dm::Value;

const std::vector<Record>& device() {
  static const std::vector<Record> records = {
      {Path{3, 0, 0}, Value::string("Open Mobile Alliance"), {}},
      {Path{3, 0, 1}, Value::string("Lightweight M2M Client"), {}},
      {Path{3, 0, 2}, Value::string("345000123"), {}},
      {Path{3, 0, 3}, Value::string("1.0"), {}},
      {Path{3, 0, 6, 0}, Value::integer(1), {}},
      {Path{3, 0, 6, 1}, Value::integer(5), {}},
      {Path{3, 0, 7, 0}, Value::integer(3800), {}},
      {Path{3, 0, 7, 1}, Value::integer(5000), {}},
      {Path{3, 0, 8, 0}, Value::integer(125), {}},
      {Path{3, 0, 8, 1}, Value::integer(900), {}},
      {Path{3, 0, 9}, Value::integer(100), {}},
      {Path{3, 0, 10}, Value::integer(15), {}},
      {Path{3, 0, 11, 0}, Value::integer(0), {}},
      {Path{3, 0, 13}, Value::time(1367491215), {}},
      {Path{3, 0, 14}, Value::string("+02:00"), {}},
      {Path{3, 0, 15}, Value::string("Europe/Berlin"), {}},
      {Path{3, 0, 16}, Value::string("U"), {}},
      {Path{3, 0, 17}, Value::string("Sensor"), {}},
      {Path{3, 0, 18}, Value::string("HW 1.2"), {}},
      {Path{3, 0, 19}, Value::string("SW 4.0.1"), {}},
      {Path{3, 0, 20}, Value::integer(0), {}},
      {Path{3, 0, 21}, Value::integer(256), {}},
  };
  return records;
}

class Types final : public lwm2m::codec::TypeResolver {
 public:
  lwm2m::Result<lwm2m::dm::DataType> type_of(const Path& p) const noexcept override {
    for (const auto& r : device())
      if (r.path == p) return r.value.type();
    return lwm2m::Errc::not_found;
  }
};

using Encoder = lwm2m::Status (*)(const Path&, lwm2m::codec::RecordSource&,
                                  lwm2m::codec::Sink&) noexcept;

template <Encoder Enc>
void BM_Encode(benchmark::State& state) {
  std::vector<uint8_t> buf(2048);
  size_t size = 0;
  for (auto _ : state) {
    lwm2m::codec::SpanSource src{device()};
    lwm2m::codec::Sink sink{buf};
    if (!Enc(Path{3, 0}, src, sink)) state.SkipWithError("encode failed");
    size = sink.total();
    benchmark::DoNotOptimize(buf.data());
  }
  state.counters["bytes"] = static_cast<double>(size);
}

template <Encoder Enc, class Decoder>
void BM_Decode(benchmark::State& state) {
  std::vector<uint8_t> buf(2048), scratch(512);
  lwm2m::codec::SpanSource src{device()};
  lwm2m::codec::Sink sink{buf};
  (void)Enc(Path{3, 0}, src, sink);
  Types types;
  lwm2m::codec::DecodeContext ctx{Path{3, 0}, &types, scratch};
  for (auto _ : state) {
    Decoder d{sink.window(), ctx};
    Record r;
    size_t n = 0;
    for (;;) {
      auto more = d.next(r);
      if (!more || !*more) break;
      ++n;
    }
    if (n != device().size()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK(BM_Encode<lwm2m::codec::encode_senml_json>)->Name("Device/Encode/SenmlJson");
BENCHMARK(BM_Encode<lwm2m::codec::encode_senml_cbor>)->Name("Device/Encode/SenmlCbor");
BENCHMARK(BM_Encode<lwm2m::codec::encode_lwm2m_cbor>)->Name("Device/Encode/Lwm2mCbor");
BENCHMARK(BM_Decode<lwm2m::codec::encode_senml_json, lwm2m::codec::SenmlJsonDecoder>)
    ->Name("Device/Decode/SenmlJson");
BENCHMARK(BM_Decode<lwm2m::codec::encode_senml_cbor, lwm2m::codec::SenmlCborDecoder>)
    ->Name("Device/Decode/SenmlCbor");
BENCHMARK(BM_Decode<lwm2m::codec::encode_lwm2m_cbor, lwm2m::codec::Lwm2mCborDecoder>)
    ->Name("Device/Decode/Lwm2mCbor");

}  // namespace
