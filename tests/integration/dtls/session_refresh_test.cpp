// SPDX-License-Identifier: Apache-2.0
// A DTLS session that no longer works is replaced early, not after a whole CoAP exchange:
//  - the server restarted and lost the session (it drops the client's records without a
//    word): the Update's retransmission goes unanswered, the runner replaces the session,
//    the new server answers the Update 4.04 and the client registers again, all within the
//    30 s lifetime, with RFC 7252's default CoAP timers (an exchange would last ~93 s);
//  - the session sat idle longer than the NAT timeout and the device's address changed
//    meanwhile: a new handshake before the next Update, which then goes through without a
//    new Register.
// Every step is in the log.
#include <gtest/gtest.h>

#include <optional>

#include "dtls_fixture.hpp"
#include "dtls_front.hpp"
#include "fault_proxy.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace itest;
namespace ts = testserver;

ts::Options psk_server(uint16_t port = 0) {
  ts::Options o;
  o.bind_address = "127.0.0.1";
  o.port = port;
  o.psk = {ts::PskCredential{kIdentity, kKey}};
  o.request_timeout = kWait;
  return o;
}

TEST(SessionRefresh, AServerRestartThatLostTheSessionIsRegisteredAgainWithinTheLifetime) {
  std::optional<ts::Server> server(std::in_place, psk_server());
  const uint16_t port = server->port();
  Relay relay(port);
  DtlsClient client({.uri = coaps_uri(relay.port()), .lifetime_s = 30, .short_coap_timers = false});
  client.start();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();

  // The server crashes right after the registration (the worst moment: the next Update is
  // a whole half-lifetime away) and comes back on the same port knowing nothing.
  relay.set_drop_from_server(true);
  server.reset();
  server.emplace(psk_server(port));
  relay.set_drop_from_server(false);
  const auto restarted = std::chrono::steady_clock::now();

  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 2, 40s)) << client.log_text();
  const auto took = std::chrono::steady_clock::now() - restarted;
  EXPECT_LT(took, 30s) << client.log_text();
  EXPECT_TRUE(server->wait_registered(DtlsClient::endpoint(), kWait));

  const std::string log = client.log_text();
  // Why it was replaced depends on the restarted server: usually the Update's second
  // retransmission went unanswered; a server that answers the old session's records with an
  // alert ends it sooner ("closed by the server"). Either is a logged, timely recovery.
  const bool unanswered = log.find(
                              "server 1: DTLS session replaced: retransmission 2 of a "
                              "request got no answer over it") != std::string::npos;
  const bool alerted =
      log.find("server 1: DTLS session replaced: closed by the server") != std::string::npos;
  EXPECT_TRUE(unanswered || alerted) << log;
  EXPECT_NE(log.find("server 1: Update rejected 4.04 (the server has no registration for us, "
                     "e.g. it restarted): registering again"),
            std::string::npos)
      << log;
  // In that order: the session first, then the 4.04 over the new one.
  EXPECT_LT(log.find("DTLS session replaced"), log.find("Update rejected 4.04")) << log;
  EXPECT_GE(handshakes_started(relay.from_client()), 2);
  expect_all_dtls(relay.from_client());
}

posix::SocketAddress loopback(uint16_t port) {
  return *posix::SocketAddress::from_literal("127.0.0.1", port);
}

// Waits until the client sent nothing for longer than `idle` (the NAT timeout's stimulus).
bool wait_idle(DtlsClient& client, std::chrono::milliseconds idle) {
  const auto end = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < end) {
    const auto conns = client.runner().connections();
    if (conns.size() == 1 && std::chrono::system_clock::now() - conns[0].last_send > idle)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(SessionRefresh, IdleLongerThanTheNatTimeoutHandshakesBeforeTheNextUpdate) {
  ts::Options plain;
  plain.bind_address = "127.0.0.1";
  plain.request_timeout = kWait;
  ts::Server server(plain);
  // No Connection ID on either side: an address change costs the session.
  DtlsFront front(server.port(), /*connection_id=*/false);
  test::FaultProxy proxy(loopback(front.port()), test::FaultModel(7));
  DtlsClient client(
      {.uri = coaps_uri(proxy.port()), .connection_id = false, .nat_timeout = Duration{1000}});
  client.start();
  ASSERT_TRUE(client.wait_events(core::EventKind::registered, 1, kWait)) << client.log_text();
  ASSERT_EQ(front.handshakes(), 1);

  // The NAT forgets the binding while the session is idle; the device's next datagram
  // leaves from a new port.
  ASSERT_TRUE(wait_idle(client, 1200ms));
  proxy.change_address();
  const auto asked = std::chrono::steady_clock::now();
  client.runner().locked([](core::Client& c) { c.request_update(1, steady_now()); });
  ASSERT_TRUE(client.wait_events(core::EventKind::updated, 1, kWait)) << client.log_text();
  // At once (a handshake and an exchange), not after the CoAP retransmissions.
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s) << client.log_text();
  EXPECT_EQ(front.handshakes(), 2);
  EXPECT_EQ(client.count_events(core::EventKind::registered), 1) << "no new Register";
  const auto line = client.wait_log("server 1: DTLS session replaced: idle for ", kWait);
  ASSERT_TRUE(line) << client.log_text();
  EXPECT_NE(line->find("longer than the NAT timeout of 1 s"), std::string::npos) << *line;
  EXPECT_TRUE(server.read(DtlsClient::endpoint(), "/3/0/0").ok());
}

}  // namespace
}  // namespace lwm2m
