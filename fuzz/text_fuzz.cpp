// SPDX-License-Identifier: Apache-2.0
// Fuzzes the text/plain and opaque decoders. The first byte picks the target resource
// (and so the declared type); the rest is the payload. Whatever decodes must encode again
// and decode to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "codec/opaque.hpp"
#include "codec/text.hpp"
#include "fuzz_support.hpp"

using namespace lwm2m;

namespace {

template <class Decoder, class Encode>
void round_trip(const dm::Path& base, ByteView payload, Encode encode) {
  static fuzz::FuzzTypes types;
  static uint8_t scratch[4096];
  static uint8_t out[8192];
  static uint8_t scratch2[8192];
  codec::DecodeContext ctx{base, &types, scratch};
  Decoder d{payload, ctx};
  codec::Record rec;
  auto r = d.next(rec);
  if (!r.ok()) return;
  if (!*r || !(rec.path == base)) std::abort();
  codec::Record extra;
  if (d.next(extra).value_or(true)) std::abort();  // exactly one record
  codec::SpanSource src{{&rec, 1}};
  codec::Sink sink{out};
  if (!encode(base, src, sink).ok() || sink.overflowed()) std::abort();
  codec::DecodeContext ctx2{base, &types, scratch2};
  Decoder again{sink.window(), ctx2};
  codec::Record rec2;
  if (!again.next(rec2).value_or(false) || !(rec2.value == rec.value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) return 0;
  const uint16_t rid = data[0] & 0x7F;
  const dm::Path base =
      fuzz::FuzzTypes::multiple(rid) ? dm::Path(3, 0, rid, 1) : dm::Path(3, 0, rid);
  const ByteView payload{data + 1, size - 1};
  if (data[0] & 0x80)
    round_trip<codec::OpaqueDecoder>(base, payload, codec::encode_opaque);
  else
    round_trip<codec::TextDecoder>(base, payload, codec::encode_text);
  return 0;
}
