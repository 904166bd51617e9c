// SPDX-License-Identifier: Apache-2.0
// Substrings without std::string_view::substr, whose range check calls a throwing function:
// with exceptions off that function still links abort(), signal handling and malloc into
// firmware (about 1 kB). A start past the end gives an empty view instead.
#pragma once

#include <cstddef>
#include <string_view>

namespace lwm2m::detail {

/// The characters of `s` from `pos`, at most `n` of them (all the rest by default).
inline std::string_view slice(std::string_view s, size_t pos,
                              size_t n = std::string_view::npos) noexcept {
  if (pos > s.size()) pos = s.size();
  const size_t rest = s.size() - pos;
  return {s.data() + pos, n < rest ? n : rest};
}

}  // namespace lwm2m::detail
