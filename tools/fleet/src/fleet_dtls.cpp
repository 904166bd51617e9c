// SPDX-License-Identifier: Apache-2.0
// The fleet's DTLS (--psk-key): each device's SecureLink driven from the loop as the POSIX
// runner drives its channel. The client's datagrams wait for the handshake and then leave
// as records; records in become the client's datagrams; a failed session fails the exchange
// in progress and the client's retry timers apply. A refused identity or key is counted
// apart: when every client was refused and none registered, the fleet gives up.
#include <cstdio>
#include <string>

#include "fleet.hpp"

namespace lwm2m::fleet {
namespace {

constexpr size_t kSessionFailuresLogged = 5;  // then only counted, in the progress line

}  // namespace

bool Fleet::open_session(uint32_t index, TimePoint now) {
  Device& d = devices_[index];
  SecureLink& link = links_[index];
  drop_session(index);
  Errc error = Errc::invalid_argument;
  std::string reason = "the client has no server account to secure";
  const std::optional<PeerSecurity> security = d.client.peer_security(d.peer);
  if (security && link.open(*security, now, error, reason)) {
    send_ciphertext(index);  // the ClientHello leaves now, not at the next wake-up
    return true;
  }
  // Never plain UDP to a coaps:// server: the exchange waiting for the session fails.
  if (++session_failures_ <= kSessionFailuresLogged)
    std::fprintf(stderr, "%slwm2m-fleet: %s-%zu: cannot start DTLS: %s\n", tty_ ? "\n" : "",
                 opt_.prefix.c_str(), slice_.first + index, reason.c_str());
  link.held().clear();
  d.client.peer_failed(d.peer, error, now);
  return false;
}

void Fleet::send_secure(uint32_t index, ByteView datagram, TimePoint now) {
  SecureLink& link = links_[index];
  // After a failed session, what the client sends next starts a new handshake.
  if (!link.channel() && !open_session(index, now)) return;
  SecureChannel& channel = *link.channel();
  if (!channel.connected() || !channel.write(datagram, now).ok()) link.hold(datagram);
  send_ciphertext(index);
}

void Fleet::receive_secure(uint32_t index, ByteView datagram, TimePoint now) {
  SecureLink& link = links_[index];
  if (!link.channel()) return;  // no session: a late record of an old one
  link.channel()->handle_ciphertext(datagram, now);
  drive_session(index, now);
}

void Fleet::secure_timeout(uint32_t index, TimePoint now) {
  SecureLink& link = links_[index];
  if (!link.channel() || link.channel()->next_deadline() > now) return;
  link.channel()->handle_timeout(now);  // a handshake flight again, or the session fails
  drive_session(index, now);
}

// After every input to the channel: what it sends, whether it came up or went down, what it
// decrypted for the client.
void Fleet::drive_session(uint32_t index, TimePoint now) {
  Device& d = devices_[index];
  SecureLink& link = links_[index];
  SecureChannel& channel = *link.channel();
  send_ciphertext(index);
  if (channel.connected() != link.session_up) {
    link.session_up = channel.connected();
    if (link.session_up) {
      ++sessions_;
      if (!session_info_said_) {
        session_info_said_ = true;
        std::fprintf(stderr, "%slwm2m-fleet: DTLS sessions: %s\n", tty_ ? "\n" : "",
                     channel.session_info());
      }
    } else {
      --sessions_;  // the server ended it; the channel has started a new handshake
    }
  }
  if (channel.connected() && !link.held().empty()) {
    for (const std::vector<uint8_t>& h : link.held())
      (void)channel.write({h.data(), h.size()}, now);
    link.held().clear();
    send_ciphertext(index);
  }
  while (auto plaintext = channel.poll_plaintext())
    d.client.handle_datagram(d.peer, *plaintext, now);
  Errc error = Errc::ok;
  const char* reason = nullptr;
  if (channel.failed(error, reason)) session_failed(index, error, reason, now);
}

void Fleet::session_failed(uint32_t index, Errc error, const char* reason, TimePoint now) {
  Device& d = devices_[index];
  SecureLink& link = links_[index];
  drop_session(index);
  link.held().clear();
  const bool refused = error == Errc::unauthorized;  // identity unknown or key different
  if (++session_failures_ <= kSessionFailuresLogged) {
    const std::string name = opt_.prefix + "-" + std::to_string(slice_.first + index);
    if (refused) {
      std::fprintf(stderr,
                   "%slwm2m-fleet: %s: the server refused the DTLS handshake (%s): --psk-key must "
                   "be the key the server holds for identity %s (lwm2m-server takes the whole "
                   "fleet with --psk-identity-prefix %s- --psk-key HEX); it tries again as its "
                   "Server object's retry timers say\n",
                   tty_ ? "\n" : "", name.c_str(), reason, name.c_str(), opt_.prefix.c_str());
    } else {
      std::fprintf(stderr,
                   "%slwm2m-fleet: %s: DTLS failed (%s)%s; the exchange in progress fails and "
                   "the client tries again as its Server object's retry timers say\n",
                   tty_ ? "\n" : "", name.c_str(), reason,
                   error == Errc::timeout ? " (is --server the server's DTLS port?)" : "");
    }
  }
  if (refused && !link.refused) {
    link.refused = true;
    ++refused_;
  }
  d.client.peer_failed(d.peer, error, now);
}

void Fleet::send_ciphertext(uint32_t index) {
  SecureChannel* channel = links_[index].channel();
  if (!channel) return;
  while (auto record = channel->poll_ciphertext())
    (void)devices_[index].socket.send_to(server_, *record);
}

void Fleet::drop_session(uint32_t index) {
  SecureLink& link = links_[index];
  if (link.session_up) --sessions_;
  link.close();
}

TimePoint Fleet::session_deadline(uint32_t index) const {
  const SecureChannel* channel = links_[index].channel();
  return channel ? channel->next_deadline() : kNever;
}

std::string Fleet::dtls_progress() const {
  if (!opt_.dtls()) return "";
  std::string s = ", DTLS: " + std::to_string(sessions_) + " sessions, " +
                  std::to_string(session_failures_) + " failed";
  if (refused_ > 0)
    s += " (" + std::to_string(refused_) +
         " refused by the server: --psk-key must be the key it holds for identities " +
         opt_.prefix + "-N)";
  return s;
}

}  // namespace lwm2m::fleet
