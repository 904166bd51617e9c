// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/testserver/file_server.hpp"

#include <arpa/inet.h>
#include <coap3/coap.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

namespace lwm2m::testserver {

struct FileServer::Impl {
  std::string path;
  Bytes content;
  std::vector<PskCredential> psk;
  std::vector<coap_bin_const_t> psk_bins;
  coap_context_t* ctx = nullptr;
  uint16_t port = 0;
  mutable std::mutex m;
  std::vector<uint32_t> served;
  std::atomic<bool> stop{false};
  std::thread io;

  static Impl* of(coap_session_t* s) {
    return static_cast<Impl*>(coap_get_app_data(coap_session_get_context(s)));
  }

  // The block the request asks for (block 0 in our size without Block2), with M set when
  // more follow.
  static void on_get(coap_resource_t*, coap_session_t* session, const coap_pdu_t* request,
                     const coap_string_t*, coap_pdu_t* response) {
    Impl* self = of(session);
    coap_block_t want{0, 0, 6};
    coap_get_block(request, COAP_OPTION_BLOCK2, &want);
    const size_t size = size_t{16} << want.szx;
    const size_t offset = size_t{want.num} * size;
    {
      std::lock_guard<std::mutex> g(self->m);
      self->served.push_back(want.num);
    }
    if (offset > self->content.size()) {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_OPTION);
      return;
    }
    const size_t n = std::min(size, self->content.size() - offset);
    const bool more = offset + n < self->content.size();
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
    uint8_t buf[4];
    coap_add_option(response, COAP_OPTION_CONTENT_FORMAT,
                    coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_OCTET_STREAM),
                    buf);
    coap_add_option(
        response, COAP_OPTION_BLOCK2,
        coap_encode_var_safe(buf, sizeof buf, (want.num << 4) | (more ? 8u : 0u) | want.szx), buf);
    coap_add_data(response, n, self->content.data() + offset);
  }

  static const coap_bin_const_t* on_psk_identity(coap_bin_const_t* identity, coap_session_t*,
                                                 void* arg) {
    auto* self = static_cast<Impl*>(arg);
    std::string id(reinterpret_cast<const char*>(identity->s), identity->length);
    for (size_t i = 0; i < self->psk.size(); ++i)
      if (self->psk[i].identity == id) return &self->psk_bins[i];
    return nullptr;
  }

  void setup() {
    coap_startup();
    ctx = coap_new_context(nullptr);
    if (!ctx) throw Error("libcoap: cannot create a context");
    coap_set_app_data(ctx, this);
    if (!psk.empty()) {
      for (auto& p : psk)
        psk_bins.push_back(coap_bin_const_t{p.key.size(), p.key.data()});
      coap_dtls_spsk_t s;
      std::memset(&s, 0, sizeof s);
      s.version = COAP_DTLS_SPSK_SETUP_VERSION;
      s.validate_id_call_back = &Impl::on_psk_identity;
      s.id_call_back_arg = this;
      if (!coap_context_set_psk2(ctx, &s)) throw Error("libcoap: cannot set up DTLS PSK");
    }
    coap_address_t a;
    coap_address_init(&a);
    a.size = sizeof(sockaddr_in);
    a.addr.sin.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.addr.sin.sin_addr);
    coap_endpoint_t* ep =
        coap_new_endpoint(ctx, &a, psk.empty() ? COAP_PROTO_UDP : COAP_PROTO_DTLS);
    if (!ep) throw Error("libcoap: cannot bind 127.0.0.1");
    std::string s = coap_endpoint_str(ep);
    if (size_t sp = s.find(' '); sp != std::string::npos) s.resize(sp);
    port = static_cast<uint16_t>(std::atoi(s.c_str() + s.rfind(':') + 1));
    coap_str_const_t* name =
        coap_new_str_const(reinterpret_cast<const uint8_t*>(path.data()), path.size());
    coap_resource_t* r = coap_resource_init(name, COAP_RESOURCE_FLAGS_RELEASE_URI);
    coap_register_handler(r, COAP_REQUEST_GET, &Impl::on_get);
    coap_add_resource(ctx, r);
  }
};

FileServer::FileServer(std::string path, Bytes content, std::vector<PskCredential> psk)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  impl_->content = std::move(content);
  impl_->psk = std::move(psk);
  try {
    impl_->setup();
  } catch (...) {
    if (impl_->ctx) coap_free_context(impl_->ctx);
    throw;
  }
  Impl* self = impl_.get();
  impl_->io = std::thread([self] {
    while (!self->stop)
      coap_io_process(self->ctx, 5);
  });
}

FileServer::~FileServer() {
  impl_->stop = true;
  if (impl_->io.joinable()) impl_->io.join();
  coap_free_context(impl_->ctx);
}

uint16_t FileServer::port() const {
  return impl_->port;
}

std::string FileServer::uri() const {
  return std::string(impl_->psk.empty() ? "coap" : "coaps") +
         "://127.0.0.1:" + std::to_string(impl_->port) + "/" + impl_->path;
}

std::vector<uint32_t> FileServer::blocks_served() const {
  std::lock_guard<std::mutex> g(impl_->m);
  return impl_->served;
}

}  // namespace lwm2m::testserver
