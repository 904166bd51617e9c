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

namespace {

// The run a stable option belongs to: how many varying option numbers lie below it.
size_t run_of(uint16_t number) noexcept {
  size_t r = 0;
  while (r < VaryingOptions::kCount && VaryingOptions::kNumbers[r] < number)
    ++r;
  return r;
}

// The next datagram from the runs at `from` (described by `layout`), written front to back
// into `out`, which may hold the runs further back (see rewrite_request()).
Result<size_t> write_next_request(const RequestHead& head, const uint8_t* from,
                                  const VaryingOptions& varying, ByteView payload,
                                  MutableByteView out, RequestLayout& layout) noexcept {
  uint8_t* const begin = out.data();
  const uint8_t* const end = begin + out.size();
  if (out.size() < 4u + head.token.length) return Errc::buffer_too_small;
  uint8_t* p = wire::write_header(begin, head.type, head.code, head.message_id, head.token);
  uint32_t prev = 0;
  for (size_t r = 0; r < layout.runs.size(); ++r) {
    RequestLayout::Run& run = layout.runs[r];
    if (run.first_number != 0) {
      if (!wire::put_option(p, end, prev, run.first_number, run.first_length, from + run.offset,
                            run.size))
        return Errc::buffer_too_small;
      run.offset = static_cast<uint16_t>(p - run.size - begin);
      prev = run.last_number;
    }
    const auto slot = static_cast<VaryingOptions::Slot>(r);
    if (r == VaryingOptions::kCount || !varying.has(slot)) continue;
    uint8_t value[4];
    const uint8_t n = wire::uint_bytes(varying.get(slot), value);
    if (!wire::put_option(p, end, prev, VaryingOptions::kNumbers[r], n, value, n))
      return Errc::buffer_too_small;
  }
  layout.type = head.type;
  layout.payload_size = static_cast<uint16_t>(payload.size());
  if (!wire::put_payload(p, end, payload)) return Errc::buffer_too_small;
  layout.payload_offset = static_cast<uint16_t>(p - payload.size() - begin);
  return static_cast<size_t>(p - begin);
}

}  // namespace

Result<size_t> rewrite_request(const RequestHead& head, MutableByteView buf,
                               const VaryingOptions& varying, ByteView payload,
                               RequestLayout& layout) noexcept {
  // The runs (and a payload kept in the buffer) go to the end of the buffer first, last
  // one first (each moves back, as the datagram fits). The next datagram is then written
  // from the front: when it fits, what it writes never reaches what it has yet to read.
  uint8_t* const begin = buf.data();
  size_t tail = buf.size();
  if (payload.data() >= begin && payload.data() < begin + buf.size()) {
    tail -= payload.size();
    std::memmove(begin + tail, payload.data(), payload.size());
    payload = {begin + tail, payload.size()};
  }
  for (size_t r = layout.runs.size(); r-- > 0;) {
    RequestLayout::Run& run = layout.runs[r];
    tail -= run.size;
    std::memmove(begin + tail, begin + run.offset, run.size);
    run.offset = static_cast<uint16_t>(tail);
  }
  return write_next_request(head, begin, varying, payload, buf, layout);
}

Result<size_t> write_first_request(const Message& request, const RequestHead& head,
                                   const VaryingOptions& varying, ByteView payload,
                                   MutableByteView out, RequestLayout& layout) noexcept {
  // The stable options, encoded in runs at the start of `out`, then put in their places
  // around the header and the varying options.
  // A payload the caller wrote in `out` (Engine::request_buffer()) goes to its end first,
  // and the options may take only the room before it.
  uint8_t* end = out.data() + out.size();
  if (payload.data() >= out.data() && payload.data() < end) {
    end -= payload.size();
    std::memmove(end, payload.data(), payload.size());
    payload = {end, payload.size()};
  }
  std::array<uint8_t, Message::kMaxOptions> idx{};
  const size_t n = wire::sorted_indices(request, idx);
  auto opts = request.options();
  layout = RequestLayout{};
  uint8_t* p = out.data();
  uint32_t prev = 0;
  for (size_t k = 0; k < n; ++k) {
    const Option& o = opts[idx[k]];
    if (VaryingOptions::slot_of(o.number) != VaryingOptions::kCount) continue;
    if (!wire::put_option(p, end, prev, o.number, o.length, o.value().data(), o.length))
      return Errc::buffer_too_small;
    RequestLayout::Run& run = layout.runs[run_of(o.number)];
    if (run.first_number == 0) {
      run.first_number = o.number;
      run.first_length = o.length;
      run.offset = static_cast<uint16_t>(p - o.length - out.data());
    }
    run.last_number = o.number;
    run.size = static_cast<uint16_t>(p - out.data() - run.offset);
  }
  return rewrite_request(head, out, varying, payload, layout);
}

}  // namespace lwm2m::coap
