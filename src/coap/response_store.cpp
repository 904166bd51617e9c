// SPDX-License-Identifier: Apache-2.0
// The bytes of cached responses (RFC 7252 §4.5) as a ring of records, each a header (its
// owner, its size) and the response. Records are made in time order, so the oldest is
// always at the tail: making room is advancing the tail. A record that does not fit
// before the end of the memory goes to its start, and the tail jumps there after the
// last record before the wrap.
#include <cstring>

#include "coap/reliability.hpp"

namespace lwm2m::coap {

ResponseStore::ResponseStore(MutableByteView memory) noexcept {
  const uintptr_t addr = reinterpret_cast<uintptr_t>(memory.data());
  const size_t pad = (alignof(Record) - addr % alignof(Record)) % alignof(Record);
  if (memory.size() < pad) return;
  base_ = memory.data() + pad;
  size_ = static_cast<uint32_t>((memory.size() - pad) & ~(alignof(Record) - 1));
}

bool ResponseStore::evict_oldest() noexcept {
  Record* r = at(tail_);
  if (detail::CacheEntry* owner = r->owner) {
    if (owner->in_tx) return false;  // still to be sent
    owner->state = detail::CacheEntry::State::free;
    owner->buf = nullptr;
  }
  tail_ += r->size;
  if (wrapped_ && tail_ == end_) {
    tail_ = 0;
    wrapped_ = false;
  }
  if (!wrapped_ && tail_ == head_) tail_ = head_ = 0;  // empty
  return true;
}

uint8_t* ResponseStore::reserve(size_t max) noexcept {
  const size_t need = record_size(max);
  for (;;) {
    if (wrapped_) {
      if (tail_ - head_ >= need) break;
    } else if (size_ - head_ >= need) {
      break;
    } else if (tail_ != head_ && tail_ > 0) {
      // No room before the end: the next record goes to the start.
      end_ = head_;
      head_ = 0;
      wrapped_ = true;
      continue;
    } else if (tail_ == head_) {
      if (size_ < need) return nullptr;  // could never fit
      tail_ = head_ = 0;
      break;
    }
    if (!evict_oldest()) return nullptr;
  }
  return base_ + head_ + sizeof(Record);
}

void ResponseStore::commit(detail::CacheEntry& owner, size_t len) noexcept {
  Record* r = at(head_);
  r->owner = &owner;
  r->size = static_cast<uint32_t>(record_size(len));
  head_ += r->size;
  owner.buf = reinterpret_cast<uint8_t*>(r) + sizeof(Record);
  owner.len = static_cast<uint16_t>(len);
}

void ResponseStore::forget(detail::CacheEntry& owner) noexcept {
  if (!owner.buf) return;
  reinterpret_cast<Record*>(owner.buf - sizeof(Record))->owner = nullptr;
  owner.buf = nullptr;
}

}  // namespace lwm2m::coap
