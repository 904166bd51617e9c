// SPDX-License-Identifier: Apache-2.0
// Test-only helpers: P-256 keys and certificates generated at test time with mbedTLS's
// x509write API (no key files in the tree), and a DTLS 1.2 server written directly on
// mbedTLS, driven through memory like our client so that tests control loss and time; and
// what tests against libcoap's programs need (PEM files, a child process, free ports).
// Shared with tests/integration/dtls.
#pragma once

#include <sys/types.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cookie.h>
#include <mbedtls/x509_crt.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/bytes.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::test {

using Bytes = std::vector<uint8_t>;

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

/// A deterministic-enough RNG for key generation in tests (seeded from the system entropy).
class TestRng {
 public:
  TestRng();
  ~TestRng();
  mbedtls_ctr_drbg_context* drbg() { return &drbg_; }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

/// A P-256 key pair: private key as SEC1 DER (RFC 5915), public as SubjectPublicKeyInfo DER.
struct KeyPair {
  Bytes private_der;
  Bytes public_der;
};
KeyPair generate_p256(TestRng& rng);

/// A self-signed X.509 v3 certificate (DER) for `key`, valid between the two dates
/// ("YYYYMMDDhhmmss", UTC).
Bytes self_signed_cert(TestRng& rng, const KeyPair& key, const std::string& cn,
                       const std::string& not_before = "20240101000000",
                       const std::string& not_after = "20491231235959");

struct ServerOptions {
  // PSK mode when identity is non-empty.
  Bytes psk_identity;
  Bytes psk_key;
  // Certificate mode: our certificate and key; the client's certificate is the only trust
  // anchor (mutual authentication, as LwM2M certificate mode does).
  Bytes cert;
  Bytes key;
  Bytes trusted_client_cert;
  int handshake_timeout_min_ms = 1000;
  int handshake_timeout_max_ms = 60000;
};

/// One-peer DTLS server on mbedTLS, sans-I/O. Uses HelloVerifyRequest cookies as real
/// servers do. Datagrams it emits are queued for the test to deliver, drop or inspect.
class TestDtlsServer {
 public:
  explicit TestDtlsServer(const ServerOptions& options);
  ~TestDtlsServer();
  TestDtlsServer(const TestDtlsServer&) = delete;
  TestDtlsServer& operator=(const TestDtlsServer&) = delete;

  void handle_datagram(ByteView datagram, TimePoint now);
  void handle_timeout(TimePoint now);
  std::optional<Bytes> poll_transmit();
  bool connected() const { return connected_; }
  /// Last fatal mbedTLS error of the handshake (0 while fine).
  int last_error() const { return last_error_; }
  void write(ByteView plaintext);
  std::optional<Bytes> read();
  void close_notify();
  /// Sends a fatal alert (encrypted with the session keys) and forgets the session.
  void send_fatal_alert(unsigned char description);
  /// Limits the suites the server accepts (`list` is 0-terminated and must outlive it).
  void restrict_ciphersuites(const int* list) { mbedtls_ssl_conf_ciphersuites(&conf_, list); }
  /// Forgets the session, as a restarted server would.
  void forget_session();

 private:
  void reset();
  void drive();
  static int send_cb(void* ctx, const unsigned char* buf, size_t len);
  static int recv_cb(void* ctx, unsigned char* buf, size_t len);
  static void set_timer_cb(void* ctx, uint32_t int_ms, uint32_t fin_ms);
  static int get_timer_cb(void* ctx);
  static int psk_cb(void* ctx, mbedtls_ssl_context* ssl, const unsigned char* id, size_t len);

  ServerOptions options_;
  TestRng rng_;
  mbedtls_ssl_cookie_ctx cookie_;
  mbedtls_ssl_config conf_;
  mbedtls_ssl_context ssl_;
  mbedtls_x509_crt cert_;
  mbedtls_x509_crt client_ca_;
  mbedtls_pk_context key_;
  std::deque<Bytes> out_;
  std::deque<Bytes> app_in_;
  std::optional<Bytes> pending_;
  TimePoint now_{};
  TimePoint timer_start_{};
  uint32_t int_ms_ = 0;
  uint32_t fin_ms_ = 0;
  bool connected_ = false;
  int last_error_ = 0;
};

/// `der` as PEM text under `label` ("CERTIFICATE", "EC PRIVATE KEY"), as OpenSSL reads it.
std::string to_pem(const Bytes& der, const std::string& label);
/// Writes `text` to `path` (replacing it); false on error.
bool write_file(const std::string& path, const std::string& text);

/// True when `path` names an executable (false for an empty path).
bool executable(const char* path);

/// A child process we started; killed (by its pid) and reaped when the test ends. Its
/// stdout and stderr go to /dev/null.
class Child {
 public:
  explicit Child(std::vector<std::string> argv);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

/// A port P with P and P+1 free on 127.0.0.1 (libcoap's server puts DTLS on P+1); 0 if none.
uint16_t free_port_pair();

/// Waits until a libcoap server answers a CoAP ping (empty CON, RFC 7252 4.3) on its plain
/// UDP port with a Reset: then its DTLS port is bound too.
bool wait_until_listening(uint16_t port);

/// DTLS record header check: content type 20..23, version DTLS 1.0 (fe ff) or 1.2 (fe fd).
bool looks_like_dtls_record(ByteView datagram);

}  // namespace lwm2m::test
