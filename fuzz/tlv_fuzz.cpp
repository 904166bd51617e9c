// SPDX-License-Identifier: Apache-2.0
// Fuzzes the TLV decoder. The first byte picks the base path (depth and ids); the rest is
// the payload. A payload that decodes completely must encode again (after sorting, as the
// data model would walk it) and decode to the same records.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "codec/tlv.hpp"
#include "fuzz_support.hpp"

using namespace lwm2m;

namespace {

constexpr size_t kMaxRecords = 512;

bool same(const dm::Value& a, const dm::Value& b) {
  if (a.type() == dm::DataType::floating && b.type() == dm::DataType::floating) {
    double x = a.as_float(), y = b.as_float();
    return std::memcmp(&x, &y, sizeof x) == 0 || x == y;
  }
  return a == b;
}

size_t decode(const dm::Path& base, ByteView payload, codec::Record* out, bool& ok) {
  static fuzz::FuzzTypes types;
  codec::DecodeContext ctx{base, &types, {}};
  codec::TlvDecoder d{payload, ctx};
  size_t n = 0;
  ok = false;
  for (;;) {
    codec::Record r;
    auto more = d.next(r);
    if (!more) return n;
    if (!*more) break;
    if (n == kMaxRecords) return n;
    // Every record lies at or below the base (or, for Create, in an unnamed instance).
    if (base.depth() >= 2 && !base.is_prefix_of(r.path)) std::abort();
    if (r.path.object() != base.object()) std::abort();
    out[n++] = r;
  }
  ok = true;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static codec::Record first[kMaxRecords];
  static codec::Record second[kMaxRecords];
  static uint8_t out[1 << 17];
  const uint8_t sel = data[0];
  const uint16_t rid = (sel >> 2) & 0x0F;
  dm::Path base;
  switch (sel & 3) {
    case 0:
      base = dm::Path(3);
      break;
    case 1:
      base = dm::Path(3, 1);
      break;
    case 2:
      base = dm::Path(3, 1, rid);
      break;
    default:
      base = dm::Path(3, 1, rid, 2);
  }
  if (sel & 0x80) base = dm::Path();
  const ByteView payload{data + 1, size - 1};

  bool ok;
  size_t n = decode(base, payload, first, ok);
  {
    // Restartable: a second decoder over the same payload gives the same records.
    bool ok2;
    size_t n2 = decode(base, payload, second, ok2);
    if (n2 != n || ok2 != ok) std::abort();
    for (size_t i = 0; i < n; ++i)
      if (!(first[i].path == second[i].path) || !same(first[i].value, second[i].value))
        std::abort();
  }
  if (!ok || base.is_root()) return 0;  // TLV has no representation of the root

  // Round trip, for what the encoder can represent: known instance ids, values present,
  // each path once.
  for (size_t i = 0; i < n; ++i)
    if (first[i].value.is_none() || first[i].path.instance() == dm::kInvalidId) return 0;
  std::stable_sort(first, first + n,
                   [](const codec::Record& a, const codec::Record& b) { return a.path < b.path; });
  for (size_t i = 1; i < n; ++i)
    if (first[i - 1].path == first[i].path) return 0;
  codec::SpanSource src{{first, n}};
  codec::Sink sink{out};
  if (!codec::encode_tlv(base, src, sink).ok() || sink.overflowed()) std::abort();
  size_t m = decode(base, sink.window(), second, ok);
  if (!ok || m != n) std::abort();
  for (size_t i = 0; i < n; ++i)
    if (!(first[i].path == second[i].path) || !same(first[i].value, second[i].value)) std::abort();
  return 0;
}
