// SPDX-License-Identifier: Apache-2.0
// One entry point per direction over every content format compiled in, so the client core
// never names a particular codec.
//
// Formats other than TLV, plain text, opaque and link format can be left out of a firmware
// image (LWM2M_WITH_CBOR, _SENML_CBOR, _SENML_JSON, _LWM2M_CBOR, _LWM2M_JSON in
// lwm2m/build_config.hpp, from the CMake options of the same names or LWM2M_TIER). A format
// left out is never chosen by negotiation; asked for by Accept it is answered 4.06, sent in
// a Write 4.15, and its code is dropped by the linker.
#pragma once

#include "lwm2m/config.hpp"

#include <algorithm>
#include <cstddef>
#include <new>

#include "codec/cbor_value.hpp"
#include "codec/decoder.hpp"
#include "codec/lwm2m_cbor.hpp"
#include "codec/lwm2m_json.hpp"
#include "codec/opaque.hpp"
#include "codec/senml.hpp"
#include "codec/text.hpp"
#include "codec/tlv.hpp"
#include "lwm2m/codec/content_format.hpp"

namespace lwm2m::codec {

/// Encodes the records of `src` below `base` in format `f`. unsupported_content_format
/// when the format is not compiled in; encoders' own errors pass through.
Status encode(ContentFormat f, const dm::Path& base, RecordSource& src, Sink& out) noexcept;

/// A decoded record's value as the resource's declared type `type`, for the core to
/// write: dm::convert() in a build with a format that carries its own types (CBOR, SenML,
/// LwM2M CBOR and JSON). With TLV, plain text and opaque alone, every decoder reads a value
/// as the type the resolver declares, so the value is returned as it is (bad_request for
/// another type, which these decoders never yield) and the conversions are not linked.
inline Result<dm::Value> as_declared(const dm::Value& v, dm::DataType type) noexcept {
  if constexpr (LWM2M_WITH_CBOR || LWM2M_WITH_SENML_CBOR || LWM2M_WITH_SENML_JSON ||
                LWM2M_WITH_LWM2M_CBOR || LWM2M_WITH_LWM2M_JSON) {
    return dm::convert(v, type);
  } else {
    if (v.type() != type) return Errc::bad_request;
    return v;
  }
}

/// Holds any one decoder without heap allocation.
class AnyDecoder {
 public:
  AnyDecoder() noexcept = default;
  AnyDecoder(const AnyDecoder&) = delete;
  AnyDecoder& operator=(const AnyDecoder&) = delete;
  ~AnyDecoder() { close(); }

  /// Starts decoding `payload`; unsupported_content_format when `f` cannot be read here.
  Status open(ContentFormat f, ByteView payload, const DecodeContext& ctx) noexcept;
  Result<bool> next(Record& out) noexcept;
  void close() noexcept;

  /// Room for the largest decoder.
  static constexpr size_t kStorage = std::max({
    sizeof(TextDecoder), sizeof(TlvDecoder),
#if LWM2M_WITH_SENML_CBOR
        sizeof(SenmlCborDecoder),
#endif
#if LWM2M_WITH_CBOR
        sizeof(CborValueDecoder),
#endif
#if LWM2M_WITH_SENML_JSON
        sizeof(SenmlJsonDecoder),
#endif
#if LWM2M_WITH_LWM2M_CBOR
        sizeof(Lwm2mCborDecoder),
#endif
#if LWM2M_WITH_LWM2M_JSON
        sizeof(Lwm2mJsonDecoder),
#endif
  });

 private:
  alignas(std::max_align_t) unsigned char storage_[kStorage];
  Decoder* decoder_ = nullptr;
};

}  // namespace lwm2m::codec
