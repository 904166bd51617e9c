// SPDX-License-Identifier: Apache-2.0
// Shared by the content-format fuzzers: a fixed type table covering every data type, so
// that inputs exercise each typed decoding path.
#pragma once

#include <cstdint>

#include "codec/decoder.hpp"
#include "lwm2m/dm/path.hpp"

namespace lwm2m::fuzz {

/// Object 3 and 9: resource r has type kTypes[r % 10], and odd resources >= 10 are multiple.
class FuzzTypes final : public codec::TypeResolver {
 public:
  static dm::DataType type_for(uint16_t r) noexcept {
    static constexpr dm::DataType kTypes[] = {
        dm::DataType::string,   dm::DataType::integer, dm::DataType::unsigned_integer,
        dm::DataType::floating, dm::DataType::boolean, dm::DataType::opaque,
        dm::DataType::time,     dm::DataType::objlnk,  dm::DataType::corelnk,
        dm::DataType::none};
    return kTypes[r % 10];
  }
  static bool multiple(uint16_t r) noexcept { return r >= 10 && (r & 1) != 0; }
  Result<dm::DataType> type_of(const dm::Path& path) const noexcept override {
    if (path.depth() < 3 || (path.object() != 3 && path.object() != 9)) return Errc::not_found;
    if (path.resource() > 200) return Errc::not_found;
    if (path.has_resource_instance() != multiple(path.resource())) return Errc::not_found;
    return type_for(path.resource());
  }
};

}  // namespace lwm2m::fuzz
