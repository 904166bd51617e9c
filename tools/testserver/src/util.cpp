// SPDX-License-Identifier: Apache-2.0
// Text helpers of the test server: codes, content formats, link parsing, hex, TLV.
#include <cstdio>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {

std::string to_string(ContentFormat cf) {
  switch (cf) {
    case ContentFormat::text:
      return "text/plain";
    case ContentFormat::link_format:
      return "application/link-format";
    case ContentFormat::opaque:
      return "application/octet-stream";
    case ContentFormat::cbor:
      return "application/cbor";
    case ContentFormat::senml_json:
      return "application/senml+json";
    case ContentFormat::senml_cbor:
      return "application/senml+cbor";
    case ContentFormat::tlv:
      return "application/vnd.oma.lwm2m+tlv";
    case ContentFormat::lwm2m_json:
      return "application/vnd.oma.lwm2m+json";
    case ContentFormat::lwm2m_cbor:
      return "application/vnd.oma.lwm2m+cbor";
  }
  return "content-format " + std::to_string(static_cast<unsigned>(cf));
}

std::string code_string(uint8_t code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%d.%02d", code >> 5, code & 0x1F);
  return buf;
}

namespace {
const char* code_name(uint8_t code) {
  switch (code) {
    case coap_code(2, 1):
      return "Created";
    case coap_code(2, 2):
      return "Deleted";
    case coap_code(2, 3):
      return "Valid";
    case coap_code(2, 4):
      return "Changed";
    case coap_code(2, 5):
      return "Content";
    case coap_code(2, 31):
      return "Continue";
    case coap_code(4, 0):
      return "Bad Request";
    case coap_code(4, 1):
      return "Unauthorized";
    case coap_code(4, 2):
      return "Bad Option";
    case coap_code(4, 3):
      return "Forbidden";
    case coap_code(4, 4):
      return "Not Found";
    case coap_code(4, 5):
      return "Method Not Allowed";
    case coap_code(4, 6):
      return "Not Acceptable";
    case coap_code(4, 8):
      return "Request Entity Incomplete";
    case coap_code(4, 9):
      return "Conflict";
    case coap_code(4, 12):
      return "Precondition Failed";
    case coap_code(4, 13):
      return "Request Entity Too Large";
    case coap_code(4, 15):
      return "Unsupported Content-Format";
    case coap_code(5, 0):
      return "Internal Server Error";
    case coap_code(5, 1):
      return "Not Implemented";
    case coap_code(5, 3):
      return "Service Unavailable";
    default:
      return "";
  }
}

bool printable(const Bytes& b) {
  for (uint8_t c : b) {
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7F) return false;
  }
  return true;
}
}  // namespace

std::string Response::describe() const {
  switch (outcome) {
    case Outcome::response:
      break;
    case Outcome::timeout:
      return "timeout" + (error.empty() ? "" : ": " + error);
    case Outcome::no_answer:
      return "no answer (CON retransmissions exhausted)";
    case Outcome::reset:
      return "reset by the client";
    case Outcome::not_registered:
      return "not registered" + (error.empty() ? "" : ": " + error);
    case Outcome::failed:
      return "failed: " + error;
  }
  std::string s = testserver::code_string(code);
  const char* name = code_name(code);
  if (*name) s += std::string(" ") + name;
  if (content_format || !payload.empty()) {
    s += " (";
    if (content_format) s += to_string(*content_format) + ", ";
    s += std::to_string(payload.size()) + " bytes)";
  }
  if (!payload.empty()) {
    if (printable(payload)) {
      s += "\n" + text();
    } else {
      s += "\n" + to_hex(payload);
    }
  }
  return s;
}

// ---- links (RFC 6690 §2) ----

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits on `sep` outside double quotes and angle brackets.
std::vector<std::string_view> split_outside_quotes(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false, bracket = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' && !bracket) quoted = !quoted;
    if (!quoted && c == '<') bracket = true;
    if (!quoted && c == '>') bracket = false;
    if (c == sep && !quoted && !bracket) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}
}  // namespace

std::vector<ObjectLink> parse_links(std::string_view payload) {
  std::vector<ObjectLink> links;
  for (std::string_view element : split_outside_quotes(payload, ',')) {
    element = trim(element);
    if (element.size() < 2 || element.front() != '<') continue;
    size_t close = element.find('>');
    if (close == std::string_view::npos) continue;
    ObjectLink link;
    link.path = std::string(element.substr(1, close - 1));
    std::string_view rest = element.substr(close + 1);
    auto params = split_outside_quotes(rest, ';');
    for (size_t i = 1; i < params.size(); ++i) {  // params[0] is what precedes the first ';'
      std::string_view p = trim(params[i]);
      if (p.empty()) continue;
      size_t eq = p.find('=');
      std::string name(trim(p.substr(0, eq)));
      std::string value;
      if (eq != std::string_view::npos) {
        std::string_view v = trim(p.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        value = std::string(v);
      }
      if (name == "ver") link.version = value;
      link.attributes[name] = value;
    }
    // Numeric segments: "/3/0" -> {3, 0}; a non-numeric path (e.g. "/" or an alternate
    // root "/lwm2m") leaves ids empty.
    std::string_view path = link.path;
    bool numeric = true;
    std::vector<uint16_t> ids;
    while (!path.empty()) {
      if (path.front() == '/') {
        path.remove_prefix(1);
        continue;
      }
      size_t slash = path.find('/');
      std::string_view seg = path.substr(0, slash);
      uint32_t v = 0;
      if (seg.empty() || seg.size() > 5) numeric = false;
      for (char c : seg) {
        if (c < '0' || c > '9') {
          numeric = false;
          break;
        }
        v = v * 10 + static_cast<uint32_t>(c - '0');
      }
      if (!numeric || v > 65535) {
        numeric = false;
        break;
      }
      ids.push_back(static_cast<uint16_t>(v));
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    if (numeric) link.ids = std::move(ids);
    links.push_back(std::move(link));
  }
  return links;
}

bool ClientInfo::has_link(std::string_view path) const {
  for (const auto& l : links) {
    if (l.path == path) return true;
  }
  return false;
}

// ---- hex ----

Bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) throw Error("hex string has an odd number of digits");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) throw Error("not a hex digit in \"" + std::string(hex) + "\"");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string to_hex(const Bytes& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 0xF];
  }
  return s;
}

// ---- TLV (OMA LwM2M Core §7.4.3) ----

namespace tlv {

Bytes element(int type, uint16_t id, const Bytes& value) {
  Bytes out;
  // Type byte: bits 7-6 identifier type, bit 5 identifier length (0: 8 bits, 1: 16 bits),
  // bits 4-3 length type (0: in bits 2-0, 1/2/3: 8/16/24-bit length field), bits 2-0 length.
  uint8_t t = static_cast<uint8_t>((type & 3) << 6);
  if (id > 0xFF) t |= 0x20;
  size_t len = value.size();
  if (len > 0xFFFFFF) throw Error("TLV value longer than 2^24-1 bytes");
  int length_bytes = len < 8 ? 0 : len <= 0xFF ? 1 : len <= 0xFFFF ? 2 : 3;
  t |= static_cast<uint8_t>(length_bytes << 3);
  if (length_bytes == 0) t |= static_cast<uint8_t>(len);
  out.push_back(t);
  if (id > 0xFF) out.push_back(static_cast<uint8_t>(id >> 8));
  out.push_back(static_cast<uint8_t>(id & 0xFF));
  for (int i = length_bytes - 1; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes resource(uint16_t id, const Bytes& value) {
  return element(3, id, value);
}

Bytes resource(uint16_t id, std::string_view text) {
  return element(3, id, Bytes(text.begin(), text.end()));
}

Bytes resource_int(uint16_t id, int64_t value) {
  // Two's complement, big-endian, in 1, 2, 4 or 8 bytes (Core Appendix C: Integer).
  int size = 8;
  if (value >= INT8_MIN && value <= INT8_MAX) {
    size = 1;
  } else if (value >= INT16_MIN && value <= INT16_MAX) {
    size = 2;
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    size = 4;
  }
  Bytes v;
  auto u = static_cast<uint64_t>(value);
  for (int i = size - 1; i >= 0; --i)
    v.push_back(static_cast<uint8_t>(u >> (8 * i)));
  return element(3, id, v);
}

Bytes resource_bool(uint16_t id, bool value) {
  return element(3, id, Bytes{static_cast<uint8_t>(value ? 1 : 0)});
}

namespace {
void append(Bytes& out, const Bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}
}  // namespace

Bytes security_resources(const SecurityInstance& s) {
  Bytes out;
  append(out, resource(0, s.server_uri));
  append(out, resource_bool(1, s.bootstrap_server));
  append(out, resource_int(2, s.security_mode));
  append(out, resource(3, s.identity));
  append(out, resource(4, s.server_public_key));
  append(out, resource(5, s.secret_key));
  if (s.short_server_id) append(out, resource_int(10, *s.short_server_id));
  if (s.client_hold_off) append(out, resource_int(11, *s.client_hold_off));
  return out;
}

Bytes server_resources(const ServerInstance& s) {
  Bytes out;
  append(out, resource_int(0, s.short_server_id));
  append(out, resource_int(1, s.lifetime));
  if (s.default_pmin) append(out, resource_int(2, *s.default_pmin));
  if (s.default_pmax) append(out, resource_int(3, *s.default_pmax));
  append(out, resource_bool(6, s.notification_storing));
  append(out, resource(7, s.binding));
  return out;
}

Bytes security_instance(uint16_t instance_id, const SecurityInstance& s) {
  return element(0, instance_id, security_resources(s));
}

Bytes server_instance(uint16_t instance_id, const ServerInstance& s) {
  return element(0, instance_id, server_resources(s));
}

}  // namespace tlv

// ---- bootstrap steps ----

BootstrapStep BootstrapStep::delete_path(std::string path) {
  BootstrapStep s;
  s.kind = Kind::del;
  s.path = std::move(path);
  return s;
}

BootstrapStep BootstrapStep::write(std::string path, Bytes payload, ContentFormat cf) {
  BootstrapStep s;
  s.kind = Kind::write;
  s.path = std::move(path);
  s.payload = std::move(payload);
  s.content_format = cf;
  return s;
}

BootstrapStep BootstrapStep::discover(std::string path) {
  BootstrapStep s;
  s.kind = Kind::discover;
  s.path = std::move(path);
  s.content_format = ContentFormat::link_format;
  return s;
}

BootstrapStep BootstrapStep::read(std::string path, std::optional<ContentFormat> accept) {
  BootstrapStep s;
  s.kind = Kind::read;
  s.path = std::move(path);
  s.content_format = accept;
  return s;
}

std::string BootstrapStep::describe() const {
  switch (kind) {
    case Kind::del:
      return "Bootstrap-Delete DELETE " + path;
    case Kind::write:
      return "Bootstrap-Write PUT " + path + " (" +
             (content_format ? to_string(*content_format) : std::string("no format")) + ", " +
             std::to_string(payload.size()) + " bytes)";
    case Kind::discover:
      return "Bootstrap-Discover GET " + path;
    case Kind::read:
      return "Bootstrap-Read GET " + path;
  }
  return "?";
}

// ---- events ----

std::string to_string(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::registered:
      return "registered";
    case Event::Kind::registration_rejected:
      return "registration-rejected";
    case Event::Kind::updated:
      return "updated";
    case Event::Kind::update_rejected:
      return "update-rejected";
    case Event::Kind::deregistered:
      return "deregistered";
    case Event::Kind::send:
      return "send";
    case Event::Kind::request_held:
      return "request-held";
    case Event::Kind::notification_rejected:
      return "notification-rejected";
    case Event::Kind::bootstrap_requested:
      return "bootstrap-requested";
    case Event::Kind::bootstrap_step:
      return "bootstrap-step";
    case Event::Kind::bootstrap_finished:
      return "bootstrap-finished";
    case Event::Kind::bootstrap_failed:
      return "bootstrap-failed";
  }
  return "?";
}

std::string describe(const Event& e) {
  std::string s = to_string(e.kind);
  if (!e.endpoint.empty()) s += " ep=" + e.endpoint;
  if (e.client) {
    const ClientInfo& c = *e.client;
    s += " location=" + c.location + " lt=" + std::to_string(c.lifetime) + " b=" + c.binding;
    if (!c.lwm2m_version.empty()) s += " lwm2m=" + c.lwm2m_version;
    if (c.queue_mode) s += " queue-mode";
    s += " from " + c.address;
    if (!c.links_raw.empty()) s += "\n  objects: " + c.links_raw;
  }
  if (e.step >= 0) s += " step " + std::to_string(e.step + 1);
  if (!e.detail.empty()) s += " " + e.detail;
  if (e.code) s += " -> " + code_string(e.code);
  if (e.kind == Event::Kind::send) {
    s += " (" + (e.content_format ? to_string(*e.content_format) : std::string("no format")) +
         ", " + std::to_string(e.payload.size()) + " bytes)";
  }
  return s;
}

}  // namespace lwm2m::testserver
