#include "lwm2m/codec/senml.hpp"

#include <new>
#include <type_traits>

#include "codec/base64.hpp"
#include "codec/cbor.hpp"
#include "codec/json.hpp"
#include "codec/senml_common.hpp"

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
bool whole(double t) noexcept {
  return t >= -9.2e18 && t <= 9.2e18 && static_cast<double>(static_cast<int64_t>(t)) == t;
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
    if (whole(t)) return w_.integer(static_cast<int64_t>(t));
    w_.floating(t);
  }
  void value(const dm::Value& v) noexcept override {
    switch (v.type()) {
      case dm::DataType::unsigned_integer:
        return w_.unsigned_integer(v.as_unsigned());
      case dm::DataType::float_:
        return w_.floating(v.as_float());
      case dm::DataType::boolean:
        return w_.boolean(v.as_bool());
      case dm::DataType::opaque:
        w_.begin_string();
        base64::encode(v.as_bytes(), w_.sink(), base64::Alphabet::url, base64::Padding::forbidden);
        return w_.end_string();
      default:  // integer, time
        return w_.integer(v.as_integer());
    }
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
      case dm::DataType::float_:
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
    if (whole(t)) return w_.integer(static_cast<int64_t>(t));
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
        out.text({link, senml::format_objlnk(r.value.as_objlnk(), link)});
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

// Bit of a label in a record's set of seen labels.
unsigned label_bit(Label l) noexcept {
  return 1u << (l == senml::kObjlnkValue ? 12 : l + 3);
}

static_assert(sizeof(json::Reader) <= 96 && alignof(json::Reader) <= 8 &&
              std::is_trivially_destructible_v<json::Reader>);
static_assert(sizeof(cbor::Reader) <= 176 && alignof(cbor::Reader) <= 8 &&
              std::is_trivially_destructible_v<cbor::Reader>);

Status record_fields_json(json::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          senml::Fields& f, char* name_buf) noexcept {
  unsigned seen = 0;
  bool has_value = false;
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
    const unsigned bit = label_bit(l);
    if (seen & bit) return Errc::malformed;  // a label twice in one record
    seen |= bit;
    auto v = in.next();
    if (!v) return v.status();
    const json::Token t = *v;
    const bool is_value = l >= senml::kValue && l != senml::kTime;
    if (is_value) {
      if (has_value) return Errc::malformed;
      has_value = true;
    }
    switch (l) {
      case senml::kBaseName:
      case senml::kName:
      case senml::kStringValue:
      case senml::kDataValue:
      case senml::kObjlnkValue: {
        if (t != json::Token::string) return Errc::malformed;
        // Names go to a small buffer, values to the caller's scratch.
        const bool value = l != senml::kBaseName && l != senml::kName;
        std::span<char> buf =
            value ? std::span<char>{reinterpret_cast<char*>(ctx.scratch.data()), ctx.scratch.size()}
                  : std::span<char>{name_buf + (l == senml::kName) * kNameMax, kNameMax};
        if (!value && in.raw().size() > buf.size()) return Errc::bad_request;
        auto s = in.string(buf);
        if (!s) return s.status();
        if (l == senml::kBaseName) {
          LWM2M_TRY(senml::set_base_name(base, *s));
        } else if (l == senml::kName) {
          f.name = *s;
          f.has_name = true;
        } else if (l == senml::kStringValue) {
          f.value = dm::Value::string(*s);
        } else if (l == senml::kObjlnkValue) {
          auto link = senml::parse_objlnk(*s);
          if (!link) return link.status();
          f.value = dm::Value::objlnk(link->object_id, link->instance_id);
        } else {
          // base64url decodes in place: the text already sits in the scratch (or the
          // payload, when it had no escapes: then decode into the scratch).
          auto n =
              base64::decode(*s, ctx.scratch, base64::Alphabet::url, base64::Padding::optional);
          if (!n) return n.error() == Errc::buffer_too_small ? n.status() : Errc::bad_request;
          f.value = dm::Value::opaque({ctx.scratch.data(), *n});
        }
        break;
      }
      case senml::kBoolValue:
        if (t != json::Token::true_ && t != json::Token::false_) return Errc::malformed;
        f.value = dm::Value::boolean(t == json::Token::true_);
        break;
      default: {  // bt, t, v
        if (t != json::Token::number) return Errc::malformed;
        double d = 0;
        if (l == senml::kValue && in.number_kind() != json::NumberKind::decimal) {
          if (in.number_kind() == json::NumberKind::negative_integer) {
            auto i = in.as_int64();
            if (!i) return Errc::bad_request;
            f.value = dm::Value::integer(*i);
          } else {
            auto u = in.as_uint64();
            if (!u) return Errc::bad_request;
            f.value = *u > static_cast<uint64_t>(INT64_MAX)
                          ? dm::Value::unsigned_integer(*u)
                          : dm::Value::integer(static_cast<int64_t>(*u));
          }
          break;
        }
        auto r = in.as_double();
        if (!r) return Errc::bad_request;
        d = *r;
        if (l == senml::kValue) {
          f.value = dm::Value::floating(d);
        } else if (l == senml::kTime) {
          f.time = d;
          f.has_time = true;
        } else {
          base.time = d;
          base.has_time = true;
        }
      }
    }
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
  if (Status s = record_fields_json(in, base_, ctx_, f, name); !s) return fail(s.code());
  if (Status s = senml::resolve(base_, f, ctx_, out); !s) return fail(s.code());
  return true;
}

SenmlCborDecoder::SenmlCborDecoder(ByteView payload, const DecodeContext& ctx) noexcept
    : ctx_(ctx) {
  new (reader_) cbor::Reader(payload);
}

namespace {

Status record_fields_cbor(cbor::Reader& in, detail::SenmlBase& base, const DecodeContext& ctx,
                          senml::Fields& f, char* name_buf) noexcept {
  unsigned seen = 0;
  bool has_value = false;
  uint8_t label_buf[8];
  for (;;) {
    auto key = in.next();
    if (!key) return key.status();
    if (key->type == cbor::Type::end) return {};
    Label l = senml::kUnknown;
    if (key->type == cbor::Type::text) {
      auto s = cbor::read_string(in, *key, label_buf);
      if (s) {
        l = senml::label_from_text(as_string(*s));
        if (l != senml::kObjlnkValue && l != senml::kMustUnderstand) l = senml::kUnknown;
      } else if (s.error() == Errc::buffer_too_small) {
        LWM2M_TRY(in.skip(*key));  // a long chunked label: not one we know
      } else {
        return s.status();
      }
    } else if (key->type == cbor::Type::unsigned_integer ||
               key->type == cbor::Type::negative_integer) {
      auto k = cbor::as_int64(*key);
      if (k && (*k == senml::kBaseName || *k == senml::kBaseTime || *k == senml::kName ||
                *k == senml::kValue || *k == senml::kStringValue || *k == senml::kBoolValue ||
                *k == senml::kTime || *k == senml::kDataValue)) {
        l = static_cast<Label>(*k);
      }
    } else {
      return Errc::malformed;
    }
    auto v = in.next();
    if (!v) return v.status();
    if (l == senml::kMustUnderstand) return Errc::unsupported;
    if (l == senml::kUnknown) {
      LWM2M_TRY(in.skip(*v));
      continue;
    }
    const unsigned bit = label_bit(l);
    if (seen & bit) return Errc::malformed;
    seen |= bit;
    const bool is_value = l >= senml::kValue && l != senml::kTime;
    if (is_value) {
      if (has_value) return Errc::malformed;
      has_value = true;
    }
    const cbor::Type t = v->type;
    switch (l) {
      case senml::kBaseName:
      case senml::kName:
      case senml::kStringValue:
      case senml::kObjlnkValue:
      case senml::kDataValue: {
        if (t != (l == senml::kDataValue ? cbor::Type::bytes : cbor::Type::text)) {
          return Errc::malformed;
        }
        const bool value = l == senml::kStringValue || l == senml::kDataValue;
        MutableByteView buf =
            value ? ctx.scratch
                  : MutableByteView{
                        reinterpret_cast<uint8_t*>(name_buf + (l == senml::kName) * kNameMax),
                        kNameMax};
        auto s = cbor::read_string(in, *v, buf);
        if (!s)
          return s.error() == Errc::buffer_too_small && !value ? Errc::bad_request : s.status();
        const std::string_view text = as_string(*s);
        if (l == senml::kBaseName) {
          LWM2M_TRY(senml::set_base_name(base, text));
        } else if (l == senml::kName) {
          f.name = text;
          f.has_name = true;
        } else if (l == senml::kStringValue) {
          f.value = dm::Value::string(text);
        } else if (l == senml::kDataValue) {
          f.value = dm::Value::opaque(*s);
        } else {
          auto link = senml::parse_objlnk(text);
          if (!link) return link.status();
          f.value = dm::Value::objlnk(link->object_id, link->instance_id);
        }
        break;
      }
      case senml::kBoolValue:
        if (t != cbor::Type::boolean) return Errc::malformed;
        f.value = dm::Value::boolean(v->argument != 0);
        break;
      default: {  // bt, t, v
        double d;
        if (t == cbor::Type::floating) {
          d = v->floating;
          if (l == senml::kValue) f.value = dm::Value::floating(d);
        } else if (t == cbor::Type::unsigned_integer || t == cbor::Type::negative_integer) {
          if (t == cbor::Type::unsigned_integer && v->argument > static_cast<uint64_t>(INT64_MAX)) {
            d = static_cast<double>(v->argument);
            if (l == senml::kValue) f.value = dm::Value::unsigned_integer(v->argument);
          } else {
            auto i = cbor::as_int64(*v);
            if (!i) return Errc::bad_request;
            d = static_cast<double>(*i);
            if (l == senml::kValue) f.value = dm::Value::integer(*i);
          }
        } else {
          return Errc::malformed;
        }
        if (l == senml::kTime) {
          f.time = d;
          f.has_time = true;
        } else if (l == senml::kBaseTime) {
          base.time = d;
          base.has_time = true;
        }
      }
    }
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
  if (Status s = record_fields_cbor(in, base_, ctx_, f, name); !s) return fail(s.code());
  if (Status s = senml::resolve(base_, f, ctx_, out); !s) return fail(s.code());
  return true;
}

}  // namespace lwm2m::codec
