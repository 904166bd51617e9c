// SPDX-License-Identifier: Apache-2.0
// What the SenML encoders and decoders (JSON and CBOR) and the other CBOR formats (plain
// CBOR, LwM2M CBOR) share: naming against a base path, base name/time resolution, typing
// of decoded values, values as single CBOR items.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "codec/cbor.hpp"
#include "codec/decoder.hpp"
#include "codec/senml.hpp"

namespace lwm2m::codec::senml {

/// Labels (RFC 8428 §4.3 and §6; "vlo" is LwM2M's object link, a text key in CBOR).
enum Label : int8_t {
  kBaseName = -2,
  kBaseTime = -3,
  kName = 0,
  kValue = 2,
  kStringValue = 3,
  kBoolValue = 4,
  kTime = 6,
  kDataValue = 8,
  kObjlnkValue = 100,  // not a CBOR label: stands for "vlo"
  kUnknown = 101,
  kMustUnderstand = 102,  // an unknown label ending in '_'
};

/// The names an encoder writes for each record (see senml.hpp).
class Namer {
 public:
  explicit Namer(const dm::Path& base) noexcept : base_(base) {}
  /// Names for `path`; bn is empty except for the first record, n is empty when omitted.
  /// invalid_argument when the path is not at or below the base.
  Status name(const dm::Path& path, std::string_view& bn, std::string_view& n) noexcept;

 private:
  dm::Path base_;
  bool first_ = true;
  bool slash_ = true;     // bn ends in '/'
  uint8_t base_len_ = 0;  // length of the base's text ("/3/0"; 0 for the root)
  char bn_[dm::Path::kMaxTextLength + 2];
  char n_[dm::Path::kMaxTextLength + 2];
};

/// Checks a decoded record against the context and gives its value the resource's declared
/// type: bad_request for a record outside ctx.base, a value above resource level or a
/// value of the wrong type; the TypeResolver's errors (not_found) are passed on.
Status type_record(Record& rec, const DecodeContext& ctx) noexcept;

/// A value as one CBOR item (plain CBOR and LwM2M CBOR): integers and time as integers,
/// float as float32/float64, string and core link as text, opaque as bytes, object link as
/// text "O:I", none as null.
void write_cbor_value(cbor::Writer& w, const dm::Value& v) noexcept;
/// The value an item read by `in` holds, typed as the wire says (unsigned integers above
/// INT64_MAX as unsigned, others as integer); null is none. Chunked strings are gathered
/// in `scratch`. Containers and other simple values are bad_request.
Result<dm::Value> read_cbor_value(cbor::Reader& in, const cbor::Item& item,
                                  MutableByteView scratch) noexcept;

}  // namespace lwm2m::codec::senml
