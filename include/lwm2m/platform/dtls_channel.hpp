// SPDX-License-Identifier: Apache-2.0
// DTLS for a driver such as the posix::Runner: a SecureChannelFactory that wraps each coaps://
// server in a lwm2m::dtls::DtlsSession. Depends on no driver: link lwm2m::dtls.
//
//   lwm2m::StaticCredentialStore<4, 4096> store;
//   lwm2m::posix::Runner runner(client, config);
//   runner.set_secure_channel_factory(lwm2m::dtls::secure_channel_factory(store));
//
// Credentials are found by tag, as RIOT's client does with credman: Security instance N uses
// tag `tag_base + N`. An instance that carries its own identity and secret key (written by
// the bootstrap server, or factory configuration through SecurityObject::add) puts them into
// the store under that tag before each handshake; an instance without them uses whatever the
// application stored under the tag beforehand.
#pragma once

#include "lwm2m/credentials.hpp"
#include "lwm2m/platform/dtls.hpp"
#include "lwm2m/platform/secure_channel.hpp"
#include "lwm2m/security.hpp"

namespace lwm2m::dtls {

/// How secure_channel_factory() makes its sessions.
struct ChannelOptions {
  /// Tag of Security instance 0's credential (RIOT's CONFIG_LWM2M_CREDMAN_TAG_BASE).
  CredentialTag tag_base = 10;
  /// Timers, MTU and Connection ID for every session; `mode` and `tag` are replaced per
  /// Security instance. `session.connection_id = false` turns the RFC 9146 Connection ID
  /// off (it is on by default where the mbedTLS build has it: 3.x, not Debian's 2.28).
  DtlsConfig session{};
};

/// The credential tag of Security instance `iid`.
constexpr CredentialTag credential_tag(const ChannelOptions& options, uint16_t iid) noexcept {
  return static_cast<CredentialTag>(options.tag_base + iid);
}

/// Copies the credential a Security instance carries (/0/x/3, /0/x/4, /0/x/5) into `store`
/// under `tag`, replacing what was there for the instance's mode. Nothing happens (ok) when
/// the instance carries neither identity nor secret key, or when the store already holds
/// exactly these bytes. Errors: unsupported for modes other than PSK and certificate,
/// invalid_argument for a half-filled credential (identity without key or the reverse) or
/// lengths the store refuses, no_space when the store is full (the old credential is then
/// gone too: better no credential than a stale one).
Status store_security_credential(CredentialStore& store, CredentialTag tag,
                                 const PeerSecurity& security) noexcept;

/// A SecureChannelFactory making DtlsSession channels. The credential for Security
/// instance N is tag `tag_base + N` in `store`; when the instance carries its own identity /
/// secret key they are (re)stored under that tag first (store_security_credential), so the
/// Security object populates the store as RIOT's client does. The mode comes from the
/// instance: 0 PSK, 2 certificate (pinned to the Server Public Key resource); 1 RPK and 4 EST
/// are refused with a reason (mbedTLS has no RFC 7250), 3 NoSec never reaches a factory.
///
/// `store` must outlive the factory and every channel it made. The factory and the channels
/// use it on the runner thread (the factory runs when the runner opens a connection, a
/// session reads it at each handshake): the application must not change the store while the
/// runner runs, except from inside Runner::locked().
SecureChannelFactory secure_channel_factory(CredentialStore& store, ChannelOptions options = {});

}  // namespace lwm2m::dtls
