// One entry point per direction over every content format compiled in, so the client core
// never names a particular codec.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>

#include "lwm2m/codec/cbor_value.hpp"
#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/codec/lwm2m_cbor.hpp"
#include "lwm2m/codec/lwm2m_json.hpp"
#include "lwm2m/codec/opaque.hpp"
#include "lwm2m/codec/record.hpp"
#include "lwm2m/codec/senml.hpp"
#include "lwm2m/codec/text.hpp"
#include "lwm2m/codec/tlv.hpp"

namespace lwm2m::codec {

/// Encodes the records of `src` below `base` in format `f`. unsupported_content_format
/// when the format is not compiled in; encoders' own errors pass through.
Status encode(ContentFormat f, const dm::Path& base, RecordSource& src, Sink& out) noexcept;

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
  static constexpr size_t kStorage =
      std::max({sizeof(TextDecoder), sizeof(OpaqueDecoder), sizeof(TlvDecoder),
                sizeof(SenmlJsonDecoder), sizeof(SenmlCborDecoder), sizeof(CborValueDecoder),
                sizeof(Lwm2mCborDecoder), sizeof(Lwm2mJsonDecoder)});

 private:
  alignas(std::max_align_t) unsigned char storage_[kStorage];
  Decoder* decoder_ = nullptr;
};

}  // namespace lwm2m::codec
