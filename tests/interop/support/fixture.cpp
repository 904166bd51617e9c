// SPDX-License-Identifier: Apache-2.0
#include "support/fixture.hpp"

#include "lwm2m/random.hpp"

namespace lwm2m::interop {

std::string test_body(size_t n, uint32_t seed) {
  XorShiftRandom rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(i % 256 == 0 ? 0xFF : rng.next_u32() & 0xFF);
  return s;
}

size_t count_pdus(const std::vector<LibcoapPdu>& pdus, bool received, std::string_view type,
                  std::string_view code) {
  size_t n = 0;
  for (const LibcoapPdu& p : pdus)
    n += p.received == received && p.type == type && p.code == code ? 1 : 0;
  return n;
}

std::string report(const ProgramRun& run) {
  std::string s = "libcoap exit code: ";
  s += run.exit_code ? std::to_string(*run.exit_code) : "killed after timeout";
  s += "\nlibcoap stderr:\n" + run.errors + "\nlibcoap PDUs:\n";
  for (const LibcoapPdu& p : run.pdus) {
    s += p.received ? "  <- " : "  -> ";
    s += p.type + " " + p.code + " mid=" + std::to_string(p.mid) + " {" + p.token + "} [";
    for (const std::string& o : p.options)
      s += " " + o;
    s += " ]" + (p.payload.empty() ? std::string() : " " + std::to_string(p.payload.size()) + "B");
    s += "\n";
  }
  return s;
}

}  // namespace lwm2m::interop
