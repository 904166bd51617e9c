// SPDX-License-Identifier: Apache-2.0
// The ids of an object's instance slots, read without the slots' type: the Security and
// Server objects keep their instances unordered in an application array and share one copy
// of the code that counts and enumerates them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "lwm2m/dm/path.hpp"

namespace lwm2m::objects {

class SlotIds {
 public:
  /// The `id` member (a dm::SlotId, the slot's first member) of each slot of `slots`.
  template <class T>
  explicit SlotIds(std::span<T> slots) noexcept
      : first_(reinterpret_cast<const uint8_t*>(slots.data())),
        stride_(sizeof(T)),
        count_(slots.size()) {
    static_assert(std::is_standard_layout_v<T> && offsetof(T, id) == 0);
  }

  /// Slots in use.
  size_t used() const noexcept;
  /// The index-th smallest id in use (index < used()), kInvalidId beyond.
  dm::InstanceId sorted_at(size_t index) const noexcept;

 private:
  dm::InstanceId at(size_t i) const noexcept {
    return *reinterpret_cast<const dm::SlotId*>(first_ + i * stride_);
  }

  const uint8_t* first_;
  size_t stride_;
  size_t count_;
};

}  // namespace lwm2m::objects
