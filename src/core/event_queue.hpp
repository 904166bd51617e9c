// SPDX-License-Identifier: Apache-2.0
// The client's events (Client::poll_event) until the application drains them: a fixed ring
// that keeps the newest and counts what it dropped, so that a slow reader never blocks
// the protocol.
#pragma once

#include <cstdint>
#include <optional>

#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

class EventQueue {
 public:
  /// The ring is `capacity` events at `storage` (ClientConfig::max_events); until then, or
  /// with a capacity of 0, every event is dropped (and counted).
  void attach(Event* storage, uint8_t capacity) noexcept {
    events_ = storage;
    capacity_ = storage ? capacity : 0;
  }
  /// Adds `e`; when full, the oldest goes (counted by dropped()).
  void push(const Event& e) noexcept;
  std::optional<Event> pop() noexcept {
    if (count_ == 0) return std::nullopt;
    const Event e = events_[head_];
    head_ = static_cast<uint8_t>((head_ + 1) % capacity_);
    --count_;
    return e;
  }

  uint32_t dropped() const noexcept { return dropped_; }

 private:
  Event* events_ = nullptr;
  uint8_t capacity_ = 0, head_ = 0, count_ = 0;
  uint32_t dropped_ = 0;
};

}  // namespace lwm2m::core
