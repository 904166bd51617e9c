// SPDX-License-Identifier: Apache-2.0
// The bytes of cached responses (RFC 7252 §4.5) as a ring of records, each a header (its
// owner, its size) and the response. Records are made in time order, so the oldest is
// always at the tail: making room is advancing the tail. A record that does not fit
// before the end of the memory goes to its start, and the tail jumps there after the
// last record before the wrap. An empty store has head and tail at 0.
#include "coap/reliability.hpp"

namespace lwm2m::coap {

uint8_t* ResponseStore::reserve(size_t max) noexcept {
  const size_t need = record_size(max);  // the engine checked that it fits an empty store
  for (;;) {
    if ((wrapped_ ? tail_ - head_ : size_ - head_) >= need) return base_ + head_ + sizeof(Record);
    if (!wrapped_ && tail_ != 0) {
      // No room before the end: the next record goes to the start.
      end_ = head_;
      head_ = 0;
      wrapped_ = true;
      continue;
    }
    // The oldest record gives way, and its entry with it, unless still to be sent.
    Record* r = at(tail_);
    if (detail::CacheEntry* owner = r->owner) {
      if (owner->in_tx) return nullptr;
      owner->state = detail::CacheEntry::State::free;
      owner->buf = nullptr;
    }
    tail_ += r->size;
    if (wrapped_ && tail_ == end_) {
      tail_ = 0;
      wrapped_ = false;
    }
    if (!wrapped_ && tail_ == head_) tail_ = head_ = 0;
  }
}

void ResponseStore::commit(detail::CacheEntry& owner, size_t len) noexcept {
  Record* r = at(head_);
  r->owner = &owner;
  r->size = static_cast<uint32_t>(record_size(len));
  head_ += r->size;
  owner.buf = reinterpret_cast<uint8_t*>(r + 1);
  owner.len = static_cast<uint16_t>(len);
}

void ResponseStore::forget(detail::CacheEntry& owner) noexcept {
  if (!owner.buf) return;
  reinterpret_cast<Record*>(owner.buf)[-1].owner = nullptr;
  owner.buf = nullptr;
}

}  // namespace lwm2m::coap
