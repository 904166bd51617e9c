// SPDX-License-Identifier: Apache-2.0
// Plain CBOR (Content-Format 60, OMA LwM2M Core 1.1 §7.4.6): the value of one resource or
// resource instance as a single CBOR item. Integers and time are CBOR integers (a tagged
// time, tag 1, is accepted on decode), floats float32 when exact else float64, strings and
// core links text, opaque a byte string, object links text "O:I".
#pragma once

#include "codec/decoder.hpp"

namespace lwm2m::codec {

/// Exactly one record with a value must come from the source: none, more than one, or one
/// without value is not_acceptable (the format cannot carry it; the core then answers
/// 4.06 or picks another format).
Status encode_cbor_value(const dm::Path& base, RecordSource& records, Sink& out) noexcept;

/// Yields one record at DecodeContext::base, which must name a resource or resource
/// instance (bad_request otherwise), typed through DecodeContext::types when given.
class CborValueDecoder final : public Decoder {
 public:
  CborValueDecoder(ByteView payload, const DecodeContext& ctx) noexcept
      : payload_(payload), ctx_(ctx) {}
  Result<bool> next(Record& out) noexcept override;

 private:
  ByteView payload_;
  DecodeContext ctx_;
  bool done_ = false;
  Errc error_ = Errc::ok;
};

}  // namespace lwm2m::codec
