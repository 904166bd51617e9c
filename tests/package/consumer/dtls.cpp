// SPDX-License-Identifier: Apache-2.0
// A C++ program on the installed lwm2m::dtls: a PSK session made through the factory the
// runner uses, so mbedTLS must come along with the target.
#include <cstdint>
#include <lwm2m/platform/dtls_channel.hpp>
#include <string>

int main() {
  lwm2m::StaticCredentialStore<2, 256> store;
  const uint8_t identity[] = {'n', 'o', 'd', 'e'};
  const uint8_t key[] = {0x01, 0x02, 0x03, 0x04};
  lwm2m::PeerSecurity peer;
  peer.security_iid = 0;
  peer.ssid = 1;
  peer.uri = "coaps://127.0.0.1:5684";
  peer.mode = lwm2m::SecurityMode::psk;
  peer.identity = identity;
  peer.secret_key = key;
  auto factory = lwm2m::dtls::secure_channel_factory(store);
  lwm2m::Errc error = lwm2m::Errc::ok;
  std::string reason;
  auto channel = factory(peer, error, reason);
  return channel ? 0 : 1;
}
