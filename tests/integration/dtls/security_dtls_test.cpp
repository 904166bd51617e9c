// SPDX-License-Identifier: Apache-2.0
// Security statements that need DTLS:
//  - the PSK never appears in the log (every line the runner emits: it has no levels, its
//    hook gets everything, requests served included) nor on the wire, in any form: raw,
//    hex either case, base64; through a whole session, a session the server closes, and a
//    session refused for a wrong key;
//  - a coaps:// server that never answers gets DTLS handshake records and nothing else, the
//    retries included;
//  - a credential replaced or removed leaves no byte of the old key in the store's memory
//    (the Security object's own storage: tests/unit/objects/security_wipe_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dtls_fixture.hpp"
#include "lwm2m/platform/dtls_channel.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace itest;
namespace ts = testserver;

std::string hex(const Bytes& b, const char* digits) {
  std::string s;
  for (uint8_t x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

std::string base64(const Bytes& b) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (size_t i = 0; i < b.size(); i += 3) {
    uint32_t v = uint32_t{b[i]} << 16;
    if (i + 1 < b.size()) v |= uint32_t{b[i + 1]} << 8;
    if (i + 2 < b.size()) v |= b[i + 2];
    s += a[v >> 18 & 63];
    s += a[v >> 12 & 63];
    s += i + 1 < b.size() ? a[v >> 6 & 63] : '=';
    s += i + 2 < b.size() ? a[v & 63] : '=';
  }
  return s;
}

// Every form the key could take in text, and a prefix long enough to matter (10 of 16
// bytes, in case a line is cut).
std::vector<std::string> forms_of(const Bytes& key) {
  const std::string raw(key.begin(), key.end());
  const Bytes head(key.begin(), key.begin() + 10);
  return {raw,
          hex(key, "0123456789abcdef"),
          hex(key, "0123456789ABCDEF"),
          hex(head, "0123456789abcdef"),
          hex(head, "0123456789ABCDEF"),
          base64(key),
          base64(head).substr(0, 12)};
}

void expect_key_absent(const std::string& text, const Bytes& key) {
  for (const std::string& f : forms_of(key))
    EXPECT_EQ(text.find(f), std::string::npos) << "the key, as \"" << f << "\", is in:\n" << text;
}

void expect_key_absent(const std::vector<Bytes>& datagrams, const Bytes& key) {
  for (const Bytes& d : datagrams)
    EXPECT_EQ(std::search(d.begin(), d.end(), key.begin(), key.end()), d.end());
}

ts::Options psk_server() {
  ts::Options o;
  o.bind_address = "127.0.0.1";
  o.psk = {ts::PskCredential{kIdentity, kKey}};
  o.request_timeout = kWait;
  return o;
}

TEST(SecurityStatementsDtls, ThePskNeverAppearsInTheLogNorOnTheWire) {
  // A printable key too, so that a "%s" of it would show verbatim.
  const Bytes printable = {'k', 'e', 'y', '-', 'Q', '7', 'x', 'P',
                           'z', '2', 'm', 'W', 'r', '9', 'L', 'v'};
  for (const Bytes& key : {kKey, printable}) {
    ts::Options o = psk_server();
    o.psk = {ts::PskCredential{kIdentity, key}};
    ts::Server server(o);
    Relay relay(server.port());
    DtlsClient client({.uri = coaps_uri(relay.port()), .key = key});
    client.start();
    ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();
    ASSERT_TRUE(server.read(DtlsClient::endpoint(), "/0/0/5").code_string() == "4.01");
    ASSERT_TRUE(server.read(DtlsClient::endpoint(), "/3/0").ok());
    // The server ends the session: the client says so and shakes hands again.
    ASSERT_EQ(server.drop_sessions(), 1);
    client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
    ASSERT_TRUE(client.wait_events(core::EventKind::updated, 1, kWait)) << client.log_text();
    ASSERT_TRUE(client.wait_log("DTLS session replaced", kWait)) << client.log_text();
    expect_key_absent(client.log_text(), key);
    expect_key_absent(relay.from_client(), key);
  }
  // And refused for a wrong key: the log explains without showing either key.
  ts::Server server(psk_server());
  Relay relay(server.port());
  const Bytes wrong = {'w', 'r', 'o', 'n', 'g', '-', 'k', 'e',
                       'y', '-', '0', '1', '2', '3', '4', '5'};
  DtlsClient client({.uri = coaps_uri(relay.port()), .key = wrong});
  client.start();
  ASSERT_TRUE(client.wait_log("DTLS failed", kWait)) << client.log_text();
  expect_key_absent(client.log_text(), wrong);
  expect_key_absent(client.log_text(), kKey);
}

TEST(SecurityStatementsDtls, ASilentCoapsServerGetsHandshakeRecordsOnly) {
  // The relay forwards to a port where nothing listens: every handshake times out and the
  // client retries as its Server object says; nothing it sends is plain CoAP.
  auto dead = posix::UdpSocket::open(0, true);
  ASSERT_TRUE(dead.ok());
  Relay relay(dead->local_port());
  DtlsClient client({.uri = coaps_uri(relay.port()), .retry_count = 2});
  client.start();
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  const std::vector<Bytes> sent = relay.from_client();
  expect_all_dtls(sent);
  EXPECT_GE(handshakes_started(sent), 2);
  EXPECT_EQ(application_data_records(sent), 0);
}

// The bytes of `needle` anywhere in `hay`.
bool holds(ByteView hay, const Bytes& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

TEST(SecurityStatementsDtls, AReplacedOrRemovedCredentialLeavesNoKeyByteInTheStore) {
  CredentialStore::Entry entries[4];
  uint8_t arena[256] = {};
  CredentialStore store(entries, arena);
  const Bytes old_key = {0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18,
                         0x29, 0x3A, 0x4B, 0x5C, 0x6D, 0x7E, 0x8F, 0x90};
  const Bytes new_key = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  const std::string id = "node";
  PeerSecurity sec;
  sec.mode = SecurityMode::psk;
  sec.identity = as_bytes(std::string_view(id));
  sec.secret_key = {old_key.data(), old_key.size()};
  ASSERT_TRUE(dtls::store_security_credential(store, 10, sec).ok());
  // Another credential after it, so that the removal moves bytes around.
  ASSERT_TRUE(store.add(11, PskCredential{as_bytes("other"), as_bytes("other-key")}).ok());
  ASSERT_TRUE(holds({arena, sizeof arena}, old_key));

  // The server writes a new key (bootstrap): the next handshake stores it under the tag.
  sec.secret_key = {new_key.data(), new_key.size()};
  ASSERT_TRUE(dtls::store_security_credential(store, 10, sec).ok());
  EXPECT_FALSE(holds({arena, sizeof arena}, old_key)) << "the old key is still in memory";
  EXPECT_FALSE(holds({arena, sizeof arena}, Bytes(old_key.begin(), old_key.begin() + 4)));
  ASSERT_TRUE(holds({arena, sizeof arena}, new_key));

  // Removed outright: none of its bytes are left, and what is unused is zero.
  ASSERT_TRUE(store.remove(10, CredentialType::psk).ok());
  EXPECT_FALSE(holds({arena, sizeof arena}, new_key));
  for (size_t i = store.arena_used(); i < sizeof arena; ++i)
    ASSERT_EQ(arena[i], 0) << "byte " << i << " after the used part";
  EXPECT_EQ(std::string(as_string(store.get_psk(11)->key)), "other-key");
}

}  // namespace
}  // namespace lwm2m
