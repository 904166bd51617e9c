// SPDX-License-Identifier: Apache-2.0
// End to end over DTLS: our core::Client driven by posix::Runner with
// dtls::secure_channel_factory, against the libcoap test server speaking DTLS PSK (OpenSSL)
// on loopback. A UDP relay between the two records every datagram the client sends, so the
// tests can show that nothing left in the clear.
//
// Certificate mode runs against libcoap's coap-server-openssl in cert_test.cpp (the test
// server only speaks PSK).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "dtls_fixture.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace itest;
using namespace std::chrono_literals;
namespace ts = testserver;

ts::Options server_options(uint16_t port = 0) {
  ts::Options o;
  o.bind_address = "127.0.0.1";
  o.port = port;
  o.psk = {ts::PskCredential{kIdentity, kKey}};
  o.request_timeout = kWait;
  return o;
}

// ---- tests ----------------------------------------------------------------------------

TEST(DtlsIntegration, RegistersReadsAndObservesOverDtls) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();

  auto reg = server.wait_registered(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(reg) << client.log_text();
  EXPECT_TRUE(reg->has_link("/3/0"));
  // The Security instance's PSK went into the store under tag_base + instance id.
  auto psk = client.store().get_psk(10);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(std::string(psk->identity.begin(), psk->identity.end()), kIdentity);

  auto r = server.read(DtlsClient::endpoint(), "/3/0", ts::ContentFormat::senml_json);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_NE(r.text().find("dtls-test"), std::string::npos) << r.text();

  // A request that fits the 200-byte receive buffer as CoAP (about 185 bytes) but not once
  // encrypted (record header, nonce and tag add 29 bytes) still arrives: the buffer bounds
  // CoAP messages, not DTLS records.
  ts::Request big;
  big.path = "/3/0/0";
  big.query = {"pad=" + std::string(160, 'p')};
  auto b = server.send_request(DtlsClient::endpoint(), big);
  EXPECT_TRUE(b.received()) << b.describe() << "\n" << client.log_text();

  client.runner().locked([&](core::Client&) { client.device().set_battery_level(10); });
  auto obs = server.observe(DtlsClient::endpoint(), "/3/0/9", ts::ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  client.runner().locked([&](core::Client&) { client.device().set_battery_level(42); });
  auto n = obs.wait_notification(kWait);
  ASSERT_TRUE(n) << client.log_text();
  EXPECT_EQ(n->text(), "42");

  EXPECT_EQ(handshakes_started(relay.from_client()), 1);
  EXPECT_TRUE(client.wait_log("server 1: DTLS session established", kWait)) << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, UpdateAfterServerDroppedTheSessionGoesThroughANewHandshake) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  // request_update() only acts once the client has the 2.01 (the server registers first).
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();
  ASSERT_EQ(handshakes_started(relay.from_client()), 1);

  ASSERT_EQ(server.drop_sessions(), 1);
  // The client hears close_notify and starts a new handshake on its own.
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  auto upd = server.wait_update(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(upd) << client.log_text();
  EXPECT_GE(handshakes_started(relay.from_client()), 2);
  // Still one registration: the Update went through, no new Register was needed.
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  EXPECT_TRUE(server.read(DtlsClient::endpoint(), "/3/0/0").ok());
  // The log tells the story: replaced because the server closed it, then established again.
  EXPECT_TRUE(client.wait_log(
      "DTLS session replaced: closed by the server (peer closed the session); new handshake",
      kWait))
      << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, UpdateAfterAFailedReHandshakeStartsAnotherOne) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();

  // The server closes the session and the client's new handshake gets lost: the session
  // fails while the client is registered and has nothing in flight.
  relay.set_drop_from_client(true);
  ASSERT_EQ(server.drop_sessions(), 1);
  ASSERT_TRUE(client.wait_log("DTLS failed: handshake timed out", kWait)) << client.log_text();
  relay.set_drop_from_client(false);

  // The next Update starts a handshake of its own and goes through, still registered.
  const int before = handshakes_started(relay.from_client());
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  ASSERT_TRUE(server.wait_update(DtlsClient::endpoint(), kWait)) << client.log_text();
  EXPECT_GT(handshakes_started(relay.from_client()), before);
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, ServerCrashLosesTheSessionAndTheClientRegistersAgain) {
  std::optional<ts::Server> server(std::in_place, server_options());
  const uint16_t port = server->port();
  Relay relay(port);
  DtlsClient client({.uri = coaps_uri(relay.port())});
  client.start();
  ASSERT_TRUE(server->wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();

  // The server crashes (its close_notify never reaches the client) and a new one comes
  // up on the same port: no DTLS session, no registration.
  relay.set_drop_from_server(true);
  server.reset();
  server.emplace(server_options(port));
  relay.set_drop_from_server(false);
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  // The Update goes into the old session, which the new server does not know; once it
  // times out the client registers again, over a new handshake.
  auto reg = server->wait_registered(DtlsClient::endpoint(), kWait);
  ASSERT_TRUE(reg) << client.log_text();
  EXPECT_GE(handshakes_started(relay.from_client()), 2);

  // And the next Update goes through.
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 2, kWait)) << client.log_text();
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  EXPECT_TRUE(server->wait_update(DtlsClient::endpoint(), kWait)) << client.log_text();
  expect_all_dtls(relay.from_client());
}

// A wrong key or an unknown identity: the handshake fails, the runner logs why, the client
// retries with a new handshake per attempt as the Server object's retry resources say, and
// then gives up; no registration, and nothing the client sent was readable.
void expect_refused(const ClientOptions& base, const char* reason) {
  ts::Server server(server_options());
  Relay relay(server.port());
  ClientOptions o = base;
  o.uri = coaps_uri(relay.port());
  o.retry_count = 2;
  DtlsClient client(o);
  client.start();

  ASSERT_TRUE(client.wait_log("DTLS failed", kWait)) << client.log_text();
  EXPECT_TRUE(client.wait_log(reason, kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  EXPECT_FALSE(server.client(DtlsClient::endpoint()));
  EXPECT_EQ(client.count_events(core::EventKind::registered), 0);
  EXPECT_GE(handshakes_started(relay.from_client()), 2) << client.log_text();
  expect_all_dtls(relay.from_client());
}

TEST(DtlsIntegration, WrongPskIsReportedRetriedAndNeverInTheClear) {
  Bytes wrong = kKey;
  wrong[0] ^= 0xFF;
  expect_refused({.uri = "", .key = wrong}, "PSK differs");
}

TEST(DtlsIntegration, UnknownIdentityIsReportedRetriedAndNeverInTheClear) {
  expect_refused({.uri = "", .identity = "stranger"}, "does not know the PSK identity");
}

TEST(DtlsIntegration, RawPublicKeyModeIsRefusedBeforeAnythingIsSent) {
  ts::Server server(server_options());
  Relay relay(server.port());
  DtlsClient client({.uri = coaps_uri(relay.port()), .mode = objects::SecurityMode::rpk});
  client.start();
  EXPECT_TRUE(client.wait_log("raw public key", kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  EXPECT_TRUE(relay.from_client().empty());
}

// ---- the factory's credential handling (no network) ------------------------------------

objects::SecurityInstance psk_instance(dm::InstanceId iid, std::string_view identity,
                                       const Bytes& key) {
  objects::SecurityInstance s;
  s.id = iid;
  s.mode = objects::SecurityMode::psk;
  EXPECT_TRUE(s.uri.assign(std::string_view("coaps://127.0.0.1:5684")).ok());
  EXPECT_TRUE(s.identity.assign(identity).ok());
  EXPECT_TRUE(s.secret_key.assign(ByteView{key.data(), key.size()}).ok());
  return s;
}

TEST(DtlsChannelFactory, StoresTheInstanceCredentialUnderTagBasePlusInstanceId) {
  StaticCredentialStore<4, 1024> store;
  dtls::ChannelOptions options;
  options.tag_base = 40;
  auto factory = dtls::secure_channel_factory(store, options);
  Errc err = Errc::ok;
  std::string reason;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", kKey).peer(), err, reason)) << reason;
  auto psk = store.get_psk(42);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(std::string(psk->identity.begin(), psk->identity.end()), "id-2");

  // A new key written by a bootstrap server replaces the old one; the same bytes again
  // change nothing.
  Bytes rotated = kKey;
  rotated[3] ^= 0x55;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", rotated).peer(), err, reason)) << reason;
  EXPECT_TRUE(factory(psk_instance(2, "id-2", rotated).peer(), err, reason)) << reason;
  EXPECT_EQ(store.size(), 1u);
  psk = store.get_psk(42);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(Bytes(psk->key.begin(), psk->key.end()), rotated);
}

TEST(DtlsChannelFactory, CertificateModeFieldsGoToTheMatchingEcdsaParts) {
  // Stand-ins short enough for the default 64-byte Security resources; what matters is which
  // resource lands in which part: /0/x/3 our certificate, /0/x/5 our private key, /0/x/4
  // the server's certificate.
  const Bytes cert(40, 0xC3), key(32, 0x5E), server(48, 0x54);
  objects::SecurityInstance s;
  s.id = 1;
  s.mode = objects::SecurityMode::certificate;
  ASSERT_TRUE(s.uri.assign(std::string_view("coaps://127.0.0.1:5684")).ok());
  ASSERT_TRUE(s.identity.assign(ByteView{cert.data(), cert.size()}).ok());
  ASSERT_TRUE(s.secret_key.assign(ByteView{key.data(), key.size()}).ok());
  ASSERT_TRUE(s.server_key.assign(ByteView{server.data(), server.size()}).ok());
  StaticCredentialStore<4, 1024> store;
  auto factory = dtls::secure_channel_factory(store);
  Errc err = Errc::ok;
  std::string reason;
  EXPECT_TRUE(factory(s.peer(), err, reason)) << reason;
  auto ecdsa = store.get_ecdsa(11);
  ASSERT_TRUE(ecdsa.ok());
  EXPECT_EQ(Bytes(ecdsa->own_cert.begin(), ecdsa->own_cert.end()), cert);
  EXPECT_EQ(Bytes(ecdsa->private_key.begin(), ecdsa->private_key.end()), key);
  EXPECT_EQ(Bytes(ecdsa->server_key.begin(), ecdsa->server_key.end()), server);
  EXPECT_FALSE(store.contains(11, CredentialType::psk));
}

TEST(DtlsChannelFactory, AnInstanceWithoutKeysUsesWhatTheApplicationStored) {
  StaticCredentialStore<4, 1024> store;
  auto factory = dtls::secure_channel_factory(store);
  objects::SecurityInstance bare = psk_instance(0, "", {});
  Errc err = Errc::ok;
  std::string reason;
  EXPECT_FALSE(factory(bare.peer(), err, reason));
  EXPECT_EQ(err, Errc::invalid_argument);
  EXPECT_NE(reason.find("tag 10"), std::string::npos) << reason;

  ASSERT_TRUE(
      store.add(10, PskCredential{as_bytes(std::string_view("app")), {kKey.data(), 16}}).ok());
  EXPECT_TRUE(factory(bare.peer(), err, reason)) << reason;
  // Half a credential is refused rather than guessed at.
  EXPECT_FALSE(factory(psk_instance(0, "only-identity", {}).peer(), err, reason));
  EXPECT_EQ(err, Errc::invalid_argument);
}

}  // namespace
}  // namespace lwm2m
