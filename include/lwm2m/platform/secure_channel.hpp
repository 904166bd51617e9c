// SPDX-License-Identifier: Apache-2.0
// The seam between a driver (the POSIX runner, a RIOT or bare-metal loop) and a security
// layer such as lwm2m::dtls: a sans-I/O channel over one server's datagrams, and the factory
// a driver calls when a server URI is coaps://. Neither side depends on the other.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lwm2m/bytes.hpp"
#include "lwm2m/security.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m {

/// A security layer over one peer's datagrams (DTLS). Sans-I/O like the core: the driver
/// moves ciphertext between it and the socket.
class SecureChannel {
 public:
  virtual ~SecureChannel() = default;
  /// Starts the handshake.
  virtual void start(TimePoint now) noexcept = 0;
  /// A datagram from the peer arrived.
  virtual void handle_ciphertext(ByteView datagram, TimePoint now) noexcept = 0;
  /// Time passed: retransmit a handshake flight or give up.
  virtual void handle_timeout(TimePoint now) noexcept = 0;
  /// When handle_timeout() is next due; kNever when no timer runs.
  virtual TimePoint next_deadline() const noexcept = 0;
  /// Ciphertext to send; the view stays valid until the next call.
  virtual std::optional<ByteView> poll_ciphertext() noexcept = 0;
  /// Application data received; the view stays valid until the next call.
  virtual std::optional<ByteView> poll_plaintext() noexcept = 0;
  /// invalid_state until the handshake completed: nothing ever leaves in clear.
  virtual Status write(ByteView plaintext, TimePoint now) noexcept = 0;
  /// True once the handshake completed and until the session ends.
  virtual bool connected() const noexcept = 0;
  /// The handshake or session failed; `reason` says why in words.
  virtual bool failed(Errc& error, const char*& reason) const noexcept = 0;
  /// What the log shows once a session is up (cipher suite, Connection ID); "" for nothing.
  virtual const char* session_info() const noexcept { return ""; }
  /// The session carries a DTLS Connection ID (RFC 9146): it survives an address change.
  virtual bool connection_id_in_use() const noexcept { return false; }
  /// Why the last session ended when the peer ended it (close_notify, a fatal alert) and
  /// the channel started a new handshake on its own; "" when unknown.
  virtual const char* end_reason() const noexcept { return ""; }
};

/// Makes the channel for a coaps:// peer from its security parameters; null with an error
/// and a reason in words (unsupported mode, missing credentials) when that is impossible.
using SecureChannelFactory = std::function<std::unique_ptr<SecureChannel>(
    const PeerSecurity& security, Errc& error, std::string& reason)>;

}  // namespace lwm2m
