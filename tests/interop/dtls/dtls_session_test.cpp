// SPDX-License-Identifier: Apache-2.0
// Our client DtlsSession against an mbedTLS server built in the test, over an in-memory
// link whose time and loss the test controls.
#include "lwm2m/platform/dtls.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dtls_support.hpp"

namespace lwm2m::dtls {
namespace {

using test::Bytes;
using test::bytes_of;
using test::ServerOptions;
using test::TestDtlsServer;

constexpr CredentialTag kTag = 11;
const TimePoint t0 = from_millis(100000);

TimePoint at(int64_t ms) {
  return t0 + Duration{ms};
}

constexpr uint8_t kHandshake = 22;
constexpr uint8_t kAlert = 21;
constexpr uint8_t kApplicationData = 23;

/// Moves datagrams both ways until both sides are quiet, recording what the client sent.
struct Link {
  Link(DtlsSession& c, TestDtlsServer& s) : client(c), server(s) {}
  DtlsSession& client;
  TestDtlsServer& server;
  std::vector<Bytes> client_sent;
  int drop_next_client = 0;

  void pump(TimePoint now) {
    for (int round = 0; round < 64; ++round) {
      bool moved = false;
      for (;;) {
        uint8_t buf[2048];
        auto n = client.poll_transmit(buf);
        ASSERT_TRUE(n.ok());
        if (*n == 0) break;
        moved = true;
        client_sent.emplace_back(buf, buf + *n);
        if (drop_next_client > 0) {
          --drop_next_client;
          continue;
        }
        server.handle_datagram(client_sent.back(), now);
      }
      while (auto d = server.poll_transmit()) {
        moved = true;
        ASSERT_TRUE(client.handle_datagram(*d, now).ok());
      }
      if (!moved) return;
    }
    FAIL() << "link did not settle";
  }

  /// Every datagram the client emitted is a DTLS record; application data (type 23) only
  /// if `allow_app_data`; and `secret` never appears in clear.
  void expect_only_dtls(bool allow_app_data, std::string_view secret = {}) const {
    for (const Bytes& d : client_sent) {
      EXPECT_TRUE(test::looks_like_dtls_record(d)) << "first byte " << int{d.empty() ? -1 : d[0]};
      if (!allow_app_data) {
        EXPECT_NE(d[0], kApplicationData);
      }
      if (!secret.empty()) {
        EXPECT_EQ(std::search(d.begin(), d.end(), secret.begin(), secret.end()), d.end());
      }
    }
  }
};

/// Cipher suites a ClientHello datagram offers (RFC 6347 4.3.2 layout), without the
/// renegotiation SCSV.
std::vector<int> offered_suites(const Bytes& d) {
  size_t p = 13 + 12 + 2 + 32;  // record header, handshake header, version, random
  p += 1 + d.at(p);             // session id
  p += 1 + d.at(p);             // cookie
  const size_t len = size_t{d.at(p)} << 8 | d.at(p + 1);
  std::vector<int> out;
  for (size_t i = p + 2; i < p + 2 + len; i += 2) {
    const int suite = d.at(i) << 8 | d.at(i + 1);
    if (suite != 0x00FF) out.push_back(suite);
  }
  return out;
}

Bytes read_all(DtlsSession& s) {
  uint8_t buf[2048];
  auto n = s.read(buf);
  EXPECT_TRUE(n.ok());
  return Bytes(buf, buf + (n.ok() ? *n : 0));
}

struct PskFixture : ::testing::Test {
  StaticCredentialStore<4, 1024> store;
  DtlsConfig config;
  ServerOptions server_options;

  void SetUp() override {
    ASSERT_TRUE(
        store.add(kTag, PskCredential{as_bytes("Client_Identity"), as_bytes("ThisIsRIOT!")}).ok());
    config.mode = SecurityMode::psk;
    config.tag = kTag;
    server_options.psk_identity = bytes_of("Client_Identity");
    server_options.psk_key = bytes_of("ThisIsRIOT!");
  }
};

TEST_F(PskFixture, HandshakeThenApplicationDataBothWays) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  EXPECT_EQ(client.state(), State::idle);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  EXPECT_EQ(client.state(), State::handshaking);
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_TRUE(server.connected());
  // The server picks by its own preference; what matters is what we offer, in our order:
  // LwM2M's mandatory CCM_8 suite first.
  EXPECT_EQ(offered_suites(link.client_sent.at(0)),
            (std::vector<int>{MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8,
                              MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256}));
  EXPECT_EQ(client.next_deadline(), kNever);

  const std::string request = "GET coap://server/secret-path";
  ASSERT_TRUE(client.write(as_bytes(request)).ok());
  link.pump(at(10));
  auto got = server.read();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, bytes_of(request));
  EXPECT_EQ(link.client_sent.back()[0], kApplicationData);

  server.write(as_bytes("2.05 Content"));
  link.pump(at(20));
  EXPECT_EQ(read_all(client), bytes_of("2.05 Content"));
  EXPECT_TRUE(read_all(client).empty());
  link.expect_only_dtls(true, "secret-path");
}

TEST_F(PskFixture, FallsBackToCbcWhenTheServerHasNoCcm8) {
  // A server limited to the second suite still connects (LwM2M 1.0 servers often are).
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  static const int kCbcOnly[] = {MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256, 0};
  server.restrict_ciphersuites(kCbcOnly);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_STREQ(client.ciphersuite(), "TLS-PSK-WITH-AES-128-CBC-SHA256");
}

TEST_F(PskFixture, NegotiatesCcm8WhenTheServerOffersIt) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  static const int kCcm8Only[] = {MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8, 0};
  server.restrict_ciphersuites(kCcm8Only);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_STREQ(client.ciphersuite(), "TLS-PSK-WITH-AES-128-CCM-8");
  ASSERT_TRUE(client.write(as_bytes("ccm8")).ok());
  link.pump(at(1));
  EXPECT_EQ(server.read(), bytes_of("ccm8"));
}

TEST_F(PskFixture, WriteIsRefusedUntilConnected) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  EXPECT_EQ(client.write(as_bytes("early")), Errc::invalid_state);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  EXPECT_EQ(client.write(as_bytes("early")), Errc::invalid_state);
  EXPECT_EQ(client.max_plaintext(), 0u);
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);
  EXPECT_GT(client.max_plaintext(), 1000u);
  EXPECT_LT(client.max_plaintext(), 1232u);
  const Bytes too_big(client.max_plaintext() + 1, 0x42);
  EXPECT_EQ(client.write(too_big), Errc::invalid_argument);
  link.expect_only_dtls(false, "early");
}

TEST_F(PskFixture, LostFirstFlightIsRetransmittedAtTheDeadline) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  link.drop_next_client = 1;
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(link.client_sent.size(), 1u);
  const Bytes first_hello = link.client_sent[0];
  EXPECT_EQ(first_hello[0], kHandshake);
  EXPECT_EQ(first_hello[13], 1) << "handshake type ClientHello";
  EXPECT_EQ(client.next_deadline(), at(1000));  // RFC 6347 4.2.4.1: 1 s initial timer

  ASSERT_TRUE(client.handle_timeout(at(999)).ok());
  link.pump(at(999));
  EXPECT_EQ(link.client_sent.size(), 1u) << "nothing before the deadline";

  ASSERT_TRUE(client.handle_timeout(at(1000)).ok());
  uint8_t buf[2048];
  auto n = client.poll_transmit(buf);
  ASSERT_TRUE(n.ok());
  ASSERT_GT(*n, 13u);
  const Bytes again(buf, buf + *n);
  // Same handshake message (from the message header on); only the record sequence differs.
  EXPECT_EQ(Bytes(again.begin() + 13, again.end()),
            Bytes(first_hello.begin() + 13, first_hello.end()));
  EXPECT_EQ(client.next_deadline(), at(1000 + 2000)) << "timer doubles";
  server.handle_datagram(again, at(1000));
  link.pump(at(1000));
  EXPECT_EQ(client.state(), State::connected) << to_string(client.last_error());
}

TEST_F(PskFixture, AnswerHandedInAfterTheDeadlineIsReadNotDropped) {
  // A slow driver delivers the server's HelloVerifyRequest long after our timer expired:
  // the session must use it (send the ClientHello with the cookie), not resend and drop it.
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  uint8_t buf[2048];
  auto n = client.poll_transmit(buf);
  ASSERT_TRUE(n.ok());
  server.handle_datagram({buf, *n}, t0);
  auto hvr = server.poll_transmit();
  ASSERT_TRUE(hvr.has_value());
  EXPECT_EQ((*hvr)[13], 3) << "HelloVerifyRequest";
  ASSERT_TRUE(client.handle_datagram(*hvr, at(5000)).ok());
  n = client.poll_transmit(buf);
  ASSERT_TRUE(n.ok());
  const Bytes second(buf, buf + *n);
  EXPECT_EQ(second.at(13), 1);
  EXPECT_GT(second.at(13 + 12 + 2 + 32 + 1), 0) << "carries the cookie";
  EXPECT_EQ(*client.poll_transmit(buf), 0u) << "and nothing else";
  EXPECT_EQ(client.next_deadline(), at(5000 + 1000)) << "a fresh timer for the new flight";
}

TEST_F(PskFixture, GivesUpAfterTheLastRetransmission) {
  config.handshake_timeout_min = Duration{1000};
  config.handshake_timeout_max = Duration{4000};
  DtlsSession client(store, config);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  uint8_t buf[2048];
  int sent = 0;
  while (client.state() == State::handshaking && sent < 10) {
    while (*client.poll_transmit(buf) != 0)
      ++sent;
    const TimePoint deadline = client.next_deadline();
    ASSERT_NE(deadline, kNever);
    ASSERT_TRUE(client.handle_timeout(deadline).ok());
  }
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::handshake_timeout);
  EXPECT_EQ(sent, 3) << "timers 1 s, 2 s, 4 s: the hello and two retransmissions";
  EXPECT_EQ(client.next_deadline(), kNever);
}

TEST_F(PskFixture, WrongKeyFailsAsBadPskWithoutApplicationData) {
  server_options.psk_key = bytes_of("NotTheKey!!");
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::bad_psk) << to_string(client.last_error());
  EXPECT_EQ(client.last_alert(), MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC);
  EXPECT_FALSE(server.connected());
  EXPECT_EQ(client.write(as_bytes("secret")), Errc::invalid_state);
  link.pump(at(1));
  link.expect_only_dtls(false, "secret");
}

TEST_F(PskFixture, UnknownIdentityFailsWithItsOwnReason) {
  server_options.psk_identity = bytes_of("Someone_Else");
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::unknown_psk_identity) << to_string(client.last_error());
  EXPECT_EQ(client.last_alert(), MBEDTLS_SSL_ALERT_MSG_UNKNOWN_PSK_IDENTITY);
  EXPECT_EQ(client.write(as_bytes("secret")), Errc::invalid_state);
  link.expect_only_dtls(false);
}

TEST_F(PskFixture, RehandshakesWhenThePeerClosesTheSession) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);

  server.close_notify();
  link.pump(at(100));
  EXPECT_EQ(client.last_error(), Failure::peer_closed);
  ASSERT_EQ(client.state(), State::connected) << "a fresh handshake followed the close";
  ASSERT_TRUE(client.write(as_bytes("after")).ok());
  link.pump(at(200));
  EXPECT_EQ(server.read(), bytes_of("after"));
}

TEST_F(PskFixture, RehandshakesAfterAFatalAlertWhileConnected) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);
  server.send_fatal_alert(MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
  link.pump(at(100));
  EXPECT_EQ(client.last_error(), Failure::fatal_alert);
  EXPECT_EQ(client.last_alert(), MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
  ASSERT_EQ(client.state(), State::connected);
  ASSERT_TRUE(client.write(as_bytes("again")).ok());
  link.pump(at(200));
  EXPECT_EQ(server.read(), bytes_of("again"));
}

TEST_F(PskFixture, StaysClosedWhenRehandshakeIsOff) {
  config.rehandshake_on_peer_close = false;
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  server.close_notify();
  link.pump(at(100));
  EXPECT_EQ(client.state(), State::closed);
  EXPECT_EQ(client.last_error(), Failure::peer_closed);
  EXPECT_EQ(client.write(as_bytes("x")), Errc::invalid_state);
  ASSERT_TRUE(client.handshake_start(at(200)).ok());
  link.pump(at(200));
  EXPECT_EQ(client.state(), State::connected);
  EXPECT_EQ(client.last_error(), Failure::none);
}

TEST_F(PskFixture, ApplicationRehandshakesAfterTheServerLostTheSession) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);

  server.forget_session();  // server restarted: our records are now noise to it
  ASSERT_TRUE(client.write(as_bytes("lost")).ok());
  link.pump(at(100));
  EXPECT_FALSE(server.read().has_value());

  // The application notices (CoAP timeout) and asks for a new handshake.
  ASSERT_TRUE(client.handshake_start(at(5000)).ok());
  link.pump(at(5000));
  ASSERT_EQ(client.state(), State::connected);
  ASSERT_TRUE(client.write(as_bytes("found")).ok());
  link.pump(at(5001));
  EXPECT_EQ(server.read(), bytes_of("found"));
}

TEST_F(PskFixture, CloseNotifySendsAnEncryptedAlert) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_TRUE(client.close_notify().ok());
  EXPECT_EQ(client.state(), State::closed);
  link.pump(at(1));
  EXPECT_EQ(link.client_sent.back()[0], kAlert);
  EXPECT_EQ(link.client_sent.back()[4], 1) << "epoch 1: protected by the session keys";
  EXPECT_EQ(server.last_error(), MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
  EXPECT_EQ(client.write(as_bytes("x")), Errc::invalid_state);
}

TEST_F(PskFixture, MissingCredentialIsReportedBeforeAnyDatagram) {
  config.tag = 99;
  DtlsSession client(store, config);
  EXPECT_EQ(client.handshake_start(t0), Errc::invalid_argument);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::no_credentials);
  uint8_t buf[256];
  EXPECT_EQ(*client.poll_transmit(buf), 0u);
}

TEST_F(PskFixture, AnswersHelloVerifyRequestWithTheCookie) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);
  // RFC 6347 4.2.1: the first ClientHello has an empty cookie, the second echoes the
  // server's HelloVerifyRequest cookie.
  ASSERT_GE(link.client_sent.size(), 2u);
  const size_t cookie_at = 13 + 12 + 2 + 32 + 1;  // after an empty session id
  EXPECT_EQ(link.client_sent[0].at(13), 1);
  EXPECT_EQ(link.client_sent[0].at(cookie_at), 0);
  EXPECT_EQ(link.client_sent[1].at(13), 1);
  EXPECT_GT(link.client_sent[1].at(cookie_at), 0);
}

TEST_F(PskFixture, ServerSilentAfterOurFinishedMeansBadPsk) {
  // What an OpenSSL server does with a Finished it cannot decrypt: nothing at all.
  config.handshake_timeout_max = Duration{2000};
  server_options.psk_key = bytes_of("NotTheKey!!");
  DtlsSession quiet(store, config);
  TestDtlsServer server2(server_options);
  ASSERT_TRUE(quiet.handshake_start(t0).ok());
  uint8_t buf[2048];
  TimePoint now = t0;
  for (int i = 0; i < 20 && quiet.state() == State::handshaking; ++i) {
    for (;;) {
      auto n = quiet.poll_transmit(buf);
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      server2.handle_datagram({buf, *n}, now);
    }
    // Deliver the server's flights but not its bad_record_mac alert (content type 21).
    bool delivered = false;
    while (auto d = server2.poll_transmit()) {
      if ((*d)[0] == kAlert) continue;
      delivered = true;
      ASSERT_TRUE(quiet.handle_datagram(*d, now).ok());
    }
    if (!delivered) {
      now = quiet.next_deadline();
      ASSERT_NE(now, kNever);
      ASSERT_TRUE(quiet.handle_timeout(now).ok());
    }
  }
  EXPECT_EQ(quiet.state(), State::failed);
  EXPECT_EQ(quiet.last_error(), Failure::bad_psk) << to_string(quiet.last_error());
  EXPECT_EQ(quiet.last_mbedtls_error(), MBEDTLS_ERR_SSL_TIMEOUT);
}

TEST_F(PskFixture, NewCredentialAppliesAtTheNextHandshake) {
  DtlsSession client(store, config);
  server_options.psk_key = bytes_of("rotated-key");
  TestDtlsServer server(server_options);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.last_error(), Failure::bad_psk);
  // The server rotated the key (a Bootstrap-Write of /0/x/5 would do this).
  ASSERT_TRUE(store.remove(kTag, CredentialType::psk).ok());
  ASSERT_TRUE(
      store.add(kTag, PskCredential{as_bytes("Client_Identity"), as_bytes("rotated-key")}).ok());
  ASSERT_TRUE(client.handshake_start(at(10)).ok());
  link.pump(at(10));
  EXPECT_EQ(client.state(), State::connected) << to_string(client.last_error());
}

TEST_F(PskFixture, GarbageAndLateDatagramsAreDroppedSilently) {
  DtlsSession client(store, config);
  TestDtlsServer server(server_options);
  Link link{client, server};
  EXPECT_EQ(client.handle_datagram(as_bytes("x"), t0), Errc::invalid_state) << "idle";
  EXPECT_EQ(client.handle_timeout(t0), Errc::invalid_state);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected);
  // A CoAP datagram in clear, an empty one and a forged application record: all ignored.
  const uint8_t coap_ping[] = {0x40, 0x00, 0x12, 0x34};
  const uint8_t forged[] = {23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 4, 1, 2, 3, 4};
  EXPECT_TRUE(client.handle_datagram(coap_ping, at(1)).ok());
  EXPECT_TRUE(client.handle_datagram({}, at(1)).ok());
  EXPECT_TRUE(client.handle_datagram(forged, at(1)).ok());
  EXPECT_EQ(client.state(), State::connected);
  EXPECT_TRUE(read_all(client).empty());
  ASSERT_TRUE(client.write(as_bytes("still fine")).ok());
  link.pump(at(2));
  EXPECT_EQ(server.read(), bytes_of("still fine"));
}

TEST_F(PskFixture, AMovedSessionKeepsItsConnection) {
  DtlsSession first(store, config);
  TestDtlsServer server(server_options);
  {
    Link link{first, server};
    ASSERT_TRUE(first.handshake_start(t0).ok());
    link.pump(t0);
    ASSERT_EQ(first.state(), State::connected);
  }
  std::vector<DtlsSession> sessions;
  sessions.push_back(std::move(first));
  EXPECT_EQ(first.state(), State::idle);  // NOLINT(bugprone-use-after-move): documented
  EXPECT_EQ(first.write(as_bytes("x")), Errc::invalid_state);
  DtlsSession& moved = sessions.back();
  ASSERT_EQ(moved.state(), State::connected);
  Link link{moved, server};
  ASSERT_TRUE(moved.write(as_bytes("moved")).ok());
  link.pump(at(1));
  EXPECT_EQ(server.read(), bytes_of("moved"));
  server.write(as_bytes("back"));
  link.pump(at(2));
  EXPECT_EQ(read_all(moved), bytes_of("back"));
}

TEST_F(PskFixture, SmallTransmitBufferKeepsTheDatagram) {
  DtlsSession client(store, config);
  ASSERT_TRUE(client.handshake_start(t0).ok());
  uint8_t tiny[8];
  EXPECT_EQ(client.poll_transmit(tiny).error(), Errc::buffer_too_small);
  uint8_t buf[2048];
  auto n = client.poll_transmit(buf);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 50u);
  EXPECT_EQ(buf[0], kHandshake);
}

TEST(DtlsModes, RawPublicKeyAndNoSecAreRefused) {
  StaticCredentialStore<1, 64> store;
  EXPECT_FALSE(raw_public_keys_supported());
  EXPECT_TRUE(uses_dtls(SecurityMode::rpk));
  EXPECT_FALSE(uses_dtls(SecurityMode::nosec));
  for (SecurityMode mode : {SecurityMode::rpk, SecurityMode::nosec}) {
    DtlsSession client(store, DtlsConfig{.mode = mode, .tag = 1});
    EXPECT_EQ(client.handshake_start(t0), Errc::invalid_argument);
    EXPECT_EQ(client.last_error(), Failure::unsupported_mode);
    EXPECT_NE(std::string(to_string(client.last_error())).find("RFC 7250"), std::string::npos);
  }
}

TEST(DtlsModes, ConnectionIdFollowsTheMbedtlsBuild) {
#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
  EXPECT_TRUE(connection_id_supported());
#else
  EXPECT_FALSE(connection_id_supported());  // Debian 2.28.3: not compiled in
#endif
}

// ---- certificate mode ----------------------------------------------------------------

struct CertFixture : ::testing::Test {
  test::TestRng rng;
  test::KeyPair client_key = test::generate_p256(rng);
  test::KeyPair server_key = test::generate_p256(rng);
  Bytes client_cert = test::self_signed_cert(rng, client_key, "lwm2m-client");
  Bytes server_cert = test::self_signed_cert(rng, server_key, "lwm2m-server");
  StaticCredentialStore<2, 4096> store;
  DtlsConfig config{.mode = SecurityMode::certificate, .tag = kTag};

  ServerOptions server_options(const Bytes& cert) {
    ServerOptions o;
    o.cert = cert;
    o.key = server_key.private_der;
    o.trusted_client_cert = client_cert;
    return o;
  }
  void provision(const Bytes& pinned_server_key) {
    ASSERT_TRUE(
        store.add(kTag, EcdsaCredential{client_key.private_der, client_cert, pinned_server_key})
            .ok());
  }
};

TEST_F(CertFixture, HandshakeWithTheServerCertificatePinned) {
  provision(server_cert);
  DtlsSession client(store, config);
  TestDtlsServer server(server_options(server_cert));
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_TRUE(server.connected()) << "the server verified our certificate";
  EXPECT_EQ(offered_suites(link.client_sent.at(0)),
            (std::vector<int>{MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                              MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}));
  ASSERT_TRUE(client.write(as_bytes("hello")).ok());
  link.pump(at(1));
  EXPECT_EQ(server.read(), bytes_of("hello"));
  link.expect_only_dtls(true, "hello");
}

TEST_F(CertFixture, HandshakeWithTheServerPublicKeyPinned) {
  provision(server_key.public_der);
  DtlsSession client(store, config);
  TestDtlsServer server(server_options(server_cert));
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::connected) << to_string(client.last_error());
}

TEST_F(CertFixture, NegotiatesCcm8WhenTheServerOffersIt) {
  provision(server_cert);
  DtlsSession client(store, config);
  TestDtlsServer server(server_options(server_cert));
  static const int kCcm8Only[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, 0};
  server.restrict_ciphersuites(kCcm8Only);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_STREQ(client.ciphersuite(), "TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8");
}

TEST_F(CertFixture, GcmSuiteIsAcceptedToo) {
  provision(server_cert);
  DtlsSession client(store, config);
  TestDtlsServer server(server_options(server_cert));
  static const int kGcmOnly[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};
  server.restrict_ciphersuites(kGcmOnly);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  ASSERT_EQ(client.state(), State::connected) << to_string(client.last_error());
  EXPECT_STREQ(client.ciphersuite(), "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256");
}

TEST_F(CertFixture, ExpiredServerCertificateFails) {
  const Bytes expired =
      test::self_signed_cert(rng, server_key, "lwm2m-server", "20100101000000", "20200101000000");
  provision(expired);  // pinned, so only the dates are wrong
  DtlsSession client(store, config);
  TestDtlsServer server(server_options(expired));
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::certificate_expired) << to_string(client.last_error());
  EXPECT_FALSE(server.connected());
  EXPECT_EQ(client.write(as_bytes("secret")), Errc::invalid_state);
  link.expect_only_dtls(false, "secret");
}

TEST_F(CertFixture, ServerWithAnotherCertificateIsAKeyMismatch) {
  provision(server_cert);
  test::KeyPair impostor_key = test::generate_p256(rng);
  const Bytes impostor = test::self_signed_cert(rng, impostor_key, "lwm2m-server");
  DtlsSession client(store, config);
  ServerOptions o = server_options(impostor);
  o.key = impostor_key.private_der;
  TestDtlsServer server(o);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::server_key_mismatch) << to_string(client.last_error());
  link.expect_only_dtls(false);
}

TEST_F(CertFixture, SameKeyButOtherCertificateMatchesOnlyAPublicKeyPin) {
  // A re-issued certificate for the same key: a certificate pin rejects it, a public-key pin
  // accepts it.
  const Bytes reissued = test::self_signed_cert(rng, server_key, "lwm2m-server-2");
  {
    StaticCredentialStore<1, 4096> s;
    ASSERT_TRUE(
        s.add(kTag, EcdsaCredential{client_key.private_der, client_cert, server_cert}).ok());
    DtlsSession client(s, config);
    TestDtlsServer server(server_options(reissued));
    Link link{client, server};
    ASSERT_TRUE(client.handshake_start(t0).ok());
    link.pump(t0);
    EXPECT_EQ(client.last_error(), Failure::server_key_mismatch);
  }
  {
    StaticCredentialStore<1, 4096> s;
    ASSERT_TRUE(
        s.add(kTag, EcdsaCredential{client_key.private_der, client_cert, server_key.public_der})
            .ok());
    DtlsSession client(s, config);
    TestDtlsServer server(server_options(reissued));
    Link link{client, server};
    ASSERT_TRUE(client.handshake_start(t0).ok());
    link.pump(t0);
    EXPECT_EQ(client.state(), State::connected);
  }
}

TEST_F(CertFixture, ServerRejectingOurCertificateIsReported) {
  provision(server_cert);
  test::KeyPair other = test::generate_p256(rng);
  ServerOptions o = server_options(server_cert);
  o.trusted_client_cert = test::self_signed_cert(rng, other, "someone-else");
  DtlsSession client(store, config);
  TestDtlsServer server(o);
  Link link{client, server};
  ASSERT_TRUE(client.handshake_start(t0).ok());
  link.pump(t0);
  EXPECT_EQ(client.state(), State::failed);
  EXPECT_EQ(client.last_error(), Failure::certificate_rejected) << to_string(client.last_error());
}

TEST_F(CertFixture, UnparsableCredentialsAreBadCredentials) {
  ASSERT_TRUE(
      store.add(kTag, EcdsaCredential{client_key.private_der, client_cert, bytes_of("not DER")})
          .ok());
  DtlsSession client(store, config);
  EXPECT_EQ(client.handshake_start(t0), Errc::invalid_argument);
  EXPECT_EQ(client.last_error(), Failure::bad_credentials);
}

}  // namespace
}  // namespace lwm2m::dtls
