#include "lwm2m/codec/link_format.hpp"

#include "codec/number.hpp"

namespace lwm2m::codec {
namespace {

constexpr dm::ObjectId kSecurity = 0;
constexpr dm::ObjectId kOscore = 21;

void write_text(Sink& out, std::string_view s) noexcept {
  out.write(as_bytes(s));
}

// "</3/0/7>"
void write_path_link(Sink& out, const dm::Path& p) noexcept {
  out.put('<');
  for (size_t i = 0; i < p.depth(); ++i) {
    out.put('/');
    number::write_uint(out, p.id(i));
  }
  if (p.is_root()) out.put('/');
  out.put('>');
}

void write_ver(Sink& out, const dm::Object& o) noexcept {
  if (o.def().version == "1.0" || o.def().version.empty()) return;
  write_text(out, ";ver=");
  write_text(out, o.def().version);
}

bool excluded(dm::ObjectId id, std::span<const dm::ObjectId> extra) noexcept {
  if (id == kSecurity || id == kOscore) return true;
  for (dm::ObjectId x : extra)
    if (x == id) return true;
  return false;
}

// Writes the separator before every link but the first.
class Links {
 public:
  explicit Links(Sink& out) noexcept : out_(out) {}
  Sink& begin(const dm::Path& p) noexcept {
    if (any_) out_.put(',');
    any_ = true;
    write_path_link(out_, p);
    return out_;
  }
  Sink& begin_raw() noexcept {
    if (any_) out_.put(',');
    any_ = true;
    return out_;
  }

 private:
  Sink& out_;
  bool any_ = false;
};

}  // namespace

void write_register_links(const dm::Registry& registry, Sink& out,
                          const RegisterLinkOptions& options) noexcept {
  Links links{out};
  if (options.root_link) {
    Sink& s = links.begin_raw();
    s.put('<');
    write_text(s, options.root_path.empty() ? std::string_view{"/"} : options.root_path);
    write_text(s, ">;rt=\"oma.lwm2m\"");
    if (!options.content_formats.empty()) {
      const bool quote = options.content_formats.size() > 1;
      write_text(s, quote ? ";ct=\"" : ";ct=");
      for (size_t i = 0; i < options.content_formats.size(); ++i) {
        if (i) s.put(' ');
        number::write_uint(s, static_cast<uint16_t>(options.content_formats[i]));
      }
      if (quote) s.put('"');
    }
  }
  for (const dm::Object* o : registry.objects()) {
    if (excluded(o->id(), options.exclude)) continue;
    const size_t n = o->instance_count();
    const bool versioned = o->def().version != "1.0" && !o->def().version.empty();
    if (n == 0 || versioned) {
      links.begin(dm::Path(o->id()));
      write_ver(out, *o);
    }
    for (size_t i = 0; i < n; ++i)
      links.begin(dm::Path(o->id(), o->instance_at(i)));
  }
}

namespace {

void attrs(const AttributeLookup* a, const dm::Path& p, Sink& out) noexcept {
  if (a) a->write_attributes(p, out);
}

void resource_link(Links& links, const dm::Object& o, const dm::ResourceDef& r, dm::InstanceId iid,
                   const AttributeLookup* a, Sink& out, bool with_instances) noexcept {
  const dm::Path rp(o.id(), iid, r.id);
  links.begin(rp);
  if (r.multiple) {
    write_text(out, ";dim=");
    number::write_uint(out, o.resource_instance_count(iid, r.id));
  }
  attrs(a, rp, out);
  if (!r.multiple || !with_instances) return;
  const size_t n = o.resource_instance_count(iid, r.id);
  for (size_t k = 0; k < n; ++k) {
    const dm::Path rip(o.id(), iid, r.id, o.resource_instance_at(iid, r.id, k));
    links.begin(rip);
    attrs(a, rip, out);
  }
}

void instance_links(Links& links, const dm::Object& o, dm::InstanceId iid, const AttributeLookup* a,
                    Sink& out) noexcept {
  const dm::Path ip(o.id(), iid);
  links.begin(ip);
  attrs(a, ip, out);
  for (const dm::ResourceDef& r : o.def().resources)
    if (o.has_resource(iid, r.id)) resource_link(links, o, r, iid, a, out, false);
}

}  // namespace

Status write_discover(const dm::Registry& registry, const dm::Path& base,
                      const AttributeLookup* attributes, Sink& out) noexcept {
  if (base.is_root()) return Errc::invalid_argument;
  Links links{out};
  if (base.depth() == 1) {
    const dm::Object* o = registry.find(base.object());
    if (!o) return Errc::not_found;
    links.begin(base);
    write_ver(out, *o);
    attrs(attributes, base, out);
    for (size_t i = 0; i < o->instance_count(); ++i)
      instance_links(links, *o, o->instance_at(i), attributes, out);
    return {};
  }
  auto target = registry.resolve(base);
  if (!target) return target.status();
  const dm::Object& o = *target->object;
  switch (base.depth()) {
    case 2:
      instance_links(links, o, base.instance(), attributes, out);
      break;
    case 3:
      resource_link(links, o, *target->resource, base.instance(), attributes, out, true);
      break;
    default:
      links.begin(base);
      attrs(attributes, base, out);
  }
  return {};
}

// ---- parsing ----

namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
// RFC 5987 parmname characters.
bool is_parmname(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '&':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}
// RFC 6690 ptokenchar.
bool is_ptoken(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case '-':
    case '.':
    case '/':
    case ':':
    case '<':
    case '=':
    case '>':
    case '?':
    case '@':
    case '[':
    case ']':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}
bool is_ws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Scans one parameter starting after its ';' at `pos`; returns the position after it, or
// npos when it is malformed. Fills `out` when given.
size_t scan_param(std::string_view s, size_t pos, LinkParam* out) noexcept {
  const size_t name_begin = pos;
  while (pos < s.size() && is_parmname(s[pos]))
    ++pos;
  if (pos == name_begin) return std::string_view::npos;
  LinkParam p;
  p.name = s.substr(name_begin, pos - name_begin);
  if (pos < s.size() && s[pos] == '=') {
    ++pos;
    p.has_value = true;
    if (pos < s.size() && s[pos] == '"') {
      const size_t v = ++pos;
      for (;;) {
        if (pos >= s.size()) return std::string_view::npos;
        const char c = s[pos];
        if (c == '"') break;
        if (c == '\\') {
          if (pos + 1 >= s.size()) return std::string_view::npos;
          pos += 2;
          continue;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::string_view::npos;
        ++pos;
      }
      p.value = s.substr(v, pos - v);
      p.quoted = true;
      ++pos;
    } else {
      const size_t v = pos;
      while (pos < s.size() && is_ptoken(s[pos]))
        ++pos;
      if (pos == v) return std::string_view::npos;
      p.value = s.substr(v, pos - v);
    }
  }
  if (out) *out = p;
  return pos;
}

}  // namespace

bool LinkParamIterator::next(LinkParam& out) noexcept {
  if (rest_.empty() || rest_[0] != ';') return false;
  const size_t end = scan_param(rest_, 1, &out);
  if (end == std::string_view::npos) {
    rest_ = {};
    return false;
  }
  rest_.remove_prefix(end);
  return true;
}

LinkParam Link::find(std::string_view name) const noexcept {
  LinkParamIterator it{params};
  LinkParam p;
  while (it.next(p))
    if (p.name == name) return p;
  return {};
}

Result<bool> LinkParser::next(Link& out) noexcept {
  if (error_ != Errc::ok) return error_;
  const std::string_view s = text_;
  if (!first_) {
    if (pos_ >= s.size()) return false;
    if (s[pos_] != ',') return error_ = Errc::malformed;
    ++pos_;
    while (pos_ < s.size() && is_ws(s[pos_]))
      ++pos_;
  } else {
    first_ = false;
    if (s.empty()) return false;
  }
  if (pos_ >= s.size() || s[pos_] != '<') return error_ = Errc::malformed;
  const size_t uri_begin = ++pos_;
  while (pos_ < s.size() && s[pos_] != '>') {
    const auto c = static_cast<unsigned char>(s[pos_]);
    if (c <= 0x20 || c == 0x7F || c == '<') return error_ = Errc::malformed;
    ++pos_;
  }
  if (pos_ >= s.size()) return error_ = Errc::malformed;
  out.uri = s.substr(uri_begin, pos_ - uri_begin);
  const size_t params_begin = ++pos_;
  while (pos_ < s.size() && s[pos_] == ';') {
    const size_t end = scan_param(s, pos_ + 1, nullptr);
    if (end == std::string_view::npos) return error_ = Errc::malformed;
    pos_ = end;
  }
  out.params = s.substr(params_begin, pos_ - params_begin);
  if (pos_ < s.size() && s[pos_] != ',') return error_ = Errc::malformed;
  return true;
}

}  // namespace lwm2m::codec
