// SPDX-License-Identifier: Apache-2.0
// Runs tests/data/json_oracle.py (Python's json module as an independent implementation)
// on bytes produced by the library, or has it produce documents for the library to read.
#pragma once

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace lwm2m::test {

class JsonOracle {
 public:
  JsonOracle() {
    char tmpl[] = "/tmp/lwm2m_json_oracle_XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd >= 0) close(fd);
    path_ = tmpl;
  }
  ~JsonOracle() { std::remove(path_.c_str()); }
  JsonOracle(const JsonOracle&) = delete;
  JsonOracle& operator=(const JsonOracle&) = delete;

  const std::string& path() const { return path_; }

  void write(std::string_view bytes) const {
    FILE* f = std::fopen(path_.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::string read() const {
    std::string out;
    FILE* f = std::fopen(path_.c_str(), "rb");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
      out.append(buf, n);
    std::fclose(f);
    return out;
  }

  /// Runs `json_oracle.py <args>` and returns its stdout; `ok` is false when it failed.
  std::string run(const std::string& args, bool* ok = nullptr) const {
    std::string cmd = std::string(LWM2M_PYTHON) + " " + LWM2M_TEST_DATA_DIR + "/json_oracle.py " +
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

  /// Writes `bytes` to the temp file and runs `<mode> <file>`.
  std::string parse(std::string_view mode, std::string_view bytes, bool* ok = nullptr) const {
    write(bytes);
    return run(std::string(mode) + " " + path_, ok);
  }

 private:
  std::string path_;
};

inline std::string hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

}  // namespace lwm2m::test
