// SPDX-License-Identifier: Apache-2.0
// One fleet client's DTLS (--psk-key): its PSK in a one-entry credential store, and the
// library's DTLS channel while a session runs. The fleet's loop drives it: ciphertext from
// the client's socket in, the channel's deadline in the timer heap, plaintext to the client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lwm2m/credentials.hpp"
#include "lwm2m/platform/secure_channel.hpp"
#include "lwm2m/security.hpp"

namespace lwm2m::fleet {

/// True when this build has DTLS (lwm2m::dtls was built).
bool dtls_available() noexcept;

class SecureLink {
 public:
  SecureLink() noexcept : store_(entry_, arena_) {}
  SecureLink(const SecureLink&) = delete;  // the store points into this object
  SecureLink& operator=(const SecureLink&) = delete;

  /// Stores the client's PSK: `identity` (its endpoint name) and `key`.
  Status set_psk(std::string_view identity, ByteView key) noexcept;
  /// A fresh session for `security` (the client's Security instance) with its handshake
  /// started; false with the error and reason in words when no channel can be made.
  bool open(const PeerSecurity& security, TimePoint now, Errc& error, std::string& reason);
  /// Drops the session (the client closed its connection, or the session failed).
  void close() noexcept;

  SecureChannel* channel() const noexcept { return channel_.get(); }
  /// The client's datagrams that wait for the handshake (at most two: a Register, and a
  /// De-register or Update), sent once the session is up.
  std::vector<std::vector<uint8_t>>& held() noexcept { return held_; }
  void hold(ByteView datagram);

  bool session_up = false;  ///< the channel was connected when last looked at
  bool refused = false;     ///< the server refused our identity or key, at least once

 private:
  CredentialStore::Entry entry_[1];
  uint8_t arena_[CredentialStore::kMaxPskIdentity + CredentialStore::kMaxPskKey];
  CredentialStore store_;
  std::unique_ptr<SecureChannel> channel_;
  std::vector<std::vector<uint8_t>> held_;
};

}  // namespace lwm2m::fleet
