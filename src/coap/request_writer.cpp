// SPDX-License-Identifier: Apache-2.0
#include "coap/request_writer.hpp"

#include <cstring>

#include "coap/wire.hpp"

namespace lwm2m::coap {

size_t VaryingOptions::slot_of(uint16_t number) noexcept {
  for (size_t s = 0; s < kCount; ++s)
    if (kNumbers[s] == number) return s;
  return kCount;
}

Result<size_t> write_first_request(const Message& request, const RequestHead& head,
                                   const VaryingOptions* varying, ByteView payload,
                                   MutableByteView out) noexcept {
  // A payload the caller wrote in `out` (Engine::request_buffer()) goes to its end first,
  // where the encoder leaves it until the options in front of it are written.
  if (payload.data() >= out.data() && payload.data() < out.data() + out.size()) {
    uint8_t* const at = out.data() + out.size() - payload.size();
    std::memmove(at, payload.data(), payload.size());
    payload = {at, payload.size()};
  }
  return wire::encode_request(request, &head, payload, out, varying);
}

Result<size_t> rewrite_request(MutableByteView buf, size_t len, uint16_t mid, const Token& token,
                               const VaryingOptions& varying, const ByteView* payload) noexcept {
  Message m;
  if (parse({buf.data(), len}, m) != ParseError::none) return Errc::no_space;
  // What the next datagram takes from this one goes to the end of the buffer, in order:
  // the values longer than an option holds inline (the shorter ones are copies in `m`),
  // then the payload, if kept. The next datagram is then written from the front: it writes
  // everything it reads, in the same order, so when it fits, what it writes never reaches
  // what it has yet to read. Each piece moves back, the last one first: none overwrites
  // one still to move.
  uint8_t* tail = buf.data() + buf.size();
  ByteView next_payload = payload ? *payload : ByteView{};
  if (!payload && !m.payload.empty()) {  // (an empty one's data may be null)
    tail -= m.payload.size();
    std::memmove(tail, m.payload.data(), m.payload.size());
    next_payload = {tail, m.payload.size()};
  }
  auto opts = m.options();
  for (size_t i = opts.size(); i-- > 0;) {
    const Option& o = opts[i];
    if (o.length <= Option::kInlineMax ||
        VaryingOptions::slot_of(o.number) != VaryingOptions::kCount)
      continue;
    tail -= o.length;
    std::memmove(tail, o.value().data(), o.length);
    // `m` owns its options (parse() filled them): only the view moves with the bytes.
    const_cast<Option&>(o) = Option(o.number, {tail, o.length});
  }
  const RequestHead head{m.type, m.code, mid, token};
  return wire::encode_request(m, &head, next_payload, buf, &varying);
}

}  // namespace lwm2m::coap
