// SPDX-License-Identifier: Apache-2.0
// Fuzzes the link-format parser. A document that parses completely is written back in
// canonical form (no spaces after commas), which must parse to the same links and params.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "codec/link_format.hpp"

using namespace lwm2m;

namespace {

// Serializes every link of `text`; returns false when it does not parse.
bool canonical(std::string_view text, Sink& out, size_t& links) {
  codec::LinkParser p{text};
  codec::Link l;
  links = 0;
  for (;;) {
    auto more = p.next(l);
    if (!more) return false;
    if (!*more) return true;
    if (links++) out.put(',');
    out.put('<');
    out.write(as_bytes(l.uri));
    out.put('>');
    auto it = l.param_iterator();
    codec::LinkParam prm;
    size_t consumed = 0;
    while (it.next(prm)) {
      out.put(';');
      out.write(as_bytes(prm.name));
      consumed += 1 + prm.name.size();
      if (prm.has_value) {
        out.put('=');
        if (prm.quoted) out.put('"');
        out.write(as_bytes(prm.value));
        if (prm.quoted) out.put('"');
        consumed += 1 + prm.value.size() + (prm.quoted ? 2 : 0);
      }
    }
    // The iterator covers exactly the params the parser validated.
    if (consumed != l.params.size()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint8_t a[1 << 16], b[1 << 16];
  if (size > sizeof a / 2) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Sink s1{a};
  size_t n1;
  if (!canonical(text, s1, n1)) return 0;
  Sink s2{b};
  size_t n2;
  if (!canonical(as_string(s1.window()), s2, n2)) std::abort();
  if (n1 != n2 || s1.total() != s2.total() ||
      std::memcmp(s1.window().data(), s2.window().data(), s1.window().size()) != 0)
    std::abort();
  return 0;
}
