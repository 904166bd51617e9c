// SPDX-License-Identifier: Apache-2.0
// The fault model of the test proxy (fault_proxy.hpp): for each datagram, from a seeded
// random generator, whether it is dropped, duplicated, delayed, held back behind the next
// one (reordered) or corrupted. Pure: no sockets, no clock, so a seed gives the same faults
// on every run and the model is unit-tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "lwm2m/time.hpp"

namespace lwm2m::test {

/// Probabilities (0..1) of each fault for one direction, drawn independently per datagram.
struct FaultRates {
  double drop = 0;
  double duplicate = 0;  ///< sent twice
  double delay = 0;      ///< held for a time in [delay_min, delay_max]
  double reorder = 0;    ///< held until the next datagram in that direction has gone
  double corrupt = 0;    ///< one byte flipped
  Duration delay_min{20};
  Duration delay_max{200};
};

enum class Direction : uint8_t { to_server, to_client };

/// What happens to one datagram. A dropped one has no other fault.
struct Verdict {
  bool drop = false;
  int copies = 1;
  Duration delay{0};
  bool reorder = false;
  bool corrupt = false;
  size_t corrupt_at = 0;     ///< byte index (< size)
  uint8_t corrupt_mask = 0;  ///< XORed into that byte, never 0
};

class FaultModel {
 public:
  explicit FaultModel(uint64_t seed, FaultRates to_server = {}, FaultRates to_client = {})
      : rng_(seed), rates_{to_server, to_client} {}

  Verdict decide(Direction d, size_t size);
  /// Applies a corrupting verdict to the datagram's bytes.
  static void corrupt(const Verdict& v, uint8_t* bytes, size_t size) noexcept;

  const FaultRates& rates(Direction d) const noexcept { return rates_[index(d)]; }
  void set_rates(Direction d, const FaultRates& r) noexcept { rates_[index(d)] = r; }

 private:
  static size_t index(Direction d) noexcept { return d == Direction::to_server ? 0 : 1; }
  /// Uniform in [0, 1) with 53 random bits: the same sequence for a seed everywhere.
  double uniform() noexcept { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  bool chance(double p) noexcept { return p > 0 && uniform() < p; }

  std::mt19937_64 rng_;
  FaultRates rates_[2];
};

}  // namespace lwm2m::test
