// SPDX-License-Identifier: Apache-2.0
// Builds the datagrams of one outgoing request exchange: the first one from the caller's
// Message, every later one (next Block1 or Block2 block, Observe deregistration) from the
// previous datagram, parsed again in its buffer: the exchange keeps no description of it.
#pragma once

#include <array>
#include <cstdint>

#include "lwm2m/bytes.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::coap {

/// Whether a request exchange ever sends a second datagram (a next Block1 or Block2 block,
/// an Observe deregistration): not in a build without block-wise transfers and Observe,
/// which then neither notes nor encodes its varying options apart (less code).
inline constexpr bool kVaryingRequests = LWM2M_WITH_OBSERVE || LWM2M_WITH_BLOCKWISE;

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

/// What a request datagram is made of besides its options.
struct RequestHead {
  Type type = Type::con;
  Code code;
  uint16_t message_id = 0;
  Token token;
};

namespace wire {
/// The message encoder (message.cpp), of coap::encode() and of a request's datagrams: the
/// header of `head` (null: of `m`), `m`'s options, then `payload` (which may already lie at
/// the very end of `out`). With `varying`, its values take the place of `m`'s own Observe,
/// Block and Size1 options.
Result<size_t> encode_request(const MessageBase& m, const RequestHead* head, ByteView payload,
                              MutableByteView out, const VaryingOptions* varying) noexcept;
}  // namespace wire

/// Encodes `request` with `varying` in place of its own Observe, Block and Size1 options
/// (null, or without kVaryingRequests: its own), with `head` and `payload`, into `out`. `payload`
/// may already lie in `out` (written there by the caller). On failure (buffer_too_small) `out`
/// holds nothing usable.
Result<size_t> write_first_request(const Message& request, const RequestHead& head,
                                   const VaryingOptions* varying, ByteView payload,
                                   MutableByteView out) noexcept;

/// Turns the request datagram `buf[0, len)` into the exchange's next one, in place: message
/// ID `mid` and `token` (type, code and the other options kept), `varying` in place of its
/// Observe, Block and Size1 options, and `*payload`, or its own payload when `payload` is
/// null. `*payload` may not lie in `buf`. On failure (buffer_too_small; no_space for a datagram of
/// more options than a Message holds) `buf` holds nothing usable.
Result<size_t> rewrite_request(MutableByteView buf, size_t len, uint16_t mid, const Token& token,
                               const VaryingOptions& varying, const ByteView* payload) noexcept;

}  // namespace lwm2m::coap
