// SPDX-License-Identifier: Apache-2.0
// Certificate mode (Security mode 2) end to end: core::Client + posix::Runner +
// dtls::secure_channel_factory against libcoap's coap-server-openssl, an independent DTLS
// stack, holding a generated certificate and trusting only the client's. The client pins
// the server's certificate (the Server Public Key resource). coap-server is no LwM2M
// server: a good handshake shows as the Register (POST /rd) reaching it encrypted and its
// CoAP error answer reaching the client; a bad one as the reason in the runner's log, a new
// handshake per registration attempt and a registration_failed event. The relay between
// the two shows that nothing the client sent was in clear.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "dtls_fixture.hpp"
#include "dtls_support.hpp"
#include "lwm2m/platform/dtls.hpp"

namespace lwm2m {
namespace {

using namespace itest;

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

class CertIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::executable(LWM2M_COAP_SERVER_OPENSSL))
      GTEST_SKIP() << "coap-server-openssl not installed (Debian libcoap3-bin)";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(LWM2M_CERT_WORK_DIR) / info->name();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    ASSERT_FALSE(ec) << ec.message();
  }

  /// Starts coap-server-openssl on a free port pair with `cert` and its private key (DER),
  /// trusting only our client certificate. Returns its DTLS port (0 on failure).
  uint16_t start_server(const Bytes& cert, const test::KeyPair& key) {
    const std::string cert_pem = (dir_ / "server-cert.pem").string();
    const std::string key_pem = (dir_ / "server-key.pem").string();
    const std::string ca_pem = (dir_ / "client-ca.pem").string();
    EXPECT_TRUE(test::write_file(cert_pem, test::to_pem(cert, "CERTIFICATE")));
    EXPECT_TRUE(test::write_file(key_pem, test::to_pem(key.private_der, "EC PRIVATE KEY")));
    EXPECT_TRUE(test::write_file(ca_pem, test::to_pem(client_cert_, "CERTIFICATE")));
    const uint16_t port = test::free_port_pair();
    EXPECT_NE(port, 0);
    if (port == 0) return 0;
    server_.emplace(std::vector<std::string>{LWM2M_COAP_SERVER_OPENSSL, "-A", "127.0.0.1", "-p",
                                             std::to_string(port), "-c", cert_pem, "-j", key_pem,
                                             "-C", ca_pem, "-v", "0"});
    EXPECT_TRUE(server_->running());
    if (!server_->running() || !test::wait_until_listening(port)) {
      ADD_FAILURE() << "coap-server-openssl did not start";
      return 0;
    }
    return static_cast<uint16_t>(port + 1);
  }

  ClientOptions client_options(uint16_t port, const Bytes& pinned) const {
    ClientOptions o;
    o.uri = coaps_uri(port);
    o.mode = objects::SecurityMode::certificate;
    o.retry_count = 2;
    o.own_cert = client_cert_;
    o.private_key = client_key_.private_der;
    o.server_cert = pinned;
    return o;
  }

  /// The handshake fails for `reason`: logged, retried with a new handshake per attempt,
  /// then registration_failed; every datagram the client sent is a DTLS record, none of them
  /// application data.
  void expect_refused(const Bytes& server_cert, const test::KeyPair& server_key,
                      const Bytes& pinned, dtls::Failure reason) {
    const uint16_t port = start_server(server_cert, server_key);
    ASSERT_NE(port, 0);
    Relay relay(port);
    DtlsClient client(client_options(relay.port(), pinned));
    client.start();

    const std::string why = std::string("DTLS failed: ") + dtls::to_string(reason);
    ASSERT_TRUE(client.wait_log(why, kWait)) << client.log_text();
    ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
        << client.log_text();
    EXPECT_EQ(client.count_events(core::EventKind::registered), 0);
    // The event says why too: the server could not be authenticated.
    EXPECT_EQ(client.first_event(core::EventKind::registration_failed)->error, Errc::forbidden)
        << client.log_text();
    EXPECT_GE(handshakes_started(relay.from_client()), 2) << client.log_text();
    // Every attempt failed, each for the same reason.
    const std::string log = client.log_text();
    EXPECT_GE(occurrences(log, why), 2u) << log;
    EXPECT_EQ(occurrences(log, "DTLS failed: "), occurrences(log, why)) << log;
    expect_all_dtls(relay.from_client());
    EXPECT_EQ(application_data_records(relay.from_client()), 0);
  }

  test::TestRng rng_;
  test::KeyPair client_key_ = test::generate_p256(rng_);
  test::KeyPair server_key_ = test::generate_p256(rng_);
  Bytes client_cert_ = test::self_signed_cert(rng_, client_key_, "lwm2m-client");
  Bytes server_cert_ = test::self_signed_cert(rng_, server_key_, "lwm2m-server");
  std::filesystem::path dir_;
  std::optional<test::Child> server_;
};

TEST_F(CertIntegration, PinnedServerCertificateHandshakesAndTheRegisterGoesOutEncrypted) {
  const uint16_t port = start_server(server_cert_, server_key_);
  ASSERT_NE(port, 0);
  Relay relay(port);
  DtlsClient client(client_options(relay.port(), server_cert_));
  client.start();

  // coap-server has no /rd: each Register is answered with a CoAP error and the attempt
  // fails; after the two attempts of /1/0/17 the registration has failed.
  ASSERT_TRUE(client.wait_event(core::EventKind::registration_failed, kWait * 2))
      << client.log_text();
  const std::string log = client.log_text();
  EXPECT_EQ(log.find("DTLS failed"), std::string::npos) << log;
  EXPECT_EQ(client.count_events(core::EventKind::registered), 0);
  // The answer is coap-server's 4.04 for the unknown /rd, and the event says so.
  EXPECT_EQ(client.first_event(core::EventKind::registration_failed)->error, Errc::not_found)
      << log;
  EXPECT_EQ(handshakes_started(relay.from_client()), 1) << log;
  // Exactly one encrypted Register per attempt, and the server answered: had the client not
  // read the answers through the session it would have retransmitted each Register
  // (max_retransmit 2) before giving the attempt up.
  EXPECT_EQ(application_data_records(relay.from_client()), 2) << log;
  EXPECT_GE(application_data_records(relay.from_server()), 2) << "the answers, encrypted";
  expect_all_dtls(relay.from_client());
}

TEST_F(CertIntegration, ExpiredServerCertificateIsReportedRetriedAndNeverInTheClear) {
  const Bytes expired =
      test::self_signed_cert(rng_, server_key_, "lwm2m-server", "20100101000000", "20200101000000");
  // Pinned, so only the dates are wrong.
  expect_refused(expired, server_key_, expired, dtls::Failure::certificate_expired);
}

TEST_F(CertIntegration, WrongServerKeyIsReportedRetriedAndNeverInTheClear) {
  // The Server Public Key resource holds another server's certificate.
  test::KeyPair other_key = test::generate_p256(rng_);
  const Bytes other = test::self_signed_cert(rng_, other_key, "lwm2m-server");
  expect_refused(server_cert_, server_key_, other, dtls::Failure::server_key_mismatch);
}

}  // namespace
}  // namespace lwm2m
