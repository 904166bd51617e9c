// SPDX-License-Identifier: Apache-2.0
// Shared by the format fuzzers: decode everything a decoder accepts, encode the records
// again with the matching encoder, decode that, and require the same records. Values are
// compared by number where the wire may legitimately retype them (a float 2.0 written as
// the JSON number 2 comes back as an integer when no types are known).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "codec/decoder.hpp"

namespace lwm2m::fuzz {

inline bool numeric(const dm::Value& v, double& d) {
  switch (v.type()) {
    case dm::DataType::integer:
    case dm::DataType::time:
      d = static_cast<double>(v.as_integer());
      return true;
    case dm::DataType::unsigned_integer:
      d = static_cast<double>(v.as_unsigned());
      return true;
    case dm::DataType::floating:
      d = v.as_float();
      return true;
    default:
      return false;
  }
}

inline bool same(const dm::Value& a, const dm::Value& b) {
  double x, y;
  if (numeric(a, x) && numeric(b, y)) return x == y || (std::isnan(x) && std::isnan(y));
  return a == b;
}

inline bool same_time(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || *a == *b || (std::isnan(*a) && std::isnan(*b));
}

/// Records with their bytes copied out of the decoder's scratch.
struct Decoded {
  std::vector<codec::Record> records;
  std::vector<std::vector<uint8_t>> bytes;
};

template <class Decoder>
bool decode_all(ByteView payload, Decoded& out) {
  std::vector<uint8_t> scratch(payload.size() + 1);
  codec::DecodeContext ctx{dm::Path{}, nullptr, scratch};
  Decoder d{payload, ctx};
  for (;;) {
    codec::Record r;
    auto more = d.next(r);
    if (!more) return false;
    if (!*more) break;
    auto t = r.value.type();
    if (t == dm::DataType::string || t == dm::DataType::opaque) {
      auto b = r.value.as_bytes();
      out.bytes.emplace_back(b.begin(), b.end());
      out.records.push_back(r);
    } else {
      out.records.push_back(r);
      out.bytes.emplace_back();
    }
  }
  // Point byte values at the copies (the decoder's scratch is about to go).
  for (size_t i = 0; i < out.records.size(); ++i) {
    auto& r = out.records[i];
    const auto& b = out.bytes[i];
    if (r.value.type() == dm::DataType::string) {
      r.value = dm::Value::string({reinterpret_cast<const char*>(b.data()), b.size()});
    } else if (r.value.type() == dm::DataType::opaque) {
      r.value = dm::Value::opaque({b.data(), b.size()});
    }
  }
  return true;
}

template <class Decoder>
void roundtrip(ByteView payload,
               Status (*encode)(const dm::Path&, codec::RecordSource&, codec::Sink&) noexcept) {
  Decoded first;
  if (!decode_all<Decoder>(payload, first)) return;
  std::vector<uint8_t> buf(payload.size() * 4 + 1024);
  codec::Sink sink{buf};
  codec::SpanSource src{first.records};
  // Refusals (an order LwM2M CBOR cannot express, NaN in JSON) are fine; crashes are not.
  if (!encode(dm::Path{}, src, sink)) return;
  if (sink.overflowed()) std::abort();
  Decoded second;
  if (!decode_all<Decoder>(sink.window(), second)) std::abort();
  if (second.records.size() != first.records.size()) std::abort();
  for (size_t i = 0; i < first.records.size(); ++i) {
    const auto& a = first.records[i];
    const auto& b = second.records[i];
    if (!(a.path == b.path) || !same(a.value, b.value) || !same_time(a.time, b.time)) std::abort();
  }
}

}  // namespace lwm2m::fuzz
