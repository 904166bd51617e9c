// SPDX-License-Identifier: Apache-2.0
#include "secure_link.hpp"

#if LWM2M_FLEET_HAVE_DTLS
#include "lwm2m/platform/dtls_channel.hpp"
#endif

namespace lwm2m::fleet {
namespace {

#if LWM2M_FLEET_HAVE_DTLS
// The channel looks the credential up by the Security instance's tag (tag_base + iid); the
// fleet's one instance is 0, and each link has a store of its own.
const dtls::ChannelOptions kChannel{};
#endif

}  // namespace

bool dtls_available() noexcept {
  return LWM2M_FLEET_HAVE_DTLS != 0;
}

Status SecureLink::set_psk(std::string_view identity, ByteView key) noexcept {
#if LWM2M_FLEET_HAVE_DTLS
  const ByteView id{reinterpret_cast<const uint8_t*>(identity.data()), identity.size()};
  return store_.add(dtls::credential_tag(kChannel, 0), PskCredential{id, key});
#else
  (void)identity;
  (void)key;
  return Errc::unsupported;
#endif
}

bool SecureLink::open(const PeerSecurity& security, TimePoint now, Errc& error,
                      std::string& reason) {
  close();
#if LWM2M_FLEET_HAVE_DTLS
  channel_ = dtls::secure_channel_factory(store_, kChannel)(security, error, reason);
  if (!channel_) return false;
  channel_->start(now);
  return true;
#else
  (void)security;
  (void)now;
  error = Errc::not_implemented;
  reason = "this build has no DTLS";
  return false;
#endif
}

void SecureLink::close() noexcept {
  channel_.reset();
  session_up = false;
}

void SecureLink::hold(ByteView datagram) {
  constexpr size_t kMaxHeld = 2;
  if (held_.size() == kMaxHeld) held_.erase(held_.begin());
  held_.emplace_back(datagram.begin(), datagram.end());
}

}  // namespace lwm2m::fleet
