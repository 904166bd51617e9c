// SPDX-License-Identifier: Apache-2.0
// Content formats on the Device object instance of the OMA TLV example (/3/0, 16 values
// including three multiple resources): encode from a SpanSource, decode with a resolver.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "codec/link_format.hpp"
#include "codec/lwm2m_json.hpp"
#include "codec/text.hpp"
#include "codec/tlv.hpp"

namespace {

using namespace lwm2m;
using dm::DataType;
using dm::Path;
using dm::Value;

const codec::Record kDevice[] = {
    {Path(3, 0, 0), Value::string("Open Mobile Alliance"), {}},
    {Path(3, 0, 1), Value::string("Lightweight M2M Client"), {}},
    {Path(3, 0, 2), Value::string("345000123"), {}},
    {Path(3, 0, 3), Value::string("1.0"), {}},
    {Path(3, 0, 6, 0), Value::integer(1), {}},
    {Path(3, 0, 6, 1), Value::integer(5), {}},
    {Path(3, 0, 7, 0), Value::integer(3800), {}},
    {Path(3, 0, 7, 1), Value::integer(5000), {}},
    {Path(3, 0, 8, 0), Value::integer(125), {}},
    {Path(3, 0, 8, 1), Value::integer(900), {}},
    {Path(3, 0, 9), Value::integer(100), {}},
    {Path(3, 0, 10), Value::integer(15), {}},
    {Path(3, 0, 11, 0), Value::integer(0), {}},
    {Path(3, 0, 13), Value::time(1367491215), {}},
    {Path(3, 0, 14), Value::string("+02:00"), {}},
    {Path(3, 0, 16), Value::string("U"), {}},
};

class DeviceTypes final : public codec::TypeResolver {
 public:
  Result<DataType> type_of(const Path& p) const noexcept override {
    const uint16_t r = p.resource();
    const bool multiple = r == 6 || r == 7 || r == 8 || r == 11;
    if (p.has_resource_instance() != multiple) return Errc::not_found;
    if (r <= 3 || r == 14 || r == 16) return DataType::string;
    if (r == 13) return DataType::time;
    return DataType::integer;
  }
};
const DeviceTypes kTypes;

template <class Encode>
void encode_device(benchmark::State& state, Encode encode, const Path& base) {
  uint8_t buf[512];
  size_t size = 0;
  for (auto _ : state) {
    codec::SpanSource src{kDevice};
    codec::Sink sink{buf};
    if (!encode(base, src, sink).ok()) state.SkipWithError("encode failed");
    size = sink.total();
    benchmark::DoNotOptimize(buf);
  }
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

template <class Decoder, class Encode>
void decode_device(benchmark::State& state, Encode encode, const Path& base) {
  uint8_t buf[512];
  codec::SpanSource src{kDevice};
  codec::Sink sink{buf};
  if (!encode(base, src, sink).ok()) state.SkipWithError("encode failed");
  const ByteView payload = sink.window();
  uint8_t scratch[512];
  for (auto _ : state) {
    codec::DecodeContext ctx{base, &kTypes, scratch};
    Decoder d{payload, ctx};
    codec::Record r;
    size_t n = 0;
    while (d.next(r).value_or(false))
      ++n;
    if (n != std::size(kDevice)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}

void BM_TlvEncodeDevice(benchmark::State& s) {
  encode_device(s, codec::encode_tlv, Path(3, 0));
}
void BM_TlvEncodeDeviceObject(benchmark::State& s) {
  encode_device(s, codec::encode_tlv, Path(3));  // one more level of look-ahead
}
void BM_TlvDecodeDevice(benchmark::State& s) {
  decode_device<codec::TlvDecoder>(s, codec::encode_tlv, Path(3, 0));
}
void BM_Lwm2mJsonEncodeDevice(benchmark::State& s) {
  encode_device(s, codec::encode_lwm2m_json, Path(3, 0));
}
void BM_Lwm2mJsonDecodeDevice(benchmark::State& s) {
  decode_device<codec::Lwm2mJsonDecoder>(s, codec::encode_lwm2m_json, Path(3, 0));
}

void BM_TextEncodeDecodeTime(benchmark::State& state) {
  const codec::Record rec{Path(3, 0, 13), Value::time(1367491215), {}};
  uint8_t buf[32];
  for (auto _ : state) {
    codec::SpanSource src{{&rec, 1}};
    codec::Sink sink{buf};
    (void)codec::encode_text(rec.path, src, sink);
    codec::DecodeContext ctx{rec.path, &kTypes, {}};
    codec::TextDecoder d{sink.window(), ctx};
    codec::Record r;
    benchmark::DoNotOptimize(d.next(r));
  }
}

void BM_LinkFormatParse(benchmark::State& state) {
  const std::string_view text =
      "</>;lwm2m=1.1,</0/0>;ssid=101;uri=\"coap://server.example.com:5683\",</1>;ver=1.1,"
      "</1/0>;ssid=101,</3/0>,</3/0/7>;dim=8;gt=50;lt=42.2,</5>";
  for (auto _ : state) {
    codec::LinkParser p{text};
    codec::Link l;
    size_t params = 0;
    while (p.next(l).value_or(false)) {
      auto it = l.param_iterator();
      codec::LinkParam prm;
      while (it.next(prm))
        ++params;
    }
    benchmark::DoNotOptimize(params);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

BENCHMARK(BM_TlvEncodeDevice);
BENCHMARK(BM_TlvEncodeDeviceObject);
BENCHMARK(BM_TlvDecodeDevice);
BENCHMARK(BM_Lwm2mJsonEncodeDevice);
BENCHMARK(BM_Lwm2mJsonDecodeDevice);
BENCHMARK(BM_TextEncodeDecodeTime);
BENCHMARK(BM_LinkFormatParse);

}  // namespace
