// SPDX-License-Identifier: Apache-2.0
#include "codec/senml.hpp"

#include <new>
#include <type_traits>

#include "codec/base64.hpp"
#include "codec/cbor.hpp"
#include "codec/json.hpp"
#include "codec/number.hpp"
#include "codec/senml_common.hpp"
#include "lwm2m/build_config.hpp"
#include "soft_double.hpp"
#include "to_double.hpp"

namespace lwm2m::codec {
namespace {

using senml::Label;
constexpr size_t kNameMax = detail::SenmlBase::kMaxName;

// One record in either representation; JSON and CBOR differ only in how a label and a
// value are written. Every field goes through field(): names as string values, a time as
// an integer or float value, so that CBOR writes them all with write_cbor_value().
class PackWriter {
 public:
  virtual void begin_record(size_t fields) noexcept = 0;
  virtual void field(Label l, const dm::Value& v) noexcept = 0;
  virtual void end_record() noexcept = 0;

 protected:
  ~PackWriter() = default;
};
// Without SenML JSON, CBOR is the only representation: write_pack() is made for it, with
// direct calls and no vtable.
struct NoPackWriter {};
using PackBase = std::conditional_t<LWM2M_WITH_SENML_JSON != 0, PackWriter, NoPackWriter>;

// Times are usually whole seconds: written as integers they are shorter, and JSON readers
// see "1700000000" rather than "1.7e+09". dm::convert() tells a whole number by its bits;
// magnitudes above 9.2e18 stay floats, as they always have.
dm::Value time_value(double t) noexcept {
  if (const auto i = dm::convert(dm::Value::floating(t), dm::DataType::integer)) {
    constexpr int64_t kMax = 9'200'000'000'000'000'000;
    if (i->as_integer() <= kMax && i->as_integer() >= -kMax) return *i;
  }
  return dm::Value::floating(t);
}

#if LWM2M_WITH_SENML_JSON
class JsonPack final : public PackWriter {
 public:
  explicit JsonPack(Sink& s) noexcept : w_(s) {}
  json::Writer& writer() noexcept { return w_; }
  void begin_record(size_t) noexcept override { w_.begin_object(); }
  void field(Label l, const dm::Value& v) noexcept override {
    static constexpr const char* kText[] = {"n", "", "v", "vs", "vb", "", "t", "", "vd"};
    w_.key(l == senml::kBaseName ? "bn" : l == senml::kObjlnkValue ? "vlo" : kText[l]);
    w_.value(v, base64::Alphabet::url, base64::Padding::forbidden);
  }
  void end_record() noexcept override { w_.end_object(); }

 private:
  json::Writer w_;
};
#endif

// Its functions override PackWriter's when it is the base.
class CborPack final : public PackBase {
 public:
  explicit CborPack(Sink& s) noexcept : w_(s) {}
  cbor::Writer& writer() noexcept { return w_; }
  void begin_record(size_t fields) noexcept { w_.map(fields); }
  void field(Label l, const dm::Value& v) noexcept {
    if (l == senml::kObjlnkValue) {
      w_.text("vlo");
    } else {
      w_.integer(l);
    }
    senml::write_cbor_value(w_, v);
  }
  void end_record() noexcept {}

 private:
  cbor::Writer w_;
};

// The label of each value type, by dm::DataType.
constexpr Label kValueLabel[] = {
    senml::kValue,     senml::kStringValue, senml::kValue, senml::kValue,       senml::kValue,
    senml::kBoolValue, senml::kDataValue,   senml::kValue, senml::kObjlnkValue, senml::kStringValue,
};
static_assert(kValueLabel[static_cast<int>(dm::DataType::corelnk)] == senml::kStringValue &&
              kValueLabel[static_cast<int>(dm::DataType::opaque)] == senml::kDataValue &&
              kValueLabel[static_cast<int>(dm::DataType::objlnk)] == senml::kObjlnkValue &&
              kValueLabel[static_cast<int>(dm::DataType::boolean)] == senml::kBoolValue);

using Pack = std::conditional_t<LWM2M_WITH_SENML_JSON != 0, PackWriter, CborPack>;

Status write_pack(const dm::Path& base, RecordSource& records, Pack& out) noexcept {
  senml::Namer namer{base};
  Record r;
  for (;;) {
    auto more = records.next(r);
    if (!more) return more.status();
    if (!*more) return {};
    std::string_view bn, n;
    LWM2M_TRY(namer.name(r.path, bn, n));
    const dm::DataType t = r.value.type();
    out.begin_record(!bn.empty() + !n.empty() + r.time.has_value() + (t != dm::DataType::none));
    if (!bn.empty()) out.field(senml::kBaseName, dm::Value::string(bn));
    if (!n.empty()) out.field(senml::kName, dm::Value::string(n));
    if (r.time) out.field(senml::kTime, time_value(*r.time));
    if (t != dm::DataType::none) out.field(kValueLabel[static_cast<int>(t)], r.value);
    out.end_record();
  }
}

}  // namespace

Status encode_senml_json(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
#if LWM2M_WITH_SENML_JSON
  JsonPack pack{out};
  pack.writer().begin_array();
  LWM2M_TRY(write_pack(base, records, pack));
  pack.writer().end_array();
  return pack.writer().status();
#else
  (void)base, (void)records, (void)out;
  return Errc::unsupported;  // not in this build (dispatch never calls it)
#endif
}

Status encode_senml_cbor(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
  const Cursor start = records.tell();
  uint64_t count = 0;
  Record r;
  for (;;) {
    auto more = records.next(r);
    if (!more) return more.status();
    if (!*more) break;
    ++count;
  }
  records.seek(start);
  CborPack pack{out};
  pack.writer().array(count);
  return write_pack(base, records, pack);
}

// ---------------------------------------------------------------------------------------
// Decoders

namespace {

static_assert(sizeof(json::Reader) <= 96 && alignof(json::Reader) <= 8 &&
              std::is_trivially_destructible_v<json::Reader>);
static_assert(sizeof(cbor::Reader) <= 176 && alignof(cbor::Reader) <= 8 &&
              std::is_trivially_destructible_v<cbor::Reader>);

using namespace senml;  // the labels

// The fields of one SenML record as read.
struct Fields {
  std::string_view name;  // valid when has_name
  bool has_name = false;
  bool has_time = false;
  double time = 0;
  dm::Value value;       // as the wire typed it ("v" numbers: integer, unsigned or float)
  bool numeric = false;  // the value came from "v"
};

// Maps a JSON label to a Label.
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

// Stores a new base name (bad_request when longer than SenmlBase::kMaxName).
Status set_base_name(detail::SenmlBase& base, std::string_view bn) noexcept {
  if (bn.size() > detail::SenmlBase::kMaxName) return Errc::bad_request;
  if (!bn.empty()) std::memcpy(base.name, bn.data(), bn.size());
  base.name_len = static_cast<uint8_t>(bn.size());
  return {};
}

// Adds one labelled item of a record, as a reader found it: text as a string value, bytes
// (vd, already base64-decoded in JSON) as opaque, numbers as integer, unsigned or float,
// booleans as boolean. malformed for a label given twice, a second value or an item of
// the wrong kind; bn updates `base` at once (it applies to this record too).
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
                           ? lwm2m::detail::to_double(item.as_unsigned())
                           : lwm2m::detail::to_double(item.as_integer());
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

// Turns a record's fields into a Record: name = bn + n checked against ctx.base, time =
// bt + t, value typed through ctx.types.
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
  if (base.has_time || f.has_time)
    out.time = lwm2m::detail::add(base.has_time ? base.time : 0, f.time);
  return type_record(out, ctx);
}

// Where a string of label `l` goes: names to a small buffer (bn and n apart, both live
// until the record ends), values to the caller's scratch.
MutableByteView string_buffer(Label l, const DecodeContext& ctx, char* names) noexcept {
  if (l != senml::kBaseName && l != senml::kName) return ctx.scratch;
  return {reinterpret_cast<uint8_t*>(names + (l == senml::kName) * kNameMax), kNameMax};
}

Status record_fields_json(json::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          Fields& f, char* names) noexcept {
  unsigned seen = 0;
  for (;;) {
    auto tok = in.next();
    if (!tok) return tok.status();
    if (*tok == json::Token::end_object) return {};
    // Keys are short ASCII; one with escapes cannot be a label we know.
    const Label l = in.has_escapes() ? senml::kUnknown : label_from_text(in.raw());
    if (l == senml::kMustUnderstand) return Errc::unsupported;
    if (l == senml::kUnknown) {
      LWM2M_TRY(in.skip_value());
      continue;
    }
    auto v = in.next();
    if (!v) return v.status();
    dm::Value item;
    if (*v == json::Token::string) {
      const MutableByteView buf = string_buffer(l, ctx, names);
      if (buf.data() != ctx.scratch.data() && in.raw().size() > buf.size()) {
        return Errc::bad_request;  // a name longer than any LwM2M path
      }
      auto s = in.string({reinterpret_cast<char*>(buf.data()), buf.size()});
      if (!s) return s.status();
      item = dm::Value::string(*s);
      if (l == senml::kDataValue) {
        // base64url may decode in place: the text is in the scratch or in the payload.
        auto n = base64::decode(*s, ctx.scratch, base64::Alphabet::url, base64::Padding::optional);
        if (!n) return n.error() == Errc::buffer_too_small ? n.status() : Errc::bad_request;
        item = dm::Value::opaque({ctx.scratch.data(), *n});
      }
    } else if (*v == json::Token::number) {
      if (in.number_kind() == json::NumberKind::decimal) {
        auto d = in.as_double();
        if (!d) return Errc::bad_request;
        item = dm::Value::floating(*d);
      } else if (in.number_kind() == json::NumberKind::negative_integer) {
        auto i = in.as_int64();
        if (!i) return Errc::bad_request;
        item = dm::Value::integer(*i);
      } else {
        auto u = in.as_uint64();
        if (!u) return Errc::bad_request;
        item = *u > static_cast<uint64_t>(INT64_MAX) ? dm::Value::unsigned_integer(*u)
                                                     : dm::Value::integer(static_cast<int64_t>(*u));
      }
    } else if (*v == json::Token::true_ || *v == json::Token::false_) {
      item = dm::Value::boolean(*v == json::Token::true_);
    } else {
      return Errc::malformed;
    }
    LWM2M_TRY(add_field(l, item, base, f, seen));
  }
}

}  // namespace

SenmlJsonDecoder::SenmlJsonDecoder(ByteView payload, const DecodeContext& ctx) noexcept
    : ctx_(ctx) {
  new (reader_) json::Reader(payload, 2);
}

Result<bool> SenmlJsonDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  auto& in = *std::launder(reinterpret_cast<json::Reader*>(reader_));
  auto fail = [&](Errc e) -> Result<bool> {
    error_ = e;
    return e;
  };
  auto tok = in.next();
  if (!tok) return fail(tok.error());
  if (!started_) {
    started_ = true;
    if (*tok != json::Token::begin_array) return fail(Errc::malformed);
    tok = in.next();
    if (!tok) return fail(tok.error());
  }
  if (*tok == json::Token::end_array) {
    tok = in.next();
    if (!tok) return fail(tok.error());
    return false;
  }
  if (*tok == json::Token::end) return false;
  if (*tok != json::Token::begin_object) return fail(Errc::malformed);
  Fields f;
  char name[2 * kNameMax];  // bn, then n
  if (Status s = record_fields_json(in, base_, ctx_, f, name); !s) return fail(s.error());
  if (Status s = resolve(base_, f, ctx_, out); !s) return fail(s.error());
  return true;
}

SenmlCborDecoder::SenmlCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept
    : ctx_(ctx) {
  new (reader_) cbor::Reader(payload);
}

namespace {

// The label a key names: "vlo" and must-understand ones of text labels, -3..8 less -1, 1, 5
// and 7 of integer ones (RFC 8428 §6); kUnknown for others.
Result<Label> key_label(cbor::Reader& in, const cbor::Item& key) noexcept {
  if (key.type == cbor::Type::text) {
    uint8_t buf[8];
    auto s = cbor::read_string(in, key, buf);
    if (!s) {
      if (s.error() != Errc::buffer_too_small) return s.status();
      LWM2M_TRY(in.skip(key));  // a long chunked label: not one we know
      return senml::kUnknown;
    }
    // Of text labels only LwM2M's "vlo" and must-understand extensions matter.
    const std::string_view t = as_string(*s);
    if (t == "vlo") return senml::kObjlnkValue;
    return !t.empty() && t.back() == '_' ? senml::kMustUnderstand : senml::kUnknown;
  }
  if (key.type > cbor::Type::negative_integer) return Errc::malformed;  // neither
  if (key.argument >= 9) return senml::kUnknown;
  const int k = key.type == cbor::Type::unsigned_integer ? static_cast<int>(key.argument)
                                                         : -1 - static_cast<int>(key.argument);
  const auto bit = static_cast<unsigned>(k + 3);
  return bit < 12 && ((0xAEBu >> bit) & 1) != 0 ? static_cast<Label>(k) : senml::kUnknown;
}

Status record_fields_cbor(cbor::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          Fields& f, char* names) noexcept {
  unsigned seen = 0;
  cbor::Item key, v;
  for (;;) {
    LWM2M_TRY(in.next(key));
    if (key.type == cbor::Type::end) return {};
    auto l = key_label(in, key);
    if (!l) return l.status();
    LWM2M_TRY(in.next(v));
    if (*l == senml::kMustUnderstand) return Errc::unsupported;
    if (*l == senml::kUnknown) {
      LWM2M_TRY(in.skip(v));
      continue;
    }
    auto item = senml::read_cbor_value(in, v, string_buffer(*l, ctx, names));
    if (!item) {
      if (item.error() == Errc::buffer_too_small && *l <= senml::kName) return Errc::bad_request;
      return item.error() == Errc::bad_request ? Errc::malformed : item.status();
    }
    LWM2M_TRY(add_field(*l, *item, base, f, seen));
  }
}

// One record into `out` (more = true), or the end of the pack (more stays false).
Status next_record(cbor::Reader& in, bool& started, detail::SenmlBase& base,
                   const DecodeContext& ctx, Record& out, bool& more) noexcept {
  cbor::Item it;
  LWM2M_TRY(in.next(it));
  if (!started) {
    started = true;
    if (it.type != cbor::Type::array) return Errc::malformed;
    LWM2M_TRY(in.next(it));
  }
  if (it.type == cbor::Type::end) return in.next(it);  // eof, or bytes after the pack
  if (it.type == cbor::Type::eof) return {};
  if (it.type != cbor::Type::map) return Errc::malformed;
  Fields f;
  char name[2 * kNameMax];  // bn, then n
  LWM2M_TRY(record_fields_cbor(in, base, ctx, f, name));
  LWM2M_TRY(resolve(base, f, ctx, out));
  more = true;
  return {};
}

}  // namespace

Result<bool> SenmlCborDecoder::next(Record& out) noexcept {
  if (error_ == Errc::ok) {
    auto& in = *std::launder(reinterpret_cast<cbor::Reader*>(reader_));
    bool more = false;
    error_ = next_record(in, started_, base_, ctx_, out, more).error();
    if (error_ == Errc::ok) return more;
  }
  return error_;
}

}  // namespace lwm2m::codec
