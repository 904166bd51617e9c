// SPDX-License-Identifier: Apache-2.0
// DtlsSession on mbedTLS 2.28 or 3.x: in-memory bio callbacks and a timer that reads the
// time the caller handed in, so the handshake runs entirely from handshake_start /
// handle_datagram / handle_timeout calls. The differences between the two APIs are kept in
// the few lines marked "2.x/3.x" below.
#include <mbedtls/version.h>
// (version.h first: it says which of the two APIs follows)
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#include <cstring>
#include <new>
#include <utility>

#include "lwm2m/platform/dtls.hpp"

#if MBEDTLS_VERSION_MAJOR >= 3
#include <psa/crypto.h>
#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID) && MBEDTLS_SSL_DTLS_CONNECTION_ID_COMPAT == 0
// RFC 9146 Connection ID (2.28's optional CID is a pre-RFC draft with another extension
// number, so it is never used).
#define LWM2M_DTLS_CID 1
#endif
#else
// 2.x has no private_access.h: its context fields are plain members.
#define MBEDTLS_PRIVATE(member) member
#endif

namespace lwm2m::dtls {

namespace {

#if MBEDTLS_VERSION_MAJOR >= 3
// What verify_cb returns to abort the handshake (3.x removed SSL_PEER_VERIFY_FAILED).
constexpr int kVerifyFailed = MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
// The state a client waits in for the server's NewSessionTicket.
constexpr int kStateServerTicket = MBEDTLS_SSL_NEW_SESSION_TICKET;
#else
constexpr int kVerifyFailed = MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED;
constexpr int kStateServerTicket = MBEDTLS_SSL_SERVER_NEW_SESSION_TICKET;
#endif

// Cipher suites per Security mode, in preference order. CCM_8 suites are the ones LwM2M
// (Transport 1.1, 5.2.8) makes mandatory; the second of each pair is for servers without
// CCM_8.
const int kPskSuites[] = {MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8,
                          MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256, 0};
const int kCertSuites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                           MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};

/// A FIFO of whole datagrams in a fixed buffer: [2-byte length][bytes]... Pushing into a
/// full queue fails; for the outbound queue that behaves as loss on the wire, which DTLS
/// retransmission recovers from.
template <size_t Bytes>
class DatagramQueue {
 public:
  bool push(const uint8_t* p, size_t n) noexcept {
    if (n == 0 || n > 0xFFFF || used_ + 2 + n > Bytes) return false;
    buf_[used_] = static_cast<uint8_t>(n >> 8);
    buf_[used_ + 1] = static_cast<uint8_t>(n);
    std::memcpy(buf_ + used_ + 2, p, n);
    used_ += 2 + n;
    return true;
  }
  size_t front_size() const noexcept { return used_ == 0 ? 0 : (size_t{buf_[0]} << 8 | buf_[1]); }
  Result<size_t> pop(MutableByteView out) noexcept {
    const size_t n = front_size();
    if (n == 0) return size_t{0};
    if (out.size() < n) return Errc::buffer_too_small;
    std::memcpy(out.data(), buf_ + 2, n);
    std::memmove(buf_, buf_ + 2 + n, used_ - 2 - n);
    used_ -= 2 + n;
    return n;
  }
  void clear() noexcept { used_ = 0; }

 private:
  uint8_t buf_[Bytes];
  size_t used_ = 0;
};

}  // namespace

struct DtlsSession::Impl {
  Impl() noexcept {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const char kPersonalisation[] = "lwm2m-dtls-client";
    drbg_ok = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                    reinterpret_cast<const unsigned char*>(kPersonalisation),
                                    sizeof kPersonalisation - 1) == 0;
    init_contexts();
  }
  ~Impl() {
    free_contexts();
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_platform_zeroize(server_key, sizeof server_key);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void init_contexts() noexcept {
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&own_cert);
    mbedtls_pk_init(&own_key);
  }
  void free_contexts() noexcept {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&own_cert);
    mbedtls_pk_free(&own_key);
  }

  // --- mbedTLS callbacks ---------------------------------------------------------------
  static int send_cb(void* ctx, const unsigned char* buf, size_t len) {
    auto& s = *static_cast<Impl*>(ctx);
    (void)s.out.push(buf, len);  // a full queue drops the datagram, like the network would
    return static_cast<int>(len);
  }
  // One datagram per call; WANT_READ when none is queued, which is how a sans-I/O caller
  // tells mbedTLS "come back later".
  static int recv_cb(void* ctx, unsigned char* buf, size_t len) {
    auto& s = *static_cast<Impl*>(ctx);
    if (!s.has_pending) return MBEDTLS_ERR_SSL_WANT_READ;
    s.has_pending = false;
    const size_t n = s.pending.size() < len ? s.pending.size() : len;
    std::memcpy(buf, s.pending.data(), n);
    return static_cast<int>(n);
  }
  // mbedTLS's timer contract: fin_ms == 0 cancels; get returns -1 cancelled, 0 running,
  // 1 intermediate delay passed, 2 final delay passed (retransmit).
  static void set_timer_cb(void* ctx, uint32_t int_ms, uint32_t fin_ms) {
    auto& s = *static_cast<Impl*>(ctx);
    s.timer_start = s.now;
    s.int_ms = int_ms;
    s.fin_ms = fin_ms;
  }
  static int get_timer_cb(void* ctx) {
    auto& s = *static_cast<Impl*>(ctx);
    if (s.fin_ms == 0) return -1;
    // A datagram handed in after the deadline is read before retransmitting: it is most
    // likely the answer we are waiting for, and mbedTLS would otherwise resend and drop it.
    if (s.has_pending) return 0;
    const auto elapsed = (s.now - s.timer_start).count();
    if (elapsed >= static_cast<int64_t>(s.fin_ms)) return 2;
    if (elapsed >= static_cast<int64_t>(s.int_ms)) return 1;
    return 0;
  }
  // Certificate mode trusts the server by the Server Public Key resource, not by a CA
  // chain: the leaf must equal the stored certificate DER, or carry the stored
  // SubjectPublicKeyInfo. Validity dates are still enforced.
  static int verify_cb(void* ctx, mbedtls_x509_crt* crt, int depth, uint32_t* flags) {
    auto& s = *static_cast<Impl*>(ctx);
    if (depth != 0) {
      *flags = 0;  // intermediates do not matter once the leaf is pinned
      return 0;
    }
    *flags &= ~static_cast<uint32_t>(MBEDTLS_X509_BADCERT_NOT_TRUSTED);
    if (!s.pin_matches(crt)) {
      s.verify_failure = Failure::server_key_mismatch;
      return kVerifyFailed;
    }
    if ((*flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0) {
      s.verify_failure = Failure::certificate_expired;
      return kVerifyFailed;
    }
    if (*flags != 0) {
      s.verify_failure = Failure::certificate_invalid;
      return kVerifyFailed;
    }
    return 0;
  }

  int parse_own_key(ByteView der) noexcept {
#if MBEDTLS_VERSION_MAJOR >= 3
    return mbedtls_pk_parse_key(&own_key, der.data(), der.size(), nullptr, 0,
                                mbedtls_ctr_drbg_random, &drbg);
#else
    return mbedtls_pk_parse_key(&own_key, der.data(), der.size(), nullptr, 0);
#endif
  }

  bool pin_matches(mbedtls_x509_crt* crt) noexcept {
    const ByteView pin{server_key, server_key_len};
    if (crt->raw.len == pin.size() && std::memcmp(crt->raw.p, pin.data(), pin.size()) == 0) {
      return true;
    }
    unsigned char spki[1024];
    const int n = mbedtls_pk_write_pubkey_der(&crt->pk, spki, sizeof spki);
    return n > 0 && static_cast<size_t>(n) == pin.size() &&
           std::memcmp(spki + sizeof spki - n, pin.data(), pin.size()) == 0;
  }

  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  mbedtls_x509_crt own_cert;
  mbedtls_pk_context own_key;
  bool drbg_ok = false;

  TimePoint now{};
  TimePoint timer_start{};
  uint32_t int_ms = 0;
  uint32_t fin_ms = 0;

  ByteView pending;
  bool has_pending = false;
  DatagramQueue<8192> out;
  DatagramQueue<8192> app_in;
  unsigned char rx[MBEDTLS_SSL_IN_CONTENT_LEN];  // one whole record, so datagrams never split

  uint8_t server_key[CredentialStore::kMaxDer];
  size_t server_key_len = 0;
  Failure verify_failure = Failure::none;
};

bool connection_id_supported() noexcept {
#if defined(LWM2M_DTLS_CID)
  return true;
#else
  // Debian's libmbedtls-dev 2.28.3 ships config.h with MBEDTLS_SSL_DTLS_CONNECTION_ID
  // commented out: no Connection ID, so a NAT rebinding costs a new handshake.
  return false;
#endif
}

const char* backend_name() noexcept {
  return "mbedTLS " MBEDTLS_VERSION_STRING;
}

const char* to_string(Failure f) noexcept {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::unsupported_mode:
      return "security mode not supported over DTLS (RPK needs RFC 7250, absent from mbedTLS "
             "2.28 and 3.6; NoSec uses plain UDP)";
    case Failure::no_credentials:
      return "no credential of the mode's type under the tag";
    case Failure::bad_credentials:
      return "credential does not parse (key or certificate DER)";
    case Failure::bad_psk:
      return "peer could not verify the handshake: PSK differs";
    case Failure::unknown_psk_identity:
      return "peer does not know the PSK identity";
    case Failure::certificate_expired:
      return "server certificate expired or not yet valid";
    case Failure::server_key_mismatch:
      return "server certificate does not match the Server Public Key resource";
    case Failure::certificate_invalid:
      return "server certificate rejected";
    case Failure::certificate_rejected:
      return "peer rejected our certificate";
    case Failure::handshake_failure:
      return "no common cipher suite or parameters";
    case Failure::handshake_timeout:
      return "handshake timed out after all retransmissions";
    case Failure::peer_closed:
      return "peer closed the session";
    case Failure::fatal_alert:
      return "peer sent a fatal alert";
    case Failure::protocol_error:
      return "DTLS protocol error";
  }
  return "unknown";
}

const char* to_string(State s) noexcept {
  switch (s) {
    case State::idle:
      return "idle";
    case State::handshaking:
      return "handshaking";
    case State::connected:
      return "connected";
    case State::closed:
      return "closed";
    case State::failed:
      return "failed";
  }
  return "unknown";
}

DtlsSession::DtlsSession(const CredentialStore& store, const DtlsConfig& config) noexcept
    : store_(&store), config_(config), impl_(new (std::nothrow) Impl) {}

DtlsSession::~DtlsSession() = default;

// mbedTLS holds pointers into Impl only (bio, timer and verify contexts), so handing the
// block over keeps them valid.
DtlsSession::DtlsSession(DtlsSession&& other) noexcept
    : store_(other.store_),
      config_(other.config_),
      impl_(std::move(other.impl_)),
      state_(other.state_),
      failure_(other.failure_),
      last_alert_(other.last_alert_),
      mbedtls_error_(other.mbedtls_error_) {
  other.state_ = State::idle;
}

DtlsSession& DtlsSession::operator=(DtlsSession&& other) noexcept {
  if (this != &other) {
    store_ = other.store_;
    config_ = other.config_;
    impl_ = std::move(other.impl_);
    state_ = other.state_;
    failure_ = other.failure_;
    last_alert_ = other.last_alert_;
    mbedtls_error_ = other.mbedtls_error_;
    other.state_ = State::idle;
  }
  return *this;
}

Status DtlsSession::setup(TimePoint now) noexcept {
  Impl& s = *impl_;
  s.free_contexts();
  s.init_contexts();
  s.out.clear();
  s.app_in.clear();
  s.now = now;
  s.fin_ms = 0;
  s.has_pending = false;
  s.verify_failure = Failure::none;

  if (config_.mode == SecurityMode::rpk || config_.mode == SecurityMode::nosec) {
    fail(Failure::unsupported_mode, 0);
    return Errc::invalid_argument;
  }
#if MBEDTLS_VERSION_MAJOR >= 3
  // 3.x runs part of its cryptography through PSA, which must be initialised once (it is
  // idempotent and thread-safe).
  if (psa_crypto_init() != PSA_SUCCESS) {
    fail(Failure::protocol_error, 0);
    return Errc::internal_error;
  }
#endif
  if (!s.drbg_ok ||
      mbedtls_ssl_config_defaults(&s.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
    fail(Failure::protocol_error, 0);
    return Errc::internal_error;
  }
  mbedtls_ssl_conf_rng(&s.conf, mbedtls_ctr_drbg_random, &s.drbg);
  // DTLS 1.2 only (mbedTLS's 3.3 is TLS 1.2 / DTLS 1.2).
#if MBEDTLS_VERSION_MAJOR >= 3
  mbedtls_ssl_conf_min_tls_version(&s.conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(&s.conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
  mbedtls_ssl_conf_min_version(&s.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
  mbedtls_ssl_conf_handshake_timeout(&s.conf,
                                     static_cast<uint32_t>(config_.handshake_timeout_min.count()),
                                     static_cast<uint32_t>(config_.handshake_timeout_max.count()));

  if (config_.mode == SecurityMode::psk) {
    auto psk = store_->get_psk(config_.tag);
    if (!psk.ok()) {
      fail(Failure::no_credentials, 0);
      return Errc::invalid_argument;
    }
    if (mbedtls_ssl_conf_psk(&s.conf, psk->key.data(), psk->key.size(), psk->identity.data(),
                             psk->identity.size()) != 0) {
      fail(Failure::bad_credentials, 0);
      return Errc::invalid_argument;
    }
    mbedtls_ssl_conf_ciphersuites(&s.conf, kPskSuites);
  } else {
    auto ec = store_->get_ecdsa(config_.tag);
    if (!ec.ok() || ec->server_key.empty()) {
      fail(Failure::no_credentials, 0);
      return Errc::invalid_argument;
    }
    std::memcpy(s.server_key, ec->server_key.data(), ec->server_key.size());
    s.server_key_len = ec->server_key.size();
    // The Server Public Key resource must be a certificate or a SubjectPublicKeyInfo.
    mbedtls_x509_crt probe_crt;
    mbedtls_pk_context probe_pk;
    mbedtls_x509_crt_init(&probe_crt);
    mbedtls_pk_init(&probe_pk);
    const bool server_key_ok =
        mbedtls_x509_crt_parse_der(&probe_crt, s.server_key, s.server_key_len) == 0 ||
        mbedtls_pk_parse_public_key(&probe_pk, s.server_key, s.server_key_len) == 0;
    mbedtls_x509_crt_free(&probe_crt);
    mbedtls_pk_free(&probe_pk);
    if (!server_key_ok ||
        mbedtls_x509_crt_parse_der(&s.own_cert, ec->own_cert.data(), ec->own_cert.size()) != 0 ||
        s.parse_own_key(ec->private_key) != 0 ||
        mbedtls_ssl_conf_own_cert(&s.conf, &s.own_cert, &s.own_key) != 0) {
      fail(Failure::bad_credentials, 0);
      return Errc::invalid_argument;
    }
    // OPTIONAL: a missing CA chain is not an error; verify_cb makes the decision and
    // aborts the handshake itself on a mismatch or a bad date.
    mbedtls_ssl_conf_authmode(&s.conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_verify(&s.conf, &Impl::verify_cb, &s);
    mbedtls_ssl_conf_ciphersuites(&s.conf, kCertSuites);
  }

#if defined(LWM2M_DTLS_CID)
  // RFC 9146: we ask for a zero-length CID of our own (the server's records to us carry
  // none; our address is what the server's CID makes unimportant) and use the server's.
  if (config_.connection_id) mbedtls_ssl_conf_cid(&s.conf, 0, MBEDTLS_SSL_UNEXPECTED_CID_IGNORE);
#endif
  if (mbedtls_ssl_setup(&s.ssl, &s.conf) != 0) {
    fail(Failure::protocol_error, 0);
    return Errc::internal_error;
  }
#if defined(LWM2M_DTLS_CID)
  if (config_.connection_id) (void)mbedtls_ssl_set_cid(&s.ssl, MBEDTLS_SSL_CID_ENABLED, nullptr, 0);
#endif
  mbedtls_ssl_set_bio(&s.ssl, &s, &Impl::send_cb, &Impl::recv_cb, nullptr);
  mbedtls_ssl_set_timer_cb(&s.ssl, &s, &Impl::set_timer_cb, &Impl::get_timer_cb);
  mbedtls_ssl_set_mtu(&s.ssl, config_.mtu);
  state_ = State::handshaking;
  return {};
}

Status DtlsSession::handshake_start(TimePoint now) noexcept {
  if (!impl_) return Errc::internal_error;
  failure_ = Failure::none;
  last_alert_ = -1;
  mbedtls_error_ = 0;
  LWM2M_TRY(setup(now));
  drive();
  return {};
}

Status DtlsSession::handle_datagram(ByteView datagram, TimePoint now) noexcept {
  if (!impl_ || state_ == State::idle) return Errc::invalid_state;
  Impl& s = *impl_;
  s.now = now;
  // Late datagrams after a failure or close are dropped; so are empty ones, which the
  // bio would otherwise report as end-of-connection (recv returning 0).
  if ((state_ != State::handshaking && state_ != State::connected) || datagram.empty()) return {};
  s.pending = datagram;
  s.has_pending = true;
  drive();
  return {};
}

Status DtlsSession::handle_timeout(TimePoint now) noexcept {
  if (!impl_ || state_ == State::idle) return Errc::invalid_state;
  impl_->now = now;
  if (state_ == State::handshaking) drive();
  return {};
}

TimePoint DtlsSession::next_deadline() const noexcept {
  if (!impl_ || state_ != State::handshaking || impl_->fin_ms == 0) return kNever;
  return impl_->timer_start + Duration{impl_->fin_ms};
}

Result<size_t> DtlsSession::poll_transmit(MutableByteView out) noexcept {
  if (!impl_) return size_t{0};
  return impl_->out.pop(out);
}

Status DtlsSession::write(ByteView plaintext) noexcept {
  if (state_ != State::connected) return Errc::invalid_state;
  if (plaintext.size() > max_plaintext()) return Errc::invalid_argument;
  const int ret = mbedtls_ssl_write(&impl_->ssl, plaintext.data(), plaintext.size());
  if (ret < 0) {
    fail(classify(ret), ret);
    return Errc::internal_error;
  }
  return {};
}

Result<size_t> DtlsSession::read(MutableByteView out) noexcept {
  if (!impl_) return size_t{0};
  return impl_->app_in.pop(out);
}

Status DtlsSession::close_notify() noexcept {
  if (!impl_ || state_ == State::idle) return Errc::invalid_state;
  if (state_ == State::connected) (void)mbedtls_ssl_close_notify(&impl_->ssl);
  if (state_ == State::connected || state_ == State::handshaking) state_ = State::closed;
  impl_->fin_ms = 0;
  return {};
}

size_t DtlsSession::max_plaintext() const noexcept {
  if (state_ != State::connected) return 0;
  const int n = mbedtls_ssl_get_max_out_record_payload(&impl_->ssl);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool DtlsSession::connection_id_in_use() const noexcept {
#if defined(LWM2M_DTLS_CID)
  if (state_ != State::connected) return false;
  int enabled = MBEDTLS_SSL_CID_DISABLED;
  unsigned char peer_cid[MBEDTLS_SSL_CID_OUT_LEN_MAX];
  size_t len = 0;
  return mbedtls_ssl_get_peer_cid(&impl_->ssl, &enabled, peer_cid, &len) == 0 &&
         enabled == MBEDTLS_SSL_CID_ENABLED;
#else
  return false;
#endif
}

const char* DtlsSession::ciphersuite() const noexcept {
  if (state_ != State::connected) return "";
  return mbedtls_ssl_get_ciphersuite(&impl_->ssl);
}

void DtlsSession::fail(Failure f, int mbedtls_error) noexcept {
  state_ = State::failed;
  failure_ = f;
  mbedtls_error_ = mbedtls_error;
  if (impl_) impl_->fin_ms = 0;
}

Failure DtlsSession::classify(int ret) noexcept {
  Impl& s = *impl_;
  if (s.verify_failure != Failure::none) return s.verify_failure;
  switch (ret) {
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: {
      // mbedTLS leaves the alert record in in_msg: [level, description].
      const unsigned char* msg = s.ssl.MBEDTLS_PRIVATE(in_msg);
      last_alert_ = msg != nullptr ? msg[1] : -1;
      switch (last_alert_) {
        case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_PSK_IDENTITY:
          return Failure::unknown_psk_identity;
        case MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC:
        case MBEDTLS_SSL_ALERT_MSG_DECRYPTION_FAILED:
        case MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR:
          // In PSK mode the first MAC-protected message is Finished; failing it means the
          // two sides derived different keys from different PSKs.
          return config_.mode == SecurityMode::psk ? Failure::bad_psk : Failure::fatal_alert;
        case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE:
        case MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY:
          return Failure::handshake_failure;
        case MBEDTLS_SSL_ALERT_MSG_NO_CERT:
        case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
        case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
        case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
        case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
        case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
        case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
        case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
          return Failure::certificate_rejected;
        default:
          return Failure::fatal_alert;
      }
    }
    case MBEDTLS_ERR_SSL_TIMEOUT:
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
      // Servers answer a Finished they cannot decrypt differently: mbedTLS with a
      // bad_record_mac alert, GnuTLS (libcoap) with close_notify, OpenSSL with silence (RFC
      // 6347 4.1.2.7 lets it drop the record). In PSK mode, a server that answered our hello
      // flights and then closes or goes quiet right after our Finished has a different key.
      // (With a ticket-capable server such as OpenSSL, mbedTLS waits for NewSessionTicket.)
      if (const int hs = s.ssl.MBEDTLS_PRIVATE(state);
          state_ == State::handshaking && config_.mode == SecurityMode::psk &&
          (hs == kStateServerTicket || hs == MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC ||
           hs == MBEDTLS_SSL_SERVER_FINISHED)) {
        return Failure::bad_psk;
      }
      return ret == MBEDTLS_ERR_SSL_TIMEOUT ? Failure::handshake_timeout : Failure::peer_closed;
#if MBEDTLS_VERSION_MAJOR >= 3
    case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
#else
    case MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO:
#endif
      return Failure::handshake_failure;
    case MBEDTLS_ERR_SSL_INVALID_MAC:
      return config_.mode == SecurityMode::psk ? Failure::bad_psk : Failure::protocol_error;
    case kVerifyFailed:
#if MBEDTLS_VERSION_MAJOR < 3
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
#endif
      return Failure::certificate_invalid;
    default:
      return Failure::protocol_error;
  }
}

void DtlsSession::drive() noexcept {
  Impl& s = *impl_;
  if (state_ == State::handshaking) {
    const int ret = mbedtls_ssl_handshake(&s.ssl);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
      s.has_pending = false;
      return;
    }
    if (ret != 0) {
      fail(classify(ret), ret);
      s.has_pending = false;
      return;
    }
    state_ = State::connected;
  }
  if (state_ != State::connected) return;
  // Application records may follow Finished in the same datagram, and one datagram may
  // carry several records: read until mbedTLS asks for more input.
  for (;;) {
    const int ret = mbedtls_ssl_read(&s.ssl, s.rx, sizeof s.rx);
    if (ret > 0) {
      (void)s.app_in.push(s.rx, static_cast<size_t>(ret));  // a full queue drops, as UDP would
      continue;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) break;
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
      state_ = State::closed;
      failure_ = Failure::peer_closed;
    } else {
      fail(classify(ret), ret);
    }
    s.has_pending = false;
    if (config_.rehandshake_on_peer_close && setup(s.now).ok()) drive();
    return;
  }
  s.has_pending = false;
}

}  // namespace lwm2m::dtls
