// SPDX-License-Identifier: Apache-2.0
// Pieces of the requests the client sends (Register, Update, Bootstrap-Request, Send) and
// of reading the answers.
#pragma once

#include <cstring>
#include <string_view>

#include "codec/number.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/codec/negotiate.hpp"
#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

/// The Errc of a CoAP error answer (the reverse of coap::code_for): bad_request or
/// internal_error for a code without an Errc of its own.
inline Errc error_of(coap::Code code) noexcept {
  for (int e = static_cast<int>(Errc::bad_request); e <= static_cast<int>(Errc::conflict); ++e)
    if (coap::code_for(static_cast<Errc>(e)).raw == code.raw) return static_cast<Errc>(e);
  return code.cls() == 5 ? Errc::internal_error : Errc::bad_request;
}

inline const char* version_text(LwM2MVersion v) noexcept {
  switch (v) {
    case LwM2MVersion::v1_0:
      return "1.0";
    case LwM2MVersion::v1_1:
      return "1.1";
    default:
      return "1.2";
  }
}

/// Builds "name=value" into `buf` and adds it as a Uri-Query; the engine copies options
/// when it encodes the request, so `buf` only has to live until send_request returns.
// "ep=" and the endpoint name, on the stack while a Register or Bootstrap-Request is built.
inline constexpr size_t kMaxEndpointQuery = 3 + ClientConfig::kMaxEndpoint;

inline Status add_query(coap::Message& m, char* buf, size_t cap, std::string_view name,
                        std::string_view value) noexcept {
  if (name.size() + 1 + value.size() > cap) return Errc::buffer_too_small;
  std::memcpy(buf, name.data(), name.size());
  buf[name.size()] = '=';
  if (!value.empty()) std::memcpy(buf + name.size() + 1, value.data(), value.size());
  return m.add_string(coap::OptionNumber::uri_query,
                      std::string_view(buf, name.size() + 1 + value.size()));
}

inline std::string_view u32_text(uint32_t v, char (&buf)[codec::number::kMaxChars]) noexcept {
  size_t n = codec::number::format_uint(v, buf);
  return {buf, n};
}

}  // namespace lwm2m::core
