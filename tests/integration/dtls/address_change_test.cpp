// SPDX-License-Identifier: Apache-2.0
// The client's address changes under a DTLS session (a NAT rebinding: the fault proxy
// moves its server-facing side to a new source port), against a DTLS server built on the
// same mbedTLS (dtls_front.hpp) in front of the test server:
//  - with an RFC 9146 Connection ID (mbedTLS 3.x) the session and the registration survive:
//    the next Update comes from the new address and is answered, no new handshake;
//  - without one (mbedTLS 2.28, or DtlsConfig::connection_id off) the server cannot place
//    the client's records: the Update goes unanswered until the runner replaces the session
//    (RunnerConfig::dtls_refresh_after_retransmissions), and the Update's retransmission
//    goes through over the new handshake, still one registration.
#include <gtest/gtest.h>

#include "dtls_fixture.hpp"
#include "dtls_front.hpp"
#include "fault_proxy.hpp"
#include "lwm2m/platform/dtls.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace itest;
namespace ts = testserver;

ts::Options plain_server() {
  ts::Options o;
  o.bind_address = "127.0.0.1";
  o.request_timeout = kWait;
  return o;
}

posix::SocketAddress loopback(uint16_t port) {
  return *posix::SocketAddress::from_literal("127.0.0.1", port);
}

struct AddressChange : ::testing::Test {
  ts::Server server{plain_server()};

  // Registers through front and proxy, then moves the client's address.
  void register_then_move(DtlsClient& client, DtlsFront& front, test::FaultProxy& proxy) {
    client.start();
    ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();
    ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();
    ASSERT_TRUE(server.read(DtlsClient::endpoint(), "/3/0/0").ok());
    ASSERT_EQ(front.handshakes(), 1);
    proxy.change_address();
  }
};

#if defined(LWM2M_TEST_FRONT_CID)
TEST_F(AddressChange, WithConnectionIdTheSessionAndRegistrationSurvive) {
  ASSERT_TRUE(dtls::connection_id_supported());
  DtlsFront front(server.port(), /*connection_id=*/true);
  test::FaultProxy proxy(loopback(front.port()), test::FaultModel(1));
  DtlsClient client({.uri = coaps_uri(proxy.port())});
  register_then_move(client, front, proxy);
  EXPECT_TRUE(front.cid_negotiated());
  EXPECT_TRUE(client.wait_log("Connection ID in use", kWait)) << client.log_text();

  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  ASSERT_TRUE(server.wait_update(DtlsClient::endpoint(), kWait)) << client.log_text();
  ASSERT_TRUE(client.wait_events(core::EventKind::updated, 1, kWait)) << client.log_text();
  EXPECT_EQ(front.handshakes(), 1) << "no new handshake";
  EXPECT_EQ(front.address_updates(), 1);
  // The server reaches the client at its new address, in the same session.
  auto r = server.read(DtlsClient::endpoint(), "/3/0/0");
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  EXPECT_EQ(proxy.stats().address_changes, 1u);
}
#endif

// Without a Connection ID: from the client (its option off) on mbedTLS 3.x, from the build
// on 2.28. The server has the same CID support as the client's build.
TEST_F(AddressChange, WithoutConnectionIdTheClientHandshakesAgainAndTheUpdateGoesThrough) {
  DtlsFront front(server.port(), /*connection_id=*/dtls::connection_id_supported());
  test::FaultProxy proxy(loopback(front.port()), test::FaultModel(1));
  DtlsClient client({.uri = coaps_uri(proxy.port()), .connection_id = false});
  register_then_move(client, front, proxy);
  EXPECT_FALSE(front.cid_negotiated());
  EXPECT_TRUE(client.wait_log(
      dtls::connection_id_supported() ? "Connection ID off" : "no Connection ID", kWait))
      << client.log_text();

  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  // The Update's records come from an address the server has no session for: dropped.
  // At its second retransmission the session is replaced; the retransmission goes through
  // over the new handshake, from the new address.
  ASSERT_TRUE(client.wait_events(core::EventKind::updated, 1, kWait)) << client.log_text();
  EXPECT_TRUE(
      client.wait_log("server 1: DTLS session replaced: retransmission 2 of a request", kWait))
      << client.log_text();
  EXPECT_GE(front.dropped_unknown(), 1);
  EXPECT_EQ(front.handshakes(), 2);
  EXPECT_EQ(front.address_updates(), 0);
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << client.log_text();
  EXPECT_TRUE(server.read(DtlsClient::endpoint(), "/3/0/0").ok());
}

}  // namespace
}  // namespace lwm2m
