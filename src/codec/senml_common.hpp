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

/// Maps a JSON label (or a CBOR text label) to a Label.
Label label_from_text(std::string_view s) noexcept;

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
  bool slash_ = true;  // bn ends in '/'
  char bn_[dm::Path::kMaxTextLength + 2];
  char n_[dm::Path::kMaxTextLength + 2];
};

/// Decoder side: the fields of one SenML record as read.
struct Fields {
  std::string_view name;  // valid when has_name
  bool has_name = false;
  bool has_time = false;
  double time = 0;
  dm::Value value;       // as the wire typed it ("v" numbers: integer, unsigned or float)
  bool numeric = false;  // the value came from "v"
};

/// Adds one labelled item of a record, as a reader found it: text as a string value, bytes
/// (vd, already base64-decoded in JSON) as opaque, numbers as integer, unsigned or float,
/// booleans as boolean. malformed for a label given twice, a second value or an item of
/// the wrong kind; bn updates `base` at once (it applies to this record too).
Status add_field(Label l, const dm::Value& item, detail::SenmlBase& base, Fields& f,
                 unsigned& seen) noexcept;

/// Turns a record's fields into a Record: name = bn + n checked against ctx.base, time =
/// bt + t, value typed through ctx.types.
Status resolve(const detail::SenmlBase& base, const Fields& f, const DecodeContext& ctx,
               Record& out) noexcept;
/// Stores a new base name (bad_request when longer than SenmlBase::kMaxName).
Status set_base_name(detail::SenmlBase& base, std::string_view bn) noexcept;

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
