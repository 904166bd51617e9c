// SPDX-License-Identifier: Apache-2.0
// Decoding and encoding for the lwm2m-server console through the library's codecs
// (src/codec), so that the tool shows exactly what the library would understand.
#include "render.hpp"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "codec/dispatch.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/ddf/object_3301_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3303_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3304_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3311_v1_0.hpp"
#include "lwm2m/objects/ddf/object_3315_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3316_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3317_v1_1.hpp"
#include "lwm2m/objects/ddf/object_3342_v1_1.hpp"
#include "lwm2m/objects/ddf/object_4_v1_3.hpp"
#include "lwm2m/objects/ddf/object_5_v1_1.hpp"
#include "lwm2m/objects/ddf/object_6_v1_0.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace lwm2m::testserver::console {

namespace {

using codec::ContentFormat;
using dm::DataType;

const dm::ObjectDef* const kObjects[] = {
    &objects::security_object_def(),
    &objects::server_object_def(),
    &objects::access_control_object_def(),
    &objects::device_object_def(),
    // The other objects the library offers, from their generated OMA definitions.
    &objects::ddf::connectivity_monitoring_v1_3::kObject,
    &objects::ddf::firmware_update_v1_1::kObject,
    &objects::ddf::location_v1_0::kObject,
    &objects::ddf::illuminance_v1_1::kObject,
    &objects::ddf::temperature_v1_1::kObject,
    &objects::ddf::humidity_v1_1::kObject,
    &objects::ddf::light_control_v1_0::kObject,
    &objects::ddf::barometer_v1_1::kObject,
    &objects::ddf::voltage_v1_1::kObject,
    &objects::ddf::current_v1_1::kObject,
    &objects::ddf::on_off_switch_v1_1::kObject,
};

// Types for decoders: the known definitions, and `fallback` for anything else (text for
// plain text, opaque for TLV, whose bytes are then shown as they are).
class Types final : public TypeResolver {
 public:
  explicit Types(DataType fallback) : fallback_(fallback) {}
  Result<DataType> type_of(const dm::Path& path) const noexcept override {
    const dm::ResourceDef* r = find_resource(path);
    if (!r) return fallback_;
    if (path.has_resource_instance() != r->multiple) return Errc::not_found;
    return r->type;
  }

 private:
  DataType fallback_;
};

std::string path_text(const dm::Path& p) {
  char buf[32];
  size_t n = p.format(buf);
  return std::string(buf, n);
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(c));
      out += b;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The shortest text that reads back as the same double, in plain notation where that is
// as short (20 stays "20", not the "2e+01" of a shortest %g).
std::string number_text(double f) {
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

bool printable(ByteView b) {
  for (uint8_t c : b)
    if (c < 0x20 || c >= 0x7F) return false;
  return !b.empty();
}

std::string value_text(const dm::Value& v, bool typed) {
  switch (v.type()) {
    case DataType::none:
      return "(no value)";
    case DataType::string:
    case DataType::corelnk:
      return quoted(v.as_string());
    case DataType::integer:
      return std::to_string(v.as_integer());
    case DataType::unsigned_integer:
      return std::to_string(v.as_unsigned());
    case DataType::floating:
      return number_text(v.as_float());
    case DataType::boolean:
      return v.as_bool() ? "true" : "false";
    case DataType::time: {
      std::time_t t = static_cast<std::time_t>(v.as_time());
      char buf[32] = "";
      std::tm tm{};
      if (gmtime_r(&t, &tm)) std::strftime(buf, sizeof buf, " (%Y-%m-%dT%H:%M:%SZ)", &tm);
      return std::to_string(v.as_time()) + buf;
    }
    case DataType::objlnk:
      return std::to_string(v.as_objlnk().object_id) + ":" +
             std::to_string(v.as_objlnk().instance_id);
    case DataType::opaque: {
      ByteView b = v.as_bytes();
      std::string s = "opaque " + std::to_string(b.size()) + " bytes";
      if (b.empty()) return s;
      Bytes copy(b.begin(), b.begin() + std::min<size_t>(b.size(), 64));
      s += " 0x" + to_hex(copy) + (b.size() > 64 ? "..." : "");
      // A TLV value of a resource this tool does not know: say what it could be.
      if (!typed && printable(b)) s += " (as text " + quoted(as_string(b)) + ")";
      return s;
    }
  }
  return "?";
}

// Prints records as a tree: a header line for each object, instance and multiple resource
// on the way down from the request's target, then one line per value.
class Tree {
 public:
  Tree(size_t base_depth, std::string indent) : base_(base_depth), indent_(std::move(indent)) {}

  void add(const Record& r) {
    const dm::Path& p = r.path;
    size_t top = base_ == 0 ? 1 : base_;
    for (size_t d = top; d < p.depth(); ++d) {
      dm::Path prefix = prefix_of(p, d);
      if (d - top < open_.size() && open_[d - top] == prefix) continue;
      open_.resize(d - top);
      open_.push_back(prefix);
      out_ += line(d - top) + path_text(prefix) + name_of(prefix) + "\n";
    }
    open_.resize(p.depth() > top ? p.depth() - top : 0);
    const dm::ResourceDef* def =
        find_resource(p.has_resource() ? dm::Path(p.object(), p.instance(), p.resource()) : p);
    std::string text = path_text(p) + (p.depth() == 3 ? name_of(p) : "") + ": " +
                       value_text(r.value, def != nullptr);
    if (r.time) text += "  (t=" + number_text(*r.time) + ")";
    out_ += line(p.depth() > top ? p.depth() - top : 0) + text + "\n";
  }
  const std::string& text() const { return out_; }

 private:
  static dm::Path prefix_of(const dm::Path& p, size_t depth) {
    switch (depth) {
      case 1:
        return dm::Path(p.object());
      case 2:
        return dm::Path(p.object(), p.instance());
      default:
        return dm::Path(p.object(), p.instance(), p.resource());
    }
  }
  static std::string name_of(const dm::Path& p) {
    if (p.depth() == 1) {
      const dm::ObjectDef* o = find_object(p.object());
      return o && !o->name.empty() ? " " + std::string(o->name) : "";
    }
    if (p.depth() == 3) {
      const dm::ResourceDef* r = find_resource(p);
      return r && !r->name.empty() ? " " + std::string(r->name) : "";
    }
    return "";
  }
  std::string line(size_t level) const { return indent_ + std::string(2 * level, ' '); }

  size_t base_;
  std::string indent_;
  std::vector<dm::Path> open_;
  std::string out_;
};

std::string render_links(const Bytes& payload, const std::string& indent) {
  std::string out;
  std::string text(payload.begin(), payload.end());
  for (const ObjectLink& l : parse_links(text)) {
    out += indent + "<" + l.path + ">";
    for (const auto& [k, v] : l.attributes)
      out += " " + k + (v.empty() ? "" : "=" + v);
    out += "\n";
  }
  return out;
}

DataType fallback_for(ContentFormat f) {
  switch (f) {
    case ContentFormat::lwm2m_tlv:
    case ContentFormat::octet_stream:
      return DataType::opaque;
    default:
      return DataType::string;
  }
}

bool carries_types(ContentFormat f) {
  return f == ContentFormat::senml_json || f == ContentFormat::senml_cbor ||
         f == ContentFormat::lwm2m_cbor || f == ContentFormat::cbor;
}

}  // namespace

const dm::ObjectDef* find_object(dm::ObjectId id) {
  for (const dm::ObjectDef* o : kObjects)
    if (o->id == id) return o;
  return nullptr;
}

const dm::ResourceDef* find_resource(const dm::Path& path) {
  if (!path.has_resource()) return nullptr;
  const dm::ObjectDef* o = find_object(path.object());
  return o ? o->find(path.resource()) : nullptr;
}

namespace {
struct FormatName {
  const char* name;
  testserver::ContentFormat cf;
};
constexpr FormatName kFormats[] = {
    {"text", testserver::ContentFormat::text},
    {"tlv", testserver::ContentFormat::tlv},
    {"opaque", testserver::ContentFormat::opaque},
    {"cbor", testserver::ContentFormat::cbor},
    {"senml-json", testserver::ContentFormat::senml_json},
    {"senml-cbor", testserver::ContentFormat::senml_cbor},
    {"lwm2m-json", testserver::ContentFormat::lwm2m_json},
    {"lwm2m-cbor", testserver::ContentFormat::lwm2m_cbor},
    {"link", testserver::ContentFormat::link_format},
};
}  // namespace

std::optional<testserver::ContentFormat> format_from_name(const std::string& name) {
  for (const FormatName& f : kFormats)
    if (name == f.name) return f.cf;
  return std::nullopt;
}

std::string format_name(testserver::ContentFormat cf) {
  for (const FormatName& f : kFormats)
    if (f.cf == cf) return f.name;
  return "content-format " + std::to_string(static_cast<unsigned>(cf));
}

const char* format_names() {
  return "text, tlv, opaque, cbor, senml-json, senml-cbor, lwm2m-json, lwm2m-cbor";
}

std::string render_payload(std::optional<testserver::ContentFormat> cf, const Bytes& payload,
                           const std::string& base, bool hex, const std::string& indent) {
  std::string out;
  auto raw = [&] { return indent + "hex: " + to_hex(payload) + "\n"; };
  if (payload.empty()) return "";
  if (!cf) {
    out = printable(payload) ? indent + quoted(std::string(payload.begin(), payload.end())) + "\n"
                             : raw();
    return out;
  }
  if (*cf == testserver::ContentFormat::link_format) {
    out = render_links(payload, indent);
  } else {
    auto path = dm::Path::parse(base.empty() ? "/" : base);
    const auto f = static_cast<ContentFormat>(*cf);
    Types types(fallback_for(f));
    Bytes scratch(payload.size() + 16);
    codec::DecodeContext ctx;
    ctx.base = path ? *path : dm::Path();
    ctx.types = carries_types(f) ? nullptr : &types;
    ctx.scratch = MutableByteView(scratch.data(), scratch.size());
    codec::AnyDecoder decoder;
    Tree tree(ctx.base.depth(), indent);
    Status s = decoder.open(f, ByteView(payload.data(), payload.size()), ctx);
    size_t count = 0;
    while (s.ok()) {
      Record r;
      auto more = decoder.next(r);
      if (!more) {
        s = more.status();
        break;
      }
      if (!*more) break;
      tree.add(r);
      ++count;
    }
    out = tree.text();
    if (!s.ok()) {
      out += indent + "cannot decode the " + format_name(*cf) + " payload after " +
             std::to_string(count) + " value(s): " + to_string(s.error()) + "\n";
      if (!hex) out += raw();
    }
  }
  if (hex) out += raw();
  return out;
}

std::string render_response(const Response& r, const std::string& base, bool hex) {
  if (!r.received()) return r.describe() + "\n";
  // describe(): "2.05 Content (application/senml+json, 12 bytes)\n<payload>"; the first
  // line with the console's short format name.
  const std::string full = r.describe();
  std::string head = full.substr(0, std::min(full.find('\n'), full.find(" (")));
  if (r.content_format || !r.payload.empty()) {
    head += " (" + (r.content_format ? format_name(*r.content_format) : std::string("no format")) +
            ", " + std::to_string(r.payload.size()) + " bytes)";
  }
  return head + "\n" + render_payload(r.content_format, r.payload, base, hex, "  ");
}

// ---- encoding ----

namespace {

std::optional<dm::Value> parse_typed(DataType t, const std::string& text, Bytes& storage) {
  char* end = nullptr;
  switch (t) {
    case DataType::string:
    case DataType::corelnk:
      return t == DataType::string ? dm::Value::string(text) : dm::Value::corelnk(text);
    case DataType::integer:
    case DataType::time: {
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end) return std::nullopt;
      return t == DataType::time ? dm::Value::time(v) : dm::Value::integer(v);
    }
    case DataType::unsigned_integer: {
      unsigned long long v = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end || text[0] == '-') return std::nullopt;
      return dm::Value::unsigned_integer(v);
    }
    case DataType::floating: {
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end) return std::nullopt;
      return dm::Value::floating(v);
    }
    case DataType::boolean:
      if (text == "true" || text == "1") return dm::Value::boolean(true);
      if (text == "false" || text == "0") return dm::Value::boolean(false);
      return std::nullopt;
    case DataType::objlnk: {
      unsigned o = 0, i = 0;
      char tail = 0;
      if (std::sscanf(text.c_str(), "%u:%u%c", &o, &i, &tail) != 2 || o > 65535 || i > 65535)
        return std::nullopt;
      return dm::Value::objlnk(static_cast<uint16_t>(o), static_cast<uint16_t>(i));
    }
    case DataType::opaque: {
      std::string digits = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
      try {
        storage = from_hex(digits);
      } catch (const Error&) {
        return std::nullopt;
      }
      return dm::Value::opaque(ByteView(storage.data(), storage.size()));
    }
    case DataType::none:
      break;
  }
  return std::nullopt;
}

// A resource this tool does not know: the value's own look decides.
dm::Value guess(const std::string& text) {
  char* end = nullptr;
  long long i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && !*end) return dm::Value::integer(i);
  double f = std::strtod(text.c_str(), &end);
  if (!text.empty() && !*end) return dm::Value::floating(f);
  if (text == "true") return dm::Value::boolean(true);
  if (text == "false") return dm::Value::boolean(false);
  return dm::Value::string(text);
}

const char* type_hint(DataType t) {
  switch (t) {
    case DataType::integer:
      return "a whole number";
    case DataType::unsigned_integer:
      return "a whole number >= 0";
    case DataType::floating:
      return "a number";
    case DataType::boolean:
      return "true or false";
    case DataType::time:
      return "seconds since 1970";
    case DataType::objlnk:
      return "OBJECT:INSTANCE, e.g. 3:0";
    case DataType::opaque:
      return "hex digits, e.g. 0a1b";
    default:
      return "text";
  }
}

Encoded encode_records(const std::vector<Record>& records, const dm::Path& base,
                       testserver::ContentFormat cf) {
  Encoded e;
  SpanSource src(records);
  Bytes buf(64 * 1024);
  Sink sink(MutableByteView(buf.data(), buf.size()));
  Status s = codec::encode(static_cast<ContentFormat>(cf), base, src, sink);
  if (s.ok()) s = sink.fits();
  if (!s.ok()) {
    e.error = "cannot encode that in " + format_name(cf) + ": " + to_string(s.error());
    return e;
  }
  e.payload.assign(buf.begin(), buf.begin() + static_cast<long>(sink.total()));
  return e;
}

struct Parsed {
  Record record;
  std::string error;
};

Parsed parse_value(const dm::Path& path, const std::string& text, Bytes& storage) {
  Parsed p;
  p.record.path = path;
  const dm::ResourceDef* def = find_resource(path);
  if (!def) {
    p.record.value = guess(text);
    return p;
  }
  if (def->type == DataType::none) {
    p.error = path_text(path) + " is executable: use exec";
    return p;
  }
  auto v = parse_typed(def->type, text, storage);
  if (!v) {
    p.error = path_text(path) + " (" + std::string(def->name) + ") takes " + type_hint(def->type) +
              ", not \"" + text + "\"";
    return p;
  }
  p.record.value = *v;
  return p;
}

}  // namespace

Encoded encode_value(const dm::Path& path, const std::string& text, testserver::ContentFormat cf) {
  Bytes storage;
  if (cf == testserver::ContentFormat::opaque) {
    Encoded e;
    std::string digits = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
    try {
      e.payload = from_hex(digits);
    } catch (const Error&) {
      e.error = "opaque values are hex digits, e.g. 0a1b (got \"" + text + "\")";
    }
    return e;
  }
  Parsed p = parse_value(path, text, storage);
  if (!p.error.empty()) return Encoded{{}, p.error};
  return encode_records({p.record}, path, cf);
}

Encoded encode_instance(dm::ObjectId object, std::optional<dm::InstanceId> iid,
                        const std::vector<std::pair<dm::ResourceId, std::string>>& resources,
                        testserver::ContentFormat cf) {
  if (!iid && cf != testserver::ContentFormat::tlv) {
    return Encoded{{}, "create without an instance id needs tlv (only TLV can leave it out)"};
  }
  // Without an id: the resources alone, encoded as the content of some instance.
  const dm::Path instance(object, iid.value_or(0));
  std::vector<Bytes> storage(resources.size());
  std::vector<Record> records;
  for (size_t i = 0; i < resources.size(); ++i) {
    Parsed p = parse_value(dm::Path(object, instance.instance(), resources[i].first),
                           resources[i].second, storage[i]);
    if (!p.error.empty()) return Encoded{{}, p.error};
    records.push_back(p.record);
  }
  return encode_records(records, iid ? dm::Path(object) : instance, cf);
}

Encoded encode_paths(const std::vector<dm::Path>& paths, testserver::ContentFormat cf) {
  std::vector<Record> records;
  for (const dm::Path& p : paths)
    records.push_back(Record{p, dm::Value(), std::nullopt});
  return encode_records(records, dm::Path(), cf);
}

}  // namespace lwm2m::testserver::console
