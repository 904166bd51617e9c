// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/uri.hpp"

namespace lwm2m {

Result<ServerUri> parse_server_uri(std::string_view text) noexcept {
  ServerUri u;
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return Errc::malformed;
  std::string_view scheme = text.substr(0, sep);
  // Schemes are case-insensitive (RFC 3986 §3.1); compare lower-cased.
  char lower[10] = {};
  if (scheme.size() >= sizeof(lower)) return Errc::unsupported;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = scheme[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view s(lower, scheme.size());
  if (s == "coap") {
    u.scheme = UriScheme::coap;
    u.port = 5683;
  } else if (s == "coaps") {
    u.scheme = UriScheme::coaps;
    u.port = 5684;
  } else if (s == "coap+tcp") {
    u.scheme = UriScheme::coap_tcp;
    u.port = 5683;
  } else if (s == "coaps+tcp") {
    u.scheme = UriScheme::coaps_tcp;
    u.port = 5684;
  } else {
    return Errc::unsupported;
  }

  std::string_view rest = text.substr(sep + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) u.path = rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) return Errc::malformed;

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return Errc::malformed;
    u.host = authority.substr(1, close - 1);
    u.ipv6_literal = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Errc::malformed;
      port_text = after.substr(1);
      if (port_text.empty()) return Errc::malformed;
    }
    // Check the address part; a zone id after '%' (RFC 6874) may hold any name.
    for (char c : u.host.substr(0, u.host.find('%'))) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                      c == ':' || c == '.';
      if (!ok) return Errc::malformed;
    }
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':') != colon) return Errc::malformed;  // bare IPv6 needs brackets
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Errc::malformed;
      u.host = authority.substr(0, colon);
    } else {
      u.host = authority;
    }
  }
  if (u.host.empty()) return Errc::malformed;
  if (!port_text.empty()) {
    uint32_t port = 0;
    if (port_text.size() > 5) return Errc::malformed;
    for (char c : port_text) {
      if (c < '0' || c > '9') return Errc::malformed;
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return Errc::malformed;
    u.port = static_cast<uint16_t>(port);
  }
  return u;
}

}  // namespace lwm2m
