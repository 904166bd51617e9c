// SPDX-License-Identifier: Apache-2.0
#include "core/event_queue.hpp"

namespace lwm2m::core {

void EventQueue::push(const Event& e) noexcept {
  if (capacity_ == 0) {
    ++dropped_;
    return;
  }
  if (count_ == capacity_) {  // keep the newest: drop the oldest
    head_ = static_cast<uint8_t>((head_ + 1) % capacity_);
    --count_;
    ++dropped_;
  }
  events_[(head_ + count_) % capacity_] = e;
  ++count_;
}

}  // namespace lwm2m::core
