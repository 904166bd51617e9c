// SPDX-License-Identifier: Apache-2.0
// A period kept in 32 bits of milliseconds (49 days) where a table entry or a client's
// state would otherwise hold an 8-byte Duration (and its alignment): the CoAP engine's
// retransmission timeouts and lifetimes, the bootstrap's timeout and retry delay.
#pragma once

#include <cstdint>

#include "lwm2m/time.hpp"

namespace lwm2m::detail {

/// `d` in milliseconds, 0 when negative and 2^32 - 1 (49 days) when longer: out of line,
/// one copy for every caller.
uint32_t saturated_ms(Duration d) noexcept;

}  // namespace lwm2m::detail
