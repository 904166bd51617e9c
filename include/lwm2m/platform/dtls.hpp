// SPDX-License-Identifier: Apache-2.0
// DTLS 1.2 client channel on mbedTLS, sans-I/O: ciphertext datagrams in, plaintext out,
// and the reverse; a retransmission deadline driven by the caller's clock. It never reads a
// clock, never blocks and never touches a socket. Platform code: link lwm2m::dtls.
//
// Driving it (one session per server):
//   session.handshake_start(now);
//   loop: send every poll_transmit() datagram; wait for a datagram or next_deadline();
//         handle_datagram(bytes, now) or handle_timeout(now); drain read() while connected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "lwm2m/bytes.hpp"
#include "lwm2m/credentials.hpp"
#include "lwm2m/security.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::dtls {

/// The Security Mode (/0/x/2). This layer runs PSK and certificate mode; RPK (no RFC 7250
/// in mbedTLS, 2.28 or 3.6), EST and NoSec are refused with Failure::unsupported_mode.
using lwm2m::SecurityMode;
using lwm2m::uses_dtls;

enum class State : uint8_t {
  idle,         ///< constructed, no handshake started
  handshaking,  ///< flights in progress; next_deadline() is the retransmission timer
  connected,    ///< write()/read() carry application data
  closed,       ///< close_notify sent or received
  failed,       ///< handshake or record layer failed; last_error() says why
};

/// Why a session is not (or no longer) connected.
enum class Failure : uint8_t {
  none = 0,
  unsupported_mode,  ///< RPK (mbedTLS has no RFC 7250) or NoSec (use plain UDP)
  no_credentials,    ///< the tag has no credential of the mode's type, or no server key
  bad_credentials,   ///< our key or certificate (or the server key resource) does not parse
  /// Peer could not verify our Finished: the keys differ. Reported for a bad_record_mac or
  /// decrypt_error alert, and for a close_notify or a timeout right after our Finished
  /// (how GnuTLS and OpenSSL servers answer a wrong key).
  bad_psk,
  unknown_psk_identity,  ///< peer does not know our PSK identity
  certificate_expired,   ///< server certificate outside its validity period
  server_key_mismatch,   ///< server certificate/key differs from the Server Public Key resource
  certificate_invalid,   ///< server certificate rejected for another reason
  certificate_rejected,  ///< the peer rejected our certificate (bad/expired/unknown CA alert)
  handshake_failure,     ///< no common cipher suite or parameters (handshake_failure alert)
  handshake_timeout,     ///< no answer after the last retransmission
  peer_closed,           ///< peer sent close_notify
  fatal_alert,           ///< peer sent another fatal alert (see last_alert())
  protocol_error,        ///< anything else mbedTLS reported (see last_mbedtls_error())
};

const char* to_string(Failure f) noexcept;
const char* to_string(State s) noexcept;

/// How a DtlsSession authenticates and times its handshake.
struct DtlsConfig {
  SecurityMode mode = SecurityMode::psk;  ///< PSK (0) or certificate (2); others are refused
  CredentialTag tag = 0;  ///< PSK (mode 0) or ECDSA (mode 2) credential in the store
  /// RFC 6347 4.2.4.1: initial retransmission timer 1 s, doubled with each retransmission;
  /// the handshake fails once a wait at the maximum went unanswered. 8 s gives up after
  /// about 23 s of silence (1 + 2 + 4 + 8 + 8), so a server that drops our Finished (another
  /// PSK) is reported before the CoAP exchange waiting for the handshake (at least 45 s)
  /// times out; RFC 6347's 60 s took over two minutes.
  Duration handshake_timeout_min{1000};
  Duration handshake_timeout_max{8000};  ///< longest wait for the peer's next flight; doubled from
                                         ///< handshake_timeout_min up to this
  /// Largest datagram the session emits (IPv6 minimum MTU minus IP and UDP headers).
  uint16_t mtu = 1232;
  /// A connected session that receives close_notify or a fatal alert starts a fresh
  /// handshake at once (the server lost or dropped the session); last_error() keeps the
  /// reason. Off: the session stays closed/failed until handshake_start().
  bool rehandshake_on_peer_close = true;
  /// RFC 9146 Connection ID, where connection_id_supported(): the client asks for a
  /// zero-length CID of its own and tags its records with the one the server gives, so the
  /// session survives a change of the client's address or port (a NAT rebinding) without a
  /// new handshake. A server without CID support simply ignores the offer. Off: no offer.
  bool connection_id = true;
};

/// DTLS Connection ID (RFC 9146): true when built on mbedTLS 3.x with Connection ID
/// support (3.6 LTS has it in its default configuration). Debian's libmbedtls-dev 2.28 has
/// none (and 2.28's optional one is a pre-RFC draft), so there an address change (a NAT
/// rebinding) costs the session: the server no longer recognises the client's records.
bool connection_id_supported() noexcept;
/// The TLS library this layer was built on, e.g. "mbedTLS 3.6.6".
const char* backend_name() noexcept;
/// RFC 7250 raw public keys: mbedTLS (2.28 and 3.6) has no client/server_certificate_type extension
/// (19/20; ssl.h defines no such MBEDTLS_TLS_EXT_*), so Security mode 1 is refused.
constexpr bool raw_public_keys_supported() noexcept {
  return false;
}

/// One client-side DTLS 1.2 session. Movable, not copyable: the mbedTLS contexts live in
/// one heap block (about 35 kB plus mbedTLS's own record buffers) that a move hands over;
/// a moved-from session is idle and refuses everything. Not thread-safe: drive it from one
/// thread. Every function is noexcept and returns errors as values.
class DtlsSession {
 public:
  /// `store` must outlive the session; the credential for `config.tag` is read (and copied)
  /// at each handshake_start, so a credential changed in between applies to the next one.
  DtlsSession(const CredentialStore& store, const DtlsConfig& config) noexcept;
  ~DtlsSession();
  /// Takes over `other`'s session; `other` becomes idle.
  DtlsSession(DtlsSession&& other) noexcept;
  /// Takes over `other`'s session (this one's is freed); `other` becomes idle.
  DtlsSession& operator=(DtlsSession&& other) noexcept;
  DtlsSession(const DtlsSession&) = delete;
  DtlsSession& operator=(const DtlsSession&) = delete;

  /// Starts a fresh handshake (from any state: a connected or failed session is reset
  /// first, dropping queued data). Errors: invalid_argument for RPK/NoSec or missing or bad
  /// credentials (state failed, last_error says which); internal_error if mbedTLS fails.
  Status handshake_start(TimePoint now) noexcept;
  /// Feeds one received ciphertext datagram. Errors only for misuse (invalid_state when idle);
  /// protocol failures show in state()/last_error(). Garbage datagrams are dropped silently,
  /// as DTLS requires.
  Status handle_datagram(ByteView datagram, TimePoint now) noexcept;
  /// Call when next_deadline() has passed: retransmits the last flight or gives up.
  Status handle_timeout(TimePoint now) noexcept;
  /// When handle_timeout() must be called; kNever when no timer runs.
  TimePoint next_deadline() const noexcept;
  /// Copies the next ciphertext datagram to send into `out`; 0 when none is queued.
  /// buffer_too_small keeps the datagram queued.
  Result<size_t> poll_transmit(MutableByteView out) noexcept;

  /// Encrypts one application datagram. invalid_state unless connected: nothing is ever sent
  /// in clear. invalid_argument when larger than max_plaintext().
  Status write(ByteView plaintext) noexcept;
  /// Copies the next decrypted application datagram into `out`; 0 when none is queued.
  Result<size_t> read(MutableByteView out) noexcept;
  /// Sends close_notify (if connected) and moves to closed.
  Status close_notify() noexcept;

  /// Where the session is: idle, handshaking, connected, closed or failed.
  State state() const noexcept { return state_; }
  /// Why the session failed (Failure::none otherwise).
  Failure last_error() const noexcept { return failure_; }
  /// Alert description the peer sent with its last fatal alert (RFC 5246 7.2), or -1.
  int last_alert() const noexcept { return last_alert_; }
  /// Raw mbedTLS error code of the last failure (negative), 0 when none.
  int last_mbedtls_error() const noexcept { return mbedtls_error_; }
  /// Largest write() accepted in the current state (0 unless connected).
  size_t max_plaintext() const noexcept;
  /// Connected, and the server gave a Connection ID that our records now carry.
  bool connection_id_in_use() const noexcept;
  /// Negotiated cipher suite name, or "" when not connected.
  const char* ciphersuite() const noexcept;

  struct Impl;  // mbedTLS contexts and queues; defined in src/platform/dtls/

 private:
  void drive() noexcept;
  void fail(Failure f, int mbedtls_error) noexcept;
  Failure classify(int mbedtls_error) noexcept;
  Status setup(TimePoint now) noexcept;

  const CredentialStore* store_;
  DtlsConfig config_;
  std::unique_ptr<Impl> impl_;
  State state_ = State::idle;
  Failure failure_ = Failure::none;
  int last_alert_ = -1;
  int mbedtls_error_ = 0;
};

}  // namespace lwm2m::dtls
