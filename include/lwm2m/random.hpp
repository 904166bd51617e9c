// SPDX-License-Identifier: Apache-2.0
// Randomness is injected: tokens, initial message IDs and retransmission jitter come from
// the caller's source, so tests are deterministic and devices can use their hardware RNG.
#pragma once

#include <cstdint>

namespace lwm2m {

/// A source of random numbers for the client (tokens, initial message IDs, retransmission jitter);
/// give it your hardware RNG on a device.
class Random {
 public:
  /// A uniformly distributed 32-bit number.
  virtual uint32_t next_u32() noexcept = 0;

 protected:
  // Not virtual: a source is never destroyed through this interface (the library only
  // borrows it), so XorShiftRandom is trivially destructible.
  ~Random() = default;
};

/// xorshift64*: fast, small, deterministic for a given seed. Not cryptographic; a device
/// that needs unpredictable tokens passes a source backed by its TRNG.
class XorShiftRandom final : public Random {
 public:
  /// A generator seeded with `seed` (0 is replaced by a fixed non-zero constant).
  explicit XorShiftRandom(uint64_t seed) noexcept : state_(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  /// The next number of the xorshift sequence.
  uint32_t next_u32() noexcept override {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<uint32_t>((state_ * 0x2545F4914F6CDD1Dull) >> 32);
  }

 private:
  uint64_t state_;
};

}  // namespace lwm2m
