// SPDX-License-Identifier: Apache-2.0
// lwm2m-fleet over DTLS (--psk-key) against lwm2m-server on loopback, as a user runs them:
// 20 clients, each with its endpoint name as PSK identity, register over DTLS, answer a Read
// and de-register over their sessions on SIGINT; with a key the server does not hold, the
// fleet says which flag to fix and exits instead of retrying for ever; lwm2m-server's
// --psk-identity-prefix next to an exact --psk-identity.
#include <signal.h>

#include <cstdlib>

#include "fleet_support.hpp"

namespace lwm2m::fleet_test {
namespace {

constexpr const char* kKey = "736563726574";

bool dtls_built() {
  if (LWM2M_FLEET_TEST_DTLS) return true;
  if (std::getenv("CI")) ADD_FAILURE() << "CI builds need DTLS (libmbedtls-dev)";
  return false;
}

/// lwm2m-server with DTLS on a free port, its PSKs from `psk_flags`.
struct DtlsServerTool {
  Process process;
  std::string uri;  ///< coaps://127.0.0.1:PORT

  DtlsServerTool(const std::vector<std::string>& psk_flags, const std::string& summary)
      : process(args(psk_flags)) {
    auto line = process.expect("(DTLS PSK, " + summary + ")");
    EXPECT_TRUE(line) << process.output();
    if (!line) return;
    const size_t at = line->find("coaps://");
    uri = line->substr(at, line->find(' ', at) - at);
  }
  /// Every identity that starts with `identity_prefix`, with `key`.
  DtlsServerTool(const std::string& identity_prefix, const std::string& key)
      : DtlsServerTool({"--psk-identity-prefix", identity_prefix, "--psk-key", key},
                       "0 identities, 1 identity prefixes") {}
  static std::vector<std::string> args(const std::vector<std::string>& psk_flags) {
    std::vector<std::string> a = {LWM2M_SERVER_TOOL, "--port", "0", "--dtls-port", "0"};
    a.insert(a.end(), psk_flags.begin(), psk_flags.end());
    return a;
  }
  ~DtlsServerTool() {
    process.send("quit");
    process.wait_exit(10s);
  }
};

TEST(FleetDtls, TwentyClientsRegisterOverDtlsAnswerAReadEachAndDeregisterOnSigint) {
  if (!dtls_built()) GTEST_SKIP() << "lwm2m-fleet was built without DTLS";
  DtlsServerTool server("dt-", kKey);
  ASSERT_FALSE(server.uri.empty());
  // Paced as a user would against a real server: 50 handshakes per second.
  Process fleet({LWM2M_FLEET_TOOL, "--count", "20", "--server", server.uri, "--endpoint-prefix",
                 "dt", "--psk-key", kKey, "--rate", "50", "--lifetime", "600"});
  const auto registered = wait_events(server.process, "registered", "dt-", 20, 30s);
  std::set<std::string> all;
  for (int i = 0; i < 20; ++i)
    all.insert("dt-" + std::to_string(i));
  ASSERT_EQ(registered, all) << server.process.output() << fleet.output();
  ASSERT_TRUE(fleet.expect("registered 20/20", 10s)) << fleet.output();
  EXPECT_TRUE(fleet.expect("DTLS: 20 sessions, 0 failed", 5s)) << fleet.output();
  EXPECT_NE(fleet.output().find("lwm2m-fleet: DTLS sessions: mbedTLS"), std::string::npos)
      << fleet.output();
  // Over DTLS, as the server's list says.
  server.process.send("list");
  ASSERT_TRUE(server.process.expect("20 client(s) registered")) << server.process.output();
  ASSERT_TRUE(server.process.expect("via coaps://")) << server.process.output();

  for (const std::string& ep : all) {
    server.process.send("read " + ep + " /3303/0/5700 text");
    ASSERT_TRUE(server.process.expect("read " + ep + " /3303/0/5700 -> 2.05 Content"))
        << server.process.output();
    ASSERT_TRUE(server.process.expect("/3303/0/5700 Sensor Value: ")) << server.process.output();
  }
  server.process.send("read dt-7 /3/0/2 text");
  ASSERT_TRUE(server.process.expect("/3/0/2 Serial Number: \"dt-7\"")) << server.process.output();

  fleet.signal(SIGINT);
  const auto gone = wait_events(server.process, "deregistered", "dt-", 20, 30s);
  EXPECT_EQ(gone, all) << server.process.output() << fleet.output();
  EXPECT_EQ(fleet.wait_exit(30s), 0) << fleet.output();
  EXPECT_NE(fleet.output().find("20 registered, 20 de-registered, 0 still registered, 0 failed"),
            std::string::npos)
      << fleet.output();
}

TEST(FleetDtls, AWrongKeyIsReportedNamingTheFlagAndTheFleetExits) {
  if (!dtls_built()) GTEST_SKIP() << "lwm2m-fleet was built without DTLS";
  DtlsServerTool server("wk-", kKey);
  ASSERT_FALSE(server.uri.empty());
  Process fleet({LWM2M_FLEET_TOOL, "--count", "3", "--server", server.uri, "--endpoint-prefix",
                 "wk", "--psk-key", "00112233", "--rate", "0"});
  // Each refusal names the flag and the identity the key is for, the progress line counts
  // them, and once every client was refused the fleet exits with the fix.
  EXPECT_TRUE(fleet.expect("the server refused the DTLS handshake", 45s)) << fleet.output();
  EXPECT_TRUE(fleet.expect("--psk-key must be the key the server holds for identity wk-"))
      << fleet.output();
  EXPECT_EQ(fleet.wait_exit(30s), 1) << fleet.output();
  const std::string out = fleet.output();
  EXPECT_NE(out.find("3 refused by the server: --psk-key must be the key it holds"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("the server refused every client's DTLS handshake: give --psk-key the key "
                     "the server holds for identities wk-0 ... wk-2"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("0 registered, 0 de-registered, 0 still registered"), std::string::npos)
      << out;
  server.process.send("list");
  EXPECT_TRUE(server.process.expect("0 client(s) registered")) << server.process.output();
}

TEST(FleetDtls, AnExactIdentityTakesItsOwnKeyBeforeAPrefixThatAlsoMatches) {
  if (!dtls_built()) GTEST_SKIP() << "lwm2m-fleet was built without DTLS";
  // px-1 has a key of its own; every other px-* identity has the prefix's key.
  DtlsServerTool server({"--psk-identity-prefix", "px-", "--psk-key", kKey, "--psk-identity",
                         "px-1", "--psk-key", "0badc0de"},
                        "1 identities, 1 identity prefixes");
  ASSERT_FALSE(server.uri.empty());
  Process prefixed({LWM2M_FLEET_TOOL, "--count", "2", "--shard", "0/2", "--server", server.uri,
                    "--endpoint-prefix", "px", "--psk-key", kKey});
  Process exact({LWM2M_FLEET_TOOL, "--count", "2", "--shard", "1/2", "--server", server.uri,
                 "--endpoint-prefix", "px", "--psk-key", "0badc0de"});
  const auto registered = wait_events(server.process, "registered", "px-", 2, 15s);
  EXPECT_EQ(registered, (std::set<std::string>{"px-0", "px-1"}))
      << server.process.output() << prefixed.output() << exact.output();
  prefixed.signal(SIGINT);
  exact.signal(SIGINT);
  EXPECT_EQ(prefixed.wait_exit(30s), 0) << prefixed.output();
  EXPECT_EQ(exact.wait_exit(30s), 0) << exact.output();
}

}  // namespace
}  // namespace lwm2m::fleet_test
