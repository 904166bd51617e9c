// SPDX-License-Identifier: Apache-2.0
// The test server's engine room: one libcoap context per Server/BootstrapServer, driven by
// one I/O thread. libcoap is not thread-safe, so only that thread calls into libcoap;
// public methods talk to it through a command queue and wait on a condition variable.
#include <arpa/inet.h>
#include <coap3/coap.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {
namespace detail {

enum class Role { server, bootstrap };

struct ObservationState {
  std::mutex m;
  std::condition_variable cv;
  std::vector<Notification> notifications;
  bool established = false;
};

// One request to a client: in flight, held (queue mode) or finished.
struct Pending {
  std::string endpoint;
  Request request;
  Bytes token;  // set before sending, or preset to reuse a token (observe cancel)
  coap_mid_t mid = COAP_INVALID_MID;
  bool done = false;
  bool abandoned = false;  // the caller stopped waiting
  Response response;
  std::shared_ptr<ObservationState> observation;  // observe requests
  bool cancel_of_observation = false;
  // Internal requests (bootstrap): called on the I/O thread when done; must not block.
  std::function<void(const Response&)> on_done;
  std::optional<Clock::time_point> deadline;  // internal requests only
  coap_session_t* session = nullptr;          // internal requests: where to send
};

/// The I/O thread's commands. Queuing one wakes the thread at once (an eventfd it waits on
/// beside libcoap's sockets and timers), so a request goes out as soon as it is asked for,
/// e.g. the next block of a push right after the previous block's answer.
class CommandQueue {
 public:
  CommandQueue() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~CommandQueue() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;
  void push_back(std::function<void()> f) {
    q_.push_back(std::move(f));
    wake();
  }
  void take(std::deque<std::function<void()>>& out) { out.swap(q_); }
  void wake() const {
    const uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  }
  /// Clears the wake-up (before the queue is taken: a command queued later wakes again).
  void drain() const {
    uint64_t n = 0;
    if (wake_fd_ >= 0) (void)!::read(wake_fd_, &n, sizeof n);
  }
  int fd() const { return wake_fd_; }

 private:
  int wake_fd_;
  std::deque<std::function<void()>> q_;
};

struct Client {
  ClientInfo info;
  coap_session_t* session = nullptr;  // referenced while registered
  Clock::time_point awake_until;
  std::deque<std::shared_ptr<Pending>> held;
};

struct BootstrapRun {
  BootstrapResult result;
  BootstrapScript script;
  coap_session_t* session = nullptr;  // referenced while the script runs
  size_t next = 0;
};

namespace {

std::once_flag g_startup;

coap_log_t log_level_from_env() {
  const char* v = std::getenv("LWM2M_TESTSERVER_LOG");
  if (!v || !*v) return LOG_EMERG;
  std::string s(v);
  if (s == "debug") return LOG_DEBUG;
  if (s == "info") return LOG_INFO;
  if (s == "warn" || s == "warning") return LOG_WARNING;
  if (s == "error") return LOG_ERR;
  return LOG_INFO;
}

std::string address_text(const coap_address_t* a) {
  unsigned char buf[INET6_ADDRSTRLEN + 16] = {};
  size_t n = coap_print_addr(a, buf, sizeof buf);
  return std::string(reinterpret_cast<char*>(buf), n);
}

std::string opt_string(const coap_opt_t* o) {
  return std::string(reinterpret_cast<const char*>(coap_opt_value(o)), coap_opt_length(o));
}

std::vector<std::string> options_of(const coap_pdu_t* pdu, uint16_t number) {
  std::vector<std::string> out;
  coap_opt_filter_t f;
  coap_option_filter_clear(&f);
  coap_option_filter_set(&f, number);
  coap_opt_iterator_t it;
  coap_option_iterator_init(pdu, &it, &f);
  while (coap_opt_t* o = coap_option_next(&it))
    out.push_back(opt_string(o));
  return out;
}

std::optional<uint32_t> uint_option(const coap_pdu_t* pdu, uint16_t number) {
  coap_opt_iterator_t it;
  coap_opt_t* o = coap_check_option(pdu, number, &it);
  if (!o) return std::nullopt;
  return coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
}

Bytes body_of(const coap_pdu_t* pdu) {
  size_t len = 0, offset = 0, total = 0;
  const uint8_t* data = nullptr;
  if (!coap_get_data_large(pdu, &len, &data, &offset, &total) || !data) return {};
  return Bytes(data, data + len);
}

// "ep=node" -> ("ep", "node"); "Q" -> ("Q", "").
std::map<std::string, std::string> query_map(const coap_pdu_t* pdu) {
  std::map<std::string, std::string> q;
  for (auto& item : options_of(pdu, COAP_OPTION_URI_QUERY)) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      q[item] = "";
    } else {
      q[item.substr(0, eq)] = item.substr(eq + 1);
    }
  }
  return q;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segs;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    segs.push_back(path.substr(i, j - i));
    i = j;
  }
  return segs;
}

std::string method_name(uint8_t code) {
  switch (code) {
    case 1:
      return "GET";
    case 2:
      return "POST";
    case 3:
      return "PUT";
    case 4:
      return "DELETE";
    case 5:
      return "FETCH";
    case 7:
      return "iPATCH";
    default:
      return code_string(code);
  }
}

Response response_from(const coap_pdu_t* pdu) {
  Response r;
  r.outcome = Response::Outcome::response;
  r.code = static_cast<uint8_t>(coap_pdu_get_code(pdu));
  r.payload = body_of(pdu);
  coap_opt_iterator_t it;
  coap_option_iterator_init(pdu, &it, COAP_OPT_ALL);
  while (coap_opt_t* o = coap_option_next(&it)) {
    CoapOption opt;
    opt.number = it.number;
    opt.value.assign(coap_opt_value(o), coap_opt_value(o) + coap_opt_length(o));
    if (it.number == COAP_OPTION_CONTENT_FORMAT) {
      r.content_format =
          static_cast<ContentFormat>(coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)));
    }
    r.options.push_back(std::move(opt));
  }
  return r;
}

void release_bytes(coap_session_t*, void* app_ptr) {
  delete static_cast<Bytes*>(app_ptr);
}

}  // namespace

struct Impl {
  Role role;
  Options options;
  coap_context_t* ctx = nullptr;
  uint16_t port_ = 0;
  std::string host_ = "127.0.0.1";

  mutable std::mutex m;
  std::condition_variable cv;
  CommandQueue commands;
  int io_epoll = -1;  ///< libcoap's fd and the queue's wake-up; -1: libcoap without epoll
  std::vector<coap_session_t*> to_release;  // sessions dropped by other threads

  // ---- state (under m) ----
  std::map<std::string, Client> clients;  // by endpoint
  std::map<std::string, std::string> endpoint_of_id;
  std::map<Bytes, std::shared_ptr<Pending>> by_token;
  std::map<Bytes, std::string> forgotten_tokens;  // reactive cancel: token -> endpoint/path
  std::vector<Event> events;
  std::vector<bool> consumed;
  int reject_count = 0;
  uint8_t reject_code = 0;
  uint32_t next_id = 1;
  uint16_t id_salt = 0;
  // bootstrap
  std::optional<BootstrapScript> default_script;
  std::map<std::string, BootstrapScript> scripts;
  std::vector<BootstrapResult> results;
  std::vector<bool> results_consumed;

  std::atomic<bool> stop{false};
  std::thread io;

  std::vector<Bytes> psk_keys;  // stable storage for the identity callback
  std::vector<coap_bin_const_t> psk_bins;

  Impl(Role r, Options o) : role(r), options(std::move(o)) {
    std::call_once(g_startup, [] { coap_startup(); });
    coap_log_t level = log_level_from_env();
    if (options.verbose && level < LOG_DEBUG) level = LOG_DEBUG;
    if (level > coap_get_log_level() || level == LOG_EMERG) {
      coap_set_log_level(level);
      coap_dtls_set_log_level(level);
    }
    std::random_device rd;
    id_salt = static_cast<uint16_t>(rd());

    ctx = coap_new_context(nullptr);
    if (!ctx) throw Error("libcoap: cannot create a context");
    coap_set_app_data(ctx, this);
    coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
    coap_register_response_handler(ctx, &Impl::on_response);
    coap_register_nack_handler(ctx, &Impl::on_nack);
    try {
      setup_security();
      bind();
      add_resources();
    } catch (...) {
      coap_free_context(ctx);
      throw;
    }
    setup_wakeup();
    io = std::thread([this] { run(); });
  }

  ~Impl() {
    stop = true;
    commands.wake();
    if (io.joinable()) io.join();
    if (io_epoll >= 0) ::close(io_epoll);
    for (auto& [ep, c] : clients) {
      if (c.session) coap_session_release(c.session);
    }
    for (auto* s : to_release)
      coap_session_release(s);
    coap_free_context(ctx);
  }

  static Impl* of(coap_session_t* s) {
    return static_cast<Impl*>(coap_get_app_data(coap_session_get_context(s)));
  }

  bool dtls() const { return !options.psk.empty(); }

  // ---- setup ----

  void setup_security() {
    if (!dtls()) return;
    if (!coap_dtls_is_supported()) throw Error("libcoap was built without DTLS support");
    for (auto& p : options.psk)
      psk_keys.push_back(p.key);
    for (auto& k : psk_keys)
      psk_bins.push_back(coap_bin_const_t{k.size(), k.data()});
    coap_dtls_spsk_t setup;
    std::memset(&setup, 0, sizeof setup);
    setup.version = COAP_DTLS_SPSK_SETUP_VERSION;
    setup.validate_id_call_back = &Impl::on_psk_identity;
    setup.id_call_back_arg = this;
    if (!coap_context_set_psk2(ctx, &setup)) throw Error("libcoap: cannot set up DTLS PSK");
  }

  static const coap_bin_const_t* on_psk_identity(coap_bin_const_t* identity, coap_session_t*,
                                                 void* arg) {
    auto* self = static_cast<Impl*>(arg);
    std::string id(reinterpret_cast<const char*>(identity->s), identity->length);
    const auto& psk = self->options.psk;
    for (size_t i = 0; i < psk.size(); ++i) {
      if (!psk[i].prefix && psk[i].identity == id) return &self->psk_bins[i];
    }
    for (size_t i = 0; i < psk.size(); ++i) {
      if (psk[i].prefix && id.starts_with(psk[i].identity)) return &self->psk_bins[i];
    }
    return nullptr;  // unknown identity: the handshake fails
  }

  static bool make_address(const std::string& host, uint16_t port, coap_address_t& out) {
    coap_address_init(&out);
    if (inet_pton(AF_INET, host.c_str(), &out.addr.sin.sin_addr) == 1) {
      out.size = sizeof(sockaddr_in);
      out.addr.sin.sin_family = AF_INET;
      out.addr.sin.sin_port = htons(port);
      return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &out.addr.sin6.sin6_addr) == 1) {
      out.size = sizeof(sockaddr_in6);
      out.addr.sin6.sin6_family = AF_INET6;
      out.addr.sin6.sin6_port = htons(port);
      return true;
    }
    return false;
  }

  coap_endpoint_t* endpoint_on(const std::string& host, uint16_t port) {
    coap_address_t a;
    if (!make_address(host, port, a)) throw Error("not a numeric IP address: " + host);
    return coap_new_endpoint(ctx, &a, dtls() ? COAP_PROTO_DTLS : COAP_PROTO_UDP);
  }

  static uint16_t port_of(coap_endpoint_t* ep) {
    // "127.0.0.1:40000" (libcoap writes back the bound address after bind()).
    std::string s = coap_endpoint_str(ep);
    size_t space = s.find(' ');
    if (space != std::string::npos) s.resize(space);
    size_t colon = s.rfind(':');
    if (colon == std::string::npos) return 0;
    return static_cast<uint16_t>(std::atoi(s.c_str() + colon + 1));
  }

  void bind() {
    if (!options.bind_address.empty()) {
      coap_endpoint_t* ep = endpoint_on(options.bind_address, options.port);
      if (!ep) {
        throw Error("cannot bind UDP " + options.bind_address + " port " +
                    std::to_string(options.port) + " (in use?)");
      }
      port_ = options.port ? options.port : port_of(ep);
      host_ = options.bind_address;
      if (host_ == "0.0.0.0") host_ = "127.0.0.1";
      if (host_ == "::") host_ = "::1";
      return;
    }
    // 127.0.0.1 and ::1 on the same port. With an ephemeral port, ::1 may find that port
    // taken: try again with a new one.
    for (int attempt = 0; attempt < 20; ++attempt) {
      coap_endpoint_t* v4 = endpoint_on("127.0.0.1", options.port);
      if (!v4) {
        throw Error("cannot bind UDP 127.0.0.1 port " + std::to_string(options.port) +
                    " (in use?)");
      }
      uint16_t p = options.port ? options.port : port_of(v4);
      if (p == 0) throw Error("libcoap did not report the bound port");
      coap_endpoint_t* v6 = endpoint_on("::1", p);
      if (v6 || options.port != 0 || !ipv6_available()) {
        port_ = p;
        return;
      }
      coap_free_endpoint(v4);
    }
    throw Error("cannot bind 127.0.0.1 and ::1 on one ephemeral port");
  }

  bool ipv6_available() {
    coap_endpoint_t* probe = endpoint_on("::1", 0);
    if (!probe) return false;
    coap_free_endpoint(probe);
    return true;
  }

  void add_resources() {
    if (role == Role::server) {
      coap_resource_t* rd = coap_resource_init(coap_make_str_const("rd"), 0);
      coap_register_handler(rd, COAP_REQUEST_POST, &Impl::on_register);
      coap_add_resource(ctx, rd);
      coap_resource_t* dp = coap_resource_init(coap_make_str_const("dp"), 0);
      coap_register_handler(dp, COAP_REQUEST_POST, &Impl::on_send);
      coap_add_resource(ctx, dp);
      // /rd/<id>: every other path lands in the unknown resource.
      coap_resource_t* unknown = coap_resource_unknown_init2(&Impl::on_unknown, 0);
      coap_register_handler(unknown, COAP_REQUEST_POST, &Impl::on_unknown);
      coap_register_handler(unknown, COAP_REQUEST_DELETE, &Impl::on_unknown);
      coap_register_handler(unknown, COAP_REQUEST_GET, &Impl::on_unknown);
      coap_add_resource(ctx, unknown);
    } else {
      coap_resource_t* bs = coap_resource_init(coap_make_str_const("bs"), 0);
      coap_register_handler(bs, COAP_REQUEST_POST, &Impl::on_bootstrap_request);
      coap_add_resource(ctx, bs);
    }
  }

  // ---- I/O thread ----

  // One epoll set over libcoap's own (its sockets and its retransmission timer) and the
  // command queue's wake-up. Without epoll in libcoap the thread polls every 5 ms instead.
  void setup_wakeup() {
    const int coap_fd = coap_context_get_coap_fd(ctx);
    if (coap_fd < 0 || commands.fd() < 0) return;
    io_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (io_epoll < 0) return;
    for (int fd : {coap_fd, commands.fd()}) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      if (::epoll_ctl(io_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(io_epoll);
        io_epoll = -1;
        return;
      }
    }
  }

  // Waits for a datagram, a libcoap timer or a command (at most 50 ms: the deadlines of
  // internal requests are checked that often), then lets libcoap handle what arrived.
  void wait_and_process() {
    if (io_epoll < 0) {
      coap_io_process(ctx, 5);
      return;
    }
    epoll_event ready[2];
    (void)::epoll_wait(io_epoll, ready, 2, 50);
    coap_io_process(ctx, COAP_IO_NO_WAIT);
  }

  void run() {
    while (!stop) {
      std::deque<std::function<void()>> todo;
      std::vector<coap_session_t*> release;
      commands.drain();
      {
        std::lock_guard<std::mutex> lock(m);
        commands.take(todo);
        release.swap(to_release);
      }
      for (auto* s : release)
        coap_session_release(s);
      for (auto& f : todo)
        f();
      wait_and_process();
      check_deadlines();
    }
  }

  void post(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(m);
    commands.push_back(std::move(f));
  }

  // Runs `f` on the I/O thread and returns once it has run (never call from that thread).
  void run_on_io_thread(std::function<void()> f) {
    auto ran = std::make_shared<std::promise<void>>();
    std::future<void> done = ran->get_future();
    post([f = std::move(f), ran] {
      f();
      ran->set_value();
    });
    done.wait();
  }

  // Internal requests (bootstrap) that outlived their deadline.
  void check_deadlines() {
    std::vector<std::shared_ptr<Pending>> expired;
    {
      std::lock_guard<std::mutex> lock(m);
      auto now = Clock::now();
      for (auto it = by_token.begin(); it != by_token.end();) {
        auto& p = it->second;
        if (!p->done && p->deadline && *p->deadline < now) {
          p->done = true;
          p->response.outcome = Response::Outcome::timeout;
          p->response.error = "no answer within the step timeout";
          expired.push_back(p);
          it = by_token.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& p : expired) {
      if (p->on_done) p->on_done(p->response);
    }
  }

  void add_event(Event e) {  // under m
    e.time = Clock::now();
    if (options.verbose) std::fprintf(stderr, "[testserver] %s\n", describe(e).c_str());
    events.push_back(std::move(e));
    consumed.push_back(false);
    cv.notify_all();
  }

  Client* client_by_session(coap_session_t* s) {  // under m
    for (auto& [ep, c] : clients) {
      if (c.session == s) return &c;
    }
    return nullptr;
  }

  // A message from the client: it is awake; send what was held for it.
  void touch(coap_session_t* s) {  // under m
    Client* c = client_by_session(s);
    if (!c) return;
    c->awake_until = Clock::now() + options.queue_awake_time;
    if (!c->held.empty()) {
      std::string ep = c->info.endpoint;
      // After the current exchange: the client's request is answered first.
      commands.push_back([this, ep] { flush_held(ep); });
    }
  }

  void flush_held(const std::string& ep) {
    std::deque<std::shared_ptr<Pending>> held;
    coap_session_t* session = nullptr;
    {
      std::lock_guard<std::mutex> lock(m);
      auto it = clients.find(ep);
      if (it == clients.end()) return;
      session = it->second.session;
      if (!session) return;  // kept until the client speaks over a new session
      held.swap(it->second.held);
    }
    for (auto& p : held) {
      if (!p->abandoned) transmit(p, session);
    }
  }

  // ---- registration interface ----

  static void on_register(coap_resource_t*, coap_session_t* session, const coap_pdu_t* request,
                          const coap_string_t*, coap_pdu_t* response) {
    of(session)->handle_register(session, request, response);
  }

  void handle_register(coap_session_t* session, const coap_pdu_t* request, coap_pdu_t* response) {
    auto q = query_map(request);
    std::lock_guard<std::mutex> lock(m);
    std::string ep = q.count("ep") ? q["ep"] : "";
    if (reject_count > 0) {
      --reject_count;
      coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(reject_code));
      Event e{Event::Kind::registration_rejected, ep, {}, {}, reject_code, {}, {}, "injected", -1};
      add_event(std::move(e));
      return;
    }
    if (ep.empty()) {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
      add_event(Event{Event::Kind::registration_rejected,
                      "",
                      {},
                      {},
                      coap_code(4, 0),
                      {},
                      {},
                      "missing ep",
                      -1});
      return;
    }
    // A new registration of a known endpoint replaces the old one.
    if (auto old = clients.find(ep); old != clients.end()) {
      endpoint_of_id.erase(old->second.info.registration_id);
      if (old->second.session) to_release.push_back(old->second.session);
      clients.erase(old);
    }
    Client c;
    ClientInfo& info = c.info;
    info.endpoint = ep;
    info.registration_id =
        to_hex(Bytes{static_cast<uint8_t>(id_salt >> 8), static_cast<uint8_t>(id_salt)}) +
        std::to_string(next_id++);
    info.location = "/rd/" + info.registration_id;
    apply_query(info, q);
    info.lwm2m_version = q.count("lwm2m") ? q["lwm2m"] : "";
    Bytes body = body_of(request);
    info.links_raw.assign(body.begin(), body.end());
    info.links = parse_links(info.links_raw);
    info.address = address_text(coap_session_get_addr_remote(session));
    info.registered_at = info.last_update = Clock::now();
    c.session = coap_session_reference(session);
    c.awake_until = Clock::now() + options.queue_awake_time;
    endpoint_of_id[info.registration_id] = ep;

    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CREATED);
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, 2, reinterpret_cast<const uint8_t*>("rd"));
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, info.registration_id.size(),
                    reinterpret_cast<const uint8_t*>(info.registration_id.data()));
    Event e{Event::Kind::registered, ep, {}, info, 0, {}, {}, {}, -1};
    clients[ep] = std::move(c);
    add_event(std::move(e));
  }

  static void apply_query(ClientInfo& info, const std::map<std::string, std::string>& q) {
    for (auto& [k, v] : q)
      info.query[k] = v;
    if (auto it = q.find("lt"); it != q.end()) {
      info.lifetime = static_cast<uint32_t>(std::strtoul(it->second.c_str(), nullptr, 10));
    }
    if (auto it = q.find("b"); it != q.end()) info.binding = it->second;
    if (auto it = q.find("sms"); it != q.end()) info.sms = it->second;
    info.queue_mode = info.query.count("Q") != 0 || info.binding.find('Q') != std::string::npos;
  }

  static void on_unknown(coap_resource_t*, coap_session_t* session, const coap_pdu_t* request,
                         const coap_string_t*, coap_pdu_t* response) {
    of(session)->handle_rd(session, request, response);
  }

  void handle_rd(coap_session_t* session, const coap_pdu_t* request, coap_pdu_t* response) {
    auto segs = options_of(request, COAP_OPTION_URI_PATH);
    auto method = coap_pdu_get_code(request);
    std::lock_guard<std::mutex> lock(m);
    if (segs.size() != 2 || segs[0] != "rd" ||
        (method != COAP_REQUEST_CODE_POST && method != COAP_REQUEST_CODE_DELETE)) {
      coap_pdu_set_code(response, method == COAP_REQUEST_CODE_GET || segs.size() != 2
                                      ? COAP_RESPONSE_CODE_NOT_FOUND
                                      : COAP_RESPONSE_CODE_NOT_ALLOWED);
      return;
    }
    std::string location = "/rd/" + segs[1];
    auto id = endpoint_of_id.find(segs[1]);
    if (id == endpoint_of_id.end()) {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_NOT_FOUND);
      add_event(Event{Event::Kind::update_rejected,
                      "",
                      {},
                      {},
                      coap_code(4, 4),
                      {},
                      {},
                      (method == COAP_REQUEST_CODE_POST ? "POST " : "DELETE ") + location,
                      -1});
      return;
    }
    Client& c = clients[id->second];
    if (method == COAP_REQUEST_CODE_DELETE) {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_DELETED);
      Event e{Event::Kind::deregistered, c.info.endpoint, {}, c.info, 0, {}, {}, {}, -1};
      for (auto& p : c.held) {
        p->done = true;
        p->response.outcome = Response::Outcome::not_registered;
        p->response.error = "the client deregistered";
      }
      if (c.session) coap_session_release(c.session);
      std::string ep = c.info.endpoint;
      endpoint_of_id.erase(id);
      clients.erase(ep);
      add_event(std::move(e));
      return;
    }
    // Update: lt, b, sms, Q may change; a payload replaces the object links.
    auto q = query_map(request);
    apply_query(c.info, q);
    Bytes body = body_of(request);
    if (!body.empty()) {
      c.info.links_raw.assign(body.begin(), body.end());
      c.info.links = parse_links(c.info.links_raw);
    }
    c.info.last_update = Clock::now();
    ++c.info.updates;
    if (c.session != session) {  // the client's address changed (NAT rebinding)
      if (c.session) to_release.push_back(c.session);
      c.session = coap_session_reference(session);
      c.info.address = address_text(coap_session_get_addr_remote(session));
    }
    touch(session);
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
    add_event(Event{Event::Kind::updated, c.info.endpoint, {}, c.info, 0, {}, {}, {}, -1});
  }

  static void on_send(coap_resource_t*, coap_session_t* session, const coap_pdu_t* request,
                      const coap_string_t*, coap_pdu_t* response) {
    of(session)->handle_send(session, request, response);
  }

  void handle_send(coap_session_t* session, const coap_pdu_t* request, coap_pdu_t* response) {
    std::lock_guard<std::mutex> lock(m);
    Client* c = client_by_session(session);
    Event e{Event::Kind::send, c ? c->info.endpoint : "", {}, {}, 0, {}, body_of(request), {}, -1};
    if (auto cf = uint_option(request, COAP_OPTION_CONTENT_FORMAT)) {
      e.content_format = static_cast<ContentFormat>(*cf);
    }
    // Send is only for registered clients (Core §6.4.1 reuses the registration).
    e.code = c ? coap_code(2, 4) : coap_code(4, 3);
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(e.code));
    if (!c) e.detail = "from an unregistered address";
    touch(session);
    add_event(std::move(e));
  }

  // ---- requests to clients ----

  // Builds and sends a request on the I/O thread.
  void transmit(const std::shared_ptr<Pending>& p, coap_session_t* session) {
    const Request& r = p->request;
    coap_pdu_t* pdu = coap_pdu_init(
        r.confirmable ? COAP_MESSAGE_CON : COAP_MESSAGE_NON, static_cast<coap_pdu_code_t>(r.method),
        coap_new_message_id(session), coap_session_max_pdu_size(session));
    if (!pdu) return fail(p, "cannot allocate a PDU");
    if (p->token.empty()) {
      // Tokens are per session, the table is not: a new session (a restarted client) may
      // hand out a token a request to an old one still waits with.
      std::lock_guard<std::mutex> lock(m);
      do {
        uint8_t tok[8];
        size_t len = 0;
        coap_session_new_token(session, &len, tok);
        p->token.assign(tok, tok + len);
      } while (by_token.count(p->token));
    }
    coap_add_token(pdu, p->token.size(), p->token.data());
    coap_optlist_t* opts = nullptr;
    uint8_t buf[4];
    if (r.observe) {
      coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_OBSERVE,
                                                  coap_encode_var_safe(buf, 4, *r.observe), buf));
    }
    for (auto& seg : split_path(r.path)) {
      coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_URI_PATH, seg.size(),
                                                  reinterpret_cast<const uint8_t*>(seg.data())));
    }
    if (r.content_format) {
      coap_insert_optlist(
          &opts, coap_new_optlist(
                     COAP_OPTION_CONTENT_FORMAT,
                     coap_encode_var_safe(buf, 4, static_cast<unsigned>(*r.content_format)), buf));
    }
    for (auto& q : r.query) {
      coap_insert_optlist(&opts, coap_new_optlist(COAP_OPTION_URI_QUERY, q.size(),
                                                  reinterpret_cast<const uint8_t*>(q.data())));
    }
    bool caller_blocks = false;
    for (const CoapOption& o : r.options) {
      caller_blocks |= o.number == COAP_OPTION_BLOCK1;
      coap_insert_optlist(&opts, coap_new_optlist(o.number, o.value.size(), o.value.data()));
    }
    if (r.accept) {
      coap_insert_optlist(
          &opts,
          coap_new_optlist(COAP_OPTION_ACCEPT,
                           coap_encode_var_safe(buf, 4, static_cast<unsigned>(*r.accept)), buf));
    }
    if (opts && !coap_add_optlist_pdu(pdu, &opts)) {
      coap_delete_optlist(opts);
      coap_delete_pdu(pdu);
      return fail(p, "cannot add options");
    }
    coap_delete_optlist(opts);
    if (caller_blocks && !r.payload.empty()) {
      if (!coap_add_data(pdu, r.payload.size(), r.payload.data())) {
        coap_delete_pdu(pdu);
        return fail(p, "cannot add the payload");
      }
    } else if (!r.payload.empty()) {
      auto* copy = new Bytes(r.payload);
      if (!coap_add_data_large_request(session, pdu, copy->size(), copy->data(), &release_bytes,
                                       copy)) {
        coap_delete_pdu(pdu);
        return fail(p, "cannot add the payload");
      }
    }
    {
      std::lock_guard<std::mutex> lock(m);
      by_token[p->token] = p;
    }
    coap_mid_t mid = coap_send(session, pdu);
    std::lock_guard<std::mutex> lock(m);
    p->mid = mid;
    if (mid == COAP_INVALID_MID) {
      by_token.erase(p->token);
      finish(p, failed_response("libcoap could not send the request"));
    }
  }

  static Response failed_response(std::string why) {
    Response r;
    r.outcome = Response::Outcome::failed;
    r.error = std::move(why);
    return r;
  }

  void fail(const std::shared_ptr<Pending>& p, const std::string& why) {
    std::lock_guard<std::mutex> lock(m);
    finish(p, failed_response(why));
  }

  // Completes a request (under m). Internal callbacks run after the lock is dropped.
  void finish(const std::shared_ptr<Pending>& p, Response r) {
    if (p->done) return;
    p->done = true;
    p->response = std::move(r);
    cv.notify_all();
    if (p->on_done) {
      auto cb = p->on_done;
      auto resp = p->response;
      commands.push_back([cb, resp] { cb(resp); });
    }
  }

  static coap_response_t on_response(coap_session_t* session, const coap_pdu_t*,
                                     const coap_pdu_t* received, const coap_mid_t) {
    return of(session)->handle_response(session, received);
  }

  coap_response_t handle_response(coap_session_t* session, const coap_pdu_t* received) {
    coap_bin_const_t tok = coap_pdu_get_token(received);
    Bytes token(tok.s, tok.s + tok.length);
    std::lock_guard<std::mutex> lock(m);
    touch(session);
    auto it = by_token.find(token);
    if (it == by_token.end()) {
      auto f = forgotten_tokens.find(token);
      if (f != forgotten_tokens.end()) {
        size_t space = f->second.find(' ');
        add_event(Event{Event::Kind::notification_rejected,
                        f->second.substr(0, space),
                        {},
                        {},
                        0,
                        {},
                        {},
                        f->second.substr(space + 1),
                        -1});
      }
      return COAP_RESPONSE_FAIL;  // RST: nobody waits for this (RFC 7641 §3.6 reactive)
    }
    auto p = it->second;
    Response r = response_from(received);
    auto observe = uint_option(received, COAP_OPTION_OBSERVE);
    if (p->observation && p->done) {
      // A notification of an established observation.
      deliver_notification(*p->observation, r, observe);
      return COAP_RESPONSE_OK;
    }
    if (p->cancel_of_observation && observe && r.ok()) {
      // A notification that crossed our cancel request (the cancel's answer has none).
      if (p->observation) deliver_notification(*p->observation, r, observe);
      return COAP_RESPONSE_OK;
    }
    if (p->observation && !p->cancel_of_observation) {
      std::lock_guard<std::mutex> olock(p->observation->m);
      p->observation->established = observe.has_value() && r.ok();
    }
    bool keep = p->observation && !p->cancel_of_observation && observe && r.ok();
    if (!keep) by_token.erase(it);
    finish(p, std::move(r));
    return COAP_RESPONSE_OK;
  }

  static void deliver_notification(ObservationState& o, const Response& r,
                                   std::optional<uint32_t> observe) {
    Notification n;
    n.code = r.code;
    n.content_format = r.content_format;
    n.observe = observe;
    n.payload = r.payload;
    n.arrival = Clock::now();
    std::lock_guard<std::mutex> lock(o.m);
    o.notifications.push_back(std::move(n));
    o.cv.notify_all();
  }

  static void on_nack(coap_session_t* session, const coap_pdu_t* sent,
                      const coap_nack_reason_t reason, const coap_mid_t mid) {
    of(session)->handle_nack(session, sent, reason, mid);
  }

  void handle_nack(coap_session_t* session, const coap_pdu_t* sent, coap_nack_reason_t reason,
                   coap_mid_t mid) {
    std::lock_guard<std::mutex> lock(m);
    std::shared_ptr<Pending> p;
    if (sent) {
      coap_bin_const_t tok = coap_pdu_get_token(sent);
      auto it = by_token.find(Bytes(tok.s, tok.s + tok.length));
      if (it != by_token.end()) p = it->second;
    }
    if (!p) {
      for (auto& [t, q] : by_token) {
        if (q->mid == mid) p = q;
      }
    }
    if (!p) return;
    by_token.erase(p->token);
    Response r;
    if (reason == COAP_NACK_RST) {
      r.outcome = Response::Outcome::reset;
    } else if (reason == COAP_NACK_TOO_MANY_RETRIES) {
      r.outcome = Response::Outcome::no_answer;
      // Queue mode: a client that does not answer has gone to sleep.
      if (Client* c = client_by_session(session)) c->awake_until = Clock::now();
    } else {
      r.outcome = Response::Outcome::failed;
      r.error = reason == COAP_NACK_TLS_FAILED ? "DTLS failure" : "not deliverable";
    }
    finish(p, std::move(r));
  }

  // Called by public methods (any thread).
  std::shared_ptr<Pending> submit(const std::string& ep, Request req,
                                  std::shared_ptr<ObservationState> obs = nullptr) {
    auto p = std::make_shared<Pending>();
    p->endpoint = ep;
    p->request = std::move(req);
    p->observation = std::move(obs);
    std::lock_guard<std::mutex> lock(m);
    auto it = clients.find(ep);
    if (it == clients.end()) {
      p->done = true;
      p->response.outcome = Response::Outcome::not_registered;
      p->response.error = "no client \"" + ep + "\" is registered";
      return p;
    }
    Client& c = it->second;
    if (c.info.queue_mode && Clock::now() >= c.awake_until) {
      c.held.push_back(p);
      add_event(Event{Event::Kind::request_held,
                      ep,
                      {},
                      {},
                      0,
                      {},
                      {},
                      method_name(p->request.method) + " " + p->request.path,
                      -1});
      return p;
    }
    commands.push_back([this, p, ep] {
      coap_session_t* s = nullptr;
      {
        std::lock_guard<std::mutex> l(m);
        auto cit = clients.find(ep);
        if (cit == clients.end()) {
          p->done = true;
          p->response.outcome = Response::Outcome::not_registered;
          cv.notify_all();
          return;
        }
        s = cit->second.session;
        if (!s) {  // drop_sessions(): no session until the client speaks again
          p->done = true;
          p->response.outcome = Response::Outcome::failed;
          p->response.error = "the client's DTLS session was dropped and not yet renewed";
          cv.notify_all();
          return;
        }
      }
      transmit(p, s);
    });
    return p;
  }

  Response wait(const std::shared_ptr<Pending>& p, Duration timeout) {
    std::unique_lock<std::mutex> lock(m);
    if (!cv.wait_for(lock, timeout, [&] { return p->done; })) {
      p->abandoned = true;
      Response r;
      r.outcome = Response::Outcome::timeout;
      r.error = "no answer within " + std::to_string(timeout.count()) + " ms";
      // Late answers to a plain request are dropped; an observation keeps its token so
      // that a late 2.05 still starts it.
      if (!p->observation) by_token.erase(p->token);
      return r;
    }
    return p->response;
  }

  // ---- events ----

  std::optional<Event> wait_event(Event::Kind kind, const std::string& ep, Duration timeout) {
    std::unique_lock<std::mutex> lock(m);
    std::optional<Event> found;
    cv.wait_for(lock, timeout, [&] {
      for (size_t i = 0; i < events.size(); ++i) {
        if (!consumed[i] && events[i].kind == kind && (ep.empty() || events[i].endpoint == ep)) {
          consumed[i] = true;
          found = events[i];
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // ---- bootstrap ----

  static void on_bootstrap_request(coap_resource_t*, coap_session_t* session,
                                   const coap_pdu_t* request, const coap_string_t*,
                                   coap_pdu_t* response) {
    of(session)->handle_bootstrap_request(session, request, response);
  }

  void handle_bootstrap_request(coap_session_t* session, const coap_pdu_t* request,
                                coap_pdu_t* response) {
    auto q = query_map(request);
    std::lock_guard<std::mutex> lock(m);
    std::string ep = q.count("ep") ? q["ep"] : "";
    if (reject_count > 0) {
      --reject_count;
      coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(reject_code));
      add_event(Event{Event::Kind::bootstrap_failed,
                      ep,
                      {},
                      {},
                      reject_code,
                      {},
                      {},
                      "request rejected (injected)",
                      -1});
      return;
    }
    if (ep.empty()) {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
      return;
    }
    BootstrapScript script;
    if (auto s = scripts.find(ep); s != scripts.end()) {
      script = s->second;
    } else if (default_script) {
      script = *default_script;
    } else {
      coap_pdu_set_code(response, COAP_RESPONSE_CODE_FORBIDDEN);
      add_event(Event{Event::Kind::bootstrap_failed,
                      ep,
                      {},
                      {},
                      coap_code(4, 3),
                      {},
                      {},
                      "no script for this endpoint",
                      -1});
      return;
    }
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CHANGED);
    auto run = std::make_shared<BootstrapRun>();
    run->result.endpoint = ep;
    if (q.count("pct")) run->result.preferred_content_format = q["pct"];
    run->script = std::move(script);
    run->session = coap_session_reference(session);
    add_event(Event{Event::Kind::bootstrap_requested,
                    ep,
                    {},
                    {},
                    0,
                    {},
                    {},
                    q.count("pct") ? "pct=" + q["pct"] : "",
                    -1});
    // After our 2.04 has gone out.
    commands.push_back([this, run] { bootstrap_next(run); });
  }

  void bootstrap_next(const std::shared_ptr<BootstrapRun>& run) {
    auto p = std::make_shared<Pending>();
    p->endpoint = run->result.endpoint;
    p->deadline = Clock::now() + options.request_timeout;
    size_t index = run->next;
    if (index < run->script.steps.size()) {
      const BootstrapStep& step = run->script.steps[index];
      Request& r = p->request;
      r.path = step.path;
      switch (step.kind) {
        case BootstrapStep::Kind::del:
          r.method = coap_code(0, 4);
          break;
        case BootstrapStep::Kind::write:
          r.method = coap_code(0, 3);
          r.content_format = step.content_format;
          r.payload = step.payload;
          break;
        case BootstrapStep::Kind::discover:
          r.method = coap_code(0, 1);
          r.accept = ContentFormat::link_format;
          break;
        case BootstrapStep::Kind::read:
          r.method = coap_code(0, 1);
          r.accept = step.content_format;
          break;
      }
      p->on_done = [this, run, index](const Response& resp) {
        const BootstrapStep& done = run->script.steps[index];
        bool failed = !resp.ok();
        {
          std::lock_guard<std::mutex> lock(m);
          run->result.steps.push_back({done, resp});
          add_event(Event{Event::Kind::bootstrap_step,
                          run->result.endpoint,
                          {},
                          {},
                          resp.code,
                          resp.content_format,
                          resp.payload,
                          done.describe() + (resp.received() ? "" : ": " + resp.describe()),
                          static_cast<int>(index)});
        }
        if (failed && run->script.stop_on_error) {
          bootstrap_end(run, done.describe() + " answered " + resp.describe());
          return;
        }
        run->next = index + 1;
        bootstrap_next(run);
      };
    } else if (run->script.finish) {
      p->request.method = coap_code(0, 2);
      p->request.path = "/bs";
      p->on_done = [this, run](const Response& resp) {
        {
          std::lock_guard<std::mutex> lock(m);
          run->result.finish = resp;
        }
        bootstrap_end(run, resp.ok() ? "" : "Bootstrap-Finish answered " + resp.describe());
      };
    } else {
      bootstrap_end(run, "");
      return;
    }
    transmit(p, run->session);
  }

  void bootstrap_end(const std::shared_ptr<BootstrapRun>& run, const std::string& failure) {
    std::lock_guard<std::mutex> lock(m);
    run->result.failure = failure;
    run->result.completed = failure.empty();
    Event e;
    e.kind = failure.empty() ? Event::Kind::bootstrap_finished : Event::Kind::bootstrap_failed;
    e.endpoint = run->result.endpoint;
    e.code = run->result.finish ? run->result.finish->code : 0;
    e.detail = failure;
    add_event(std::move(e));
    results.push_back(run->result);
    results_consumed.push_back(false);
    if (run->session) {
      to_release.push_back(run->session);
      run->session = nullptr;
    }
    cv.notify_all();
  }
};

}  // namespace detail

using detail::Impl;

// ---- Observation ----

bool Observation::established() const {
  if (!state_) return false;
  std::lock_guard<std::mutex> lock(state_->m);
  return state_->established;
}

std::optional<Notification> Observation::wait_notification(Duration timeout) {
  if (!state_) return std::nullopt;
  std::unique_lock<std::mutex> lock(state_->m);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->notifications.size() > next_; })) {
    return std::nullopt;
  }
  return state_->notifications[next_++];
}

bool Observation::wait_notifications(size_t count, Duration timeout) {
  if (!state_) return false;
  std::unique_lock<std::mutex> lock(state_->m);
  return state_->cv.wait_for(lock, timeout, [&] { return state_->notifications.size() >= count; });
}

std::vector<Notification> Observation::notifications() const {
  if (!state_) return {};
  std::lock_guard<std::mutex> lock(state_->m);
  return state_->notifications;
}

size_t Observation::notification_count() const {
  if (!state_) return 0;
  std::lock_guard<std::mutex> lock(state_->m);
  return state_->notifications.size();
}

// ---- Server ----

Server::Server(Options options)
    : impl_(std::make_unique<Impl>(detail::Role::server, std::move(options))) {}
Server::~Server() = default;

uint16_t Server::port() const {
  return impl_->port_;
}

std::string Server::uri() const {
  std::string host =
      impl_->host_.find(':') != std::string::npos ? "[" + impl_->host_ + "]" : impl_->host_;
  return std::string(impl_->dtls() ? "coaps://" : "coap://") + host + ":" +
         std::to_string(impl_->port_);
}

std::optional<ClientInfo> Server::client(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(impl_->m);
  auto it = impl_->clients.find(endpoint);
  if (it == impl_->clients.end()) return std::nullopt;
  return it->second.info;
}

std::vector<ClientInfo> Server::clients() const {
  std::lock_guard<std::mutex> lock(impl_->m);
  std::vector<ClientInfo> out;
  for (auto& [ep, c] : impl_->clients)
    out.push_back(c.info);
  return out;
}

std::vector<Event> Server::events() const {
  std::lock_guard<std::mutex> lock(impl_->m);
  return impl_->events;
}

std::vector<Event> Server::events_since(size_t first) const {
  std::lock_guard<std::mutex> lock(impl_->m);
  if (first >= impl_->events.size()) return {};
  return {impl_->events.begin() + static_cast<std::ptrdiff_t>(first), impl_->events.end()};
}

std::optional<ClientInfo> Server::wait_registered(const std::string& endpoint, Duration timeout) {
  auto e = impl_->wait_event(Event::Kind::registered, endpoint, timeout);
  if (!e) return std::nullopt;
  return e->client;
}

std::optional<ClientInfo> Server::wait_update(const std::string& endpoint, Duration timeout) {
  auto e = impl_->wait_event(Event::Kind::updated, endpoint, timeout);
  if (!e) return std::nullopt;
  return e->client;
}

std::optional<ClientInfo> Server::wait_deregistered(const std::string& endpoint, Duration timeout) {
  auto e = impl_->wait_event(Event::Kind::deregistered, endpoint, timeout);
  if (!e) return std::nullopt;
  return e->client;
}

std::optional<Event> Server::wait_send(const std::string& endpoint, Duration timeout) {
  return impl_->wait_event(Event::Kind::send, endpoint, timeout);
}

std::optional<Event> Server::wait_event(Event::Kind kind, const std::string& endpoint,
                                        Duration timeout) {
  return impl_->wait_event(kind, endpoint, timeout);
}

bool Server::forget(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(impl_->m);
  auto it = impl_->clients.find(endpoint);
  if (it == impl_->clients.end()) return false;
  impl_->endpoint_of_id.erase(it->second.info.registration_id);
  if (it->second.session) impl_->to_release.push_back(it->second.session);
  impl_->clients.erase(it);
  return true;
}

void Server::reject_registrations(int count, uint8_t code) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->reject_count = count;
  impl_->reject_code = code;
}

void Server::drop_outgoing(int count) {
  std::string spec = count > 0 ? "1-" + std::to_string(count) : "0%";
  impl_->run_on_io_thread([spec] { coap_debug_set_packet_loss(spec.c_str()); });
}

int Server::drop_sessions() {
  if (!impl_->dtls()) return 0;
  auto done = std::make_shared<std::promise<int>>();
  auto result = done->get_future();
  detail::Impl* impl = impl_.get();
  impl_->post([impl, done] {
    std::vector<coap_session_t*> sessions;
    {
      // The registrations let go of their sessions: libcoap frees a disconnected server
      // session only once unreferenced, and meanwhile would route the client's next
      // handshake to it. The next message from the client binds the registration to the
      // new session (as after a NAT rebinding).
      std::lock_guard<std::mutex> lock(impl->m);
      for (auto& [ep, c] : impl->clients)
        if (c.session) sessions.push_back(std::exchange(c.session, nullptr));
    }
    // Outside the lock: libcoap may call our nack handler for requests in flight.
    for (coap_session_t* s : sessions) {
      coap_session_disconnected(s, COAP_NACK_NOT_DELIVERABLE);
      coap_session_release(s);
    }
    done->set_value(static_cast<int>(sessions.size()));
  });
  return result.get();
}

Response Server::send_request(const std::string& endpoint, const Request& request,
                              Timeout timeout) {
  auto p = impl_->submit(endpoint, request);
  return impl_->wait(p, timeout.value_or(impl_->options.request_timeout));
}

Response Server::read(const std::string& endpoint, const std::string& path,
                      std::optional<ContentFormat> accept, Timeout timeout) {
  Request r;
  r.path = path;
  r.accept = accept;
  return send_request(endpoint, r, timeout);
}

Response Server::discover(const std::string& endpoint, const std::string& path, Timeout timeout) {
  Request r;
  r.path = path;
  r.accept = ContentFormat::link_format;
  return send_request(endpoint, r, timeout);
}

Response Server::write(const std::string& endpoint, const std::string& path, Bytes payload,
                       ContentFormat content_format, bool replace, Timeout timeout) {
  Request r;
  r.method = replace ? coap_code(0, 3) : coap_code(0, 2);
  r.path = path;
  r.content_format = content_format;
  r.payload = std::move(payload);
  return send_request(endpoint, r, timeout);
}

Response Server::write_attributes(const std::string& endpoint, const std::string& path,
                                  const std::string& attributes, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 3);
  r.path = path;
  size_t start = 0;
  while (start <= attributes.size()) {
    size_t amp = attributes.find('&', start);
    if (amp == std::string::npos) amp = attributes.size();
    if (amp > start) r.query.push_back(attributes.substr(start, amp - start));
    start = amp + 1;
  }
  return send_request(endpoint, r, timeout);
}

Response Server::execute(const std::string& endpoint, const std::string& path,
                         const std::string& arguments, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 2);
  r.path = path;
  r.payload = to_bytes(arguments);
  return send_request(endpoint, r, timeout);
}

Response Server::create(const std::string& endpoint, const std::string& object_path, Bytes payload,
                        ContentFormat content_format, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 2);
  r.path = object_path;
  r.content_format = content_format;
  r.payload = std::move(payload);
  return send_request(endpoint, r, timeout);
}

Response Server::del(const std::string& endpoint, const std::string& path, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 4);
  r.path = path;
  return send_request(endpoint, r, timeout);
}

Response Server::read_composite(const std::string& endpoint, Bytes paths,
                                ContentFormat request_format, std::optional<ContentFormat> accept,
                                Timeout timeout) {
  Request r;
  r.method = coap_code(0, 5);
  r.path = "/";
  r.content_format = request_format;
  r.accept = accept;
  r.payload = std::move(paths);
  return send_request(endpoint, r, timeout);
}

Response Server::write_composite(const std::string& endpoint, Bytes payload,
                                 ContentFormat content_format, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 7);
  r.path = "/";
  r.content_format = content_format;
  r.payload = std::move(payload);
  return send_request(endpoint, r, timeout);
}

Observation Server::start_observation(const std::string& endpoint, Request request,
                                      Timeout timeout) {
  request.observe = 0;
  Observation o;
  o.state_ = std::make_shared<detail::ObservationState>();
  o.endpoint_ = endpoint;
  o.path_ = request.path;
  auto p = impl_->submit(endpoint, request, o.state_);
  o.response_ = impl_->wait(p, timeout.value_or(impl_->options.request_timeout));
  return o;
}

Observation Server::observe(const std::string& endpoint, const std::string& path,
                            std::optional<ContentFormat> accept, Timeout timeout) {
  Request r;
  r.path = path;
  r.accept = accept;
  return start_observation(endpoint, std::move(r), timeout);
}

Observation Server::observe_composite(const std::string& endpoint, Bytes paths,
                                      ContentFormat request_format,
                                      std::optional<ContentFormat> accept, Timeout timeout) {
  Request r;
  r.method = coap_code(0, 5);
  r.path = "/";
  r.content_format = request_format;
  r.accept = accept;
  r.payload = std::move(paths);
  return start_observation(endpoint, std::move(r), timeout);
}

void Server::forget_observation(Observation& observation) {
  std::lock_guard<std::mutex> lock(impl_->m);
  for (auto it = impl_->by_token.begin(); it != impl_->by_token.end(); ++it) {
    if (it->second->observation == observation.state_) {
      impl_->forgotten_tokens[it->first] = observation.endpoint() + " " + observation.path();
      impl_->by_token.erase(it);
      return;
    }
  }
}

Response Server::cancel_observe(Observation& observation, Timeout timeout) {
  std::shared_ptr<detail::Pending> cancel;
  {
    std::lock_guard<std::mutex> lock(impl_->m);
    std::shared_ptr<detail::Pending> obs;
    for (auto& [tok, p] : impl_->by_token) {
      if (p->observation == observation.state_) obs = p;
    }
    if (!obs) {
      Response r = detail::Impl::failed_response("no active observation of " + observation.path());
      return r;
    }
    // The same request with Observe 1 and the same token (RFC 7641 §3.6).
    cancel = std::make_shared<detail::Pending>();
    cancel->endpoint = obs->endpoint;
    cancel->request = obs->request;
    cancel->request.observe = 1;
    cancel->token = obs->token;
    cancel->observation = obs->observation;
    cancel->cancel_of_observation = true;
    impl_->by_token[obs->token] = cancel;
  }
  std::string ep = observation.endpoint();
  Impl* impl = impl_.get();
  impl_->post([impl, cancel, ep] {
    coap_session_t* s = nullptr;
    {
      std::lock_guard<std::mutex> l(impl->m);
      auto c = impl->clients.find(ep);
      if (c == impl->clients.end()) {
        Response r;
        r.outcome = Response::Outcome::not_registered;
        impl->finish(cancel, std::move(r));
        return;
      }
      s = c->second.session;
    }
    // libcoap tracks the observation (COAP_BLOCK_USE_LIBCOAP) and sends the GET/FETCH with
    // Observe 1 itself; if it does not know the token, build the request ourselves.
    coap_binary_t tok{cancel->token.size(), cancel->token.data()};
    if (!coap_cancel_observe(s, &tok, COAP_MESSAGE_CON)) impl->transmit(cancel, s);
  });
  return impl_->wait(cancel, timeout.value_or(impl_->options.request_timeout));
}

// ---- BootstrapServer ----

BootstrapServer::BootstrapServer(Options options)
    : impl_(std::make_unique<Impl>(detail::Role::bootstrap, std::move(options))) {}
BootstrapServer::~BootstrapServer() = default;

uint16_t BootstrapServer::port() const {
  return impl_->port_;
}

std::string BootstrapServer::uri() const {
  std::string host =
      impl_->host_.find(':') != std::string::npos ? "[" + impl_->host_ + "]" : impl_->host_;
  return std::string(impl_->dtls() ? "coaps://" : "coap://") + host + ":" +
         std::to_string(impl_->port_);
}

void BootstrapServer::set_script(BootstrapScript script) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->default_script = std::move(script);
}

void BootstrapServer::set_script(const std::string& endpoint, BootstrapScript script) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->scripts[endpoint] = std::move(script);
}

std::optional<Event> BootstrapServer::wait_requested(const std::string& endpoint,
                                                     Duration timeout) {
  return impl_->wait_event(Event::Kind::bootstrap_requested, endpoint, timeout);
}

std::optional<Event> BootstrapServer::wait_event(Event::Kind kind, const std::string& endpoint,
                                                 Duration timeout) {
  return impl_->wait_event(kind, endpoint, timeout);
}

std::optional<BootstrapResult> BootstrapServer::wait_finished(const std::string& endpoint,
                                                              Duration timeout) {
  std::unique_lock<std::mutex> lock(impl_->m);
  std::optional<BootstrapResult> found;
  impl_->cv.wait_for(lock, timeout, [&] {
    for (size_t i = 0; i < impl_->results.size(); ++i) {
      if (!impl_->results_consumed[i] &&
          (endpoint.empty() || impl_->results[i].endpoint == endpoint)) {
        impl_->results_consumed[i] = true;
        found = impl_->results[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<Event> BootstrapServer::events() const {
  std::lock_guard<std::mutex> lock(impl_->m);
  return impl_->events;
}

void BootstrapServer::reject_requests(int count, uint8_t code) {
  std::lock_guard<std::mutex> lock(impl_->m);
  impl_->reject_count = count;
  impl_->reject_code = code;
}

void BootstrapServer::drop_outgoing(int count) {
  std::string spec = count > 0 ? "1-" + std::to_string(count) : "0%";
  impl_->run_on_io_thread([spec] { coap_debug_set_packet_loss(spec.c_str()); });
}

}  // namespace lwm2m::testserver
