// SPDX-License-Identifier: Apache-2.0
#include "codec/senml.hpp"

#include <new>
#include <type_traits>

#include "codec/base64.hpp"
#include "codec/cbor.hpp"
#include "codec/json.hpp"
#include "codec/number.hpp"
#include "codec/senml_common.hpp"
#include "whole_number.hpp"

namespace lwm2m::codec {
namespace {

using senml::Label;
constexpr size_t kNameMax = detail::SenmlBase::kMaxName;

// One record in either representation; JSON and CBOR differ only in how a label and a
// value are written.
class PackWriter {
 public:
  virtual void begin_record(size_t fields) noexcept = 0;
  virtual void label(Label l) noexcept = 0;
  virtual void text(std::string_view s) noexcept = 0;
  virtual void value(const dm::Value& v) noexcept = 0;
  virtual void number(double t) noexcept = 0;
  virtual void end_record() noexcept = 0;

 protected:
  ~PackWriter() = default;
};

// Times are usually whole seconds: written as integers they are shorter, and JSON readers
// see "1700000000" rather than "1.7e+09".
// (Bits, not a cast: see whole_number.hpp.)
std::optional<int64_t> whole(double t) noexcept {
  const auto w = lwm2m::detail::whole_number(t);
  if (!w || w->magnitude > 9'200'000'000'000'000'000u) return std::nullopt;
  const auto m = static_cast<int64_t>(w->magnitude);
  return w->negative ? -m : m;
}

class JsonPack final : public PackWriter {
 public:
  explicit JsonPack(Sink& s) noexcept : w_(s) {}
  json::Writer& writer() noexcept { return w_; }
  void begin_record(size_t) noexcept override { w_.begin_object(); }
  void label(Label l) noexcept override {
    static constexpr const char* kText[] = {"n", "", "v", "vs", "vb", "", "t", "", "vd"};
    if (l == senml::kBaseName) return w_.key("bn");
    if (l == senml::kObjlnkValue) return w_.key("vlo");
    w_.key(kText[l]);
  }
  void text(std::string_view s) noexcept override { w_.string(s); }
  void number(double t) noexcept override {
    if (const auto i = whole(t)) return w_.integer(*i);
    w_.floating(t);
  }
  void value(const dm::Value& v) noexcept override {
    w_.value(v, base64::Alphabet::url, base64::Padding::forbidden);
  }
  void end_record() noexcept override { w_.end_object(); }

 private:
  json::Writer w_;
};

class CborPack final : public PackWriter {
 public:
  explicit CborPack(Sink& s) noexcept : w_(s) {}
  cbor::Writer& writer() noexcept { return w_; }
  void begin_record(size_t fields) noexcept override { w_.map(fields); }
  void label(Label l) noexcept override {
    if (l == senml::kObjlnkValue) return w_.text("vlo");
    w_.integer(l);
  }
  void text(std::string_view s) noexcept override { w_.text(s); }
  void number(double t) noexcept override { write_number(t); }
  void value(const dm::Value& v) noexcept override {
    switch (v.type()) {
      case dm::DataType::unsigned_integer:
        return w_.unsigned_integer(v.as_unsigned());
      case dm::DataType::floating:
        return w_.floating(v.as_float());
      case dm::DataType::boolean:
        return w_.boolean(v.as_bool());
      case dm::DataType::opaque:
        return w_.bytes(v.as_bytes());
      default:
        return w_.integer(v.as_integer());
    }
  }
  void end_record() noexcept override {}

 private:
  void write_number(double t) noexcept {
    if (const auto i = whole(t)) return w_.integer(*i);
    w_.floating(t);
  }
  cbor::Writer w_;
};

Status write_pack(const dm::Path& base, RecordSource& records, PackWriter& out) noexcept {
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
    if (!bn.empty()) {
      out.label(senml::kBaseName);
      out.text(bn);
    }
    if (!n.empty()) {
      out.label(senml::kName);
      out.text(n);
    }
    if (r.time) {
      out.label(senml::kTime);
      out.number(*r.time);
    }
    switch (t) {
      case dm::DataType::none:
        break;
      case dm::DataType::string:
      case dm::DataType::corelnk:
        out.label(senml::kStringValue);
        out.text(r.value.as_string());
        break;
      case dm::DataType::objlnk: {
        char link[12];
        out.label(senml::kObjlnkValue);
        out.text({link, number::format_objlnk(r.value.as_objlnk(), link)});
        break;
      }
      case dm::DataType::boolean:
        out.label(senml::kBoolValue);
        out.value(r.value);
        break;
      case dm::DataType::opaque:
        out.label(senml::kDataValue);
        out.value(r.value);
        break;
      default:
        out.label(senml::kValue);
        out.value(r.value);
    }
    out.end_record();
  }
}

}  // namespace

Status encode_senml_json(const dm::Path& base, RecordSource& records, Sink& out) noexcept {
  JsonPack pack{out};
  pack.writer().begin_array();
  LWM2M_TRY(write_pack(base, records, pack));
  pack.writer().end_array();
  return pack.writer().status();
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

// Where a string of label `l` goes: names to a small buffer (bn and n apart, both live
// until the record ends), values to the caller's scratch.
MutableByteView string_buffer(Label l, const DecodeContext& ctx, char* names) noexcept {
  if (l != senml::kBaseName && l != senml::kName) return ctx.scratch;
  return {reinterpret_cast<uint8_t*>(names + (l == senml::kName) * kNameMax), kNameMax};
}

Status record_fields_json(json::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          senml::Fields& f, char* names) noexcept {
  unsigned seen = 0;
  for (;;) {
    auto tok = in.next();
    if (!tok) return tok.status();
    if (*tok == json::Token::end_object) return {};
    // Keys are short ASCII; one with escapes cannot be a label we know.
    const Label l = in.has_escapes() ? senml::kUnknown : senml::label_from_text(in.raw());
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
    LWM2M_TRY(senml::add_field(l, item, base, f, seen));
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
  senml::Fields f;
  char name[2 * kNameMax];  // bn, then n
  if (Status s = record_fields_json(in, base_, ctx_, f, name); !s) return fail(s.error());
  if (Status s = senml::resolve(base_, f, ctx_, out); !s) return fail(s.error());
  return true;
}

SenmlCborDecoder::SenmlCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept
    : ctx_(ctx) {
  new (reader_) cbor::Reader(payload);
}

namespace {

Status record_fields_cbor(cbor::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          senml::Fields& f, char* names) noexcept {
  unsigned seen = 0;
  uint8_t label_buf[8];
  for (;;) {
    auto key = in.next();
    if (!key) return key.status();
    if (key->type == cbor::Type::end) return {};
    Label l = senml::kUnknown;
    if (key->type == cbor::Type::text) {
      auto s = cbor::read_string(in, *key, label_buf);
      if (s) {
        // Text labels: only LwM2M's "vlo" and must-understand extensions matter.
        l = senml::label_from_text(as_string(*s));
        if (l != senml::kObjlnkValue && l != senml::kMustUnderstand) l = senml::kUnknown;
      } else if (s.error() == Errc::buffer_too_small) {
        LWM2M_TRY(in.skip(*key));  // a long chunked label: not one we know
      } else {
        return s.status();
      }
    } else if (auto k = cbor::as_int64(*key); k) {
      if (*k >= senml::kBaseTime && *k <= senml::kDataValue && *k != -1 && *k != 1 && *k != 5 &&
          *k != 7) {
        l = static_cast<Label>(*k);
      }
    } else if (k.error() == Errc::invalid_argument) {
      return Errc::malformed;  // neither an integer nor a text label
    }
    auto v = in.next();
    if (!v) return v.status();
    if (l == senml::kMustUnderstand) return Errc::unsupported;
    if (l == senml::kUnknown) {
      LWM2M_TRY(in.skip(*v));
      continue;
    }
    auto item = senml::read_cbor_value(in, *v, string_buffer(l, ctx, names));
    if (!item) {
      if (item.error() == Errc::buffer_too_small && l <= senml::kName) return Errc::bad_request;
      return item.error() == Errc::bad_request ? Errc::malformed : item.status();
    }
    LWM2M_TRY(senml::add_field(l, *item, base, f, seen));
  }
}

}  // namespace

Result<bool> SenmlCborDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  auto& in = *std::launder(reinterpret_cast<cbor::Reader*>(reader_));
  auto fail = [&](Errc e) -> Result<bool> {
    error_ = e;
    return e;
  };
  auto it = in.next();
  if (!it) return fail(it.error());
  if (!started_) {
    started_ = true;
    if (it->type != cbor::Type::array) return fail(Errc::malformed);
    it = in.next();
    if (!it) return fail(it.error());
  }
  if (it->type == cbor::Type::end) {
    it = in.next();
    if (!it) return fail(it.error());
    return false;
  }
  if (it->type == cbor::Type::eof) return false;
  if (it->type != cbor::Type::map) return fail(Errc::malformed);
  senml::Fields f;
  char name[2 * kNameMax];  // bn, then n
  if (Status s = record_fields_cbor(in, base_, ctx_, f, name); !s) return fail(s.error());
  if (Status s = senml::resolve(base_, f, ctx_, out); !s) return fail(s.error());
  return true;
}

}  // namespace lwm2m::codec
