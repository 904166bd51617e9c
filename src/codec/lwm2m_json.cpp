// SPDX-License-Identifier: Apache-2.0
#include "codec/lwm2m_json.hpp"

#include <cstring>
#include <string_view>

#include "codec/base64.hpp"
#include "codec/json.hpp"
#include "codec/number.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec {
namespace {

// Writes the ids of `p` from level `from` on, separated by '/', into `out`: "6/0".
size_t relative_name(const dm::Path& p, size_t from, char* out) noexcept {
  size_t n = 0;
  for (size_t i = from; i < p.depth(); ++i) {
    if (i > from) out[n++] = '/';
    n += number::format_uint(p.id(i), out + n);
  }
  return n;
}

void write_value(json::Writer& w, const dm::Value& v) noexcept {
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      w.key("sv");
      w.string(v.as_string());
      return;
    case dm::DataType::opaque:
      w.key("sv");
      w.begin_string();
      base64::encode(v.as_bytes(), w.sink(), base64::Alphabet::standard, base64::Padding::required);
      w.end_string();
      return;
    case dm::DataType::integer:
    case dm::DataType::time:
      w.key("v");
      w.integer(v.as_integer());
      return;
    case dm::DataType::unsigned_integer:
      w.key("v");
      w.unsigned_integer(v.as_unsigned());
      return;
    case dm::DataType::floating:
      w.key("v");
      w.floating(v.as_float());
      return;
    case dm::DataType::boolean:
      w.key("bv");
      w.boolean(v.as_bool());
      return;
    case dm::DataType::objlnk: {
      char buf[12];
      const size_t n = number::format_objlnk(v.as_objlnk(), buf);
      w.key("ov");
      w.string({buf, n});
      return;
    }
    case dm::DataType::none:
      break;
  }
}

}  // namespace

Status encode_lwm2m_json(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  // At a resource base, a single resource is named by bn alone; resource instances get
  // relative names. The first record tells which.
  bool names = true;
  if (base.depth() >= 3) {
    const Cursor start = src.tell();
    Record first;
    auto r = src.next(first);
    if (!r) return r.status();
    names = *r && first.path.depth() > base.depth();
    src.seek(start);
  }
  char buf[dm::Path::kMaxTextLength + 2];
  size_t n = base.format({buf, sizeof buf});
  if (names && !base.is_root()) buf[n++] = '/';

  json::Writer w{out};
  w.begin_object();
  w.key("bn");
  w.string({buf, n});
  w.key("e");
  w.begin_array();
  for (;;) {
    Record rec;
    auto more = src.next(rec);
    if (!more) return more.status();
    if (!*more) break;
    const dm::Path& p = rec.path;
    if (p.depth() < 3 || !base.is_prefix_of(p) || (names == (p == base)) || rec.value.is_none())
      return Errc::invalid_argument;
    w.begin_object();
    if (names) {
      char name[dm::Path::kMaxTextLength];
      w.key("n");
      w.string({name, relative_name(p, base.depth(), name)});
    }
    write_value(w, rec.value);
    if (rec.time) {
      w.key("t");
      w.floating(*rec.time);
    }
    w.end_object();
    if (!w.status().ok()) return Errc::invalid_argument;
  }
  w.end_array();
  w.end_object();
  return w.status().ok() ? Errc::ok : Errc::invalid_argument;
}

// ---- decoder ----

namespace {

void skip_ws(ByteView p, size_t& pos) noexcept {
  while (pos < p.size() && (p[pos] == ' ' || p[pos] == '\t' || p[pos] == '\n' || p[pos] == '\r'))
    ++pos;
}

std::span<char> chars(MutableByteView b) noexcept {
  return {reinterpret_cast<char*>(b.data()), b.size()};
}

Result<double> number_as_double(const json::Reader& r) noexcept {
  auto d = r.as_double();
  if (!d) return Errc::bad_request;
  return *d;
}

// "v": the number as the declared type, exactly.
Result<dm::Value> number_value(const json::Reader& r, dm::DataType type) noexcept {
  if (type == dm::DataType::floating) {
    // Any JSON number is a double to a JSON reader; large integers round as they would.
    auto d = number_as_double(r);
    if (!d) return d.error();
    return dm::Value::floating(*d);
  }
  dm::Value v;
  switch (r.number_kind()) {
    case json::NumberKind::negative_integer: {
      auto i = r.as_int64();
      if (!i) return Errc::bad_request;
      v = dm::Value::integer(*i);
      break;
    }
    case json::NumberKind::unsigned_integer: {
      auto u = r.as_uint64();
      if (!u) return Errc::bad_request;
      v = *u <= static_cast<uint64_t>(INT64_MAX) ? dm::Value::integer(static_cast<int64_t>(*u))
                                                 : dm::Value::unsigned_integer(*u);
      break;
    }
    case json::NumberKind::decimal: {
      auto d = number_as_double(r);
      if (!d) return d.error();
      v = dm::Value::floating(*d);
      break;
    }
  }
  switch (type) {
    case dm::DataType::integer:
    case dm::DataType::unsigned_integer:
    case dm::DataType::floating:
    case dm::DataType::time:
      break;
    default:
      return Errc::bad_request;
  }
  if (v.type() == type) return v;
  auto c = dm::convert(v, type);
  if (!c) return Errc::bad_request;
  return *c;
}

}  // namespace

Status Lwm2mJsonDecoder::start() noexcept {
  // One pass over the whole document: grammar, top-level members, where "e" starts.
  json::Reader r{payload_};
  auto t = r.next();
  if (!t) return t.status();
  if (*t != json::Token::begin_object) return Errc::malformed;
  bool have_bn = false, have_e = false;
  for (;;) {
    t = r.next();
    if (!t) return t.status();
    if (*t == json::Token::end_object) break;
    const std::string_view key = r.raw();  // member names here never need escapes
    if (key == "bn") {
      if (have_bn) return Errc::malformed;
      have_bn = true;
      t = r.next();
      if (!t) return t.status();
      if (*t != json::Token::string) return Errc::malformed;
      auto s = r.string({bn_, sizeof bn_});
      if (!s || s->size() > sizeof bn_) return Errc::bad_request;  // too long to be a path
      if (s->data() != bn_) std::memcpy(bn_, s->data(), s->size());
      bn_len_ = s->size();
    } else if (key == "bt") {
      if (bt_) return Errc::malformed;
      t = r.next();
      if (!t) return t.status();
      if (*t != json::Token::number) return Errc::malformed;
      auto d = r.as_double();
      if (!d) return Errc::malformed;
      bt_ = *d;
    } else if (key == "e") {
      if (have_e) return Errc::malformed;
      have_e = true;
      t = r.next();
      if (!t) return t.status();
      if (*t != json::Token::begin_array) return Errc::malformed;
      pos_ = r.offset();
      while (r.depth() > 1) {
        t = r.next();
        if (!t) return t.status();
      }
    } else {
      LWM2M_TRY(r.skip_value());
    }
  }
  t = r.next();
  if (!t) return t.status();
  if (*t != json::Token::end || !have_e) return Errc::malformed;
  return {};
}

Result<bool> Lwm2mJsonDecoder::entry(Record& out) noexcept {
  skip_ws(payload_, pos_);
  if (pos_ < payload_.size() && payload_[pos_] == ']') {
    done_ = true;
    return false;
  }
  // The document was checked by start(): from here on the grammar is known to be good.
  json::Reader r{payload_.subspan(pos_)};
  auto t = r.next();
  if (!t) return t.error();
  if (*t != json::Token::begin_object) return Errc::malformed;
  std::string_view name;
  char name_buf[kMaxName];
  bool have_n = false, have_t = false;
  json::Token value_kind = json::Token::end;
  char value_key = 0;
  std::optional<double> time;
  dm::Value value;
  std::string_view text;  // sv/ov text, unescaped
  json::Reader number_reader{ByteView{}};
  for (;;) {
    t = r.next();
    if (!t) return t.error();
    if (*t == json::Token::end_object) break;
    const std::string_view key = r.raw();
    if (key == "n") {
      if (have_n) return Errc::malformed;
      have_n = true;
      t = r.next();
      if (!t) return t.error();
      if (*t != json::Token::string) return Errc::malformed;
      auto s = r.string({name_buf, sizeof name_buf});
      if (!s) return Errc::bad_request;
      name = *s;
    } else if (key == "t") {
      if (have_t) return Errc::malformed;
      have_t = true;
      t = r.next();
      if (!t) return t.error();
      if (*t != json::Token::number) return Errc::malformed;
      auto d = r.as_double();
      if (!d) return Errc::malformed;
      time = *d;
    } else if (key == "v" || key == "sv" || key == "bv" || key == "ov") {
      if (value_key != 0) return Errc::malformed;
      value_key = key == "v" ? 'v' : key[0];
      t = r.next();
      if (!t) return t.error();
      value_kind = *t;
      if (value_key == 'v') {
        if (*t != json::Token::number) return Errc::malformed;
        number_reader = r;
      } else if (value_key == 'b') {
        if (*t != json::Token::true_ && *t != json::Token::false_) return Errc::malformed;
      } else {
        if (*t != json::Token::string) return Errc::malformed;
        auto s = r.string(chars(ctx_.scratch));
        if (!s) return s.error();
        text = *s;
      }
    } else {
      LWM2M_TRY(r.skip_value());
    }
  }
  if (value_key == 0) return Errc::malformed;
  pos_ += r.offset();
  skip_ws(payload_, pos_);
  if (pos_ < payload_.size() && payload_[pos_] == ',') ++pos_;

  // The path: bn + n, absolute when it starts with '/', else below ctx.base.
  char full[2 * kMaxName + dm::Path::kMaxTextLength + 2];
  size_t len = 0;
  const bool absolute = bn_len_ > 0 ? bn_[0] == '/' : !name.empty() && name[0] == '/';
  if (!absolute) {
    len = ctx_.base.format({full, sizeof full});
    if (!ctx_.base.is_root()) full[len++] = '/';
  }
  if (len + bn_len_ + name.size() > sizeof full) return Errc::bad_request;
  std::memcpy(full + len, bn_, bn_len_);
  len += bn_len_;
  if (!name.empty()) std::memcpy(full + len, name.data(), name.size());
  len += name.size();
  auto path = dm::Path::parse({full, len});
  if (!path || path->depth() < 3 || !ctx_.base.is_prefix_of(*path)) return Errc::bad_request;

  if (ctx_.types == nullptr) return Errc::invalid_state;
  auto type = ctx_.types->type_of(*path);
  if (!type) return type.error();
  switch (value_key) {
    case 'v': {
      auto v = number_value(number_reader, *type);
      if (!v) return v.error();
      value = *v;
      break;
    }
    case 'b':
      if (*type != dm::DataType::boolean) return Errc::bad_request;
      value = dm::Value::boolean(value_kind == json::Token::true_);
      break;
    case 'o': {
      if (*type != dm::DataType::objlnk) return Errc::bad_request;
      auto v = number::parse_objlnk(text);
      if (!v) return v.error();
      value = dm::Value::objlnk(v->object_id, v->instance_id);
      break;
    }
    default:  // sv
      if (*type == dm::DataType::string) {
        value = dm::Value::string(text);
      } else if (*type == dm::DataType::corelnk) {
        value = dm::Value::corelnk(text);
      } else if (*type == dm::DataType::opaque) {
        auto n = base64::decode(text, ctx_.scratch, base64::Alphabet::standard,
                                base64::Padding::required);
        if (!n)
          return n.error() == Errc::buffer_too_small ? Errc::buffer_too_small : Errc::bad_request;
        value = dm::Value::opaque({ctx_.scratch.data(), *n});
      } else {
        return Errc::bad_request;
      }
  }
  out.path = *path;
  out.value = value;
  out.time.reset();
  if (time || bt_) out.time = time.value_or(0.0) + bt_.value_or(0.0);
  return true;
}

Result<bool> Lwm2mJsonDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  if (done_) return false;
  if (!started_) {
    Status st = start();
    if (!st.ok()) return fail(st.error());
    started_ = true;
  }
  auto r = entry(out);
  if (!r) return fail(r.error());
  return r;
}

}  // namespace lwm2m::codec
