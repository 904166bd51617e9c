// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/status.hpp"

namespace lwm2m {

const char* to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "ok";
    case Errc::invalid_argument:
      return "invalid argument";
    case Errc::invalid_state:
      return "invalid state";
    case Errc::no_space:
      return "no space left in a fixed-size table";
    case Errc::buffer_too_small:
      return "buffer too small";
    case Errc::already_exists:
      return "already exists";
    case Errc::malformed:
      return "malformed input";
    case Errc::truncated:
      return "truncated input";
    case Errc::unsupported:
      return "unsupported";
    case Errc::bad_option:
      return "unrecognised critical option";
    case Errc::timeout:
      return "timeout";
    case Errc::reset:
      return "reset by peer";
    case Errc::cancelled:
      return "cancelled";
    case Errc::bad_request:
      return "bad request";
    case Errc::unauthorized:
      return "unauthorized";
    case Errc::not_found:
      return "not found";
    case Errc::method_not_allowed:
      return "method not allowed";
    case Errc::not_acceptable:
      return "not acceptable";
    case Errc::request_entity_incomplete:
      return "request entity incomplete";
    case Errc::request_entity_too_large:
      return "request entity too large";
    case Errc::unsupported_content_format:
      return "unsupported content format";
    case Errc::internal_error:
      return "internal error";
    case Errc::not_implemented:
      return "not implemented";
    case Errc::service_unavailable:
      return "service unavailable";
    case Errc::precondition_failed:
      return "precondition failed";
    case Errc::forbidden:
      return "forbidden";
    case Errc::conflict:
      return "conflict";
  }
  return "unknown error";
}

}  // namespace lwm2m
