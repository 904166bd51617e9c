// SPDX-License-Identifier: Apache-2.0
#include "codec/cbor_value.hpp"

#include "codec/cbor.hpp"
#include "codec/senml_common.hpp"

namespace lwm2m::codec {

Status encode_cbor_value(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
  (void)base;
  const Cursor start = records.tell();
  Record r;
  // One record and no second; then the first again, its byte values being gone.
  for (int k = 0; k < 3; ++k) {
    if (k == 2) records.seek(start);
    auto more = records.next(r);
    if (!more) return more.status();
    if (*more == (k == 1)) return Errc::not_acceptable;
  }
  if (r.value.is_none()) return Errc::not_acceptable;
  cbor::Writer w{out};
  senml::write_cbor_value(w, r.value);
  return {};
}

namespace {

Status decode_value(ByteView payload, const DecodeContext& ctx, Record& out) noexcept {
  if (!ctx.base.has_resource()) return Errc::bad_request;
  cbor::Reader in{payload};
  cbor::Item it;
  LWM2M_TRY(in.next(it));
  if (it.type == cbor::Type::null) return Errc::bad_request;
  auto v = senml::read_cbor_value(in, it, ctx.scratch);
  if (!v) return v.status();
  LWM2M_TRY(in.next(it));
  out = Record{ctx.base, *v, {}};
  return senml::type_record(out, ctx);
}

}  // namespace

Result<bool> CborValueDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  if (done_) return false;
  done_ = true;
  error_ = decode_value(payload_, ctx_, out).error();
  if (error_ != Errc::ok) return error_;
  return true;
}

}  // namespace lwm2m::codec
