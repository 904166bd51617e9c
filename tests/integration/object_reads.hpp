// SPDX-License-Identifier: Apache-2.0
// Test-side readers for the standard-object tests: what resource paths (and values, as text)
// a Read answer holds, in TLV, SenML JSON, SenML CBOR and LwM2M CBOR, decoded independently
// of the library's codecs. Values: numbers and booleans as the format writes them, strings
// quoted; TLV values are raw bytes, so TLV gives paths only.
#pragma once

#include <map>
#include <regex>
#include <set>
#include <string>

#include "fixture.hpp"

namespace lwm2m::itest {

using PathValues = std::map<std::string, std::string>;

inline void flatten_tlv(const std::vector<Tlv>& items, const std::string& base, PathValues& out) {
  for (const Tlv& t : items) {
    std::string path = base + "/" + std::to_string(t.id);
    if (t.type == 0 || t.type == 2)
      flatten_tlv(t.children, path, out);
    else
      out[path] = "";
  }
}

/// `base` is the path read (an instance: "/3/0").
inline PathValues tlv_paths(const ByteVec& payload, const std::string& base) {
  PathValues out;
  if (auto items = parse_tlv(payload)) flatten_tlv(*items, base, out);
  return out;
}

inline PathValues senml_json_values(const std::string& text) {
  PathValues out;
  static const std::regex record(R"(\{[^{}]*\})");
  static const std::regex bn(R"re("bn":"([^"]*)")re"), n(R"re("n":"([^"]*)")re");
  static const std::regex value(R"re("(v|vs|vb|vd|vlo)":("[^"]*"|[^,}]*))re");
  std::string base;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), record);
       it != std::sregex_iterator(); ++it) {
    std::string r = it->str();
    std::smatch m;
    if (std::regex_search(r, m, bn)) base = m[1];
    std::string name = std::regex_search(r, m, n) ? std::string(m[1]) : "";
    out[base + name] = std::regex_search(r, m, value) ? std::string(m[2]) : "";
  }
  return out;
}

inline void flatten_cbor(const Cbor& c, const std::string& base, PathValues& out) {
  if (c.kind != Cbor::Kind::map) {
    out[base] = c.diag();
    return;
  }
  for (const auto& [k, v] : c.entries) {
    std::string path = base;
    if (k.kind == Cbor::Kind::array)
      for (const Cbor& seg : k.items)
        path += "/" + std::to_string(seg.u);
    else
      path += "/" + std::to_string(k.u);
    flatten_cbor(v, path, out);
  }
}

inline PathValues lwm2m_cbor_values(const ByteVec& payload) {
  PathValues out;
  CborReader r(payload);
  if (auto c = r.read()) flatten_cbor(*c, "", out);
  return out;
}

inline std::set<std::string> paths_of(const PathValues& v) {
  std::set<std::string> s;
  for (auto& [p, _] : v)
    s.insert(p);
  return s;
}

/// Reads `instance` ("/3/0") in the four formats; every answer must be 2.05 and hold the
/// same resource paths. Returns the SenML CBOR values (the paths with their values).
inline PathValues read_in_every_format(ts::Server& server, const std::string& ep,
                                       const std::string& instance) {
  using CF = ts::ContentFormat;
  auto tlv = server.read(ep, instance, CF::tlv);
  auto json = server.read(ep, instance, CF::senml_json);
  auto cbor = server.read(ep, instance, CF::senml_cbor);
  auto lcbor = server.read(ep, instance, CF::lwm2m_cbor);
  EXPECT_EQ(tlv.code_string(), "2.05") << tlv.describe();
  EXPECT_EQ(json.code_string(), "2.05") << json.describe();
  EXPECT_EQ(cbor.code_string(), "2.05") << cbor.describe();
  EXPECT_EQ(lcbor.code_string(), "2.05") << lcbor.describe();
  PathValues cbor_values = senml_cbor_map(cbor.payload);
  std::set<std::string> expected = paths_of(cbor_values);
  EXPECT_FALSE(expected.empty()) << cbor_diag(cbor.payload);
  EXPECT_EQ(paths_of(tlv_paths(tlv.payload, instance)), expected) << "TLV";
  EXPECT_EQ(paths_of(senml_json_values(json.text())), expected) << json.text();
  EXPECT_EQ(paths_of(lwm2m_cbor_values(lcbor.payload)), expected) << cbor_diag(lcbor.payload);
  return cbor_values;
}

}  // namespace lwm2m::itest
