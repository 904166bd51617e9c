// SPDX-License-Identifier: Apache-2.0
// SenML JSON (Content-Format 110) and SenML CBOR (112) as LwM2M 1.1 uses them (OMA LwM2M
// Core 1.1 §7.4.4/§7.4.5, RFC 8428): Read, Observe and Send payloads out; Write,
// Write-Composite, Read-Composite/Observe-Composite requests (names only), FETCH and iPATCH
// payloads in.
//
// Naming on encode: the first record carries the base name, every record a name relative
// to it. Below an object or instance, bn is the base path with a trailing slash and n the
// rest ("/3/0/" + "7/0"); when the first record is the base itself (a single resource, or a
// resource with a time series), bn is the path and n is omitted. A root base gives bn "/".
// Values: integer, unsigned and time as "v" integers, float as "v", string and core link
// as "vs", boolean "vb", opaque "vd" (base64url without padding in JSON, a byte string in
// CBOR), object link "vlo" ("O:I"); Record::time as "t". A record without value is written
// with its name only. Errors: invalid_argument for a record outside the base or a value
// JSON cannot carry (NaN, infinities); errors of the source are passed on.
//
// Decoding: bn/bt persist until changed, name = bn + n, time = bt + t. Labels ending in '_'
// (must-understand, RFC 8428 §4.4) are unsupported; other unknown labels are ignored.
// Every name must be an LwM2M path at or below DecodeContext::base (else bad_request).
// Numbers ("v") take the resource's declared type from DecodeContext::types; a float for
// an integer, unsigned or time resource is bad_request. Records without value yield Value
// none. Records are yielded in payload order, duplicates too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/cbor.hpp"
#include "codec/decoder.hpp"
#include "codec/json.hpp"

namespace lwm2m::codec {

Status encode_senml_json(const dm::Path& base, RecordSource& records, Sink& out) noexcept;
/// The array's record count is found by a first pass over the source (tell/seek).
Status encode_senml_cbor(const dm::Path& base, RecordSource& records, Sink& out) noexcept;

namespace detail {
/// State the SenML decoders share: the current base name and base time.
struct SenmlBase {
  static constexpr size_t kMaxName = 32;  ///< longer names cannot be LwM2M paths
  char name[kMaxName] = {};
  uint8_t name_len = 0;
  bool has_time = false;
  double time = 0;
};
}  // namespace detail

class SenmlJsonDecoder final : public Decoder {
 public:
  SenmlJsonDecoder(ByteView payload, const DecodeContext& ctx) noexcept;
  Result<bool> next(Record& out) noexcept override;

 private:
  // The reader, sized for the target (about half as large on a 32-bit one).
  alignas(json::Reader) unsigned char reader_[sizeof(json::Reader)];
  DecodeContext ctx_;
  detail::SenmlBase base_;
  bool started_ = false;
  Errc error_ = Errc::ok;
};

class SenmlCborDecoder final : public Decoder {
 public:
  SenmlCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept;
  Result<bool> next(Record& out) noexcept override;

 private:
  alignas(cbor::Reader) unsigned char reader_[sizeof(cbor::Reader)];  // as above
  DecodeContext ctx_;
  detail::SenmlBase base_;
  bool started_ = false;
  Errc error_ = Errc::ok;
};

}  // namespace lwm2m::codec
