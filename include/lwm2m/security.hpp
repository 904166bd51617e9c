// SPDX-License-Identifier: Apache-2.0
// How the client reaches one server securely: the Security Mode and credentials of a
// Security object instance (/0/x), as a view that the core hands to the transport. Neutral:
// the core, the objects and the DTLS layer all speak it, none depends on another for it.
#pragma once

#include <cstdint>
#include <string_view>

#include "lwm2m/bytes.hpp"

namespace lwm2m {

/// Security Mode resource (/0/x/2, OMA LwM2M 1.1 Core Appendix E.1).
enum class SecurityMode : uint8_t {
  psk = 0,          ///< pre-shared key
  rpk = 1,          ///< raw public key (RFC 7250)
  certificate = 2,  ///< X.509 certificates
  nosec = 3,        ///< plain CoAP over UDP: no DTLS at all
  est = 4,          ///< certificate with EST enrolment
};

/// True for the modes that run over DTLS.
constexpr bool uses_dtls(SecurityMode m) noexcept {
  return m != SecurityMode::nosec;
}

/// One server's address and credentials. The views point into the Security object's storage
/// and stay valid until the object changes (the next request served, on the driver's thread).
struct PeerSecurity {
  uint16_t security_iid = 0xFFFF;  ///< the Security instance (credential tags derive from it)
  uint16_t ssid = 0;               ///< Short Server ID; 0 for the bootstrap server
  bool bootstrap = false;          ///< a bootstrap server account (/0/x/1)
  std::string_view uri;            ///< /0/x/0, e.g. "coaps://leshan.example:5684"
  SecurityMode mode = SecurityMode::nosec;  ///< /0/x/2: how the connection is secured
  ByteView identity;           ///< /0/x/3: PSK identity, or our certificate / public key
  ByteView server_public_key;  ///< /0/x/4: the server's certificate or public key
  ByteView secret_key;         ///< /0/x/5: PSK key, or our private key
};

}  // namespace lwm2m
