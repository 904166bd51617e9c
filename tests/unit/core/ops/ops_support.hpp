// SPDX-License-Identifier: Apache-2.0
// Shared by the per-operation tests: content formats and small payload builders.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace lwm2m::test::ops {

inline constexpr uint16_t kText = 0;
inline constexpr uint16_t kLink = 40;
inline constexpr uint16_t kSenmlJson = 110;
inline constexpr uint16_t kTlv = 11542;

inline std::string bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

}  // namespace lwm2m::test::ops
