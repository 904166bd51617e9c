// End to end over DTLS: our core::Client driven by posix::Runner with
// dtls::secure_channel_factory, against the libcoap test server speaking DTLS PSK (OpenSSL)
// on loopback. A UDP relay between the two records every datagram the client sends, so the
// tests can show that nothing left in the clear.
//
// Certificate mode is not covered here: the test server only speaks PSK. Certificate
// failures (wrong pin, expired certificate, rejected client certificate) are tested at the
// session level in tests/interop/dtls.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/dtls_channel.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace std::chrono_literals;
namespace ts = testserver;
using Bytes = std::vector<uint8_t>;

// Generous: CI runs this under ASan on a loaded two-core machine.
constexpr auto kWait = std::chrono::milliseconds(30000);

const std::string kIdentity = "dtls-node";
const Bytes kKey = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                    0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

// ---- what crossed the wire ------------------------------------------------------------

/// Every record in the datagram has a DTLS header (content type 20..25, version DTLS 1.2
/// or 1.0) and the records exactly fill it. A CoAP message cannot pass: its first byte
/// carries version 1 in the top two bits (0x40..0x7F).
bool is_dtls_datagram(const Bytes& d) {
  size_t off = 0;
  if (d.empty()) return false;
  while (off < d.size()) {
    if (d.size() - off < 13) return false;
    const uint8_t type = d[off];
    const unsigned version = unsigned{d[off + 1]} << 8 | d[off + 2];
    if (type < 20 || type > 25) return false;
    if (version != 0xFEFD && version != 0xFEFF) return false;
    off += 13 + (size_t{d[off + 11]} << 8 | d[off + 12]);
  }
  return off == d.size();
}

/// Handshakes the client started: ClientHello records (epoch 0, handshake type 1) with
/// message_seq 0 (the repeat carrying the server's cookie has message_seq 1).
int handshakes_started(const std::vector<Bytes>& datagrams) {
  int n = 0;
  for (const Bytes& d : datagrams) {
    size_t off = 0;
    while (off + 13 <= d.size()) {
      const size_t len = size_t{d[off + 11]} << 8 | d[off + 12];
      const bool epoch0 = d[off + 3] == 0 && d[off + 4] == 0;
      if (d[off] == 22 && epoch0 && len >= 12 && off + 13 + len <= d.size() && d[off + 13] == 1 &&
          d[off + 13 + 4] == 0 && d[off + 13 + 5] == 0)
        ++n;
      off += 13 + len;
    }
  }
  return n;
}

/// A UDP relay on 127.0.0.1 between the client and the server: what the client sends is
/// recorded and forwarded from one fixed upstream socket, so a server restarted on the
/// same port sees the same peer address.
class Relay {
 public:
  explicit Relay(uint16_t server_port) : server_port_(server_port) {
    down_ = bind_loopback();
    up_ = bind_loopback();
    thread_ = std::thread([this] { run(); });
  }
  ~Relay() {
    stop_ = true;
    thread_.join();
    ::close(down_);
    ::close(up_);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  uint16_t port() const { return port_of(down_); }
  /// While set, datagrams from the server are dropped (a server that vanishes silently).
  void set_drop_from_server(bool drop) { drop_from_server_ = drop; }
  /// While set, datagrams from the client are recorded but not forwarded.
  void set_drop_from_client(bool drop) { drop_from_client_ = drop; }
  std::vector<Bytes> from_client() const {
    std::lock_guard<std::mutex> lock(m_);
    return from_client_;
  }

 private:
  static int bind_loopback() {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("relay: cannot bind");
    return fd;
  }
  static uint16_t port_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
  void run() {
    std::array<uint8_t, 65536> buf{};
    sockaddr_storage client{};
    socklen_t client_len = 0;
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    server.sin_port = htons(server_port_);
    while (!stop_) {
      pollfd fds[2] = {{down_, POLLIN, 0}, {up_, POLLIN, 0}};
      if (::poll(fds, 2, 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n =
            ::recvfrom(down_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n >= 0) {
          client = from;
          client_len = len;
          {
            std::lock_guard<std::mutex> lock(m_);
            from_client_.emplace_back(buf.begin(), buf.begin() + n);
          }
          if (!drop_from_client_)
            (void)::sendto(up_, buf.data(), static_cast<size_t>(n), 0,
                           reinterpret_cast<sockaddr*>(&server), sizeof server);
        }
      }
      if (fds[1].revents & POLLIN) {
        ssize_t n = ::recv(up_, buf.data(), buf.size(), 0);
        if (n >= 0 && client_len != 0 && !drop_from_server_)
          (void)::sendto(down_, buf.data(), static_cast<size_t>(n), 0,
                         reinterpret_cast<sockaddr*>(&client), client_len);
      }
    }
  }

  uint16_t server_port_;
  int down_ = -1;
  int up_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> drop_from_server_{false};
  std::atomic<bool> drop_from_client_{false};
  std::thread thread_;
  mutable std::mutex m_;
  std::vector<Bytes> from_client_;
};

// ---- the client -----------------------------------------------------------------------

struct ClientOptions {
  std::string uri;
  std::string identity = kIdentity;
  Bytes key = kKey;
  objects::SecurityMode mode = objects::SecurityMode::psk;
  uint32_t retry_count = 2;  ///< /1/x/17
};

/// A client with Security (PSK), Server and Device objects, run by a posix::Runner whose
/// coaps:// connections come from dtls::secure_channel_factory. Logs and events are kept.
class DtlsClient {
 public:
  explicit DtlsClient(const ClientOptions& o) : uri_(o.uri) {
    objects::SecurityConfig sc;
    sc.uri = uri_;
    sc.mode = o.mode;
    sc.identity = as_bytes(std::string_view(o.identity));
    identity_ = o.identity;
    key_ = o.key;
    sc.identity = as_bytes(std::string_view(identity_));
    sc.secret_key = {key_.data(), key_.size()};
    sc.short_server_id = 1;
    EXPECT_TRUE(security_.add(sc, 0).ok());

    objects::ServerConfig srv;
    srv.short_server_id = 1;
    srv.lifetime_s = 300;
    srv.bootstrap_on_failure = false;
    srv.communication_retry_count = o.retry_count;
    srv.communication_retry_timer_s = 1;
    srv.sequence_delay_timer_s = 1;
    srv.sequence_retry_count = 1;
    EXPECT_TRUE(server_.add(srv).ok());

    EXPECT_TRUE(registry_.add(security_).ok());
    EXPECT_TRUE(registry_.add(server_).ok());
    EXPECT_TRUE(registry_.add(device_).ok());

    core::ClientConfig cc;
    cc.endpoint = "dtls-ep";
    // Short CoAP timers: a request to a server that lost our session fails within ~5 s.
    cc.coap.tx.ack_timeout = Duration{1000};
    cc.coap.tx.max_retransmit = 2;
    client_.emplace(cc, registry_, security_, server_, rng_);

    posix::RunnerConfig rc;
    rc.local_port = 0;
    rc.receive_buffer = 200;  // RIOT's default: the runner makes room for ciphertext
    rc.min_refresh = Duration{200};
    runner_.emplace(*client_, rc);
    dtls::ChannelOptions co;
    co.session.handshake_timeout_min = Duration{500};
    co.session.handshake_timeout_max = Duration{2000};
    runner_->set_secure_channel_factory(dtls::secure_channel_factory(store_, co));
    runner_->set_log([this](const char* line) {
      std::lock_guard<std::mutex> lock(m_);
      log_.emplace_back(line);
      cv_.notify_all();
    });
    runner_->set_event_hook([this](const core::Event& e) {
      std::lock_guard<std::mutex> lock(m_);
      events_.push_back(e);
      cv_.notify_all();
    });
  }
  ~DtlsClient() {
    if (runner_) runner_->stop(Duration{2000});
  }

  void start() { ASSERT_TRUE(runner_->start().ok()); }
  posix::Runner& runner() { return *runner_; }
  objects::DeviceObject& device() { return device_; }
  CredentialStore& store() { return store_; }
  static constexpr const char* endpoint() { return "dtls-ep"; }

  /// Waits for a log line containing `text`; returns it.
  std::optional<std::string> wait_log(const std::string& text, std::chrono::milliseconds t) {
    std::unique_lock<std::mutex> lock(m_);
    std::optional<std::string> found;
    cv_.wait_for(lock, t, [&] {
      for (const std::string& l : log_)
        if (l.find(text) != std::string::npos) {
          found = l;
          return true;
        }
      return false;
    });
    return found;
  }
  bool wait_event(core::EventKind kind, std::chrono::milliseconds t) {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, t, [&] {
      for (const core::Event& e : events_)
        if (e.kind == kind) return true;
      return false;
    });
  }
  /// Waits until `count` events of `kind` have happened in total.
  bool wait_events(core::EventKind kind, int count, std::chrono::milliseconds t) {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, t, [&] {
      int n = 0;
      for (const core::Event& e : events_)
        n += e.kind == kind;
      return n >= count;
    });
  }
  int count_events(core::EventKind kind) {
    std::lock_guard<std::mutex> lock(m_);
    int n = 0;
    for (const core::Event& e : events_)
      n += e.kind == kind;
    return n;
  }
  std::string log_text() {
    std::lock_guard<std::mutex> lock(m_);
    std::string all;
    for (const std::string& l : log_)
      all += l + "\n";
    return all;
  }

 private:
  std::string uri_;
  std::string identity_;
  Bytes key_;
  std::array<objects::SecurityInstance, 2> security_slots_{};
  objects::SecurityObject security_{security_slots_};
  std::array<objects::ServerInstance, 2> server_slots_{};
  objects::ServerObject server_{server_slots_};
  objects::DeviceObject device_{
      objects::DeviceInfo{"lwm2m", "dtls-test", "1", "0.1", "", "", "", "U"}};
  std::array<dm::Object*, 4> object_slots_{};
  dm::Registry registry_{object_slots_};
  XorShiftRandom rng_{0x5eed};
  StaticCredentialStore<4, 1024> store_;
  std::optional<core::Client> client_;
  std::optional<posix::Runner> runner_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
  std::vector<core::Event> events_;
};

ts::Options server_options(uint16_t port = 0) {
  ts::Options o;
  o.bind_address = "127.0.0.1";
  o.port = port;
  o.psk = {ts::PskCredential{kIdentity, kKey}};
  o.request_timeout = kWait;
  return o;
}

/// The runner's clock (steady_clock since its epoch).
TimePoint steady_now() {
  return TimePoint{
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

std::string coaps_uri(uint16_t port) {
  return "coaps://127.0.0.1:" + std::to_string(port);
}

void expect_all_dtls(const std::vector<Bytes>& sent) {
  EXPECT_FALSE(sent.empty());
  for (size_t i = 0; i < sent.size(); ++i)
    EXPECT_TRUE(is_dtls_datagram(sent[i]))
        << "datagram " << i << " of " << sent.size() << " is not DTLS, first byte "
        << (sent[i].empty() ? -1 : int{sent[i][0]});
}

// ---- tests ----------------------------------------------------------------------------

TEST(DtlsIntegration, RegistersReadsAndObservesOverDtls) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();

  auto reg = server.wait_registered(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(reg) << client.log_text();
  EXPECT_TRUE(reg->has_link("/3/0"));
  // The Security instance's PSK went into the store under tag_base + instance id.
  auto psk = client.store().get_psk(10);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(std::string(psk->identity.begin(), psk->identity.end()), kIdentity);

  auto r = server.read(DtlsClient::endpoint(), "/3/0", ts::ContentFormat::senml_json);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_NE(r.text().find("dtls-test"), std::string::npos) << r.text();

  // A request that fits the 200-byte receive buffer as CoAP (about 185 bytes) but not once
  // encrypted (record header, nonce and tag add 29 bytes) still arrives: the buffer bounds
  // CoAP messages, not DTLS records.
  ts::Request big;
  big.path = "/3/0/0";
  big.query = {"pad=" + std::string(160, 'p')};
  auto b = server.send_request(DtlsClient::endpoint(), big);
  EXPECT_TRUE(b.received()) << b.describe() << "\n" << client.log_text();

  client.runner().locked([&](core::Client&) { client.device().set_battery_level(10); });
  auto obs = server.observe(DtlsClient::endpoint(), "/3/0/9", ts::ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  client.runner().locked([&](core::Client&) { client.device().set_battery_level(42); });
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n) << client.log_text();
  EXPECT_EQ(n->text(), "42");

  EXPECT_EQ(handshakes_started(relay.from_client()), 1);
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, UpdateAfterServerDroppedTheSessionGoesThroughANewHandshake) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  // request_update() only acts once the client has the 2.01 (the server registers first).
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();
  ASSERT_EQ(handshakes_started(relay.from_client()), 1);

  ASSERT_EQ(server.drop_sessions(), 1);
  // The client hears close_notify and starts a new handshake on its own.
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  auto upd = server.wait_update(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(upd) << client.log_text();
  EXPECT_GE(handshakes_started(relay.from_client()), 2);
  // Still one registration: the Update went through, no new Register was needed.
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  EXPECT_TRUE(server.read(DtlsClient::endpoint(), "/3/0/0").ok());
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, UpdateAfterAFailedReHandshakeStartsAnotherOne) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();

  // The server closes the session and the client's new handshake gets lost: the session
  // fails while the client is registered and has nothing in flight.
  relay.set_drop_from_client(true);
  ASSERT_EQ(server.drop_sessions(), 1);
  ASSERT_TRUE(client.wait_log("DTLS failed: handshake timed out", kWait)) << client.log_text();
  relay.set_drop_from_client(false);

  // The next Update starts a handshake of its own and goes through, still registered.
  const int before = handshakes_started(relay.from_client());
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  ASSERT_TRUE(server.wait_update(DtlsClient::endpoint(), kWait)) << client.log_text();
  EXPECT_GT(handshakes_started(relay.from_client()), before);
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, ServerCrashLosesTheSessionAndTheClientRegistersAgain) {
  std::optional<ts::Server> server(std::in_place, server_options());
  const uint16_t port = server->port();
  Relay relay(port);
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server->wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();

  // The server crashes (its close_notify never reaches the client) and a new one comes
  // up on the same port: no DTLS session, no registration.
  relay.set_drop_from_server(true);
  server.reset();
  server.emplace(server_options(port));
  relay.set_drop_from_server(false);
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  // The Update goes into the old session, which the new server does not know; once it
  // times out the client registers again, over a new handshake.
  auto reg = server->wait_registered(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(reg) << client.log_text();
  EXPECT_GE(handshakes_started(relay.from_client()), 2);

  // And the next Update goes through.
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 2, kWait)) << client.log_text();
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  EXPECT_TRUE(server->wait_update(DtlsClient::endpoint(), kWait)) << client.log_text();
  expect_all_dtls(relay.from_client());
}

// A wrong key or an unknown identity: the handshake fails, the runner logs why, the client
// retries with a new handshake per attempt as the Server object's retry resources say, and
// then gives up; no registration, and nothing the client sent was readable.
void expect_refused(const ClientOptions& base, const char* reason) {
  ts::Server server(server_options());
  Relay relay(server.port());
  ClientOptions o = base;
  o.uri = coaps_uri(relay.port());
  o.retry_count = 2;
  DtlsClient client(o);
  client.start();

  ASSERT_TRUE(client.wait_log("DTLS failed", kWait)) << client.log_text();
  EXPECT_TRUE(client.wait_log(reason, kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  EXPECT_FALSE(server.client(DtlsClient::endpoint()));
  EXPECT_EQ(client.count_events(core::EventKind::registered), 0);
  EXPECT_GE(handshakes_started(relay.from_client()), 2) << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, WrongPskIsReportedRetriedAndNeverInTheClear) {
  Bytes wrong = kKey;
  wrong[0] ^= 0xFF;
  expect_refused({.uri = "", .key = wrong}, "PSK differs");
}

TEST(DtlsIntegration, UnknownIdentityIsReportedRetriedAndNeverInTheClear) {
  expect_refused({.uri = "", .identity = "stranger"}, "does not know the PSK identity");
}

TEST(DtlsIntegration, RawPublicKeyModeIsRefusedBeforeAnythingIsSent) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port()), .mode = objects::SecurityMode::rpk});
  client.start();
  EXPECT_TRUE(client.wait_log("raw public key", kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  EXPECT_TRUE(relay.from_client().empty());
}

// ---- the factory's credential handling (no network) ------------------------------------

objects::SecurityInstance psk_instance(dm::InstanceId iid, std::string_view identity,
                                       const Bytes& key) {
  objects::SecurityInstance s;
  s.id = iid;
  s.mode = objects::SecurityMode::psk;
  EXPECT_TRUE(s.uri.assign(std::string_view("coaps://127.0.0.1:5684")).ok());
  EXPECT_TRUE(s.identity.assign(identity).ok());
  EXPECT_TRUE(s.secret_key.assign(ByteView{key.data(), key.size()}).ok());
  return s;
}

TEST(DtlsChannelFactory, StoresTheInstanceCredentialUnderTagBasePlusInstanceId) {
  StaticCredentialStore<4, 1024> store;
  dtls::ChannelOptions options;
  options.tag_base = 40;
  auto factory = dtls::secure_channel_factory(store, options);
  Errc err = Errc::ok;
  std::string reason;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", kKey), err, reason)) << reason;
  auto psk = store.get_psk(42);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(std::string(psk->identity.begin(), psk->identity.end()), "id-2");

  // A new key written by a bootstrap server replaces the old one; the same bytes again
  // change nothing.
  Bytes rotated = kKey;
  rotated[3] ^= 0x55;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", rotated), err, reason)) << reason;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", rotated), err, reason)) << reason;
  EXPECT_EQ(store.size(), 1u);
  psk = store.get_psk(42);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(Bytes(psk->key.begin(), psk->key.end()), rotated);
}

TEST(DtlsChannelFactory, AnInstanceWithoutKeysUsesWhatTheApplicationStored) {
  StaticCredentialStore<4, 1024> store;
  auto factory = dtls::secure_channel_factory(store);
  objects::SecurityInstance bare = psk_instance(0, "", {});
  Errc err = Errc::ok;
  std::string reason;
  EXPECT_FALSE(factory(bare, err, reason));
  EXPECT_EQ(err, Errc::invalid_argument);
  EXPECT_NE(reason.find("tag 10"), std::string::npos) << reason;

  ASSERT_TRUE(
      store.add(10, PskCredential{as_bytes(std::string_view("app")), {kKey.data(), 16}}).ok());
  EXPECT_TRUE(factory(bare, err, reason)) << reason;
  // Half a credential is refused rather than guessed at.
  EXPECT_FALSE(factory(psk_instance(0, "only-identity", {}), err, reason));
  EXPECT_EQ(err, Errc::invalid_argument);
}

}  // namespace
}  // namespace lwm2m
