// SPDX-License-Identifier: Apache-2.0
#include "codec/opaque.hpp"

namespace lwm2m::codec {

Status encode_opaque(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  if (base.depth() < 3) return Errc::not_acceptable;
  Record rec;
  auto first = src.next(rec);
  if (!first) return first.status();
  if (!*first || !(rec.path == base) || rec.value.type() != dm::DataType::opaque)
    return Errc::not_acceptable;
  // Written before looking for a second record: the view is only valid until next().
  out.write(rec.value.as_bytes());
  Record extra;
  auto more = src.next(extra);
  if (!more) return more.status();
  if (*more) return Errc::not_acceptable;
  return {};
}

Result<bool> OpaqueDecoder::next(Record& out) noexcept {
  if (done_) return false;
  if (ctx_.types == nullptr) return Errc::invalid_state;  // a usage error, not the payload's
  if (ctx_.base.depth() < 3) return Errc::bad_request;
  auto type = ctx_.types->type_of(ctx_.base);
  if (!type) return type.error();
  if (*type != dm::DataType::opaque) return Errc::unsupported_content_format;
  out.path = ctx_.base;
  out.value = dm::Value::opaque(payload_);
  out.time.reset();
  done_ = true;
  return true;
}

}  // namespace lwm2m::codec
