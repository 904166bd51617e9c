// SPDX-License-Identifier: Apache-2.0
// lwm2m-fleet as a user runs it, against lwm2m-server on loopback: 100 clients register,
// each answers a Read, SIGINT de-registers them all (as the server console reports);
// --shard slices; bad flags and a too low open-file limit are refused with the fix.
#include <signal.h>

#include "fleet_support.hpp"
#include "options.hpp"

namespace lwm2m::fleet_test {
namespace {

std::set<std::string> names(const std::string& prefix, size_t first, size_t end) {
  std::set<std::string> s;
  for (size_t i = first; i < end; ++i)
    s.insert(prefix + "-" + std::to_string(i));
  return s;
}

TEST(Fleet, HundredClientsRegisterAnswerAReadEachAndDeregisterOnSigint) {
  ServerTool server;
  ASSERT_FALSE(server.uri.empty());
  Process fleet({LWM2M_FLEET_TOOL, "--count", "100", "--server", server.uri, "--endpoint-prefix",
                 "ci", "--rate", "0", "--lifetime", "600"});
  const auto registered = wait_events(server.process, "registered", "ci-", 100, 60s);
  ASSERT_EQ(registered, names("ci", 0, 100)) << server.process.output() << fleet.output();
  ASSERT_TRUE(fleet.expect("registered 100/100", 30s)) << fleet.output();
  server.process.send("list");
  ASSERT_TRUE(server.process.expect("100 client(s) registered")) << server.process.output();

  // Every client answers a Read of its temperature (the console prints each answer).
  for (int i = 0; i < 100; ++i) {
    const std::string ep = "ci-" + std::to_string(i);
    server.process.send("read " + ep + " /3303/0/5700 text");
    ASSERT_TRUE(server.process.expect("read " + ep + " /3303/0/5700 -> 2.05 Content"))
        << server.process.output();
    ASSERT_TRUE(server.process.expect("/3303/0/5700 Sensor Value: ")) << server.process.output();
  }
  // And the Device object names the client by its endpoint.
  server.process.send("read ci-42 /3/0/2 text");
  ASSERT_TRUE(server.process.expect("/3/0/2 Serial Number: \"ci-42\"")) << server.process.output();
  ASSERT_TRUE(fleet.expect("requests/s served", 10s)) << fleet.output();

  fleet.signal(SIGINT);
  const auto gone = wait_events(server.process, "deregistered", "ci-", 100, 60s);
  EXPECT_EQ(gone, names("ci", 0, 100)) << server.process.output() << fleet.output();
  EXPECT_EQ(fleet.wait_exit(60s), 0) << fleet.output();
  EXPECT_NE(fleet.output().find("100 registered, 100 de-registered, 0 still registered, 0 failed"),
            std::string::npos)
      << fleet.output();
  server.process.send("list");
  EXPECT_TRUE(server.process.expect("0 client(s) registered")) << server.process.output();
}

TEST(Fleet, ShardsRegisterTheirOwnSlicesAndTogetherTheWholeRangeOnce) {
  ServerTool server;
  ASSERT_FALSE(server.uri.empty());
  Process first({LWM2M_FLEET_TOOL, "--count", "7", "--shard", "0/2", "--server", server.uri,
                 "--endpoint-prefix", "sh", "--rate", "0"});
  Process second({LWM2M_FLEET_TOOL, "--count", "7", "--shard", "1/2", "--server", server.uri,
                  "--endpoint-prefix", "sh", "--rate", "0"});
  ASSERT_TRUE(first.expect("4 clients sh-0 ... sh-3 (shard 0/2 of 7)")) << first.output();
  ASSERT_TRUE(second.expect("3 clients sh-4 ... sh-6 (shard 1/2 of 7)")) << second.output();
  ASSERT_TRUE(first.expect("registered 4/4", 30s)) << first.output();
  ASSERT_TRUE(second.expect("registered 3/3", 30s)) << second.output();
  const auto registered = wait_events(server.process, "registered", "sh-", 7, 30s);
  EXPECT_EQ(registered, names("sh", 0, 7)) << server.process.output();
  server.process.send("list");
  ASSERT_TRUE(server.process.expect("7 client(s) registered")) << server.process.output();
  first.signal(SIGINT);
  second.signal(SIGINT);
  EXPECT_EQ(first.wait_exit(60s), 0) << first.output();
  EXPECT_EQ(second.wait_exit(60s), 0) << second.output();
}

TEST(Fleet, ShardSlicesCoverEveryEndpointOnceAndDifferByOneAtMost) {
  for (size_t count : {1u, 7u, 100u, 10'000u, 10'001u})
    for (size_t shards = 1; shards <= std::min<size_t>(count, 13); ++shards) {
      size_t next = 0, smallest = count, largest = 0;
      for (size_t i = 0; i < shards; ++i) {
        const fleet::Slice s = fleet::shard_slice(count, i, shards);
        EXPECT_EQ(s.first, next) << count << " " << i << "/" << shards;
        next = s.end;
        smallest = std::min(smallest, s.size());
        largest = std::max(largest, s.size());
      }
      EXPECT_EQ(next, count);
      EXPECT_LE(largest - smallest, 1u) << count << "/" << shards;
    }
}

struct BadFlag {
  std::vector<std::string> args;
  std::string flag, fix;
};

TEST(Fleet, BadFlagsAreRefusedNamingTheFlagAndTheFix) {
  const std::vector<BadFlag> cases = {
      {{"--shard", "3/2"}, "--shard", "0 <= I < N"},
      {{"--shard", "2/2"}, "--shard", "--shard 0/4"},
      {{"--shard", "1"}, "--shard", "needs I/N"},
      {{"--shard", "0/0"}, "--shard", "needs I/N"},
      {{"--shard", "a/b"}, "--shard", "needs I/N"},
      {{"--count", "2", "--shard", "0/3"}, "--shard", "at most as many slices as clients"},
      {{"--count", "0"}, "--count", "e.g. --count 100"},
      {{"--count", "ten"}, "--count", "e.g. --count 100"},
      {{"--rate", "-5"}, "--rate", "0 or more"},
      {{"--lifetime", "0"}, "--lifetime", "e.g. --lifetime 300"},
      {{"--server", "http://127.0.0.1"}, "--server", "coap://HOST[:PORT]"},
      {{"--server", "coaps://127.0.0.1"}, "--server", "needs --psk-key HEX"},
      {{"--psk-key", "736563726574"}, "--psk-key", "give a coaps:// server with it"},
      {{"--psk-key", "7365637"}, "--psk-key", "in hex, 2 to 128 digits"},
      {{"--psk-key", "zz"}, "--psk-key", "e.g. --psk-key 736563726574"},
      {{"--psk-key", std::string(130, 'a')}, "--psk-key", "1 to 64 bytes"},
      {{"--psk-identity", "id"}, "--psk-identity", "--psk-identity-prefix PREFIX-"},
      {{"--endpoint-prefix", "a b"}, "--endpoint-prefix", "without spaces"},
      {{"--count"}, "--count", "needs a value"},
      {{"--bogus", "1"}, "--bogus", "--help lists them"},
  };
  for (const BadFlag& c : cases) {
    std::vector<std::string> argv = {LWM2M_FLEET_TOOL};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    Process p(argv);
    EXPECT_EQ(p.wait_exit(10s), 2) << c.args[0] << "\n" << p.output();
    const std::string out = p.output();
    EXPECT_NE(out.find("lwm2m-fleet: " + c.flag + ": "), std::string::npos) << out;
    EXPECT_NE(out.find(c.fix), std::string::npos) << out;
  }
}

TEST(Fleet, TooLowOpenFileLimitSaysHowFarItCanGoAndWhatFixesIt) {
  // A hard limit of 64 open files: 100 clients (a socket each) cannot run.
  Process p({"/bin/sh", "-c",
             std::string("ulimit -Sn 64 && ulimit -Hn 64 && exec ") + LWM2M_FLEET_TOOL +
                 " --count 100 --server coap://127.0.0.1:9"});
  EXPECT_EQ(p.wait_exit(10s), 2) << p.output();
  const std::string out = p.output();
  EXPECT_NE(out.find("100 clients need 132 open files"), std::string::npos) << out;
  EXPECT_NE(out.find("this process can run 32 clients"), std::string::npos) << out;
  EXPECT_NE(out.find("ulimit -Hn 132"), std::string::npos) << out;
  EXPECT_NE(out.find("--shard I/N (N >= 4)"), std::string::npos) << out;
}

TEST(Fleet, HelpDescribesEveryFlag) {
  Process p({LWM2M_FLEET_TOOL, "--help"});
  EXPECT_EQ(p.wait_exit(10s), 0);
  for (const char* flag : {"--count", "--server", "--endpoint-prefix", "--rate", "--lifetime",
                           "--shard", "--psk-key", "--report-memory"})
    EXPECT_NE(p.output().find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace lwm2m::fleet_test
