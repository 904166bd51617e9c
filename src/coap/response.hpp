// SPDX-License-Identifier: Apache-2.0
// Response building in the server role: piggybacked responses (with their Block2 window
// and Observe), separate responses of deferred requests, and notifications.
#pragma once

#include <cstdint>
#include <optional>

#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// A request answered later (RFC 7252 §5.2.2).
struct Deferred {
  bool active = false;
  uint16_t generation = 0;
  PeerId peer = 0;
  Type request_type = Type::con;
  Token token;
};

/// How build_response() is to answer.
struct ResponsePlan {
  const IncomingRequest* request = nullptr;  ///< null for notifications and deferred answers
  ResponseFiller* filler = nullptr;          ///< null: the RequestHandler fills it
  // Wire values and flags rather than optionals: 20 bytes instead of 32 on a 32-bit target,
  // in the frame under every request's handler.
  uint32_t block1_echo = 0;  ///< Block1 value of the last block of a body (RFC 7959 §2.3)
  uint32_t observe = 0;      ///< notification sequence number, on 2.xx only
  bool allow_observe = false;
  bool allow_defer = false;
  bool has_block1_echo = false;
  bool has_observe = false;
};

/// The options a response without handler (a rejection, a Block1 Continue) may carry
/// besides its code.
struct SimpleOptions {
  std::optional<uint32_t> size1 = std::nullopt;
  std::optional<BlockOption> block1 = std::nullopt;
  std::optional<uint32_t> max_age = std::nullopt;
};
/// None of them: the default of finish_simple(), a constant so that no caller builds an
/// empty set on its stack.
inline constexpr SimpleOptions kNoSimpleOptions{};

/// What became of it besides the bytes.
struct ResponseOutcome {
  ObservationId observation;
  DeferredId deferred;
};

}  // namespace lwm2m::coap::detail
