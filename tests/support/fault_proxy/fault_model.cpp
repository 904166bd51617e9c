// SPDX-License-Identifier: Apache-2.0
#include "fault_model.hpp"

namespace lwm2m::test {

// Every fault draws its number whether or not it applies, so changing one rate does not
// shift the random sequence seen by the others.
Verdict FaultModel::decide(Direction d, size_t size) {
  const FaultRates& r = rates_[index(d)];
  Verdict v;
  const bool drop = chance(r.drop);
  const bool dup = chance(r.duplicate);
  const bool delay = chance(r.delay);
  const bool reorder = chance(r.reorder);
  const bool corrupt = chance(r.corrupt);
  const double where = uniform();
  const uint64_t mask = rng_();
  const double how_long = uniform();
  if (drop) {
    v.drop = true;
    return v;
  }
  v.copies = dup ? 2 : 1;
  if (delay) {
    const auto span = (r.delay_max - r.delay_min).count();
    v.delay = r.delay_min + Duration{static_cast<int64_t>(how_long * static_cast<double>(span))};
  }
  v.reorder = reorder;
  if (corrupt && size > 0) {
    v.corrupt = true;
    v.corrupt_at = static_cast<size_t>(where * static_cast<double>(size));
    v.corrupt_mask = static_cast<uint8_t>(1u << (mask % 8));
  }
  return v;
}

void FaultModel::corrupt(const Verdict& v, uint8_t* bytes, size_t size) noexcept {
  if (v.corrupt && v.corrupt_at < size) bytes[v.corrupt_at] ^= v.corrupt_mask;
}

}  // namespace lwm2m::test
