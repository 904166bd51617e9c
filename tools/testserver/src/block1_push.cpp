// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/testserver/block1_push.hpp"

#include <algorithm>

namespace lwm2m::testserver {
namespace {

constexpr uint16_t kBlock1 = 27;

uint32_t szx_of(uint32_t size) {
  uint32_t szx = 0;
  while ((16u << szx) < size && szx < 6)
    ++szx;
  return szx;
}

Bytes encode_uint(uint32_t v) {
  Bytes b;
  while (v) {
    b.insert(b.begin(), static_cast<uint8_t>(v & 0xFF));
    v >>= 8;
  }
  return b;
}

/// The Block1 option of a response, as (num, more, szx); nullopt when absent.
std::optional<uint32_t> block1_of(const Response& r) {
  for (const CoapOption& o : r.options) {
    if (o.number != kBlock1) continue;
    uint32_t v = 0;
    for (uint8_t c : o.value)
      v = (v << 8) | c;
    return v;
  }
  return std::nullopt;
}

}  // namespace

Block1Push push_block1(Server& server, const std::string& endpoint, const std::string& path,
                       const Bytes& payload, ContentFormat content_format, uint32_t block_size,
                       Duration per_block) {
  Block1Push out;
  uint32_t szx = szx_of(block_size);
  uint32_t num = 0;
  for (;;) {
    const uint32_t size = 16u << szx;
    const size_t offset = size_t{num} * size;
    const size_t n = std::min<size_t>(size, payload.size() - std::min(offset, payload.size()));
    const bool more = offset + n < payload.size();
    Request r;
    r.method = coap_code(0, 3);  // PUT
    r.path = path;
    r.content_format = content_format;
    r.payload.assign(payload.begin() + static_cast<std::ptrdiff_t>(offset),
                     payload.begin() + static_cast<std::ptrdiff_t>(offset + n));
    r.options.push_back({kBlock1, encode_uint((num << 4) | (more ? 8u : 0u) | szx)});
    out.last = server.send_request(endpoint, r, per_block);
    ++out.requests;
    const auto b1 = block1_of(out.last);
    if (out.last.received() && out.last.code == coap_code(4, 13) && b1 && (*b1 & 7) < szx) {
      // The client takes smaller blocks: start over at its size (RFC 7959 §2.9.3).
      szx = *b1 & 7;
      num = 0;
      ++out.fallbacks;
      continue;
    }
    if (!out.last.received() || out.last.code != coap_code(2, 31) || !more) break;
    // A 2.31 may name a smaller size for the next blocks (late negotiation, §2.5).
    if (b1 && (*b1 & 7) < szx) {
      const uint32_t next_offset = static_cast<uint32_t>(offset + n);
      szx = *b1 & 7;
      num = next_offset / (16u << szx);
    } else {
      ++num;
    }
  }
  out.block_size = 16u << szx;
  return out;
}

}  // namespace lwm2m::testserver
