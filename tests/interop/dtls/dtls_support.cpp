// SPDX-License-Identifier: Apache-2.0
#include "dtls_support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <mbedtls/version.h>
// (version.h first: it says which of the two APIs follows)
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/x509_crt.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "lwm2m/platform/udp.hpp"

extern char** environ;

namespace lwm2m::test {

TestRng::TestRng() {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  static const char kPers[] = "lwm2m-dtls-tests";
  EXPECT_EQ(mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                  reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1),
            0);
}

TestRng::~TestRng() {
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

namespace {

// mbedTLS 3.x wants a random generator for key parsing (blinding); 2.x has no such argument.
int parse_key(mbedtls_pk_context* pk, const Bytes& der, TestRng& rng) {
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_pk_parse_key(pk, der.data(), der.size(), nullptr, 0, mbedtls_ctr_drbg_random,
                              rng.drbg());
#else
  (void)rng;
  return mbedtls_pk_parse_key(pk, der.data(), der.size(), nullptr, 0);
#endif
}

struct Pk {
  Pk() { mbedtls_pk_init(&pk); }
  ~Pk() { mbedtls_pk_free(&pk); }
  mbedtls_pk_context pk;
};

// mbedTLS's DER writers fill the buffer from its end.
Bytes tail(const unsigned char* buf, size_t size, int n) {
  EXPECT_GT(n, 0);
  if (n <= 0) return {};
  return Bytes(buf + size - static_cast<size_t>(n), buf + size);
}

}  // namespace

KeyPair generate_p256(TestRng& rng) {
  Pk key;
  EXPECT_EQ(mbedtls_pk_setup(&key.pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
  EXPECT_EQ(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key.pk),
                                mbedtls_ctr_drbg_random, rng.drbg()),
            0);
  unsigned char buf[512];
  KeyPair out;
  out.private_der = tail(buf, sizeof buf, mbedtls_pk_write_key_der(&key.pk, buf, sizeof buf));
  out.public_der = tail(buf, sizeof buf, mbedtls_pk_write_pubkey_der(&key.pk, buf, sizeof buf));
  return out;
}

Bytes self_signed_cert(TestRng& rng, const KeyPair& key, const std::string& cn,
                       const std::string& not_before, const std::string& not_after) {
  Pk pk;
  EXPECT_EQ(parse_key(&pk.pk, key.private_der, rng), 0);
  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  mbedtls_mpi serial;
  mbedtls_mpi_init(&serial);
  EXPECT_EQ(mbedtls_mpi_lset(&serial, 1), 0);
  const std::string name = "CN=" + cn;
  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  EXPECT_EQ(mbedtls_x509write_crt_set_serial(&crt, &serial), 0);
  EXPECT_EQ(mbedtls_x509write_crt_set_validity(&crt, not_before.c_str(), not_after.c_str()), 0);
  EXPECT_EQ(mbedtls_x509write_crt_set_subject_name(&crt, name.c_str()), 0);
  EXPECT_EQ(mbedtls_x509write_crt_set_issuer_name(&crt, name.c_str()), 0);
  mbedtls_x509write_crt_set_subject_key(&crt, &pk.pk);
  mbedtls_x509write_crt_set_issuer_key(&crt, &pk.pk);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  // A CA flag lets the peer use this self-signed certificate as its own trust anchor.
  EXPECT_EQ(mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0), 0);
  unsigned char buf[1024];
  Bytes der =
      tail(buf, sizeof buf,
           mbedtls_x509write_crt_der(&crt, buf, sizeof buf, mbedtls_ctr_drbg_random, rng.drbg()));
  mbedtls_x509write_crt_free(&crt);
  mbedtls_mpi_free(&serial);
  return der;
}

bool looks_like_dtls_record(ByteView d) {
  return d.size() >= 13 && d[0] >= 20 && d[0] <= 23 && d[1] == 0xFE &&
         (d[2] == 0xFD || d[2] == 0xFF);
}

std::string to_pem(const Bytes& der, const std::string& label) {
  size_t len = 0;
  (void)mbedtls_base64_encode(nullptr, 0, &len, der.data(), der.size());
  std::string b64(len, '\0');
  EXPECT_EQ(mbedtls_base64_encode(reinterpret_cast<unsigned char*>(b64.data()), b64.size(), &len,
                                  der.data(), der.size()),
            0);
  b64.resize(len);
  std::string pem = "-----BEGIN " + label + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64)
    pem += b64.substr(i, 64) + "\n";
  return pem + "-----END " + label + "-----\n";
}

bool write_file(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

// ---- libcoap's programs ---------------------------------------------------------------

bool executable(const char* path) {
  return path[0] != '\0' && access(path, X_OK) == 0;
}

Child::Child(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
}

Child::~Child() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

uint16_t free_port_pair() {
  using posix::UdpSocket;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto a = UdpSocket::open(0, true);
    if (!a.ok()) continue;
    const uint16_t p = a->local_port();
    if (p >= 65535) continue;
    auto b = UdpSocket::open(static_cast<uint16_t>(p + 1), true);
    if (b.ok()) return p;
  }
  return 0;
}

bool wait_until_listening(uint16_t port) {
  using posix::SocketAddress;
  using posix::UdpSocket;
  auto sock = UdpSocket::open(0, true);
  if (!sock.ok()) return false;
  auto to = SocketAddress::from_literal("127.0.0.1", port);
  const uint8_t ping[] = {0x40, 0x00, 0x7A, 0x7A};
  for (int attempt = 0; attempt < 100; ++attempt) {
    (void)sock->send_to(*to, ping);
    uint8_t buf[64];
    SocketAddress from;
    auto n = sock->receive_from(buf, from, Duration{100});
    if (n.ok() && *n >= 4 && (buf[0] & 0x30) == 0x30) return true;
  }
  return false;
}

// ---- server ---------------------------------------------------------------------------

TestDtlsServer::TestDtlsServer(const ServerOptions& options) : options_(options) {
  mbedtls_ssl_cookie_init(&cookie_);
  mbedtls_ssl_config_init(&conf_);
  mbedtls_ssl_init(&ssl_);
  mbedtls_x509_crt_init(&cert_);
  mbedtls_x509_crt_init(&client_ca_);
  mbedtls_pk_init(&key_);
  EXPECT_EQ(mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_SERVER,
                                        MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT),
            0);
  mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, rng_.drbg());
  mbedtls_ssl_conf_handshake_timeout(&conf_,
                                     static_cast<uint32_t>(options.handshake_timeout_min_ms),
                                     static_cast<uint32_t>(options.handshake_timeout_max_ms));
  EXPECT_EQ(mbedtls_ssl_cookie_setup(&cookie_, mbedtls_ctr_drbg_random, rng_.drbg()), 0);
  mbedtls_ssl_conf_dtls_cookies(&conf_, mbedtls_ssl_cookie_write, mbedtls_ssl_cookie_check,
                                &cookie_);
  if (!options.psk_identity.empty()) {
    mbedtls_ssl_conf_psk_cb(&conf_, &TestDtlsServer::psk_cb, this);
  } else {
    EXPECT_EQ(mbedtls_x509_crt_parse_der(&cert_, options.cert.data(), options.cert.size()), 0);
    EXPECT_EQ(parse_key(&key_, options.key, rng_), 0);
    EXPECT_EQ(mbedtls_ssl_conf_own_cert(&conf_, &cert_, &key_), 0);
    EXPECT_EQ(mbedtls_x509_crt_parse_der(&client_ca_, options.trusted_client_cert.data(),
                                         options.trusted_client_cert.size()),
              0);
    mbedtls_ssl_conf_ca_chain(&conf_, &client_ca_, nullptr);
    mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
  }
  EXPECT_EQ(mbedtls_ssl_setup(&ssl_, &conf_), 0);
  mbedtls_ssl_set_bio(&ssl_, this, &TestDtlsServer::send_cb, &TestDtlsServer::recv_cb, nullptr);
  mbedtls_ssl_set_timer_cb(&ssl_, this, &TestDtlsServer::set_timer_cb,
                           &TestDtlsServer::get_timer_cb);
  reset();
}

TestDtlsServer::~TestDtlsServer() {
  mbedtls_ssl_free(&ssl_);
  mbedtls_ssl_config_free(&conf_);
  mbedtls_ssl_cookie_free(&cookie_);
  mbedtls_x509_crt_free(&cert_);
  mbedtls_x509_crt_free(&client_ca_);
  mbedtls_pk_free(&key_);
}

void TestDtlsServer::reset() {
  EXPECT_EQ(mbedtls_ssl_session_reset(&ssl_), 0);
  // One peer only: a fixed transport id is enough for the cookie.
  static const unsigned char kPeer[] = "peer";
  EXPECT_EQ(mbedtls_ssl_set_client_transport_id(&ssl_, kPeer, sizeof kPeer), 0);
  connected_ = false;
  fin_ms_ = 0;
}

void TestDtlsServer::forget_session() {
  reset();
  out_.clear();
  app_in_.clear();
}

int TestDtlsServer::psk_cb(void* ctx, mbedtls_ssl_context* ssl, const unsigned char* id,
                           size_t len) {
  auto& self = *static_cast<TestDtlsServer*>(ctx);
  const Bytes& known = self.options_.psk_identity;
  if (len != known.size() || std::memcmp(id, known.data(), len) != 0) return -1;
  return mbedtls_ssl_set_hs_psk(ssl, self.options_.psk_key.data(), self.options_.psk_key.size());
}

int TestDtlsServer::send_cb(void* ctx, const unsigned char* buf, size_t len) {
  static_cast<TestDtlsServer*>(ctx)->out_.emplace_back(buf, buf + len);
  return static_cast<int>(len);
}

int TestDtlsServer::recv_cb(void* ctx, unsigned char* buf, size_t len) {
  auto& self = *static_cast<TestDtlsServer*>(ctx);
  if (!self.pending_) return MBEDTLS_ERR_SSL_WANT_READ;
  const size_t n = std::min(len, self.pending_->size());
  std::memcpy(buf, self.pending_->data(), n);
  self.pending_.reset();
  return static_cast<int>(n);
}

void TestDtlsServer::set_timer_cb(void* ctx, uint32_t int_ms, uint32_t fin_ms) {
  auto& self = *static_cast<TestDtlsServer*>(ctx);
  self.timer_start_ = self.now_;
  self.int_ms_ = int_ms;
  self.fin_ms_ = fin_ms;
}

int TestDtlsServer::get_timer_cb(void* ctx) {
  auto& self = *static_cast<TestDtlsServer*>(ctx);
  if (self.fin_ms_ == 0) return -1;
  const auto elapsed = (self.now_ - self.timer_start_).count();
  if (elapsed >= self.fin_ms_) return 2;
  if (elapsed >= self.int_ms_) return 1;
  return 0;
}

void TestDtlsServer::handle_datagram(ByteView datagram, TimePoint now) {
  now_ = now;
  pending_ = Bytes(datagram.begin(), datagram.end());
  drive();
  pending_.reset();
}

void TestDtlsServer::handle_timeout(TimePoint now) {
  now_ = now;
  if (!connected_) drive();
}

void TestDtlsServer::drive() {
  if (!connected_) {
    int ret = mbedtls_ssl_handshake(&ssl_);
    if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
      reset();  // the HelloVerifyRequest is queued; wait for the ClientHello with the cookie
      return;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) return;
    if (ret != 0) {
      last_error_ = ret;
      reset();
      return;
    }
    connected_ = true;
  }
  unsigned char buf[4096];
  for (;;) {
    int ret = mbedtls_ssl_read(&ssl_, buf, sizeof buf);
    if (ret > 0) {
      app_in_.emplace_back(buf, buf + ret);
      continue;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) return;
    if (ret == MBEDTLS_ERR_SSL_CLIENT_RECONNECT) {
      // The client started a new handshake from the same address: mbedTLS already reset
      // the context and queued the ClientHello's answer; continue as a fresh handshake.
      connected_ = false;
      drive();
      return;
    }
    last_error_ = ret;
    reset();
    return;
  }
}

std::optional<Bytes> TestDtlsServer::poll_transmit() {
  if (out_.empty()) return std::nullopt;
  Bytes d = std::move(out_.front());
  out_.pop_front();
  return d;
}

void TestDtlsServer::write(ByteView plaintext) {
  ASSERT_TRUE(connected_);
  EXPECT_EQ(mbedtls_ssl_write(&ssl_, plaintext.data(), plaintext.size()),
            static_cast<int>(plaintext.size()));
}

std::optional<Bytes> TestDtlsServer::read() {
  if (app_in_.empty()) return std::nullopt;
  Bytes d = std::move(app_in_.front());
  app_in_.pop_front();
  return d;
}

void TestDtlsServer::close_notify() {
  (void)mbedtls_ssl_close_notify(&ssl_);  // queued at once: send_cb never blocks
  reset();
}

void TestDtlsServer::send_fatal_alert(unsigned char description) {
  EXPECT_EQ(mbedtls_ssl_send_alert_message(&ssl_, MBEDTLS_SSL_ALERT_LEVEL_FATAL, description), 0);
  reset();
}

}  // namespace lwm2m::test
