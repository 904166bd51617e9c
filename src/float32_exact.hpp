// SPDX-License-Identifier: Apache-2.0
// Whether a double has a float of the same value, and that float, read from its bits:
// converting to float and back and comparing links soft-float conversion and comparison on
// FPUs without double precision (Cortex-M4), where TLV and CBOR choose between 4- and 8-byte
// floats.
#pragma once

#include <cstdint>

namespace lwm2m::detail {

/// True for zeros, infinities and every value a float holds exactly, with that float's bits
/// in `bits`; false for NaN and every other value (`bits` then unspecified). One copy for
/// every encoder: the exact narrowing needs none of the rounding of a conversion.
bool float32_exact(double v, uint32_t& bits) noexcept;

inline bool float32_exact(double v) noexcept {
  uint32_t bits;
  return float32_exact(v, bits);
}

}  // namespace lwm2m::detail
