// SPDX-License-Identifier: Apache-2.0
// A DTLS 1.2 server for the tests, built on the same mbedTLS as the client, that terminates
// DTLS (PSK) in front of a plain-UDP LwM2M server: the records it decrypts go on to the
// backend from one fixed socket, and the backend's answers go back encrypted. With
// `connection_id` (mbedTLS 3.x, RFC 9146) it gives the client a 4-byte Connection ID and,
// as RFC 9146 section 6 allows, follows the client to a new address when an authenticated
// record with that CID arrives from there. Without it, a record from an unknown address is
// dropped, as any server without CID does. One client session at a time.
#pragma once

#include <mbedtls/version.h>
// (version.h first: it says which of the two APIs follows)
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "dtls_fixture.hpp"
#include "dtls_support.hpp"
#include "lwm2m/platform/udp.hpp"

#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
#define LWM2M_TEST_FRONT_CID 1
#include <psa/crypto.h>
#endif

namespace lwm2m::itest {

class DtlsFront {
 public:
  DtlsFront(uint16_t backend_port, bool connection_id)
      : cid_(connection_id),
        sock_(open_socket()),
        backend_sock_(open_socket()),
        backend_(*posix::SocketAddress::from_literal("127.0.0.1", backend_port)) {
#if defined(LWM2M_TEST_FRONT_CID)
    EXPECT_EQ(psa_crypto_init(), PSA_SUCCESS);
#else
    EXPECT_FALSE(connection_id) << "this mbedTLS has no RFC 9146 Connection ID";
#endif
    mbedtls_ssl_config_init(&conf_);
    mbedtls_ssl_init(&ssl_);
    EXPECT_EQ(
        mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT),
        0);
    mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, rng_.drbg());
    // No HelloVerifyRequest: loopback only, and one flight fewer to lose.
    mbedtls_ssl_conf_dtls_cookies(&conf_, nullptr, nullptr, nullptr);
    mbedtls_ssl_conf_handshake_timeout(&conf_, 500, 4000);
    EXPECT_EQ(mbedtls_ssl_conf_psk(&conf_, kKey.data(), kKey.size(),
                                   reinterpret_cast<const unsigned char*>(kIdentity.data()),
                                   kIdentity.size()),
              0);
#if defined(LWM2M_TEST_FRONT_CID)
    if (cid_) {
      EXPECT_EQ(mbedtls_ssl_conf_cid(&conf_, sizeof kCid, MBEDTLS_SSL_UNEXPECTED_CID_IGNORE), 0);
    }
#endif
    EXPECT_EQ(mbedtls_ssl_setup(&ssl_, &conf_), 0);
    mbedtls_ssl_set_bio(&ssl_, this, &DtlsFront::send_cb, &DtlsFront::recv_cb, nullptr);
    mbedtls_ssl_set_timer_cb(&ssl_, &timer_, mbedtls_timing_set_delay, mbedtls_timing_get_delay);
    thread_ = std::thread([this] { run(); });
  }
  ~DtlsFront() {
    stop_ = true;
    thread_.join();
    mbedtls_ssl_free(&ssl_);
    mbedtls_ssl_config_free(&conf_);
  }
  DtlsFront(const DtlsFront&) = delete;
  DtlsFront& operator=(const DtlsFront&) = delete;

  uint16_t port() const {
    return sock_.local_port();
  }
  /// Handshakes completed.
  int handshakes() const {
    return handshakes_;
  }
  /// Times the session followed its client to a new address (by the CID).
  int address_updates() const {
    return address_updates_;
  }
  /// Records dropped because they came from an address without a session.
  int dropped_unknown() const {
    return dropped_unknown_;
  }
  /// The session's client CID is in use (the client's records carry ours).
  bool cid_negotiated() const {
    return cid_negotiated_;
  }

 private:
  static constexpr unsigned char kCid[4] = {0xC1, 0xD0, 0x00, 0x01};

  static posix::UdpSocket open_socket() {
    auto s = posix::UdpSocket::open(0, true);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  static int send_cb(void* ctx, const unsigned char* buf, size_t len) {
    auto& f = *static_cast<DtlsFront*>(ctx);
    (void)f.sock_.send_to(f.peer_, {buf, len});
    return static_cast<int>(len);
  }
  static int recv_cb(void* ctx, unsigned char* buf, size_t len) {
    auto& f = *static_cast<DtlsFront*>(ctx);
    if (f.pending_.empty()) return MBEDTLS_ERR_SSL_WANT_READ;
    const size_t n = std::min(len, f.pending_.size());
    std::memcpy(buf, f.pending_.data(), n);
    f.pending_.clear();
    return static_cast<int>(n);
  }

  static bool is_client_hello(const Bytes& d) {
    return d.size() > 13 && d[0] == 22 && d[3] == 0 && d[4] == 0 && d[13] == 1;
  }
  // RFC 9146 record: content type tls12_cid (25), the CID right after the 11-byte
  // type/version/epoch/sequence header.
  bool carries_our_cid(const Bytes& d) const {
    return cid_ && d.size() > 11 + sizeof kCid && d[0] == 25 &&
           std::memcmp(d.data() + 11, kCid, sizeof kCid) == 0;
  }

  void new_session(const posix::SocketAddress& from) {
    mbedtls_ssl_session_reset(&ssl_);
#if defined(LWM2M_TEST_FRONT_CID)
    if (cid_) {
      EXPECT_EQ(mbedtls_ssl_set_cid(&ssl_, MBEDTLS_SSL_CID_ENABLED, kCid, sizeof kCid), 0);
    }
#endif
    peer_ = from;
    established_ = false;
    cid_negotiated_ = false;
  }

  // Feeds one datagram; true when it carried authenticated application data.
  bool feed(const Bytes& d) {
    pending_ = d;
    if (!established_) {
      const int ret = mbedtls_ssl_handshake(&ssl_);
      if (ret != 0) {
        pending_.clear();
        return false;
      }
      established_ = true;
      ++handshakes_;
#if defined(LWM2M_TEST_FRONT_CID)
      int enabled = 0;
      unsigned char peer_cid[MBEDTLS_SSL_CID_OUT_LEN_MAX];
      size_t len = 0;
      cid_negotiated_ = mbedtls_ssl_get_peer_cid(&ssl_, &enabled, peer_cid, &len) == 0 &&
                        enabled == MBEDTLS_SSL_CID_ENABLED;
#endif
    }
    bool data = false;
    unsigned char buf[4096];
    for (;;) {
      const int n = mbedtls_ssl_read(&ssl_, buf, sizeof buf);
      if (n <= 0) break;
      data = true;
      (void)backend_sock_.send_to(backend_, {buf, static_cast<size_t>(n)});
    }
    pending_.clear();
    return data;
  }

  void from_client(const posix::SocketAddress& from, const Bytes& d) {
    if (is_client_hello(d) && (established_ || !(from == peer_))) {
      new_session(from);  // a new client, or ours starting afresh
      (void)feed(d);
    } else if (peer_.valid() && from == peer_) {
      (void)feed(d);
    } else if (established_ && carries_our_cid(d)) {
      // Follow the client only once the record proved to be from the session's peer.
      const posix::SocketAddress old = peer_;
      peer_ = from;
      if (feed(d)) {
        ++address_updates_;
      } else {
        peer_ = old;
      }
    } else {
      ++dropped_unknown_;
    }
  }

  void run() {
    Bytes buf(65536);
    while (!stop_) {
      pollfd fds[2] = {{sock_.fd(), POLLIN, 0}, {backend_sock_.fd(), POLLIN, 0}};
      const int n = ::poll(fds, 2, 20);
      if (n > 0 && (fds[0].revents & POLLIN)) {
        posix::SocketAddress from;
        auto got = sock_.receive_from({buf.data(), buf.size()}, from, Duration{0});
        if (got) from_client(from, Bytes(buf.begin(), buf.begin() + static_cast<long>(*got)));
      }
      if (n > 0 && (fds[1].revents & POLLIN)) {
        posix::SocketAddress from;
        auto got = backend_sock_.receive_from({buf.data(), buf.size()}, from, Duration{0});
        if (got && established_) (void)mbedtls_ssl_write(&ssl_, buf.data(), *got);
      }
      // Retransmits a lost flight (the timer callbacks decide whether it is time).
      if (peer_.valid() && !established_ && mbedtls_ssl_handshake(&ssl_) == 0) {
        established_ = true;
        ++handshakes_;
      }
    }
  }

  bool cid_;
  posix::UdpSocket sock_;
  posix::UdpSocket backend_sock_;
  posix::SocketAddress backend_;
  posix::SocketAddress peer_;
  test::TestRng rng_;
  mbedtls_ssl_config conf_;
  mbedtls_ssl_context ssl_;
  mbedtls_timing_delay_context timer_{};
  Bytes pending_;
  bool established_ = false;
  std::atomic<int> handshakes_{0};
  std::atomic<int> address_updates_{0};
  std::atomic<int> dropped_unknown_{0};
  std::atomic<bool> cid_negotiated_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace lwm2m::itest
