// SPDX-License-Identifier: Apache-2.0
// Fuzzes the lwm2m-server console: every input line is a command for a console with no
// listener, so each command's arguments are parsed (paths, formats, values, attributes,
// quotes) and then answered "no such client" without any network I/O. A bad line must get
// its one-line answer, never an exception out of execute() or a crash. push-firmware is left
// out: it reads the file it names, and a fuzzer could name /dev/zero.
#include <cstddef>
#include <cstdint>
#include <string>

#include "console.hpp"

using namespace lwm2m::testserver;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static console::Console c(
      {}, nullptr, [](const std::string&) {}, false, Duration{100});
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    bool firmware = false;
    try {
      auto words = console::split_words(line);
      firmware = !words.empty() && words[0] == "push-firmware";
    } catch (...) {
      // an unclosed quote: execute() answers it
    }
    if (!firmware) (void)c.execute(line);
  }
  return 0;
}
