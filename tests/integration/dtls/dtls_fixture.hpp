// SPDX-License-Identifier: Apache-2.0
// Shared by the DTLS integration tests: a UDP relay that records what the client sends, DTLS
// record checks on those datagrams, and a client (core::Client + posix::Runner +
// dtls::secure_channel_factory) in PSK or certificate mode that keeps its log and events.
#pragma once

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
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/dtls_channel.hpp"
#include "lwm2m/platform/runner.hpp"

namespace lwm2m::itest {

using namespace std::chrono_literals;
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
inline bool is_dtls_datagram(const Bytes& d) {
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
inline int handshakes_started(const std::vector<Bytes>& datagrams) {
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

/// DTLS records of content type application_data (23) in the datagrams.
inline int application_data_records(const std::vector<Bytes>& datagrams) {
  int n = 0;
  for (const Bytes& d : datagrams) {
    size_t off = 0;
    while (off + 13 <= d.size()) {
      n += d[off] == 23;
      off += 13 + (size_t{d[off + 11]} << 8 | d[off + 12]);
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
  /// What the server sent (including what was dropped).
  std::vector<Bytes> from_server() const {
    std::lock_guard<std::mutex> lock(m_);
    return from_server_;
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
        if (n >= 0) {
          std::lock_guard<std::mutex> lock(m_);
          from_server_.emplace_back(buf.begin(), buf.begin() + n);
        }
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
  std::vector<Bytes> from_server_;
};

// ---- the client -----------------------------------------------------------------------

struct ClientOptions {
  std::string uri;
  std::string identity = kIdentity;
  Bytes key = kKey;
  objects::SecurityMode mode = objects::SecurityMode::psk;
  uint32_t retry_count = 2;   ///< /1/x/17
  bool connection_id = true;  ///< dtls::DtlsConfig::connection_id
  /// Certificate mode: our certificate and private key and the server certificate to pin
  /// (DER). They go into the credential store under Security instance 0's tag before the
  /// runner starts, the way RIOT's credman is filled: with the default
  /// LWM2M_SECURITY_*_MAX (64 bytes) a certificate does not fit the Security object itself.
  Bytes own_cert = {};
  Bytes private_key = {};
  Bytes server_cert = {};
  uint16_t block_size = 1024;  ///< coap::EngineConfig::block_size
  uint32_t lifetime_s = 300;   ///< /1/x/1
  /// 1 s ACK timeout and 2 retransmissions (a dead exchange fails in ~5 s); false: RFC 7252's
  /// defaults (2 s, 4: about 93 s), as a device in the field has them.
  bool short_coap_timers = true;
  /// posix::RunnerConfig::dtls_refresh_after_retransmissions and nat_timeout.
  uint8_t refresh_after = 2;
  Duration nat_timeout{0};
};

/// A client with Security (PSK or certificate), Server and Device objects, run by a
/// posix::Runner whose coaps:// connections come from dtls::secure_channel_factory. Logs
/// and events are kept.
class DtlsClient {
 public:
  explicit DtlsClient(const ClientOptions& o) : uri_(o.uri) {
    objects::SecurityConfig sc;
    sc.uri = uri_;
    sc.mode = o.mode;
    identity_ = o.identity;
    key_ = o.key;
    if (o.mode == objects::SecurityMode::certificate) {
      own_cert_ = o.own_cert;
      private_key_ = o.private_key;
      server_cert_ = o.server_cert;
      EXPECT_TRUE(store_
                      .add(dtls::credential_tag(dtls::ChannelOptions{}, 0),
                           EcdsaCredential{private_key_, own_cert_, server_cert_})
                      .ok());
    } else {
      sc.identity = as_bytes(std::string_view(identity_));
      sc.secret_key = {key_.data(), key_.size()};
    }
    sc.short_server_id = 1;
    EXPECT_TRUE(security_.add(sc, 0).ok());

    objects::ServerConfig srv;
    srv.short_server_id = 1;
    srv.lifetime_s = o.lifetime_s;
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
    if (o.short_coap_timers) {
      cc.coap.tx.ack_timeout = Duration{1000};
      cc.coap.tx.max_retransmit = 2;
    }
    cc.coap.block_size = o.block_size;
    client_.emplace(cc, registry_, rng_);

    posix::RunnerConfig rc;
    rc.local_port = 0;
    rc.receive_buffer = 200;  // RIOT's default: the runner makes room for ciphertext
    rc.min_refresh = Duration{200};
    rc.dtls_refresh_after_retransmissions = o.refresh_after;
    rc.nat_timeout = o.nat_timeout;
    runner_.emplace(*client_, rc);
    dtls::ChannelOptions co;
    co.session.handshake_timeout_min = Duration{500};
    co.session.handshake_timeout_max = Duration{2000};
    co.session.connection_id = o.connection_id;
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
  core::Client& client() { return *client_; }
  /// For one more object (before start()).
  dm::Registry& registry() { return registry_; }
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
  /// The first event of `kind`, if any.
  std::optional<core::Event> first_event(core::EventKind kind) {
    std::lock_guard<std::mutex> lock(m_);
    for (const core::Event& e : events_)
      if (e.kind == kind) return e;
    return std::nullopt;
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
  Bytes own_cert_;
  Bytes private_key_;
  Bytes server_cert_;
  std::array<objects::SecurityInstance, 2> security_slots_{};
  objects::SecurityObject security_{security_slots_};
  std::array<objects::ServerInstance, 2> server_slots_{};
  objects::ServerObject server_{server_slots_};
  objects::DeviceObject device_{
      objects::DeviceInfo{"lwm2m", "dtls-test", "1", "0.1", "", "", "", "U"}};
  std::array<dm::Object*, 4> object_slots_{};
  dm::Registry registry_{object_slots_};
  XorShiftRandom rng_{0x5eed};
  StaticCredentialStore<4, 4096> store_;
  std::optional<core::Client> client_;
  std::optional<posix::Runner> runner_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
  std::vector<core::Event> events_;
};

/// The runner's clock (steady_clock since its epoch).
inline TimePoint steady_now() {
  return TimePoint{
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

inline std::string coaps_uri(uint16_t port) {
  return "coaps://127.0.0.1:" + std::to_string(port);
}

inline void expect_all_dtls(const std::vector<Bytes>& sent) {
  EXPECT_FALSE(sent.empty());
  for (size_t i = 0; i < sent.size(); ++i)
    EXPECT_TRUE(is_dtls_datagram(sent[i]))
        << "datagram " << i << " of " << sent.size() << " is not DTLS, first byte "
        << (sent[i].empty() ? -1 : int{sent[i][0]});
}

}  // namespace lwm2m::itest
