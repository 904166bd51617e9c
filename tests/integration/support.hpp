// SPDX-License-Identifier: Apache-2.0
// Test-side decoders for what the client sends, written independently of the library's
// codecs (which would otherwise check themselves): a small CBOR reader with diagnostic
// notation, SenML CBOR records resolved to full names, and a TLV parser.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lwm2m::itest {

using ByteVec = std::vector<uint8_t>;

// ---- CBOR (RFC 8949), definite and indefinite lengths ----

struct Cbor {
  enum class Kind { uint, nint, bytes, text, array, map, floating, simple } kind = Kind::simple;
  uint64_t u = 0;  ///< uint; nint holds -1 - value; simple holds the simple value
  double f = 0;
  std::string s;  ///< text and bytes
  std::vector<Cbor> items;
  std::vector<std::pair<Cbor, Cbor>> entries;

  /// Diagnostic notation: 1, -2, 21.5, "text", h'00ff', [..], {k: v, ..}, true.
  std::string diag() const {
    switch (kind) {
      case Kind::uint:
        return std::to_string(u);
      case Kind::nint:
        return "-" + std::to_string(u + 1);
      case Kind::floating: {
        char buf[40];
        for (int prec = 1; prec <= 17; ++prec) {
          std::snprintf(buf, sizeof buf, "%.*g", prec, f);
          if (std::strtod(buf, nullptr) == f) break;
        }
        std::string t = buf;
        if (t.find_first_of(".en") == std::string::npos) t += ".0";
        return t;
      }
      case Kind::text:
        return "\"" + s + "\"";
      case Kind::bytes: {
        std::string t = "h'";
        char b[3];
        for (unsigned char c : s) {
          std::snprintf(b, sizeof b, "%02x", c);
          t += b;
        }
        return t + "'";
      }
      case Kind::array: {
        std::string t = "[";
        for (size_t i = 0; i < items.size(); ++i)
          t += (i ? ", " : "") + items[i].diag();
        return t + "]";
      }
      case Kind::map: {
        std::string t = "{";
        for (size_t i = 0; i < entries.size(); ++i)
          t += (i ? ", " : "") + entries[i].first.diag() + ": " + entries[i].second.diag();
        return t + "}";
      }
      case Kind::simple:
        return u == 20 ? "false" : u == 21 ? "true" : u == 22 ? "null" : "simple";
    }
    return "?";
  }
};

class CborReader {
 public:
  explicit CborReader(const ByteVec& b) : b_(b) {}
  /// nullopt on malformed input.
  std::optional<Cbor> read() {
    if (pos_ >= b_.size()) return std::nullopt;
    uint8_t ib = b_[pos_++];
    int major = ib >> 5, info = ib & 31;
    Cbor c;
    if (major == 7) {
      if (info == 25 || info == 26 || info == 27) {
        auto raw = arg(info);
        if (!raw) return std::nullopt;
        c.kind = Cbor::Kind::floating;
        c.f = info == 25   ? half(static_cast<uint16_t>(*raw))
              : info == 26 ? single(static_cast<uint32_t>(*raw))
                           : dbl(*raw);
        return c;
      }
      c.kind = Cbor::Kind::simple;
      c.u = static_cast<uint64_t>(info);
      return c;
    }
    bool indefinite = info == 31 && major >= 2 && major <= 5;
    uint64_t n = 0;
    if (!indefinite) {
      auto a = arg(info);
      if (!a) return std::nullopt;
      n = *a;
    }
    switch (major) {
      case 0:
        c.kind = Cbor::Kind::uint;
        c.u = n;
        return c;
      case 1:
        c.kind = Cbor::Kind::nint;
        c.u = n;
        return c;
      case 2:
      case 3:
        c.kind = major == 2 ? Cbor::Kind::bytes : Cbor::Kind::text;
        if (indefinite) {
          while (pos_ < b_.size() && b_[pos_] != 0xFF) {
            auto chunk = read();
            if (!chunk) return std::nullopt;
            c.s += chunk->s;
          }
          if (pos_++ >= b_.size()) return std::nullopt;
          return c;
        }
        if (n > b_.size() - pos_) return std::nullopt;
        c.s.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
        pos_ += n;
        return c;
      case 4:
      case 5:
        c.kind = major == 4 ? Cbor::Kind::array : Cbor::Kind::map;
        for (uint64_t i = 0; indefinite || i < n; ++i) {
          if (indefinite && pos_ < b_.size() && b_[pos_] == 0xFF) {
            ++pos_;
            break;
          }
          auto k = read();
          if (!k) return std::nullopt;
          if (major == 4) {
            c.items.push_back(std::move(*k));
          } else {
            auto v = read();
            if (!v) return std::nullopt;
            c.entries.emplace_back(std::move(*k), std::move(*v));
          }
        }
        return c;
      case 6: {  // tag: the tagged item
        return read();
      }
    }
    return std::nullopt;
  }
  bool at_end() const { return pos_ == b_.size(); }

 private:
  std::optional<uint64_t> arg(int info) {
    if (info < 24) return static_cast<uint64_t>(info);
    size_t len = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (len == 0 || len > b_.size() - pos_) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < len; ++i)
      v = (v << 8) | b_[pos_++];
    return v;
  }
  static double half(uint16_t h) {
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v = e == 0    ? std::ldexp(m, -24)
               : e == 31 ? (m ? NAN : INFINITY)
                         : std::ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
  }
  static double single(uint32_t x) {
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
  static double dbl(uint64_t x) {
    double d;
    std::memcpy(&d, &x, 8);
    return d;
  }
  const ByteVec& b_;
  size_t pos_ = 0;
};

/// The whole payload as one CBOR item in diagnostic notation ("<malformed>" otherwise).
inline std::string cbor_diag(const ByteVec& b) {
  CborReader r(b);
  auto c = r.read();
  if (!c || !r.at_end()) return "<malformed>";
  return c->diag();
}

/// SenML CBOR records (RFC 8428 labels: -2 bn, 0 n, 2 v, 3 vs, 4 vb, 8 vd, vlo "vlo")
/// resolved to full names: name -> value in diagnostic notation. Empty when malformed.
inline std::vector<std::pair<std::string, std::string>> senml_cbor_records(const ByteVec& b) {
  std::vector<std::pair<std::string, std::string>> out;
  CborReader r(b);
  auto c = r.read();
  if (!c || c->kind != Cbor::Kind::array) return out;
  std::string base;
  for (const Cbor& rec : c->items) {
    std::string name, value;
    for (const auto& [k, v] : rec.entries) {
      long key = k.kind == Cbor::Kind::uint   ? static_cast<long>(k.u)
                 : k.kind == Cbor::Kind::nint ? -1 - static_cast<long>(k.u)
                                              : 1000;
      if (key == -2) base = v.s;
      if (key == 0) name = v.s;
      if (key == 2 || key == 3 || key == 4 || key == 8 || k.s == "vlo") value = v.diag();
    }
    out.emplace_back(base + name, value);
  }
  return out;
}

inline std::map<std::string, std::string> senml_cbor_map(const ByteVec& b) {
  std::map<std::string, std::string> m;
  for (auto& [n, v] : senml_cbor_records(b))
    m[n] = v;
  return m;
}

// ---- TLV (OMA LwM2M Core §7.4.3) ----

struct Tlv {
  int type = 0;  ///< 0 object instance, 1 resource instance, 2 multiple resource, 3 resource
  uint16_t id = 0;
  ByteVec value;
  std::vector<Tlv> children;  ///< types 0 and 2
  int64_t as_int() const {
    int64_t v = (value.empty() || !(value[0] & 0x80)) ? 0 : -1;
    for (uint8_t x : value)
      v = static_cast<int64_t>(static_cast<uint64_t>(v) << 8 | x);
    return v;
  }
  double as_float() const {
    if (value.size() == 4) {
      uint32_t x = 0;
      for (uint8_t c : value)
        x = x << 8 | c;
      float f;
      std::memcpy(&f, &x, 4);
      return f;
    }
    uint64_t x = 0;
    for (uint8_t c : value)
      x = x << 8 | c;
    double d;
    std::memcpy(&d, &x, 8);
    return d;
  }
  std::string as_string() const { return std::string(value.begin(), value.end()); }
  const Tlv* child(uint16_t cid) const {
    for (const Tlv& t : children)
      if (t.id == cid) return &t;
    return nullptr;
  }
};

/// nullopt when malformed.
inline std::optional<std::vector<Tlv>> parse_tlv(const uint8_t* p, size_t n) {
  std::vector<Tlv> out;
  size_t i = 0;
  while (i < n) {
    uint8_t t = p[i++];
    Tlv e;
    e.type = t >> 6;
    size_t idlen = (t & 0x20) ? 2 : 1;
    if (n - i < idlen) return std::nullopt;
    e.id = idlen == 2 ? static_cast<uint16_t>(p[i] << 8 | p[i + 1]) : p[i];
    i += idlen;
    size_t lt = (t >> 3) & 3, len = t & 7;
    if (lt) {
      if (n - i < lt) return std::nullopt;
      len = 0;
      for (size_t k = 0; k < lt; ++k)
        len = len << 8 | p[i++];
    }
    if (n - i < len) return std::nullopt;
    e.value.assign(p + i, p + i + len);
    if (e.type == 0 || e.type == 2) {
      auto kids = parse_tlv(p + i, len);
      if (!kids) return std::nullopt;
      e.children = std::move(*kids);
    }
    i += len;
    out.push_back(std::move(e));
  }
  return out;
}
inline std::optional<std::vector<Tlv>> parse_tlv(const ByteVec& b) {
  return parse_tlv(b.data(), b.size());
}

inline ByteVec bytes_of(const std::string& s) {
  return ByteVec(s.begin(), s.end());
}

}  // namespace lwm2m::itest
