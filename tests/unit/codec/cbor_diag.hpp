// SPDX-License-Identifier: Apache-2.0
// Test helpers for the CBOR codecs: a diagnostic-notation printer over codec::cbor::Reader
// (the same notation tests/data/cbor_oracle.py prints from Python's cbor2), hex helpers,
// and a runner for the oracle script.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "codec/cbor.hpp"
#include "codec/json_python_oracle.hpp"

namespace lwm2m::test {

inline std::vector<uint8_t> unhex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

inline std::string hex(ByteView b) {
  return hex(as_string(b));
}

/// Shortest "%.*g" that reads back as the same double (Python prints the same way).
inline std::string float_diag(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// Diagnostic notation (RFC 8949 §8, simplified): tags are dropped (the reader skips
/// them), floats use float_diag(), text is printed raw between quotes, bytes as h'..'.
/// Returns "error <errc>" on failure.
inline std::string diag(ByteView in) {
  using namespace codec::cbor;
  Reader r{in};
  std::string out;
  // Per open container: whether the next item is the first, and whether it is a map key.
  struct Level {
    bool first = true;
    bool map = false;
    bool key = true;
    bool chunks = false;
  };
  std::vector<Level> stack;
  for (;;) {
    auto it = r.next();
    if (!it) return std::string("error ") + to_string(it.error());
    if (it->type == Type::eof) return out;
    if (it->type == Type::end) {
      Level l = stack.back();
      stack.pop_back();
      out += l.chunks ? ")" : l.map ? "}" : "]";
    } else {
      if (!stack.empty()) {
        Level& l = stack.back();
        if (!l.first) out += (l.map && !l.key) ? ": " : ", ";
        l.first = false;
        if (l.map) l.key = !l.key;
      }
      switch (it->type) {
        case Type::unsigned_integer:
          out += std::to_string(it->argument);
          break;
        case Type::negative_integer: {
          // -1 - argument, printed without 128-bit arithmetic.
          std::string d = std::to_string(it->argument);
          size_t k = d.size();
          while (k > 0 && d[k - 1] == '9')
            d[--k] = '0';
          if (k == 0) {
            d.insert(d.begin(), '1');
          } else {
            ++d[k - 1];
          }
          out += "-" + d;
          break;
        }
        case Type::bytes:
        case Type::text:
          if (it->indefinite) {
            out += "(_ ";
            stack.push_back({true, false, true, true});
          } else if (it->type == Type::bytes) {
            out += "h'" + hex(it->data) + "'";
          } else {
            out += "\"" + std::string(as_string(it->data)) + "\"";
          }
          break;
        case Type::array:
          out += it->indefinite ? "[_ " : "[";
          stack.push_back({true, false, true, false});
          break;
        case Type::map:
          out += it->indefinite ? "{_ " : "{";
          stack.push_back({true, true, true, false});
          break;
        case Type::boolean:
          out += it->argument ? "true" : "false";
          break;
        case Type::null:
          out += "null";
          break;
        case Type::undefined:
          out += "undefined";
          break;
        case Type::simple:
          out += "simple(" + std::to_string(it->argument) + ")";
          break;
        case Type::floating:
          out += float_diag(it->floating);
          break;
        default:
          return "error unexpected";
      }
    }
  }
}

/// Runs tests/data/cbor_oracle.py (Python's cbor2 and json as independent
/// implementations) on a temp file.
class CborOracle {
 public:
  /// `<mode> <file>` with `bytes` in the file; returns stdout, `ok` false when it failed.
  std::string run(std::string_view mode, ByteView bytes, bool* ok = nullptr) const {
    file_.write(as_string(bytes));
    return exec(std::string(mode) + " " + file_.path(), ok);
  }
  /// `<mode> <seed> <file>`: the script writes a payload to the file (returned in
  /// `payload`) and prints what it holds.
  std::string gen(std::string_view mode, unsigned seed, std::vector<uint8_t>& payload,
                  bool* ok = nullptr) const {
    std::string out = exec(std::string(mode) + " " + std::to_string(seed) + " " + file_.path(), ok);
    std::string bytes = file_.read();
    payload.assign(bytes.begin(), bytes.end());
    return out;
  }

 private:
  std::string exec(const std::string& args, bool* ok) const {
    std::string cmd = std::string(LWM2M_PYTHON) + " " + LWM2M_TEST_DATA_DIR + "/cbor_oracle.py " +
                      args + " 2>/dev/null";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) {
      if (ok) *ok = false;
      return out;
    }
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      out.append(buf, n);
    int rc = pclose(p);
    if (ok) *ok = rc == 0;
    return out;
  }
  JsonOracle file_;  // only for its temp file
};

}  // namespace lwm2m::test
