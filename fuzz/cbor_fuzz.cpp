// SPDX-License-Identifier: Apache-2.0
// Fuzzes the CBOR reader: every item sequence it accepts is written again with the writer
// (same structure, indefinite lengths kept, tags dropped) and must read back identically.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "codec/cbor.hpp"

using namespace lwm2m;
using namespace lwm2m::codec::cbor;

namespace {

bool read_all(ByteView in, std::vector<Item>& out) {
  Reader r{in};
  for (;;) {
    auto it = r.next();
    if (!it) return false;
    out.push_back(*it);
    if (it->type == Type::eof) return true;
  }
}

void write(Writer& w, const Item& it) {
  switch (it.type) {
    case Type::unsigned_integer:
      return w.unsigned_integer(it.argument);
    case Type::negative_integer:
      return w.head(Major::negative_integer, it.argument);
    case Type::bytes:
    case Type::text:
      if (it.indefinite)
        return w.begin_indefinite(it.type == Type::bytes ? Major::bytes : Major::text);
      if (it.type == Type::bytes) return w.bytes(it.data);
      return w.text(as_string(it.data));
    case Type::array:
    case Type::map:
      if (it.indefinite)
        return w.begin_indefinite(it.type == Type::array ? Major::array : Major::map);
      return w.head(it.type == Type::array ? Major::array : Major::map, it.argument);
    case Type::boolean:
      return w.boolean(it.argument != 0);
    case Type::null:
      return w.null();
    case Type::undefined:
      return w.sink().put(0xF7);
    case Type::simple:
      return w.head(Major::simple, it.argument);
    case Type::floating:
      return w.floating(it.floating);
    case Type::end:
      return;  // closes a definite container implicitly, an indefinite one with a break
    case Type::eof:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<Item> items;
  if (!read_all({data, size}, items)) return 0;
  std::vector<uint8_t> buf(size * 2 + 64);
  Sink sink{buf};
  Writer w{sink};
  // Which open containers are indefinite, to know when an end needs a break.
  std::vector<bool> indefinite;
  for (const Item& it : items) {
    if (it.type == Type::end) {
      if (indefinite.back()) w.end_indefinite();
      indefinite.pop_back();
      continue;
    }
    write(w, it);
    const bool opens = it.type == Type::array || it.type == Type::map ||
                       ((it.type == Type::bytes || it.type == Type::text) && it.indefinite);
    if (opens) indefinite.push_back(it.indefinite);
  }
  if (sink.overflowed()) std::abort();
  std::vector<Item> again;
  if (!read_all(sink.window(), again) || again.size() != items.size()) std::abort();
  for (size_t i = 0; i < items.size(); ++i) {
    const Item &a = items[i], &b = again[i];
    bool eq = a.type == b.type && a.indefinite == b.indefinite && a.data.size() == b.data.size() &&
              (a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size()) == 0);
    if (a.type == Type::floating) {
      eq = eq &&
           (a.floating == b.floating || (a.floating != a.floating && b.floating != b.floating));
    } else {
      eq = eq && a.argument == b.argument;
    }
    if (!eq) std::abort();
  }
  return 0;
}
