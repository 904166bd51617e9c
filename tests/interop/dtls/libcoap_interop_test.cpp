// SPDX-License-Identifier: Apache-2.0
// Interop over real UDP sockets with libcoap 4.3.1 (Debian libcoap3-bin): our DtlsSession
// as the client of coap-server-openssl and coap-server-gnutls, and coap-client-openssl as
// the client of an mbedTLS server loop in the test. Skipped when the binaries are absent.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "dtls_support.hpp"
#include "lwm2m/platform/dtls.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::dtls {
namespace {

using posix::SocketAddress;
using posix::UdpSocket;
using test::Bytes;
using test::bytes_of;
using test::Child;
using test::executable;
using test::free_port_pair;
using test::wait_until_listening;

TimePoint clock_now() {
  return from_millis(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count());
}

// RFC 7252 3: CON GET, token 0xAB 0xCD, Uri-Path ".well-known" (option 11, length 11), then
// Uri-Path "core" (delta 0, length 4).
Bytes well_known_core_get(uint16_t mid) {
  Bytes m = {0x42, 0x01, static_cast<uint8_t>(mid >> 8), static_cast<uint8_t>(mid), 0xAB, 0xCD};
  m.push_back(0xBB);
  for (char c : std::string(".well-known"))
    m.push_back(static_cast<uint8_t>(c));
  m.push_back(0x04);
  for (char c : std::string("core"))
    m.push_back(static_cast<uint8_t>(c));
  return m;
}

struct Outcome {
  State state = State::idle;
  Failure failure = Failure::none;
  std::string suite;
  Bytes response;
  std::vector<Bytes> sent;  // every datagram our session put on the wire
  int alert = -1;
  int mbedtls_error = 0;
};

/// Runs our client against a DTLS server at 127.0.0.1:port over a real socket: handshake,
/// then (if connected) one CoAP request, and waits for its response.
Outcome run_client(const CredentialStore& store, uint16_t port, const Bytes& request,
                   DtlsConfig config = DtlsConfig{.mode = SecurityMode::psk, .tag = 1}) {
  Outcome out;
  auto sock = UdpSocket::open(0, true);
  EXPECT_TRUE(sock.ok());
  if (!sock.ok()) return out;
  auto server = SocketAddress::from_literal("127.0.0.1", port);
  DtlsSession session(store, config);
  EXPECT_TRUE(session.handshake_start(clock_now()).ok());
  bool request_sent = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < give_up) {
    uint8_t buf[2048];
    for (;;) {
      auto n = session.poll_transmit(buf);
      if (!n.ok() || *n == 0) break;
      out.sent.emplace_back(buf, buf + *n);
      EXPECT_TRUE(sock->send_to(*server, {buf, *n}).ok());
    }
    if (session.state() == State::connected && !request_sent) {
      EXPECT_TRUE(session.write(request).ok());
      request_sent = true;
      continue;
    }
    if (session.state() == State::failed || session.state() == State::closed) break;
    auto got = session.read(buf);
    if (got.ok() && *got > 0) {
      out.response.assign(buf, buf + *got);
      break;
    }
    Duration wait{200};
    const TimePoint deadline = session.next_deadline();
    if (deadline != kNever) wait = std::max(Duration{0}, std::min(wait, deadline - clock_now()));
    SocketAddress from;
    auto r = sock->receive_from(buf, from, wait);
    if (r.ok()) {
      EXPECT_TRUE(session.handle_datagram({buf, *r}, clock_now()).ok());
    } else if (deadline != kNever && clock_now() >= deadline) {
      EXPECT_TRUE(session.handle_timeout(clock_now()).ok());
    }
  }
  out.state = session.state();
  out.failure = session.last_error();
  out.suite = session.ciphersuite();
  out.alert = session.last_alert();
  out.mbedtls_error = session.last_mbedtls_error();
  return out;
}

struct LibcoapServer {
  const char* binary;
  const char* name;
};

class LibcoapServerTest : public ::testing::TestWithParam<LibcoapServer> {};

TEST_P(LibcoapServerTest, PskGetWellKnownCoreReturnsContent) {
  const LibcoapServer s = GetParam();
  if (!executable(s.binary)) GTEST_SKIP() << s.name << " not installed (Debian libcoap3-bin)";
  const uint16_t port = free_port_pair();
  ASSERT_NE(port, 0);
  Child server({s.binary, "-A", "127.0.0.1", "-p", std::to_string(port), "-k", "secret-PSK-1", "-h",
                "lwm2m-hint", "-v", "0"});
  ASSERT_TRUE(server.running());
  ASSERT_TRUE(wait_until_listening(port)) << s.name << " did not start";

  StaticCredentialStore<1, 256> store;
  ASSERT_TRUE(store.add(1, PskCredential{as_bytes("lwm2m-client"), as_bytes("secret-PSK-1")}).ok());
  const Outcome o = run_client(store, static_cast<uint16_t>(port + 1), well_known_core_get(0x1234));
  ASSERT_EQ(o.state, State::connected) << s.name << ": " << to_string(o.failure);
  std::printf("[ %s negotiated %s ]\n", s.name, o.suite.c_str());
  ASSERT_GE(o.response.size(), 6u);
  EXPECT_EQ(o.response[0], 0x62) << "ACK with a 2-byte token";
  EXPECT_EQ(o.response[1], 0x45) << "2.05 Content";
  EXPECT_EQ(o.response[2], 0x12);
  EXPECT_EQ(o.response[3], 0x34);
  EXPECT_EQ(o.response[4], 0xAB);
  EXPECT_EQ(o.response[5], 0xCD);
  for (const Bytes& d : o.sent)
    EXPECT_TRUE(test::looks_like_dtls_record(d));
}

TEST_P(LibcoapServerTest, WrongPskNeverConnectsNorSendsApplicationData) {
  const LibcoapServer s = GetParam();
  if (!executable(s.binary)) GTEST_SKIP() << s.name << " not installed (Debian libcoap3-bin)";
  const uint16_t port = free_port_pair();
  ASSERT_NE(port, 0);
  Child server({s.binary, "-A", "127.0.0.1", "-p", std::to_string(port), "-k", "secret-PSK-1", "-h",
                "lwm2m-hint", "-v", "0"});
  ASSERT_TRUE(server.running());
  ASSERT_TRUE(wait_until_listening(port)) << s.name << " did not start";

  StaticCredentialStore<1, 256> store;
  ASSERT_TRUE(store.add(1, PskCredential{as_bytes("lwm2m-client"), as_bytes("wrong-PSK-22")}).ok());
  // Short timers: OpenSSL drops our Finished silently, so the failure shows as a timeout.
  const Outcome o = run_client(store, static_cast<uint16_t>(port + 1), well_known_core_get(0x4321),
                               DtlsConfig{.mode = SecurityMode::psk,
                                          .tag = 1,
                                          .handshake_timeout_min = Duration{500},
                                          .handshake_timeout_max = Duration{2000}});
  EXPECT_EQ(o.state, State::failed);
  EXPECT_EQ(o.failure, Failure::bad_psk) << to_string(o.failure);
  std::printf("[ %s with a wrong PSK: %s (alert %d, mbedtls -0x%04x) ]\n", s.name,
              to_string(o.failure), o.alert, -o.mbedtls_error);
  for (const Bytes& d : o.sent) {
    EXPECT_TRUE(test::looks_like_dtls_record(d));
    EXPECT_NE(d[0], 23) << "no application data record";
  }
}

INSTANTIATE_TEST_SUITE_P(Libcoap, LibcoapServerTest,
                         ::testing::Values(LibcoapServer{LWM2M_COAP_SERVER_OPENSSL, "openssl"},
                                           LibcoapServer{LWM2M_COAP_SERVER_GNUTLS, "gnutls"}),
                         [](const auto& p) { return std::string(p.param.name); });

// coap-client-openssl against an mbedTLS server loop over a real socket: the server answers
// any confirmable request with a piggybacked 2.05 "hello from mbedtls".
TEST(LibcoapClient, OpensslClientGetsContentFromOurDtlsServerLoop) {
  if (!executable(LWM2M_COAP_CLIENT_OPENSSL)) GTEST_SKIP() << "coap-client-openssl not installed";
  auto sock = UdpSocket::open(0, true);
  ASSERT_TRUE(sock.ok());
  const uint16_t port = sock->local_port();

  test::ServerOptions options;
  options.psk_identity = bytes_of("coap-client-id");
  options.psk_key = bytes_of("client-secret");
  std::atomic<bool> stop{false};
  std::atomic<int> requests{0};
  std::thread loop([&] {
    test::TestDtlsServer server(options);
    SocketAddress peer;
    while (!stop) {
      uint8_t buf[2048];
      SocketAddress from;
      auto n = sock->receive_from(buf, from, Duration{50});
      if (n.ok()) {
        peer = from;
        server.handle_datagram({buf, *n}, clock_now());
      } else {
        server.handle_timeout(clock_now());
      }
      while (auto req = server.read()) {
        const Bytes& r = *req;
        if (r.size() < 4 || (r[0] & 0x30) != 0x00) continue;  // only CON requests
        const size_t tkl = r[0] & 0x0F;
        Bytes resp = {static_cast<uint8_t>(0x60 | tkl), 0x45, r[2], r[3]};
        resp.insert(resp.end(), r.begin() + 4, r.begin() + 4 + static_cast<long>(tkl));
        resp.push_back(0xFF);
        for (char c : std::string("hello from mbedtls"))
          resp.push_back(static_cast<uint8_t>(c));
        server.write(resp);
        ++requests;
      }
      while (auto d = server.poll_transmit())
        (void)sock->send_to(peer, *d);
    }
  });

  const std::string cmd =
      std::string(LWM2M_COAP_CLIENT_OPENSSL) +
      " -B 10 -u coap-client-id -k client-secret coaps://127.0.0.1:" + std::to_string(port) +
      "/test 2>/dev/null";
  std::string output;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char line[256];
    while (fgets(line, sizeof line, p) != nullptr)
      output += line;
    pclose(p);
  }
  stop = true;
  loop.join();
  EXPECT_EQ(requests.load(), 1);
  EXPECT_NE(output.find("hello from mbedtls"), std::string::npos) << "coap-client said: " << output;
}

}  // namespace
}  // namespace lwm2m::dtls
