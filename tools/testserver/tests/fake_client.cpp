// SPDX-License-Identifier: Apache-2.0
#include "fake_client.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>

namespace lwm2m::testserver::fake {

namespace {
TimePoint now_tp() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  return from_millis(ms.count());
}
}  // namespace

struct FakeClient::Impl final : coap::RequestHandler, coap::ResponseHandler {
  std::mutex m;  // guards the engine and everything below
  std::condition_variable cv;
  XorShiftRandom rng{
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  std::unique_ptr<coap::Engine> engine;
  posix::UdpSocket socket;
  posix::SocketAddress server;
  std::atomic<bool> stop{false};
  std::thread io;

  struct Outstanding {
    Reply reply;
    bool done = false;
    std::string payload;  // must outlive a Block1 upload
  };
  std::map<uint32_t, std::shared_ptr<Outstanding>> outstanding;  // by RequestId packed
  std::map<std::string, Answer> resources;
  Handler handler;
  std::vector<Recorded> recorded;
  struct Obs {
    coap::ObservationId id;
    std::string path;
  };
  std::vector<Obs> observations;

  static uint32_t key(coap::RequestId id) {
    return static_cast<uint32_t>(id.index) << 16 | id.generation;
  }

  void flush() {  // under m
    while (auto d = engine->poll_transmit())
      (void)socket.send_to(server, d->bytes);
  }

  void run() {
    uint8_t buf[2048];
    while (!stop) {
      {
        std::lock_guard<std::mutex> lock(m);
        TimePoint now = now_tp();
        if (engine->next_deadline() <= now) engine->handle_timeout(now);
        flush();
      }
      posix::SocketAddress from;
      auto n = socket.receive_from(buf, from, Duration{5});
      if (!n.ok()) continue;
      std::lock_guard<std::mutex> lock(m);
      engine->handle_datagram(0, ByteView{buf, *n}, now_tp());
      flush();
    }
  }

  // ---- server role: requests from the LwM2M server ----
  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    Recorded r;
    r.method = req.message.code.raw;
    std::string_view segs[16];
    size_t count = req.message.strings(coap::OptionNumber::uri_path, segs);
    for (size_t i = 0; i < count && i < 16; ++i)
      r.path += "/" + std::string(segs[i]);
    if (r.path.empty()) r.path = "/";
    std::string_view qs[16];
    size_t qn = req.message.strings(coap::OptionNumber::uri_query, qs);
    for (size_t i = 0; i < qn && i < 16; ++i)
      r.query.emplace_back(qs[i]);
    r.content_format = req.message.content_format();
    r.accept = req.message.accept();
    r.observe = req.message.observe();
    r.payload = std::string(as_string(req.body));
    recorded.push_back(r);
    cv.notify_all();

    Answer a;
    if (handler) {
      a = handler(r);
    } else if (r.method == kGet || r.method == kFetch) {
      auto it = resources.find(r.path);
      if (it == resources.end()) {
        a.code = (4 << 5) | 4;
      } else {
        a = it->second;
      }
    } else {
      a.code = (2 << 5) | 4;
    }
    resp.set_code(coap::Code{a.code});
    if (a.content_format) (void)resp.set_content_format(*a.content_format);
    if (req.observe_register && (a.code >> 5) == 2) {
      auto id = resp.accept_observe(0);
      if (id.ok()) observations.push_back({*id, r.path});
    }
    resp.write(a.payload);
  }

  void on_observe_cancelled(coap::ObservationId id, uint32_t, Errc) noexcept override {
    std::erase_if(observations, [&](const Obs& o) { return o.id == id; });
    cv.notify_all();
  }

  // ---- client role: answers to our requests ----
  void on_response(coap::RequestId id, const coap::Message& msg, bool final) noexcept override {
    auto it = outstanding.find(key(id));
    if (it == outstanding.end()) return;
    Reply& r = it->second->reply;
    r.received = true;
    r.code = msg.code.raw;
    r.content_format = msg.content_format();
    r.location.clear();
    std::string_view segs[8];
    size_t n = msg.strings(coap::OptionNumber::location_path, segs);
    for (size_t i = 0; i < n && i < 8; ++i)
      r.location.emplace_back(segs[i]);
    r.payload += std::string(as_string(msg.payload));
    if (final) {
      it->second->done = true;
      outstanding.erase(it);
      cv.notify_all();
    }
  }

  void on_error(coap::RequestId id, Errc) noexcept override {
    auto it = outstanding.find(key(id));
    if (it == outstanding.end()) return;
    it->second->done = true;
    outstanding.erase(it);
    cv.notify_all();
  }
};

coap::EngineConfig FakeClient::default_config() {
  coap::EngineConfig c;
  c.exchanges = 8;
  c.block1_buffer = 16384;
  return c;
}

FakeClient::FakeClient(uint16_t server_port, coap::EngineConfig config, const char* server_host)
    : impl_(std::make_unique<Impl>()) {
  impl_->engine = std::make_unique<coap::Engine>(config, impl_->rng, impl_.get());
  if (!impl_->engine->valid()) throw std::runtime_error("engine configuration invalid");
  auto s = posix::UdpSocket::open(0, /*ipv4_only=*/false);
  if (!s.ok()) throw std::runtime_error("cannot open a UDP socket");
  impl_->socket = std::move(*s);
  port_ = impl_->socket.local_port();
  auto addr = posix::SocketAddress::from_literal(server_host, server_port);
  if (!addr.ok()) throw std::runtime_error("bad server address");
  impl_->server = *addr;
  impl_->io = std::thread([this] { impl_->run(); });
}

FakeClient::~FakeClient() {
  impl_->stop = true;
  impl_->io.join();
}

Reply FakeClient::request(uint8_t method, const std::string& path,
                          const std::vector<std::string>& query, const std::string& payload,
                          std::optional<uint16_t> content_format,
                          std::chrono::milliseconds timeout) {
  auto out = std::make_shared<Impl::Outstanding>();
  out->payload = payload;
  std::unique_lock<std::mutex> lock(impl_->m);
  coap::Message msg;
  msg.type = coap::Type::con;
  msg.code = coap::Code{method};
  if (path != "/") (void)msg.add_path(coap::OptionNumber::uri_path, path);
  for (auto& q : query)
    (void)msg.add_string(coap::OptionNumber::uri_query, q);
  if (content_format) (void)msg.add_uint(coap::OptionNumber::content_format, *content_format);
  msg.payload = as_bytes(out->payload);
  auto id = impl_->engine->send_request(0, msg, *impl_, now_tp());
  if (!id.ok()) return {};
  impl_->outstanding[Impl::key(*id)] = out;
  impl_->flush();
  impl_->cv.wait_for(lock, timeout, [&] { return out->done; });
  if (!out->done) {
    impl_->engine->cancel(*id, now_tp());
    impl_->outstanding.erase(Impl::key(*id));
    return {};
  }
  return out->reply;
}

void FakeClient::set_resource(const std::string& path, uint16_t content_format,
                              const std::string& payload) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->resources[path] = Answer{(2 << 5) | 5, content_format, payload};
}

void FakeClient::set_handler(Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->handler = std::move(handler);
}

int FakeClient::notify(const std::string& path, const std::string& payload, uint16_t content_format,
                       bool confirmable) {
  std::lock_guard<std::mutex> lock(impl_->m);
  int n = 0;
  auto observations = impl_->observations;  // notify() may end a relation
  for (auto& o : observations) {
    if (o.path != path) continue;
    auto st = impl_->engine->notify(o.id, confirmable, now_tp(), [&](coap::Response& r) {
      r.set_code(coap::codes::content);
      (void)r.set_content_format(content_format);
      r.write(payload);
    });
    if (st.ok()) ++n;
  }
  impl_->flush();
  return n;
}

size_t FakeClient::observers(const std::string& path) {
  std::lock_guard<std::mutex> lock(impl_->m);
  size_t n = 0;
  for (auto& o : impl_->observations)
    n += o.path == path;
  return n;
}

std::vector<Recorded> FakeClient::requests() {
  std::lock_guard<std::mutex> lock(impl_->m);
  return impl_->recorded;
}

bool FakeClient::wait_requests(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->m);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->recorded.size() >= count; });
}

}  // namespace lwm2m::testserver::fake
