// SPDX-License-Identifier: Apache-2.0
// Observe (RFC 7641): the relations this endpoint serves, and the freshness rule for
// notifications it receives.
#pragma once

#include <cstdint>

#include "coap/tick.hpp"
#include "lwm2m/coap/engine.hpp"

namespace lwm2m::coap::detail {

/// ServedObservation::exchange when no CON notification is in flight (an exchange index is
/// below EngineConfig::exchanges, a uint16_t).
inline constexpr uint16_t kNoExchange = 0xFFFF;

/// The time of a CON notification, in units of 1,024 ms (a shift, not a division) in 32
/// bits, which wrap after 139 years: enough for the 24-hour rule. Two of them differing by
/// more than kUnitsPerDay are more than 24 h apart, and two 24 h and 1,024 ms apart do.
struct ConTime {
  /// 24 hours in those units (86,400,000 / 1,024, exactly).
  static constexpr uint32_t kUnitsPerDay = 84375;
  static uint32_t units_of(TimePoint t) noexcept {
    return static_cast<uint32_t>(static_cast<uint64_t>(to_millis(t)) >> 10);
  }
  ConTime& operator=(TimePoint t) noexcept {
    units = units_of(t);
    return *this;
  }
  /// More than 24 hours from this time to `now`.
  bool over_a_day_before(TimePoint now) const noexcept {
    return units_of(now) - units > kUnitsPerDay;
  }
  uint32_t units = 0;  // TimePoint{}
};

/// A relation we serve: where notifications go and their sequence numbers. No 8-byte
/// member: 32 bytes on a 32-bit target, not 40.
struct ServedObservation {
  bool active = false;
  bool last_mid_valid = false;
  uint16_t generation = 0;
  PeerId peer = 0;
  uint16_t last_mid = 0;            // of the last notification: an RST to it cancels (§3.6)
  uint16_t exchange = kNoExchange;  // the CON notification in flight
  Token token;
  uint32_t seq = 0;  // 24-bit Observe value of the last notification
  uint32_t cookie = 0;
  ConTime last_con;  // of the last CON, for the 24-hour rule (§4.5)
};

/// RFC 7641 §3.4: is notification (v2, received at t2) newer than (v1, t1)? 24-bit
/// sequence numbers wrap; after 128 s any value is fresh.
bool observe_fresh(uint32_t v1, uint32_t v2, Tick t1, Tick t2) noexcept;

}  // namespace lwm2m::coap::detail
