// SPDX-License-Identifier: Apache-2.0
// An engine's request and response handler whose behaviour each test sets: `serve` answers
// a request (none: the engine's default answer), `answered` sees a response.
#pragma once

#include <functional>

#include "lwm2m/coap/engine.hpp"

namespace lwm2m::test {

class CallbackHandler final : public coap::RequestHandler, public coap::ResponseHandler {
 public:
  std::function<void(const coap::IncomingRequest&, coap::Response&)> serve;
  std::function<void(const coap::Message&)> answered;
  void on_request(const coap::IncomingRequest& req, coap::Response& r) noexcept override {
    if (serve) serve(req, r);
  }
  void on_response(coap::RequestId, const coap::Message& m, bool) noexcept override {
    if (answered) answered(m);
  }
  void on_error(coap::RequestId, Errc) noexcept override {}
};

}  // namespace lwm2m::test
