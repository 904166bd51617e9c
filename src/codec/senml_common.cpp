// SPDX-License-Identifier: Apache-2.0
#include "codec/senml_common.hpp"

#include <cstring>
#include <iterator>

#include "codec/number.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec::senml {

Label label_from_text(std::string_view s) noexcept {
  // Each known label's characters and length in one word: one comparison per label.
  constexpr auto pack = [](std::string_view t) {
    uint32_t w = static_cast<uint32_t>(t.size()) << 24;
    for (size_t i = 0; i < t.size(); ++i)
      w |= static_cast<uint32_t>(static_cast<uint8_t>(t[i])) << (8 * i);
    return w;
  };
  static constexpr uint32_t kText[] = {pack("bn"), pack("bt"), pack("n"),  pack("v"),  pack("vs"),
                                       pack("vb"), pack("t"),  pack("vd"), pack("vlo")};
  static constexpr Label kLabels[] = {kBaseName,  kBaseTime, kName,      kValue,      kStringValue,
                                      kBoolValue, kTime,     kDataValue, kObjlnkValue};
  if (s.size() <= 3) {
    const uint32_t w = pack(s);
    for (size_t k = 0; k < std::size(kText); ++k)
      if (w == kText[k]) return kLabels[k];
  }
  return !s.empty() && s.back() == '_' ? kMustUnderstand : kUnknown;
}

Status Namer::name(const dm::Path& path, std::string_view& bn, std::string_view& n) noexcept {
  if (!base_.is_prefix_of(path)) return Errc::invalid_argument;
  bn = {};
  if (first_) {
    first_ = false;
    size_t len = base_.is_root() ? 0 : base_.format(bn_);
    slash_ = !(path == base_) || base_.is_root();
    if (slash_) bn_[len++] = '/';
    bn = {bn_, len};
  }
  // The ids below the base, '/'-separated; a leading '/' when bn has none.
  char* p = n_;
  for (size_t level = base_.depth(); level < path.depth(); ++level) {
    if (level > base_.depth() || !slash_) *p++ = '/';
    char digits[number::kMaxChars];
    size_t k = number::format_uint(path.id(level), digits);
    std::memcpy(p, digits, k);
    p += k;
  }
  n = {n_, static_cast<size_t>(p - n_)};
  return {};
}

Status set_base_name(detail::SenmlBase& base, std::string_view bn) noexcept {
  if (bn.size() > detail::SenmlBase::kMaxName) return Errc::bad_request;
  if (!bn.empty()) std::memcpy(base.name, bn.data(), bn.size());
  base.name_len = static_cast<uint8_t>(bn.size());
  return {};
}

Status add_field(Label l, const dm::Value& item, detail::SenmlBase& base, Fields& f,
                 unsigned& seen) noexcept {
  // Per label (bt, bn, -, n, -, v, vs, vb, -, t, -, vd, vlo: l + 3, vlo 12) the value types
  // it takes; one bit per label in `seen`, and bit 13 for "has a value" (a record holds at
  // most one).
  constexpr uint8_t kNumber = 1u << static_cast<int>(dm::DataType::integer) |
                              1u << static_cast<int>(dm::DataType::unsigned_integer) |
                              1u << static_cast<int>(dm::DataType::floating);
  constexpr uint8_t kText = 1u << static_cast<int>(dm::DataType::string);
  constexpr uint8_t kBool = 1u << static_cast<int>(dm::DataType::boolean);
  constexpr uint8_t kBytes = 1u << static_cast<int>(dm::DataType::opaque);
  static constexpr uint8_t kTakes[] = {kNumber, kText, 0,       kText, 0,      kNumber, kText,
                                       kBool,   0,     kNumber, 0,     kBytes, kText};
  const unsigned index = l == kObjlnkValue ? 12 : static_cast<unsigned>(l + 3);
  const unsigned bits = 1u << index | (l >= kValue && l != kTime ? 1u << 13 : 0);
  if ((seen & bits) != 0 || (kTakes[index] >> static_cast<int>(item.type()) & 1) == 0) {
    return Errc::malformed;
  }
  seen |= bits;
  switch (l) {
    case kBaseName:
      return set_base_name(base, item.as_string());
    case kName:
      f.name = item.as_string();
      f.has_name = true;
      return {};
    case kObjlnkValue: {
      auto link = number::parse_objlnk(item.as_string());
      if (!link) return link.status();
      f.value = dm::Value::objlnk(link->object_id, link->instance_id);
      return {};
    }
    case kTime:
    case kBaseTime: {
      const dm::DataType t = item.type();
      const double d = t == dm::DataType::floating ? item.as_float()
                       : t == dm::DataType::unsigned_integer
                           ? static_cast<double>(item.as_unsigned())
                           : static_cast<double>(item.as_integer());
      if (l == kTime) {
        f.time = d;
        f.has_time = true;
      } else {
        base.time = d;
        base.has_time = true;
      }
      return {};
    }
    default:  // v, vs, vb, vd
      f.value = item;
      return {};
  }
}

Status resolve(const detail::SenmlBase& base, const Fields& f, const DecodeContext& ctx,
               Record& out) noexcept {
  char text[2 * detail::SenmlBase::kMaxName];
  const std::string_view n = f.has_name ? f.name : std::string_view{};
  if (n.size() > detail::SenmlBase::kMaxName) return Errc::bad_request;
  std::memcpy(text, base.name, base.name_len);
  if (!n.empty()) std::memcpy(text + base.name_len, n.data(), n.size());
  size_t len = base.name_len + n.size();
  // "/3/0/" names /3/0: base names end in '/', and a record may carry the base name alone.
  if (len > 1 && text[len - 1] == '/') --len;
  auto path = dm::Path::parse({text, len});
  if (!path) return Errc::bad_request;
  out.path = *path;
  out.value = f.value;
  out.time.reset();
  if (base.has_time || f.has_time) out.time = (base.has_time ? base.time : 0) + f.time;
  return type_record(out, ctx);
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
  switch (item.type) {
    case cbor::Type::unsigned_integer:
      if (item.argument > static_cast<uint64_t>(INT64_MAX)) {
        return dm::Value::unsigned_integer(item.argument);
      }
      return dm::Value::integer(static_cast<int64_t>(item.argument));
    case cbor::Type::negative_integer: {
      auto i = cbor::as_int64(item);
      if (!i) return Errc::bad_request;
      return dm::Value::integer(*i);
    }
    case cbor::Type::floating:
      return dm::Value::floating(item.floating);
    case cbor::Type::boolean:
      return dm::Value::boolean(item.argument != 0);
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
