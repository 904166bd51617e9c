// SPDX-License-Identifier: Apache-2.0
// Fuzzes the LwM2M JSON decoder. The first byte picks the base path; the rest is the
// document. A document that decodes completely must encode again (after sorting, as the
// data model would walk it) and decode to the same records and times.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "codec/lwm2m_json.hpp"
#include "fuzz_support.hpp"

using namespace lwm2m;

namespace {

constexpr size_t kMaxRecords = 256;
uint8_t arena[1 << 16];
size_t arena_used = 0;

bool same(const codec::Record& a, const codec::Record& b) {
  if (!(a.path == b.path) || a.time != b.time) return false;
  if (a.value.type() == dm::DataType::floating && b.value.type() == dm::DataType::floating)
    return a.value.as_float() == b.value.as_float();
  return a.value == b.value;
}

// Decodes everything, copying bytes out of the scratch (reused per record) into the arena.
bool decode(const dm::Path& base, ByteView doc, codec::Record* out, size_t& n) {
  static fuzz::FuzzTypes types;
  static uint8_t scratch[1 << 14];
  codec::DecodeContext ctx{base, &types, scratch};
  codec::Lwm2mJsonDecoder d{doc, ctx};
  n = 0;
  for (;;) {
    codec::Record r;
    auto more = d.next(r);
    if (!more) return false;
    if (!*more) return true;
    if (n == kMaxRecords) return false;
    if (!base.is_prefix_of(r.path) || r.path.depth() < 3) std::abort();
    const dm::DataType t = r.value.type();
    if (t == dm::DataType::string || t == dm::DataType::opaque || t == dm::DataType::corelnk) {
      ByteView b = r.value.as_bytes();
      if (arena_used + b.size() > sizeof arena) return false;
      if (!b.empty()) std::memcpy(arena + arena_used, b.data(), b.size());
      ByteView copy{arena + arena_used, b.size()};
      arena_used += b.size();
      r.value = t == dm::DataType::opaque   ? dm::Value::opaque(copy)
                : t == dm::DataType::string ? dm::Value::string(as_string(copy))
                                            : dm::Value::corelnk(as_string(copy));
    }
    out[n++] = r;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > (1 << 14)) return 0;
  static codec::Record first[kMaxRecords];
  static codec::Record second[kMaxRecords];
  static uint8_t out[1 << 17];
  arena_used = 0;
  dm::Path base;
  switch (data[0] & 3) {
    case 0:
      break;
    case 1:
      base = dm::Path(3);
      break;
    case 2:
      base = dm::Path(3, 0);
      break;
    default:
      base = dm::Path(3, 0, static_cast<uint16_t>((data[0] >> 2) & 0x1F));
  }
  const ByteView doc{data + 1, size - 1};
  size_t n;
  if (!decode(base, doc, first, n)) return 0;
  std::stable_sort(first, first + n,
                   [](const codec::Record& a, const codec::Record& b) { return a.path < b.path; });
  for (size_t i = 1; i < n; ++i)
    if (first[i - 1].path == first[i].path) return 0;
  for (size_t i = 0; i < n; ++i)
    if (first[i].time &&
        !(*first[i].time == *first[i].time && *first[i].time - *first[i].time == 0))
      return 0;  // bt + t overflowed to infinity: JSON cannot carry it back
  codec::SpanSource src{{first, n}};
  codec::Sink sink{out};
  if (!codec::encode_lwm2m_json(base, src, sink).ok() || sink.overflowed()) std::abort();
  size_t m;
  if (!decode(base, sink.window(), second, m) || m != n) std::abort();
  for (size_t i = 0; i < n; ++i)
    if (!same(first[i], second[i])) std::abort();
  return 0;
}
