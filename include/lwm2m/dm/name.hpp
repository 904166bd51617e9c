// SPDX-License-Identifier: Apache-2.0
// The descriptive texts of object definitions: object and resource names, units and range
// texts. Serving requests never needs them; logs and tools show them. A library built with
// LWM2M_WITH_NAMES=0 (the default when cross-compiling for firmware, see
// lwm2m/build_config.hpp) keeps none of them: the texts in a definition table are dropped
// when it is compiled, and reading one gives an empty text.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "lwm2m/config.hpp"

namespace lwm2m::dm {

#if LWM2M_WITH_NAMES

/// A descriptive text of an object definition, e.g. the resource name "Sensor Value".
using Name = std::string_view;

#else

/// A descriptive text of an object definition, left out of this build (LWM2M_WITH_NAMES=0):
/// it is initialised and assigned like a std::string_view, stores nothing, and reads as the
/// empty text. As a member marked [[no_unique_address]] it takes no space.
class Name {
 public:
  /// The empty text.
  constexpr Name() noexcept = default;
  /// Takes any text (a literal, a std::string_view, a std::string) and drops it.
  template <class Text>
  requires std::is_convertible_v<const Text&, std::string_view>
  constexpr Name(const Text& /*text*/) noexcept {}

  /// The empty text, where a std::string_view is wanted.
  constexpr operator std::string_view() const noexcept { return {}; }

  /// An empty C string.
  static constexpr const char* data() noexcept { return ""; }
  /// 0.
  static constexpr size_t size() noexcept { return 0; }
  /// 0.
  static constexpr size_t length() noexcept { return 0; }
  /// True.
  static constexpr bool empty() noexcept { return true; }
  /// The start of the empty range.
  static constexpr const char* begin() noexcept { return data(); }
  /// The end of the empty range (begin()).
  static constexpr const char* end() noexcept { return data(); }

  /// Equal to the empty text only.
  friend constexpr bool operator==(Name, std::string_view text) noexcept { return text.empty(); }
};

#endif

}  // namespace lwm2m::dm
