// SPDX-License-Identifier: Apache-2.0
// Rollback for objects whose instances live in slots: before a slot first changes inside
// a transaction its old content is saved; rollback restores every saved slot, commit
// forgets them. Outside a transaction (factory configuration, application calls) nothing
// is saved.
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "lwm2m/status.hpp"

namespace lwm2m::objects {

/// The old contents of up to N slots changed during one request, to roll them back when it fails
/// (an object's transaction).
template <class Slot, size_t N>
class UndoLog {
  // Old contents are kept as bytes: nothing to construct for the N entries up front.
  static_assert(std::is_trivially_copyable_v<Slot>);

 public:
  /// A request starts: from now on save() records slots before they change.
  void begin() noexcept {
    active_ = true;
    count_ = 0;
  }
  /// Call before `slot` changes. no_space when more slots change in one transaction than
  /// the log holds (the request then fails and is rolled back).
  Status save(Slot& slot) noexcept {
    if (!active_) return {};
    for (size_t i = 0; i < count_; ++i)
      if (entries_[i].where == &slot) return {};
    if (count_ == N) return Errc::no_space;
    entries_[count_].where = &slot;
    std::memcpy(entries_[count_].before, &slot, sizeof(Slot));
    ++count_;
    return {};
  }
  /// The request succeeded: forget the old contents.
  void commit() noexcept {
    active_ = false;
    count_ = 0;
  }
  /// The request failed: put every saved slot back as it was.
  void rollback() noexcept {
    while (count_ > 0) {
      --count_;
      std::memcpy(static_cast<void*>(entries_[count_].where), entries_[count_].before,
                  sizeof(Slot));
    }
    active_ = false;
  }

 private:
  struct Entry {
    Slot* where;
    alignas(Slot) unsigned char before[sizeof(Slot)];
  };
  Entry entries_[N];
  size_t count_ = 0;
  bool active_ = false;
};

}  // namespace lwm2m::objects
