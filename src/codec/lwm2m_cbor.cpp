// SPDX-License-Identifier: Apache-2.0
#include "codec/lwm2m_cbor.hpp"

#include <new>

#include "codec/cbor.hpp"
#include "codec/senml_common.hpp"

namespace lwm2m::codec {
namespace {

class Nester {
 public:
  Nester(RecordSource& src, Sink& out) noexcept : src_(src), w_(out) {}

  /// Keys for the children of `p` (records strictly below it), one map level.
  Status map(const dm::Path& p) noexcept {
    const size_t level = p.depth();
    // First pass: distinct ids at `level` in the run of records below p.
    const Cursor start = src_.tell();
    uint64_t count = 0;
    uint32_t last = 0x10000;
    Record r;
    for (;;) {
      auto more = src_.next(r);
      if (!more) return more.status();
      if (!*more || !p.is_prefix_of(r.path)) break;
      if (r.path.depth() == level) return Errc::invalid_argument;  // a leaf with children
      const uint16_t id = r.path.id(level);
      if (last != 0x10000 && id < last) return Errc::invalid_argument;  // out of order
      if (id != last) ++count;
      last = id;
    }
    src_.seek(start);
    w_.map(count);
    for (uint64_t k = 0; k < count; ++k) {
      const Cursor here = src_.tell();
      auto more = src_.next(r);
      if (!more) return more.status();
      const uint16_t id = r.path.id(level);
      w_.unsigned_integer(id);
      if (r.path.depth() == level + 1) {
        senml::write_cbor_value(w_, r.value);
        LWM2M_TRY(no_repeat(r.path));
      } else {
        src_.seek(here);
        auto child = p.child(id);
        if (!child) return child.status();
        LWM2M_TRY(map(*child));
      }
    }
    return {};
  }

  /// A leaf must not come twice (a time series has no LwM2M CBOR form).
  Status no_repeat(const dm::Path& leaf) noexcept {
    const Cursor here = src_.tell();
    Record r;
    auto more = src_.next(r);
    if (!more) return more.status();
    src_.seek(here);
    return *more && leaf.is_prefix_of(r.path) ? Errc::invalid_argument : Status{};
  }

  RecordSource& src_;
  cbor::Writer w_;
};

}  // namespace

Status encode_lwm2m_cbor(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
  Nester n{records, out};
  const Cursor start = records.tell();
  Record r;
  auto more = records.next(r);
  if (!more) return more.status();
  if (!*more) {
    n.w_.map(0);
    return {};
  }
  if (!base.is_prefix_of(r.path)) return Errc::invalid_argument;
  if (base.is_root()) {
    records.seek(start);
    return n.map(base);
  }
  n.w_.map(1);
  if (base.depth() == 1) {
    n.w_.unsigned_integer(base.object());
  } else {
    n.w_.array(base.depth());
    for (size_t k = 0; k < base.depth(); ++k)
      n.w_.unsigned_integer(base.id(k));
  }
  if (r.path == base) {
    senml::write_cbor_value(n.w_, r.value);
    return n.no_repeat(base);
  }
  records.seek(start);
  LWM2M_TRY(n.map(base));
  // Every record must have been below the base.
  more = records.next(r);
  if (!more) return more.status();
  return *more ? Errc::invalid_argument : Status{};
}

static_assert(sizeof(cbor::Reader) <= 176 && alignof(cbor::Reader) <= 8);

Lwm2mCborDecoder::Lwm2mCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept
    : ctx_(ctx) {
  new (reader_) cbor::Reader(payload);
}

Result<bool> Lwm2mCborDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  for (;;) {
    bool produced = false;
    Status s = step(out, produced);
    if (!s) {
      error_ = s.error();
      return error_;
    }
    if (produced) return true;
    if (maps_ == 0 && started_) return false;
  }
}

// Consumes one key and what it leads to: a leaf (produced), or the opening of a map, or the
// end of a map.
Status Lwm2mCborDecoder::step(Record& out, bool& produced) noexcept {
  auto& in = *std::launder(reinterpret_cast<cbor::Reader*>(reader_));
  cbor::Item it;
  if (!started_) {
    started_ = true;
    LWM2M_TRY(in.next(it));
    if (it.type != cbor::Type::map) return Errc::malformed;
    maps_ = 1;
    key_depth_[0] = 0;
    return {};
  }
  if (maps_ == 0) {
    LWM2M_TRY(in.next(it));
    return it.type == cbor::Type::eof ? Status{} : Errc::malformed;
  }
  LWM2M_TRY(in.next(it));
  if (it.type == cbor::Type::end) {
    if (--maps_ == 0) return in.next(it);  // must be the end of the payload
    return {};
  }
  // The key: an id, or an array of ids (a path prefix).
  dm::Path p = path_;
  while (p.depth() > key_depth_[maps_ - 1])
    p = p.parent();
  auto append = [&](const cbor::Item& id) -> Status {
    if (id.type != cbor::Type::unsigned_integer) return Errc::malformed;
    if (id.argument >= dm::kInvalidId) return Errc::bad_request;
    auto c = p.child(static_cast<uint16_t>(id.argument));
    if (!c) return Errc::bad_request;  // deeper than a resource instance
    p = *c;
    return {};
  };
  if (it.type == cbor::Type::array) {
    size_t ids = 0;
    for (;;) {
      LWM2M_TRY(in.next(it));
      if (it.type == cbor::Type::end) break;
      LWM2M_TRY(append(it));
      ++ids;
    }
    if (ids == 0) return Errc::malformed;
  } else {
    LWM2M_TRY(append(it));
  }
  path_ = p;
  LWM2M_TRY(in.next(it));
  if (it.type == cbor::Type::map) {
    if (p.depth() >= dm::Path::kMaxDepth) return Errc::bad_request;
    key_depth_[maps_++] = static_cast<uint8_t>(p.depth());
    return {};
  }
  auto value = senml::read_cbor_value(in, it, ctx_.scratch);
  if (!value) return value.status();
  out = Record{p, *value, {}};
  LWM2M_TRY(senml::type_record(out, ctx_));
  produced = true;
  return {};
}

}  // namespace lwm2m::codec
