// Block-wise transfers (RFC 7959) in the server role: reassembly of a Block1 request body.
// (The client role, next-block requests, lives with the exchanges: blockwise.cpp.)
#pragma once

#include <cstdint>
#include <optional>

#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// One incoming Block1 body at a time, in a buffer sized by EngineConfig::block1_buffer.
class Block1Reassembly {
 public:
  /// What to do with a request carrying Block1.
  struct Step {
    /// Answer now with this code (4.00, 4.08, 4.13, or 2.31 Continue); 0.00: the body is
    /// complete and the request goes to the handler.
    Code reply;
    std::optional<uint32_t> size1;     ///< with 4.13: how much we accept
    std::optional<BlockOption> block;  ///< Block1 of the reply (Continue, or the echo)
    ByteView body;                     ///< the whole body when complete
  };

  void attach(uint8_t* buf, uint32_t capacity) noexcept {
    buf_ = buf;
    capacity_ = capacity;
  }
  /// `lifetime`: how long a transfer waits for its next block.
  Step accept(PeerId peer, const Message& m, TimePoint now, Duration lifetime) noexcept;

 private:
  bool active_ = false;
  PeerId peer_ = 0;
  uint32_t key_ = 0;
  uint32_t received_ = 0;
  TimePoint expires_{};
  uint8_t* buf_ = nullptr;
  uint32_t capacity_ = 0;
};

}  // namespace lwm2m::coap::detail
