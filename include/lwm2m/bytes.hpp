// SPDX-License-Identifier: Apache-2.0
// Byte views used at every layer boundary. The library never owns a caller's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lwm2m {

using ByteView = std::span<const uint8_t>;
using MutableByteView = std::span<uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string(ByteView b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace lwm2m
