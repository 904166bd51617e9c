// SPDX-License-Identifier: Apache-2.0
// CoAP Content-Format numbers that LwM2M uses (IANA CoAP registry, OMA LwM2M Core §7).
#pragma once

#include <cstdint>

namespace lwm2m::codec {

enum class ContentFormat : uint16_t {
  text_plain = 0,
  link_format = 40,
  octet_stream = 42,
  cbor = 60,
  senml_json = 110,
  senml_cbor = 112,
  lwm2m_tlv = 11542,
  lwm2m_json = 11543,
  lwm2m_cbor = 11544,
};

}  // namespace lwm2m::codec
