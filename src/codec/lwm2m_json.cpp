// SPDX-License-Identifier: Apache-2.0
#include "codec/lwm2m_json.hpp"

#include <cstring>
#include <string_view>

#include "codec/base64.hpp"
#include "codec/json.hpp"
#include "codec/number.hpp"
#include "codec/senml_common.hpp"
#include "soft_double.hpp"

namespace lwm2m::codec {
namespace {

// One entry's value member: "sv" (string, core link, opaque as base64), "v" (numbers),
// "bv" or "ov".
void write_value(json::Writer& w, const dm::Value& v) noexcept {
  const dm::DataType t = v.type();
  w.key(t == dm::DataType::boolean  ? "bv"
        : t == dm::DataType::objlnk ? "ov"
        : t == dm::DataType::string || t == dm::DataType::corelnk || t == dm::DataType::opaque
            ? "sv"
            : "v");
  w.value(v, base64::Alphabet::standard, base64::Padding::required);
}

void begin_document(json::Writer& w, std::string_view bn) noexcept {
  w.begin_object();
  w.key("bn");
  w.string(bn);
  w.key("e");
  w.begin_array();
}

}  // namespace

Status encode_lwm2m_json(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  // Names as SenML's encoders give them: bn (the base path, with a trailing '/' unless the
  // first record is the base itself) with the first record, then each record's n relative
  // to it. Here bn goes before the entries, and every entry has an n or none does.
  senml::Namer namer{base};
  json::Writer w{out};
  bool names = true;  // bn ends in '/'
  bool first = true;
  Record rec;
  for (;;) {
    auto more = src.next(rec);
    if (!more) return more.status();
    if (!*more) break;
    std::string_view bn, n;
    if (rec.path.depth() < 3 || rec.value.is_none() || !namer.name(rec.path, bn, n).ok())
      return Errc::invalid_argument;
    if (first) {
      first = false;
      names = bn.back() == '/';
      begin_document(w, bn);
    }
    if (n.empty() == names) return Errc::invalid_argument;  // a name where none fits
    w.begin_object();
    if (names) {
      w.key("n");
      w.string(n);
    }
    write_value(w, rec.value);
    if (rec.time) {
      w.key("t");
      w.floating(*rec.time);
    }
    w.end_object();
    if (!w.status().ok()) return Errc::invalid_argument;
  }
  if (first) {  // no records: bn is the base, with '/' when names would follow it
    char buf[dm::Path::kMaxTextLength + 1];
    size_t len = base.format({buf, sizeof buf});
    if (base.depth() < 3 && !base.is_root()) buf[len++] = '/';
    begin_document(w, {buf, len});
  }
  w.end_array();
  w.end_object();
  return w.status().ok() ? Errc::ok : Errc::invalid_argument;
}

// ---- decoder ----

namespace {

std::span<char> chars(MutableByteView b) noexcept {
  return {reinterpret_cast<char*>(b.data()), b.size()};
}

// A member name of up to two characters as a number ("bn" is 'b' | 'n' << 8); 0 for longer
// ones, which are none of this format's.
constexpr uint16_t key_code(std::string_view k) noexcept {
  if (k.empty() || k.size() > 2) return 0;
  return static_cast<uint16_t>(static_cast<uint8_t>(k[0]) |
                               (k.size() == 2 ? static_cast<uint8_t>(k[1]) << 8 : 0));
}

// The members each object of the format knows, and the token each one's value must be
// (`end`: left unread, "e"; true_ stands for either boolean). The first two are single
// members; every one from the third on shares one bit, so that a second "e", or a second
// value member in an entry, is a duplicate.
struct Member {
  uint16_t key;
  json::Token token;
};
constexpr Member kTop[] = {
    {key_code("bn"), json::Token::string},
    {key_code("bt"), json::Token::number},
    {key_code("e"), json::Token::end},
};
constexpr Member kEntry[] = {
    {key_code("n"), json::Token::string}, {key_code("t"), json::Token::number},
    {key_code("v"), json::Token::number}, {key_code("sv"), json::Token::string},
    {key_code("bv"), json::Token::true_}, {key_code("ov"), json::Token::string},
};

// The next member of the object `r` is in, with its value's token read and checked: the
// member's index in `members`, or -1 at the object's end. Unknown members are skipped;
// member names here never need escapes, so the raw key is compared.
Result<int> member(json::Reader& r, std::span<const Member> members, unsigned& seen,
                   json::Token& value) noexcept {
  for (;;) {
    auto t = r.next();
    if (!t) return t.error();
    if (*t == json::Token::end_object) return -1;
    const uint16_t code = key_code(r.raw());
    int i = 0;
    while (i < static_cast<int>(members.size()) && members[i].key != code)
      ++i;
    if (i == static_cast<int>(members.size())) {
      LWM2M_TRY(r.skip_value());
      continue;
    }
    const unsigned bit = 1u << (i < 2 ? i : 2);
    if (seen & bit) return Errc::malformed;
    seen |= bit;
    const json::Token want = members[i].token;
    if (want == json::Token::end) return i;
    t = r.next();
    if (!t) return t.error();
    value = *t;
    if (value != want && !(want == json::Token::true_ && value == json::Token::false_))
      return Errc::malformed;
    return i;
  }
}

Status expect(json::Reader& r, json::Token want) noexcept {
  auto t = r.next();
  if (!t) return t.status();
  return *t == want ? Status{} : Status{Errc::malformed};
}

// "v" as the JSON reader sees it: an integer when it is one that fits 64 bits (-0 excepted,
// which only a double keeps), else the nearest double; none when out of double range.
dm::Value number_value(const json::Reader& r) noexcept {
  if (r.number_kind() == json::NumberKind::negative_integer) {
    if (auto i = r.as_int64(); i && *i != 0) return dm::Value::integer(*i);
  } else if (r.number_kind() == json::NumberKind::unsigned_integer) {
    if (auto u = r.as_uint64()) {
      return *u <= static_cast<uint64_t>(INT64_MAX) ? dm::Value::integer(static_cast<int64_t>(*u))
                                                    : dm::Value::unsigned_integer(*u);
    }
  }
  if (auto d = r.as_double()) return dm::Value::floating(*d);
  return {};
}

}  // namespace

Status Lwm2mJsonDecoder::start() noexcept {
  // One pass over the whole document: grammar, top-level members, where "e" starts.
  json::Reader r = in_;
  LWM2M_TRY(expect(r, json::Token::begin_object));
  unsigned seen = 0;
  json::Token value = json::Token::end;
  for (;;) {
    auto m = member(r, kTop, seen, value);
    if (!m) return m.status();
    if (*m < 0) break;
    if (*m == 0) {  // bn
      auto s = r.string({bn_, sizeof bn_});
      if (!s || s->size() > sizeof bn_) return Errc::bad_request;  // too long to be a path
      std::memmove(bn_, s->data(), s->size());
      bn_len_ = static_cast<uint8_t>(s->size());
    } else if (*m == 1) {  // bt
      auto d = r.as_double();
      if (!d) return Errc::malformed;
      bt_ = *d;
      has_bt_ = true;
    } else {  // e: entries are read from here on, one per next()
      in_ = r;
      LWM2M_TRY(r.skip_value());
    }
  }
  LWM2M_TRY(expect(r, json::Token::end));
  if (!(seen & 4)) return Errc::malformed;
  return expect(in_, json::Token::begin_array);
}

Result<bool> Lwm2mJsonDecoder::entry(Record& out) noexcept {
  // The document was checked by start(): from here on the grammar is known to be good.
  auto t = in_.next();
  if (!t) return t.error();
  if (*t == json::Token::end_array) return false;  // in_ stays at depth 1: no more entries
  if (*t != json::Token::begin_object) return Errc::malformed;
  std::string_view name, text;  // text: sv/ov, unescaped
  char name_buf[kMaxName];
  double time = 0;
  dm::Value value;
  int kind = -1;  // the value member's index in kEntry
  unsigned seen = 0;
  for (;;) {
    json::Token token = json::Token::end;
    auto m = member(in_, kEntry, seen, token);
    if (!m) return m.error();
    if (*m < 0) break;
    if (*m == 0) {
      auto s = in_.string({name_buf, sizeof name_buf});
      if (!s) return Errc::bad_request;
      name = *s;
    } else if (*m == 1) {
      auto d = in_.as_double();
      if (!d) return Errc::malformed;
      time = *d;
    } else {
      kind = *m;
      if (kind == 2) {
        value = number_value(in_);
      } else if (kind == 4) {
        value = dm::Value::boolean(token == json::Token::true_);
      } else {
        auto s = in_.string(chars(ctx_.scratch));
        if (!s) return s.error();
        text = *s;
      }
    }
  }
  if (kind < 0) return Errc::malformed;

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
  if (kind == 5) {  // ov
    auto v = number::parse_objlnk(text);
    if (!v) return v.error();
    value = dm::Value::objlnk(v->object_id, v->instance_id);
  } else if (kind == 3) {  // sv: string, core link or base64 opaque, as declared
    value = dm::Value::string(text);
    if (*type == dm::DataType::opaque) {
      auto n =
          base64::decode(text, ctx_.scratch, base64::Alphabet::standard, base64::Padding::required);
      if (!n)
        return n.error() == Errc::buffer_too_small ? Errc::buffer_too_small : Errc::bad_request;
      value = dm::Value::opaque({ctx_.scratch.data(), *n});
    }
  }
  // A value of another type converts when it fits exactly: a "v" integer for a float or
  // time resource, a "v" float with an integral value for an integer one, "sv" for a core
  // link.
  if (value.is_none()) return Errc::bad_request;
  auto v = dm::convert(value, *type);
  if (!v) return Errc::bad_request;
  out.path = *path;
  out.value = *v;
  out.time.reset();
  if (has_bt_ || (seen & 2)) out.time = lwm2m::detail::add(time, bt_);
  return true;
}

Result<bool> Lwm2mJsonDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  // in_ is at depth 0 before start(), 2 inside "e" and 1 once its end was read.
  if (in_.depth() == 0) {
    Status st = start();
    if (!st.ok()) return fail(st.error());
  }
  if (in_.depth() < 2) return false;
  auto r = entry(out);
  if (!r) return fail(r.error());
  return r;
}

}  // namespace lwm2m::codec
