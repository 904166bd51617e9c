// SPDX-License-Identifier: Apache-2.0
// text/plain (Content-Format 0; OMA LwM2M Core 1.1 §7.4.1): one resource or resource
// instance value as text. Integers and times in decimal, floats as the shortest decimal
// that reads back exactly, booleans "0"/"1", object links "ObjectId:InstanceId", opaque
// values as base64 with padding (RFC 4648 §4; new in LwM2M 1.1).
#pragma once

#include "codec/decoder.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

namespace detail {
/// What plain text and octet-stream (opaque.hpp) share: the single record of `src`, which
/// must name `base`, written as text, or as its raw bytes when `raw` (an opaque value only).
/// One copy of the checks for both formats.
Status encode_single(const dm::Path& base, RecordSource& src, Sink& out, bool raw) noexcept;
}  // namespace detail

/// Encodes the single record of `src`, which must name `base` itself (a single resource
/// or one resource instance). Errors: not_acceptable when the representation is not one
/// value (base above resource level, a multiple resource, zero or several records);
/// invalid_argument for a value text cannot carry (none, NaN, infinity); errors of the
/// source. Output beyond the Sink's window is only counted.
inline Status encode_text(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  return detail::encode_single(base, src, out, false);
}

/// Yields one record at ctx.base, its value typed through ctx.types (required). Errors:
/// bad_request (base is not a resource or resource instance, or the text is not a value
/// of the declared type, including invalid UTF-8 in a string), errors of the resolver
/// (not_found), buffer_too_small when ctx.scratch cannot hold a decoded opaque value.
/// invalid_state when ctx.types is null.
/// Values view the payload, or ctx.scratch for opaque.
class TextDecoder : public Decoder {
 public:
  TextDecoder(ByteView payload, const DecodeContext& ctx) noexcept : payload_(payload), ctx_(ctx) {}
  /// With `raw`, the octet-stream decoder (OpaqueDecoder, opaque.hpp): the payload is the
  /// value of an opaque resource. One class for both formats: the checks both make exist
  /// once.
  TextDecoder(ByteView payload, const DecodeContext& ctx, bool raw) noexcept
      : payload_(payload), ctx_(ctx), raw_(raw) {}
  Result<bool> next(Record& out) noexcept override;

 private:
  ByteView payload_;
  DecodeContext ctx_;
  bool raw_ = false;
  bool done_ = false;
};

}  // namespace lwm2m::codec
