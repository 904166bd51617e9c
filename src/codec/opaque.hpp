// SPDX-License-Identifier: Apache-2.0
// application/octet-stream (Content-Format 42; OMA LwM2M Core 1.1 §7.4.2): the raw bytes
// of one opaque resource or resource instance (firmware images, certificates, keys).
#pragma once

#include "codec/decoder.hpp"
#include "codec/text.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// Writes the bytes of the single record of `src`, which must name `base` and be opaque.
/// Errors: not_acceptable (zero or several records, a record other than `base`, a value
/// that is not opaque); errors of the source.
inline Status encode_opaque(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  return detail::encode_single(base, src, out, true);
}

/// Yields one record at ctx.base whose value views the whole payload. Errors: bad_request
/// (base is not a resource or resource instance), unsupported_content_format (the resource
/// is not opaque), errors of ctx.types (required; not_found for an unknown resource).
/// invalid_state when ctx.types is null.
class OpaqueDecoder final : public TextDecoder {
 public:
  OpaqueDecoder(ByteView payload, const DecodeContext& ctx) noexcept
      : TextDecoder(payload, ctx, true) {}
  /// TextDecoder::next(): out of line, so that the class's vtable is the library's (a
  /// program built with RTTI finds it there). AnyDecoder makes a TextDecoder instead.
  Result<bool> next(Record& out) noexcept override;
};

}  // namespace lwm2m::codec
