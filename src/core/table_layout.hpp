// SPDX-License-Identifier: Apache-2.0
// Several tables in one allocation: each placed after the one before, at its alignment.
#pragma once

#include <cstddef>

namespace lwm2m::core {

struct TableLayout {
  size_t size = 0;  ///< bytes to allocate for everything placed so far

  /// Places `count` objects of type T; returns their offset in the allocation.
  template <class T>
  size_t place(size_t count) noexcept {
    size = (size + alignof(T) - 1) / alignof(T) * alignof(T);
    const size_t at = size;
    size += sizeof(T) * count;
    return at;
  }
};

}  // namespace lwm2m::core
