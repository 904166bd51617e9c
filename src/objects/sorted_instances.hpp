// SPDX-License-Identifier: Apache-2.0
// Instance storage of the objects that keep their instances in an application array: the
// used slots come first, sorted by id, so enumeration by index is a plain array access.
#pragma once

#include <cstddef>
#include <span>

#include "lwm2m/dm/path.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::objects {

template <class T>
T* find_instance(std::span<T> used, dm::InstanceId iid) noexcept {
  for (T& i : used)
    if (i.id == iid) return &i;
  return nullptr;
}

/// Inserts `n` (n.id set) into the first `count` slots of `storage`, keeping them sorted.
template <class T>
Status insert_instance(std::span<T> storage, size_t& count, const T& n) noexcept {
  if (n.id == dm::kInvalidId) return Errc::invalid_argument;
  if (find_instance(storage.first(count), n.id)) return Errc::already_exists;
  if (count == storage.size()) return Errc::no_space;
  size_t at = count;
  while (at > 0 && storage[at - 1].id > n.id) {
    storage[at] = storage[at - 1];
    --at;
  }
  storage[at] = n;
  ++count;
  return {};
}

}  // namespace lwm2m::objects
