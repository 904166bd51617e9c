// SPDX-License-Identifier: Apache-2.0
// A server restart that forgets every registration (plain UDP; the DTLS case is in
// dtls/session_refresh_test.cpp): the client's next Update is answered 4.04, the client
// says so in its log and registers again, within the 30 s lifetime, with RFC 7252's default
// CoAP timers.
#include <gtest/gtest.h>

#include <optional>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

ts::Options restartable(uint16_t port = 0) {
  ts::Options o = server_options();
  o.bind_address = "127.0.0.1";
  o.port = port;
  return o;
}

TEST(ServerRestart, AServerThatForgotEverythingGetsANewRegisterWithinTheLifetime) {
  std::optional<ts::Server> server(std::in_place, restartable());
  const uint16_t port = server->port();
  Rig rig("restart-node");
  rig.config.coap.tx = {};  // RFC 7252's defaults, as in the field
  rig.add_server("coap://127.0.0.1:" + std::to_string(port), test_server_config(1, 30));
  rig.start();
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait));
  const auto first = server->client("restart-node");
  ASSERT_TRUE(first);

  // Right after the registration: the next Update is half a lifetime away.
  server.reset();
  server.emplace(restartable(port));
  const auto restarted = std::chrono::steady_clock::now();

  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, ts::Duration{40000}, 2));
  EXPECT_LT(std::chrono::steady_clock::now() - restarted, std::chrono::seconds(30));
  auto again = server->wait_registered("restart-node", kWait);
  ASSERT_TRUE(again);
  auto rejected = server->wait_event(ts::Event::Kind::update_rejected, "", kWait);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->code, ts::coap_code(4, 4));

  // The log says why the client registered again, before it did.
  const std::vector<std::string> log = rig.log_lines();
  size_t said = log.size(), registered = log.size();
  for (size_t i = 0; i < log.size(); ++i) {
    if (said == log.size() &&
        log[i] ==
            "server 1: Update rejected 4.04 (the server has no registration for us, e.g. "
            "it restarted): registering again")
      said = i;
    if (said != log.size() && registered == log.size() && log[i] == "registered (server 1)")
      registered = i;
  }
  EXPECT_LT(said, log.size()) << "no line for the 4.04";
  EXPECT_LT(registered, log.size()) << "no registration logged after it";
  const auto events = rig.events();
  bool update_failed = false;
  for (const core::Event& e : events)
    update_failed |= e.kind == core::EventKind::update_failed && e.error == Errc::not_found;
  EXPECT_TRUE(update_failed) << "Event update_failed with not_found";
}

}  // namespace
}  // namespace lwm2m::itest
