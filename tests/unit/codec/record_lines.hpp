// SPDX-License-Identifier: Apache-2.0
// Test helpers shared by the format tests: records as the text lines the Python oracles
// print, a TypeResolver over a fixed table, and a fixed-seed generator of record trees.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "codec/decoder.hpp"
#include "codec/json_python_oracle.hpp"
#include "codec/number.hpp"

namespace lwm2m::test {

inline std::string path_text(const dm::Path& p) {
  char buf[dm::Path::kMaxTextLength];
  return std::string(buf, p.format(buf));
}

inline std::string double_bits(double d) {
  uint8_t b[8];
  uint64_t u;
  std::memcpy(&u, &d, 8);
  for (int k = 0; k < 8; ++k)
    b[k] = static_cast<uint8_t>(u >> (56 - 8 * k));
  return hex(std::string_view(reinterpret_cast<const char*>(b), 8));
}

/// "<path> <time bits|-> <kind> <value>" as cbor_oracle.py / json_oracle.py print it.
/// `json`: a float that JSON writes without fraction or exponent reads back as an integer.
/// `with_time`: false for formats without timestamps (the oracle prints "-").
inline std::string line(const codec::Record& r, bool json = false, bool with_time = true) {
  std::string s = path_text(r.path) + " " +
                  (r.time && with_time ? double_bits(*r.time) : std::string("-")) + " ";
  const dm::Value& v = r.value;
  switch (v.type()) {
    case dm::DataType::none:
      return s + "none";
    case dm::DataType::integer:
    case dm::DataType::time:
      return s + "v i " + std::to_string(v.as_integer());
    case dm::DataType::unsigned_integer:
      return s + "v i " + std::to_string(v.as_unsigned());
    case dm::DataType::floating: {
      if (json) {
        char buf[codec::number::kMaxChars];
        std::string t(buf, codec::number::format_double(v.as_float(), buf));
        if (t.find_first_of(".e") == std::string::npos)
          return s + "v i " + std::to_string(std::stoll(t));
      }
      return s + "v f " + double_bits(v.as_float());
    }
    case dm::DataType::boolean:
      return s + "vb " + (v.as_bool() ? "true" : "false");
    case dm::DataType::opaque:
      return s + "vd " + hex(as_string(v.as_bytes()));
    case dm::DataType::objlnk: {
      auto l = v.as_objlnk();
      return s + "vlo " + hex(std::to_string(l.object_id) + ":" + std::to_string(l.instance_id));
    }
    default:
      return s + "vs " + hex(v.as_string());
  }
}

inline std::string lines(const std::vector<codec::Record>& rs, bool json = false,
                         bool with_time = true) {
  std::string out;
  for (const auto& r : rs)
    out += line(r, json, with_time) + "\n";
  return out;
}

class TableTypes final : public codec::TypeResolver {
 public:
  void set(const dm::Path& p, dm::DataType t) { types_[p] = t; }
  void learn(const std::vector<codec::Record>& rs) {
    for (const auto& r : rs)
      if (!r.value.is_none()) set(r.path, r.value.type());
  }
  Result<dm::DataType> type_of(const dm::Path& p) const noexcept override {
    auto it = types_.find(p);
    if (it == types_.end()) return Errc::not_found;
    return it->second;
  }

 private:
  std::map<dm::Path, dm::DataType> types_;
};

/// Decodes everything; the records (values copied into `storage`) or the first error.
template <class Decoder>
Status decode_all(ByteView payload, const codec::DecodeContext& ctx,
                  std::vector<codec::Record>& out, std::deque<std::string>& storage) {
  Decoder d{payload, ctx};
  for (;;) {
    codec::Record r;
    auto more = d.next(r);
    if (!more) return more.status();
    if (!*more) return {};
    // Byte values point into the scratch until the next call: keep a copy.
    auto t = r.value.type();
    if (t == dm::DataType::string || t == dm::DataType::opaque || t == dm::DataType::corelnk) {
      storage.emplace_back(as_string(r.value.as_bytes()));
      ByteView b = as_bytes(storage.back());
      r.value = t == dm::DataType::opaque   ? dm::Value::opaque(b)
                : t == dm::DataType::string ? dm::Value::string(as_string(b))
                                            : dm::Value::corelnk(as_string(b));
    }
    out.push_back(r);
  }
}

/// Random records below `base` (depth 2): sorted, unique paths, sparse ids, every type,
/// edge values. Byte values point into `storage`.
class RecordGen {
 public:
  explicit RecordGen(uint64_t seed) : rng_(seed) {}
  std::vector<codec::Record> make(const dm::Path& base, bool times, bool json_safe) {
    std::map<dm::Path, int> paths;
    const int n = 1 + static_cast<int>(rng_() % 10);
    static const uint16_t kIds[] = {0, 1, 2, 7, 100, 1000, 65534};
    for (int i = 0; i < n; ++i) {
      dm::Path p{base.object(), base.instance(), kIds[rng_() % 7]};
      if (rng_() % 3 == 0) p = dm::Path{p.object(), p.instance(), p.resource(), kIds[rng_() % 7]};
      paths[p] = 0;
    }
    std::vector<codec::Record> out;
    dm::Path last_resource;
    for (auto& [p, unused] : paths) {
      // A resource that has instances in the set cannot also be a leaf.
      bool has_children = false;
      for (auto& [q, u2] : paths)
        has_children |= q.depth() == 4 && p.depth() == 3 && q.parent() == p;
      if (has_children) continue;
      codec::Record r;
      r.path = p;
      r.value = value(json_safe);
      if (times) r.time = 1700000000.0 + static_cast<double>(out.size());
      out.push_back(r);
    }
    return out;
  }

 private:
  dm::Value value(bool json_safe) {
    switch (rng_() % 8) {
      case 0: {
        static const int64_t kInts[] = {0,   1,   -1,   23,    24,        -24,       -25,
                                        255, 256, -257, 65536, INT64_MAX, INT64_MIN, 1367491215};
        return dm::Value::integer(kInts[rng_() % 14]);
      }
      case 1: {
        static const uint64_t kUints[] = {0, 1, static_cast<uint64_t>(INT64_MAX) + 1, UINT64_MAX};
        return dm::Value::unsigned_integer(kUints[rng_() % 4]);
      }
      case 2: {
        static const double kFloats[] = {
            0.5,      -2.25, 1.1,   1e300, 3.4028234663852886e+38, 1.0000000000000002,
            100000.0, -1e-7, 5e-324};
        double d = kFloats[rng_() % 9];
        if (json_safe && d == 100000.0) d = 100000.5;
        return dm::Value::floating(d);
      }
      case 3: {
        static const char* kStrings[] = {"",
                                         "a",
                                         "Open Mobile Alliance",
                                         "\xc3\xa9t\xc3\xa9",
                                         "quote\" back\\ nl\n",
                                         "\xf0\x9f\x98\x80"};
        storage_.emplace_back(kStrings[rng_() % 6]);
        return dm::Value::string(storage_.back());
      }
      case 4:
        return dm::Value::boolean(rng_() % 2);
      case 5: {
        std::string b;
        const size_t len = rng_() % 7;
        for (size_t k = 0; k < len; ++k)
          b += static_cast<char>(rng_() % 256);
        storage_.push_back(b);
        return dm::Value::opaque(as_bytes(storage_.back()));
      }
      case 6:
        return dm::Value::objlnk(static_cast<uint16_t>(rng_() % 65536),
                                 static_cast<uint16_t>(rng_() % 65536));
      default:
        return dm::Value::time(static_cast<int64_t>(rng_() % 4000000000u) - 1000);
    }
  }
  std::mt19937_64 rng_;
  std::deque<std::string> storage_;
};

}  // namespace lwm2m::test
