// SPDX-License-Identifier: Apache-2.0
// Builds the datagrams of one outgoing request exchange: the first one from the caller's
// Message, every later one (next Block1 or Block2 block, Observe deregistration) from the
// previous datagram, whose options are spliced rather than parsed again.
//
// The options that stay the same across an exchange (Uri-Path, Uri-Query, Content-Format,
// Accept...) sit between the ones that vary (Observe 6, Block2 23, Block1 27, Size1 60) in
// wire order. They are kept as up to five runs of encoded bytes; only the first header of
// each run depends on what precedes it, so the run records that option's number and length.
#pragma once

#include <array>
#include <cstdint>

#include "lwm2m/bytes.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::coap {

/// The options that change between the datagrams of one request exchange, as values.
struct VaryingOptions {
  static constexpr size_t kCount = 4;
  /// Wire order; a run of stable options lies below, between and above these.
  static constexpr std::array<uint16_t, kCount> kNumbers{6, 23, 27, 60};
  enum Slot : uint8_t { observe, block2, block1, size1 };

  std::array<uint32_t, kCount> value{};
  uint8_t present = 0;  ///< bit per Slot

  bool has(Slot s) const noexcept { return (present >> s) & 1u; }
  uint32_t get(Slot s) const noexcept { return value[s]; }
  void set(Slot s, uint32_t v) noexcept {
    value[s] = v;
    present = static_cast<uint8_t>(present | (1u << s));
  }
  void clear(Slot s) noexcept { present = static_cast<uint8_t>(present & ~(1u << s)); }
  /// The slot an option number belongs to, or kCount for a stable option.
  static size_t slot_of(uint16_t number) noexcept;
};

/// Where the stable options and the payload of a request sit in its encoded datagram.
struct RequestLayout {
  struct Run {
    uint16_t first_number = 0;  ///< 0: the run is empty (option 0 is reserved)
    uint16_t first_length = 0;
    uint16_t last_number = 0;
    uint16_t offset = 0;  ///< the first option's value; the run's other options follow
    uint16_t size = 0;
  };
  std::array<Run, VaryingOptions::kCount + 1> runs{};
  uint16_t payload_offset = 0;
  uint16_t payload_size = 0;
  Type type = Type::con;  ///< as written in the datagram's header

  ByteView payload(const uint8_t* datagram) const noexcept {
    return {datagram + payload_offset, payload_size};
  }
};

/// What a request datagram is made of besides its options.
struct RequestHead {
  Type type = Type::con;
  Code code;
  uint16_t message_id = 0;
  Token token;
};

/// Encodes the options of `request` with `varying` in place of its own Observe, Block and
/// Size1 options, with `head` and `payload`, into `out`, and describes the result in
/// `layout`. `payload` may already lie in `out` (written there by the caller). On failure
/// (buffer_too_small) `out` and `layout` hold nothing usable.
Result<size_t> write_first_request(const Message& request, const RequestHead& head,
                                   const VaryingOptions& varying, ByteView payload,
                                   MutableByteView out, RequestLayout& layout) noexcept;

/// Turns the datagram in `buf` (described by `layout`) into the exchange's next one, in
/// place: new head, varying options and payload (which may be the datagram's own payload,
/// `layout.payload(buf.data())`, or bytes elsewhere); `layout` then describes it. On
/// failure (buffer_too_small) `buf` and `layout` hold nothing usable.
Result<size_t> rewrite_request(const RequestHead& head, MutableByteView buf,
                               const VaryingOptions& varying, ByteView payload,
                               RequestLayout& layout) noexcept;

}  // namespace lwm2m::coap
