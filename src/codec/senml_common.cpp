// SPDX-License-Identifier: Apache-2.0
#include "codec/senml_common.hpp"

#include <cstring>
#include <iterator>

#include "codec/number.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec::senml {

Status Namer::name(const dm::Path& path, std::string_view& bn, std::string_view& n) noexcept {
  if (!base_.is_prefix_of(path)) return Errc::invalid_argument;
  bn = {};
  if (first_) {
    first_ = false;
    base_len_ = static_cast<uint8_t>(base_.is_root() ? 0 : base_.format(bn_));
    size_t len = base_len_;
    slash_ = !(path == base_) || base_.is_root();
    if (slash_) bn_[len++] = '/';
    bn = {bn_, len};
  }
  // The ids below the base: the path's text after the base's, without its leading '/' when
  // bn ends in one.
  n = {};
  if (path.depth() > base_.depth()) {
    const size_t skip = base_len_ + slash_;
    n = {n_ + skip, path.format(n_) - skip};
  }
  return {};
}

Status type_record(Record& rec, const DecodeContext& ctx) noexcept {
  if (!ctx.base.is_prefix_of(rec.path)) return Errc::bad_request;
  const dm::Value& raw = rec.value;
  if (raw.is_none()) return {};
  if (!rec.path.has_resource()) return Errc::bad_request;
  if (ctx.types == nullptr) return {};
  auto declared = ctx.types->type_of(rec.path);
  if (!declared) return declared.status();
  const dm::DataType to = *declared;
  if (raw.type() == to) return {};
  if (raw.type() == dm::DataType::floating && to != dm::DataType::floating)
    return Errc::bad_request;
  if (to == dm::DataType::objlnk && raw.type() == dm::DataType::string) {
    auto link = number::parse_objlnk(raw.as_string());
    if (!link) return link.status();
    rec.value = dm::Value::objlnk(link->object_id, link->instance_id);
    return {};
  }
  auto v = dm::convert(raw, to);
  if (!v) return Errc::bad_request;
  rec.value = *v;
  return {};
}

void write_cbor_value(cbor::Writer& w, const dm::Value& v) noexcept {
  switch (v.type()) {
    case dm::DataType::none:
      return w.null();
    case dm::DataType::string:
    case dm::DataType::corelnk:
      return w.text(v.as_string());
    case dm::DataType::opaque:
      return w.bytes(v.as_bytes());
    case dm::DataType::unsigned_integer:
      return w.unsigned_integer(v.as_unsigned());
    case dm::DataType::floating:
      return w.floating(v.as_float());
    case dm::DataType::boolean:
      return w.boolean(v.as_bool());
    case dm::DataType::objlnk: {
      char link[12];
      return w.text({link, number::format_objlnk(v.as_objlnk(), link)});
    }
    default:  // integer, time
      return w.integer(v.as_integer());
  }
}

Result<dm::Value> read_cbor_value(cbor::Reader& in, const cbor::Item& item,
                                  MutableByteView scratch) noexcept {
  const uint64_t arg = item.argument;
  switch (item.type) {
    case cbor::Type::unsigned_integer:
      if (arg > static_cast<uint64_t>(INT64_MAX)) return dm::Value::unsigned_integer(arg);
      return dm::Value::integer(static_cast<int64_t>(arg));
    case cbor::Type::negative_integer:
      if (arg > static_cast<uint64_t>(INT64_MAX)) return Errc::bad_request;
      return dm::Value::integer(-1 - static_cast<int64_t>(arg));
    case cbor::Type::floating:
      return dm::Value::floating(item.floating);
    case cbor::Type::boolean:
      return dm::Value::boolean(arg != 0);
    case cbor::Type::null:
      return dm::Value{};
    case cbor::Type::bytes:
    case cbor::Type::text: {
      auto b = cbor::read_string(in, item, scratch);
      if (!b) return b.status();
      if (item.type == cbor::Type::bytes) return dm::Value::opaque(*b);
      return dm::Value::string(as_string(*b));
    }
    default:
      return Errc::bad_request;
  }
}

}  // namespace lwm2m::codec::senml
