// SPDX-License-Identifier: Apache-2.0
// Pieces of the requests the client sends (Register, Update, Bootstrap-Request, Send) and
// of reading the answers.
#pragma once

#include <cstring>
#include <string_view>

#include "codec/number.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/codec/negotiate.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/core/client.hpp"

namespace lwm2m::core {

/// What the answer to one of the client's own requests says: Errc::ok for a success code,
/// the Errc of an error code (bad_request or internal_error for a code without an Errc of
/// its own), `error` when none came. Out of line (registration.cpp): one copy for the
/// registrations and Send.
Errc answer_error(const coap::Message* response, Errc error) noexcept;

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

// "ep=" and the endpoint name, on the stack while a Register or Bootstrap-Request is built.
inline constexpr size_t kMaxEndpointQuery = 3 + ClientConfig::kMaxEndpoint;

inline std::string_view u32_text(uint32_t v, char (&buf)[codec::number::kMaxChars]) noexcept {
  size_t n = codec::number::format_uint(v, buf);
  return {buf, n};
}

/// The Uri-Query parameters of one request (Register, Update, Bootstrap-Request) and the
/// status of its other options, written one after the other into one buffer that lives
/// until the request is sent (the engine copies options when it encodes it). The first
/// error sticks, so the parameters are added without a check between them. add() is
/// defined once, in registration.cpp.
class Query {
 public:
  explicit Query(coap::Message& m) noexcept : m_(m) {}

  /// Adds "<key><value>"; `key` ends with its '=' ("lt=").
  void add(const char* key, std::string_view value) noexcept;
  void add(const char* key, uint32_t value) noexcept {
    char num[codec::number::kMaxChars];
    add(key, u32_text(value, num));
  }
  /// Takes the outcome of adding another option (the first error sticks).
  void also(Status st) noexcept {
    if (st_) st_ = st;
  }
  Status status() const noexcept { return st_; }

 private:
  coap::Message& m_;
  Status st_;
  size_t used_ = 0;
  // ep, lt, lwm2m and b of a Register, the longest.
  char buf_[kMaxEndpointQuery + 48 + LWM2M_SERVER_BINDING_MAX];
};

}  // namespace lwm2m::core
