// SPDX-License-Identifier: Apache-2.0
// Fuzzes the LwM2M CBOR decoder: whatever decodes (and can be re-encoded: the encoder needs
// sorted, unique paths) must encode and decode to the same records. Also drives the plain
// CBOR single-value decoder over the same input.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/cbor_value.hpp"
#include "codec/lwm2m_cbor.hpp"
#include "format_roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lwm2m::fuzz::roundtrip<lwm2m::codec::Lwm2mCborDecoder>({data, size},
                                                         lwm2m::codec::encode_lwm2m_cbor);
  std::vector<uint8_t> scratch(size + 1);
  lwm2m::codec::DecodeContext ctx{lwm2m::dm::Path{3, 0, 1}, nullptr, scratch};
  lwm2m::codec::CborValueDecoder d{{data, size}, ctx};
  lwm2m::codec::Record r;
  auto more = d.next(r);
  if (more && *more) {
    std::vector<uint8_t> out(size + 16);
    lwm2m::codec::Sink sink{out};
    lwm2m::codec::SpanSource src{std::span<const lwm2m::codec::Record>(&r, 1)};
    if (!lwm2m::codec::encode_cbor_value(ctx.base, src, sink) || sink.overflowed()) std::abort();
  }
  return 0;
}
