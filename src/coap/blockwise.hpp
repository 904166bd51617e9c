// SPDX-License-Identifier: Apache-2.0
// Block-wise transfers (RFC 7959) in the server role: reassembly of a Block1 request body.
// (The client role, next-block requests, lives with the exchanges: blockwise.cpp.)
#pragma once

#include <cstdint>
#include <optional>

#include "coap/tick.hpp"
#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// A datagram larger than the driver's receive buffer (Engine::handle_oversized()).
struct OversizedDatagram {
  uint32_t limit = 0;  ///< the receive buffer; 0: not oversized
  uint32_t size = 0;   ///< the datagram as the driver got it
};

/// The Block1 option of a 4.13 answer to `m` (RFC 7959 §2.9.3): the largest block that,
/// with the request's header and options, fits the receive buffer and is smaller than the
/// block `m` sent; none when even 16 bytes do not fit.
std::optional<BlockOption> block1_that_fits(const Message& m, OversizedDatagram d) noexcept;

/// One incoming Block1 body at a time, in a buffer sized by EngineConfig::block1_buffer.
class Block1Reassembly {
 public:
  void attach(uint8_t* buf, uint32_t capacity) noexcept {
    buf_ = buf;
    capacity_ = capacity;
  }
  /// Takes the block of a request carrying Block1; `lifetime`: how long a transfer waits
  /// for its next block. Returns the code to answer with at once: 2.31 Continue (with
  /// block()), 4.13 (with Size1 capacity()), 4.08 or 4.00; 5.03 for the first block of
  /// another transfer while one is in progress (one buffer: the transfer under way
  /// completes; busy_seconds() says when to try again, RFC 7252 §5.9.3.4 Max-Age); or 0.00
  /// when the body is complete: body() goes to the handler and the response echoes block()
  /// (RFC 7959 §2.3).
  Code accept(PeerId peer, const Message& m, Tick now, Tick lifetime) noexcept;
  BlockOption block() const noexcept { return block_; }
  ByteView body() const noexcept { return {buf_, received_}; }
  uint32_t capacity() const noexcept { return capacity_; }
  /// Seconds until the transfer in progress gives up waiting for its next block.
  uint32_t busy_seconds(Tick now) const noexcept;

 private:
  friend struct EngineCore;  // rebase() moves expires_
  Tick expires_ = 0;
  uint8_t* buf_ = nullptr;
  uint32_t key_ = 0;
  uint32_t received_ = 0;
  uint32_t capacity_ = 0;
  BlockOption block_;
  PeerId peer_ = 0;
  bool active_ = false;
};

}  // namespace lwm2m::coap::detail
