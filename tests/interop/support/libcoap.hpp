// SPDX-License-Identifier: Apache-2.0
// What libcoap (4.3.x) says about the messages it exchanged with us: its example programs,
// run with -v 7, print every PDU they send or receive as they decoded it, e.g.
//
//   ... UDP : received 25 bytes
//   v:1 t:ACK c:2.05 i:57ad {01} [ Observe:2, Max-Age:1 ] :: 'Nov 25 09:40:37'
//
// Asserting on these lines checks our bytes against an independent decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lwm2m/bytes.hpp"

namespace lwm2m::interop {

/// Absolute paths of libcoap's programs (found by CMake).
const char* coap_client_program();
const char* coap_server_program();

struct LibcoapPdu {
  bool received = false;  ///< true: libcoap received it; false: libcoap sent it
  std::string type;       ///< "CON", "NON", "ACK", "RST"
  std::string code;       ///< "GET", "2.05", "0.00"...
  unsigned mid = 0;
  std::string token;                 ///< hex, as libcoap prints it
  std::vector<std::string> options;  ///< "Name:value" as libcoap prints them
  std::string payload;               ///< libcoap's escaped rendering

  /// The value of the first option called `name` ("Block2" -> "1/M/1024").
  std::optional<std::string> option(std::string_view name) const;
};

/// Every PDU line of a libcoap -v 7 log that follows a "sent"/"received" line (PDUs that
/// are only "presented by app" never reached the wire and are skipped).
std::vector<LibcoapPdu> parse_libcoap_log(const std::string& log);

/// The UDP port coap-server bound, from its -v 7 startup line
/// "... DEBG created UDP  endpoint 127.0.0.1:41234" (it is started with -p 0, so the
/// kernel picks a free port and tests can run in parallel). nullopt until it appears.
std::optional<uint16_t> server_udp_port(const std::string& log);

/// The token as libcoap prints it (lowercase hex, no separators).
std::string token_hex(ByteView token);

}  // namespace lwm2m::interop
