// SPDX-License-Identifier: Apache-2.0
// Fuzzes the SenML JSON decoder: whatever decodes must encode and decode to the same records.
#include <cstddef>
#include <cstdint>

#include "codec/senml.hpp"
#include "format_roundtrip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lwm2m::fuzz::roundtrip<lwm2m::codec::SenmlJsonDecoder>({data, size},
                                                         lwm2m::codec::encode_senml_json);
  return 0;
}
