// SPDX-License-Identifier: Apache-2.0
// What every content format's decoder is: a pull reader over one complete payload,
// yielding the records (lwm2m/records.hpp) the core then applies to the data model.
#pragma once

#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/records.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

// The shared vocabulary (lwm2m/records.hpp, lwm2m/sink.hpp), by the names the formats and
// the core have always used for it.
using lwm2m::Cursor;
using lwm2m::Record;
using lwm2m::RecordSource;
using lwm2m::Sink;
using lwm2m::SpanSource;
using lwm2m::TypeResolver;

/// What a decoder needs besides the payload.
struct DecodeContext {
  /// The request's target (Uri-Path). Relative names in the payload (TLV ids, SenML names
  /// after the base name, LwM2M CBOR keys) are resolved against the formats' own rules;
  /// formats whose names are absolute (SenML, LwM2M CBOR) check that every record lies
  /// at or below it.
  dm::Path base;
  /// Needed by formats that do not carry types (text, TLV, JSON numbers). May be null for
  /// formats that do not need it.
  const TypeResolver* types = nullptr;
  /// Room for values that cannot be views into the payload (unescaped JSON strings,
  /// base64-decoded opaque). A payload-sized buffer always suffices; the values of one
  /// record occupy it until the next call to next().
  MutableByteView scratch;
};

/// Pull decoder over one complete payload. next() yields records until it returns false.
/// A decoder can be recreated over the same payload to validate first and apply after, so
/// that a malformed payload never causes a partial write.
///
/// Errors (each becomes a CoAP code through coap::code_for): malformed/truncated (4.00),
/// not_found from the TypeResolver (4.04), unsupported (4.15 at the format level, e.g. a
/// TLV identifier type that does not match the target depth), buffer_too_small when the
/// scratch is too small (5.00), bad_request when a record lies outside the base path.
class Decoder {
 public:
  virtual Result<bool> next(Record& out) noexcept = 0;

 protected:
  // Decoders own nothing (AnyDecoder ends one by reusing its bytes): no destructor in the
  // vtable, none linked per format.
  ~Decoder() = default;
};

}  // namespace lwm2m::codec
