// SPDX-License-Identifier: Apache-2.0
// Observe (RFC 7641): the relations this endpoint serves, and the freshness rule for
// notifications it receives.
#pragma once

#include <cstdint>

#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// A relation we serve: where notifications go and their sequence numbers.
struct ServedObservation {
  bool active = false;
  bool last_mid_valid = false;
  uint16_t generation = 0;
  PeerId peer = 0;
  uint16_t last_mid = 0;  // of the last notification: an RST to it cancels (§3.6)
  int32_t exchange = -1;  // the CON notification in flight
  Token token;
  uint32_t seq = 0;  // 24-bit Observe value of the last notification
  uint32_t cookie = 0;
  TimePoint last_con{};  // for the 24-hour CON rule (§4.5)
};

/// RFC 7641 §3.4: is notification (v2, received at t2) newer than (v1, t1)? 24-bit
/// sequence numbers wrap; after 128 s any value is fresh.
bool observe_fresh(uint32_t v1, uint32_t v2, TimePoint t1, TimePoint t2) noexcept;

}  // namespace lwm2m::coap::detail
