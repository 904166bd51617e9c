// SPDX-License-Identifier: Apache-2.0
#include "slot_ids.hpp"

namespace lwm2m::objects {

size_t SlotIds::used() const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i)
    n += at(i) != dm::kInvalidId;
  return n;
}

dm::InstanceId SlotIds::sorted_at(size_t index) const noexcept {
  // Slots are unordered; the index-th smallest id is found by counting smaller ids.
  for (size_t i = 0; i < count_; ++i) {
    const dm::InstanceId id = at(i);
    if (id == dm::kInvalidId) continue;
    size_t smaller = 0;
    for (size_t k = 0; k < count_; ++k)
      smaller += at(k) != dm::kInvalidId && at(k) < id;
    if (smaller == index) return id;
  }
  return dm::kInvalidId;
}

}  // namespace lwm2m::objects
