// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the content-format tests: a descriptor-like type resolver, encoding
// into a string and decoding a whole payload into owned records.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "codec/decoder.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/sink.hpp"

namespace lwm2m::test {

/// Types by (object, resource), like an object descriptor: a depth-4 path is only known for
/// a multiple resource and a depth-3 path only for a single one (as dm::Registry does).
class TableResolver final : public codec::TypeResolver {
 public:
  struct Entry {
    uint16_t object;
    uint16_t resource;
    dm::DataType type;
    bool multiple = false;
  };
  TableResolver(std::initializer_list<Entry> entries) : entries_(entries) {}
  Result<dm::DataType> type_of(const dm::Path& path) const noexcept override {
    if (path.depth() < 3) return Errc::not_found;
    for (const Entry& e : entries_)
      if (e.object == path.object() && e.resource == path.resource()) {
        if (path.has_resource_instance() != e.multiple) return Errc::not_found;
        return e.type;
      }
    return Errc::not_found;
  }

 private:
  std::vector<Entry> entries_;
};

/// A record that owns its bytes, for comparing decoded output.
struct OwnedRecord {
  dm::Path path;
  dm::DataType type = dm::DataType::none;
  std::string bytes;  // string, opaque, corelnk
  dm::Value scalar;   // everything else
  bool operator==(const OwnedRecord& o) const {
    return path == o.path && type == o.type && bytes == o.bytes && scalar == o.scalar;
  }
};

inline OwnedRecord own(const codec::Record& r) {
  OwnedRecord o;
  o.path = r.path;
  o.type = r.value.type();
  if (o.type == dm::DataType::string || o.type == dm::DataType::opaque ||
      o.type == dm::DataType::corelnk)
    o.bytes = std::string(as_string(r.value.as_bytes()));
  else
    o.scalar = r.value;
  return o;
}

inline std::string path_text(const dm::Path& p) {
  if (p.is_root()) return "/";
  std::string s;
  for (size_t i = 0; i < p.depth(); ++i)
    s += "/" + std::to_string(p.id(i));
  return s;
}

inline std::ostream& operator<<(std::ostream& os, const OwnedRecord& r) {
  os << path_text(r.path) << " type=" << dm::to_string(r.type);
  if (!r.bytes.empty()) os << " bytes=" << r.bytes.size();
  return os;
}

/// Decodes everything; returns the error of the first failing next(), or ok.
template <class Decoder>
Status decode_all(Decoder& d, std::vector<OwnedRecord>& out) {
  for (;;) {
    codec::Record r;
    auto more = d.next(r);
    if (!more) return more.status();
    if (!*more) return {};
    out.push_back(own(r));
  }
}

inline std::string bytes_of(std::initializer_list<int> b) {
  std::string s;
  for (int x : b)
    s.push_back(static_cast<char>(x));
  return s;
}

inline std::string to_hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out += ' ';
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

}  // namespace lwm2m::test
