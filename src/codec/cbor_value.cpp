// SPDX-License-Identifier: Apache-2.0
#include "codec/cbor_value.hpp"

#include "codec/cbor.hpp"
#include "codec/senml_common.hpp"

namespace lwm2m::codec {

Status encode_cbor_value(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
  (void)base;
  const Cursor start = records.tell();
  Record r;
  for (int k = 0; k < 2; ++k) {
    auto more = records.next(r);
    if (!more) return more.status();
    if (*more != (k == 0)) return Errc::not_acceptable;  // none, or a second record
  }
  records.seek(start);  // byte values of the first record are gone: read it again
  auto more = records.next(r);
  if (!more) return more.status();
  if (!*more || r.value.is_none()) return Errc::not_acceptable;
  cbor::Writer w{out};
  senml::write_cbor_value(w, r.value);
  return {};
}

namespace {

Status decode_value(ByteView payload, const DecodeContext& ctx, Record& out) noexcept {
  if (!ctx.base.has_resource()) return Errc::bad_request;
  cbor::Reader in{payload};
  auto it = in.next();
  if (!it) return it.status();
  if (it->type == cbor::Type::null) return Errc::bad_request;
  auto v = senml::read_cbor_value(in, *it, ctx.scratch);
  if (!v) return v.status();
  auto end = in.next();
  if (!end) return end.status();
  out = Record{ctx.base, *v, {}};
  return senml::type_record(out, ctx);
}

}  // namespace

Result<bool> CborValueDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  if (done_) return false;
  done_ = true;
  if (Status s = decode_value(payload_, ctx_, out); !s) {
    error_ = s.error();
    return error_;
  }
  return true;
}

}  // namespace lwm2m::codec
