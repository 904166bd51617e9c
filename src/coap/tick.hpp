// SPDX-License-Identifier: Apache-2.0
// The CoAP engine's clock (private to src/coap).
#pragma once

#include <cstdint>

#include "lwm2m/time.hpp"

namespace lwm2m::coap::detail {

/// The engine's clock: milliseconds since EngineCore::epoch in 32 bits, so that its
/// deadlines and expiry times are compared and added without 64-bit arithmetic (and take
/// 4 bytes each). EngineCore::tick() converts the TimePoint of each input; it keeps a tick
/// below kRebaseAt by moving the epoch forward (rebase()), which moves every stored tick
/// back by as much, one in the past stopping at 0: so a deadline or an expiry never looks
/// later than it is, however long the engine is left without input.
using Tick = uint32_t;
/// No deadline (a stored tick is never rebased past it).
inline constexpr Tick kNeverTick = UINT32_MAX;
/// A tick is kept below this (24.8 days after the epoch) ...
inline constexpr Tick kRebaseAt = Tick{1} << 31;
/// ... and a period (a retransmission timeout, a lifetime) at most this, so that a tick
/// plus a period never reaches kNeverTick.
inline constexpr Tick kMaxPeriod = kRebaseAt - 1;
/// `d` in milliseconds, 0 when negative and kMaxPeriod (24.8 days) when longer.
Tick period_of(Duration d) noexcept;

}  // namespace lwm2m::coap::detail
