// SPDX-License-Identifier: Apache-2.0
// Server URIs as the Security object holds them (/0/x/0): coap://host:port, coaps://...,
// with host names, IPv4 literals and bracketed IPv6 literals (RFC 3986 §3.2.2).
#pragma once

#include <cstdint>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m {

enum class UriScheme : uint8_t { coap, coaps, coap_tcp, coaps_tcp };

/// A server URI split into its parts by parse_server_uri().
struct ServerUri {
  UriScheme scheme = UriScheme::coap;  ///< coap, coaps, coap+tcp or coaps+tcp
  std::string_view host;      ///< without brackets for IPv6 literals; a view into the input
  uint16_t port = 0;          ///< the scheme's default (5683 / 5684) when absent
  bool ipv6_literal = false;  ///< the host was an IPv6 address in brackets
  std::string_view path;      ///< "" or "/..." (LwM2M servers normally have none)

  /// True for the schemes that need DTLS or TLS (coaps, coaps+tcp).
  bool secure() const noexcept {
    return scheme == UriScheme::coaps || scheme == UriScheme::coaps_tcp;
  }
};

/// Parses a server URI. Errors: malformed (no scheme, empty host, bad brackets, bad or
/// zero port, userinfo), unsupported (another scheme, e.g. sms:// or http://).
Result<ServerUri> parse_server_uri(std::string_view text) noexcept;

}  // namespace lwm2m
