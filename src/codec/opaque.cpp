// SPDX-License-Identifier: Apache-2.0
#include "codec/opaque.hpp"

namespace lwm2m::codec {

Result<bool> OpaqueDecoder::next(Record& out) noexcept {
  return TextDecoder::next(out);
}

}  // namespace lwm2m::codec
