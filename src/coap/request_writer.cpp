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

// Walks the options of the datagram being written in wire order, for measuring (out
// null) and for writing.
struct OptionWriter {
  uint8_t* out;
  size_t pos;
  uint32_t prev = 0;

  void uint_option(uint16_t number, uint32_t value) noexcept {
    uint8_t bytes[4];
    uint8_t len = wire::uint_bytes(value, bytes);
    header(number, len);
    copy(bytes, len);
    prev = number;
  }
  // The first option of a run, then the run's remaining bytes as they were.
  // Rewrites `run` to say where it now lies.
  void run(RequestLayout::Run& run, const uint8_t* from) noexcept {
    const uint16_t was = run.offset;
    header(run.first_number, run.first_length);
    run.offset = static_cast<uint16_t>(pos);
    copy(from + was, run.size);
    prev = run.last_number;
  }
  void header(uint16_t number, uint32_t length) noexcept {
    const uint32_t delta = number - prev;
    if (out) wire::write_option_header(out + pos, delta, length);
    pos += wire::option_header_size(delta, length);
  }
  void copy(const uint8_t* bytes, size_t n) noexcept {
    if (out && n) std::memcpy(out + pos, bytes, n);
    pos += n;
  }
};

void write_options(OptionWriter& w, const uint8_t* from, const VaryingOptions& varying,
                   RequestLayout& layout) noexcept {
  for (size_t r = 0; r < layout.runs.size(); ++r) {
    if (layout.runs[r].first_number != 0) w.run(layout.runs[r], from);
    const auto slot = static_cast<VaryingOptions::Slot>(r);
    if (r < VaryingOptions::kCount && varying.has(slot))
      w.uint_option(VaryingOptions::kNumbers[r], varying.get(slot));
  }
}

}  // namespace

Result<size_t> write_next_request(const RequestHead& head, const uint8_t* from,
                                  const VaryingOptions& varying, ByteView payload,
                                  MutableByteView out, RequestLayout& layout) noexcept {
  const size_t start = 4 + head.token.length;
  RequestLayout measured = layout;
  OptionWriter measure{nullptr, start};
  write_options(measure, from, varying, measured);
  const size_t total = measure.pos + (payload.empty() ? 0 : 1 + payload.size());
  if (total > out.size()) return Errc::buffer_too_small;

  uint8_t* p = out.data();
  wire::write_header(p, head.type, head.code, head.message_id, head.token);
  OptionWriter w{p, start};
  write_options(w, from, varying, layout);
  layout.type = head.type;
  layout.payload_offset = 0;
  layout.payload_size = 0;
  if (!payload.empty()) {
    p[w.pos] = 0xFF;
    layout.payload_offset = static_cast<uint16_t>(w.pos + 1);
    layout.payload_size = static_cast<uint16_t>(payload.size());
    std::memcpy(p + w.pos + 1, payload.data(), payload.size());
  }
  return total;
}

Result<size_t> write_first_request(const Message& request, const VaryingOptions& varying,
                                   MutableByteView scratch, MutableByteView out,
                                   RequestLayout& layout) noexcept {
  // The stable options, encoded once into scratch (no header needed: only runs are read).
  std::array<uint8_t, Message::kMaxOptions> idx{};
  const size_t n = wire::sorted_indices(request, idx);
  auto opts = request.options();
  layout = RequestLayout{};
  OptionWriter w{scratch.data(), 0};
  for (size_t k = 0; k < n; ++k) {
    const Option& o = opts[idx[k]];
    if (VaryingOptions::slot_of(o.number) != VaryingOptions::kCount) continue;
    const size_t need = wire::option_header_size(o.number - w.prev, o.length) + o.length;
    if (w.pos + need > scratch.size()) return Errc::buffer_too_small;
    RequestLayout::Run& run = layout.runs[run_of(o.number)];
    w.header(o.number, o.length);
    if (run.first_number == 0) {
      run.first_number = o.number;
      run.first_length = o.length;
      run.offset = static_cast<uint16_t>(w.pos);
    }
    w.copy(o.value().data(), o.length);
    run.last_number = o.number;
    run.size = static_cast<uint16_t>(w.pos - run.offset);
    w.prev = o.number;
  }
  RequestHead head{request.type, request.code, request.message_id, request.token};
  return write_next_request(head, scratch.data(), varying, request.payload, out, layout);
}

}  // namespace lwm2m::coap
