// SPDX-License-Identifier: Apache-2.0
#include "core/event_queue.hpp"

namespace lwm2m::core {

void EventQueue::push(const Event& e) noexcept {
  if (count_ == kCapacity) {  // keep the newest: drop the oldest
    head_ = static_cast<uint8_t>((head_ + 1) % kCapacity);
    --count_;
    ++dropped_;
  }
  events_[(head_ + count_) % kCapacity] = e;
  ++count_;
}

}  // namespace lwm2m::core
