// SPDX-License-Identifier: Apache-2.0
// LwM2M CBOR (Content-Format 11544, OMA LwM2M Core 1.2 §7.4.7): nested CBOR maps keyed by
// the ids of absolute paths, leaves holding values as in plain CBOR (cbor_value.hpp).
//
// Encode: the base path is the single key of the outer map (an id for an object, an id
// array such as [3, 0] deeper), below it one map per level: {[3, 0]: {0: "Open Mobile
// Alliance", 7: {0: 3800, 1: 5000}, ...}}. A root base nests from the object ids. Map
// sizes are found by scanning ahead (tell/seek). Records must come depth-first in
// ascending id order, without repeats (invalid_argument otherwise: a map cannot hold a key
// twice; Read-Composite paths must therefore be sorted by the caller). Times are not
// carried (the format has none); no records encode as an empty map.
//
// Decode: keys are ids or arrays of ids (path prefixes) at any level, maps definite or
// indefinite; every leaf is a record, null meaning no value. Leaves must lie at or below
// DecodeContext::base (bad_request) and are typed through DecodeContext::types.
#pragma once

#include <cstdint>

#include "codec/cbor.hpp"
#include "codec/decoder.hpp"

namespace lwm2m::codec {

Status encode_lwm2m_cbor(const dm::Path& base, RecordSource& records, Sink& out) noexcept;

class Lwm2mCborDecoder final : public Decoder {
 public:
  Lwm2mCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept;
  Result<bool> next(Record& out) noexcept override;

 private:
  Status step(Record& out, bool& produced) noexcept;

  alignas(cbor::Reader) unsigned char reader_[sizeof(cbor::Reader)];  // sized for the target
  DecodeContext ctx_;
  dm::Path path_;
  uint8_t key_depth_[dm::Path::kMaxDepth + 1] = {};  // per open map: depth its keys start at
  uint8_t maps_ = 0;
  bool started_ = false;
  Errc error_ = Errc::ok;
};

}  // namespace lwm2m::codec
