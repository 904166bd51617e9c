// SPDX-License-Identifier: Apache-2.0
// Fuzzes the CoAP message codec (RFC 7252 §3). Besides crashes and sanitizer reports it
// checks the round trip: the option header encoding is canonical (a delta or length has
// exactly one valid form) and values are kept as bytes, so a datagram that parses must
// re-encode to exactly the same bytes, and those must parse to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "lwm2m/coap/message.hpp"

namespace {

using namespace lwm2m;
using namespace lwm2m::coap;

void check(bool ok) {
  if (!ok) std::abort();
}

bool same_bytes(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool same_message(const Message& a, const Message& b) {
  if (a.type != b.type || a.code != b.code || a.message_id != b.message_id ||
      !(a.token == b.token) || !same_bytes(a.payload, b.payload))
    return false;
  auto oa = a.options();
  auto ob = b.options();
  if (oa.size() != ob.size()) return false;
  for (size_t i = 0; i < oa.size(); ++i)
    if (oa[i].number != ob[i].number || !same_bytes(oa[i].value(), ob[i].value())) return false;
  return true;
}

// The typed accessors must cope with any option value the parser lets through.
void use_accessors(const Message& m) {
  volatile uint32_t sink = 0;
  for (OptionNumber n : {OptionNumber::block1, OptionNumber::block2}) {
    if (auto b = m.block(n)) {
      check(b->szx < 7 && b->num < (1u << 20));
      sink = sink + b->offset() + b->size();
    }
  }
  sink = sink + m.content_format().value_or(0) + m.accept().value_or(0) + m.observe().value_or(0);
  std::string_view paths[4];
  const size_t n = m.strings(OptionNumber::uri_path, paths);
  for (size_t i = 0; i < n && i < 4; ++i)
    sink = sink + static_cast<uint32_t>(paths[i].size());
  for (const Option& o : m.options()) {
    (void)option_info(o.number);
    sink = sink + o.uint_value();
  }
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input{data, size};
  Message m;
  const ParseError err = parse(input, m);
  check(to_string(err) != nullptr);
  if (err != ParseError::none) return 0;
  use_accessors(m);

  check(encoded_size(m) == size);
  static uint8_t out[70000];
  if (size > sizeof(out)) return 0;
  auto n = encode(m, {out, sizeof(out)});
  check(n.ok() && *n == size);
  check(std::memcmp(out, data, size) == 0);

  // A buffer one byte short is refused, never overrun.
  if (size > 0) {
    auto short_n = encode(m, {out, size - 1});
    check(!short_n.ok() && short_n.status().error() == Errc::buffer_too_small);
  }

  Message again;
  check(parse({out, size}, again) == ParseError::none);
  check(same_message(m, again));
  return 0;
}
