// SPDX-License-Identifier: Apache-2.0
// What an object definition (DDF) says about a resource beyond dm::ResourceDef: its units
// and its range. Kept in a table of its own, next to the ResourceDef table, so that an
// object that never checks ranges carries none of it and request handling stays as it is.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/dm/name.hpp"
#include "lwm2m/dm/path.hpp"

namespace lwm2m::dm {

/// What a numeric range bounds.
enum class RangeKind : uint8_t {
  none,    ///< no range, or one given only as text (an enumeration such as "16,32,48")
  value,   ///< the value itself: min <= v <= max
  length,  ///< the length in bytes of a string or opaque value ("0..255 bytes")
};

/// Units and range of one resource, from the OMA definition of its object.
struct ResourceInfo {
  ResourceId id;  ///< resource id
  /// "Cel", "/100", "m/s"; empty when none, and in a build without names
  /// (LWM2M_WITH_NAMES=0, lwm2m/dm/name.hpp).
  [[no_unique_address]] Name units = {};
  /// The definition's RangeEnumeration text; empty in a build without names (min, max and
  /// kind still hold the range).
  [[no_unique_address]] Name range = {};
  RangeKind kind = RangeKind::none;  ///< what min and max bound
  double min = 0;                    ///< lowest allowed value or length
  double max = 0;                    ///< highest allowed value or length

  /// Whether `v` (a value, or a length for RangeKind::length) is within the range.
  constexpr bool accepts(double v) const noexcept {
    return kind == RangeKind::none || (v >= min && v <= max);
  }
};

/// The entry for `id` in a table sorted by id; null when the definition gives neither
/// units nor range for it.
constexpr const ResourceInfo* find_info(std::span<const ResourceInfo> table,
                                        ResourceId id) noexcept {
  for (const ResourceInfo& r : table)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace lwm2m::dm
