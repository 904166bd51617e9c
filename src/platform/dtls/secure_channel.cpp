// SPDX-License-Identifier: Apache-2.0
// A SecureChannel on a DtlsSession, and the factory the runner calls for coaps://
// servers. Glue only: the session does the protocol, the runner the sockets.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lwm2m/platform/dtls_channel.hpp"

namespace lwm2m::dtls {
namespace {

bool same_bytes(ByteView a, ByteView b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

/// The Errc the runner hands to client.peer_failed() for a session failure.
Errc errc_of(Failure f) noexcept {
  switch (f) {
    case Failure::unsupported_mode:
      return Errc::unsupported;
    case Failure::no_credentials:
    case Failure::bad_credentials:
      return Errc::invalid_argument;
    case Failure::bad_psk:
    case Failure::unknown_psk_identity:
    case Failure::certificate_rejected:
      return Errc::unauthorized;
    case Failure::certificate_expired:
    case Failure::server_key_mismatch:
    case Failure::certificate_invalid:
    case Failure::handshake_failure:
      return Errc::forbidden;
    case Failure::handshake_timeout:
      return Errc::timeout;
    case Failure::peer_closed:
    case Failure::fatal_alert:
      return Errc::reset;
    case Failure::none:
    case Failure::protocol_error:
      break;
  }
  return Errc::internal_error;
}

// Said once per process, on the first session: without a Connection ID an address change
// costs the session, and the fix is a build choice, not a setting.
std::atomic<bool> g_no_cid_said{false};

class DtlsChannel final : public SecureChannel {
 public:
  DtlsChannel(const CredentialStore& store, const DtlsConfig& config)
      : session_(store, config),
        cid_wanted_(config.connection_id),
        // One buffer for both directions' "view valid until the next call": the largest
        // record mbedTLS may emit or deliver, with DTLS header and expansion.
        buf_(size_t{16384} + 512) {}

  void start(TimePoint now) noexcept override { (void)session_.handshake_start(now); }
  void handle_ciphertext(ByteView datagram, TimePoint now) noexcept override {
    (void)session_.handle_datagram(datagram, now);
  }
  void handle_timeout(TimePoint now) noexcept override { (void)session_.handle_timeout(now); }
  TimePoint next_deadline() const noexcept override { return session_.next_deadline(); }
  std::optional<ByteView> poll_ciphertext() noexcept override {
    auto n = session_.poll_transmit({buf_.data(), buf_.size()});
    if (!n || *n == 0) return std::nullopt;
    return ByteView{buf_.data(), *n};
  }
  std::optional<ByteView> poll_plaintext() noexcept override {
    auto n = session_.read({buf_.data(), buf_.size()});
    if (!n || *n == 0) return std::nullopt;
    return ByteView{buf_.data(), *n};
  }
  Status write(ByteView plaintext, TimePoint) noexcept override {
    return session_.write(plaintext);
  }
  bool connected() const noexcept override { return session_.state() == State::connected; }
  // Only a failed state counts: after a close_notify or fatal alert on a connected session
  // the session is already re-handshaking (DtlsConfig::rehandshake_on_peer_close), and
  // last_error() merely remembers why.
  bool failed(Errc& error, const char*& reason) const noexcept override {
    if (session_.state() != State::failed && session_.state() != State::closed) return false;
    const Failure f =
        session_.last_error() == Failure::none ? Failure::peer_closed : session_.last_error();
    error = errc_of(f);
    reason = to_string(f);
    return true;
  }
  bool connection_id_in_use() const noexcept override { return session_.connection_id_in_use(); }
  const char* end_reason() const noexcept override {
    const Failure f = session_.last_error();
    if (f == Failure::none) return "";
    if (session_.last_alert() < 0) return to_string(f);
    std::snprintf(reason_, sizeof reason_, "%s, alert %d", to_string(f), session_.last_alert());
    return reason_;
  }
  const char* session_info() const noexcept override {
    const char* cid = "";
    if (session_.connection_id_in_use()) {
      cid = "Connection ID in use";
    } else if (!connection_id_supported()) {
      cid = g_no_cid_said.exchange(true)
                ? "no Connection ID"
                : "no Connection ID: this build's mbedTLS has none (RFC 9146 needs mbedTLS 3.x, "
                  "LWM2M_MBEDTLS_SOURCE); an address change will cost a new handshake";
    } else if (!cid_wanted_) {
      cid = "Connection ID off";
    } else {
      cid = "no Connection ID: the server gave none";
    }
    std::snprintf(info_, sizeof info_, "%s, %s, %s", backend_name(), session_.ciphersuite(), cid);
    return info_;
  }

 private:
  DtlsSession session_;
  bool cid_wanted_;
  mutable char info_[224] = {};
  mutable char reason_[64] = {};
  std::vector<uint8_t> buf_;
};

}  // namespace

Status store_security_credential(CredentialStore& store, CredentialTag tag,
                                 const PeerSecurity& security) noexcept {
  const ByteView identity = security.identity;
  const ByteView secret = security.secret_key;
  if (identity.empty() && secret.empty()) return {};
  if (identity.empty() || secret.empty()) return Errc::invalid_argument;
  switch (security.mode) {
    case SecurityMode::psk: {
      if (auto have = store.get_psk(tag);
          have && same_bytes(have->identity, identity) && same_bytes(have->key, secret))
        return {};
      if (store.contains(tag, CredentialType::psk)) (void)store.remove(tag, CredentialType::psk);
      return store.add(tag, PskCredential{identity, secret});
    }
    case SecurityMode::certificate: {
      const ByteView server_key = security.server_public_key;
      if (auto have = store.get_ecdsa(tag); have && same_bytes(have->private_key, secret) &&
                                            same_bytes(have->own_cert, identity) &&
                                            same_bytes(have->server_key, server_key))
        return {};
      if (store.contains(tag, CredentialType::ecdsa))
        (void)store.remove(tag, CredentialType::ecdsa);
      return store.add(tag, EcdsaCredential{secret, identity, server_key});
    }
    default:
      return Errc::unsupported;
  }
}

SecureChannelFactory secure_channel_factory(CredentialStore& store, ChannelOptions options) {
  // Runs on the runner thread, under the runner's lock (see the header): the store is
  // mutated here and read by the sessions, never concurrently.
  return [&store, options](const PeerSecurity& security, Errc& error,
                           std::string& reason) -> std::unique_ptr<SecureChannel> {
    const uint16_t iid = security.security_iid;
    DtlsConfig config = options.session;
    switch (security.mode) {
      case SecurityMode::psk:
      case SecurityMode::certificate:
        config.mode = security.mode;
        break;
      case SecurityMode::rpk:
        error = Errc::unsupported;
        reason = "Security instance " + std::to_string(iid) +
                 ": mode 1 (raw public key) is not supported, mbedTLS has no RFC 7250";
        return nullptr;
      case SecurityMode::nosec:
        error = Errc::invalid_argument;
        reason = "Security instance " + std::to_string(iid) +
                 ": mode 3 (NoSec) with a coaps:// URI; use coap://";
        return nullptr;
      default:
        error = Errc::unsupported;
        reason = "Security instance " + std::to_string(iid) + ": mode " +
                 std::to_string(static_cast<int>(security.mode)) + " is not supported";
        return nullptr;
    }
    config.tag = credential_tag(options, iid);
    if (Status st = store_security_credential(store, config.tag, security); !st) {
      error = st.error();
      reason = "Security instance " + std::to_string(iid) + ": cannot store its credential " +
               "under tag " + std::to_string(config.tag) + ": " + to_string(st.error());
      return nullptr;
    }
    const CredentialType type =
        config.mode == SecurityMode::psk ? CredentialType::psk : CredentialType::ecdsa;
    if (!store.contains(config.tag, type)) {
      error = Errc::invalid_argument;
      reason = "Security instance " + std::to_string(iid) + ": no " +
               (type == CredentialType::psk ? "PSK" : "certificate") + " credential under tag " +
               std::to_string(config.tag);
      return nullptr;
    }
    return std::make_unique<DtlsChannel>(store, config);
  };
}

}  // namespace lwm2m::dtls
