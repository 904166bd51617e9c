// SPDX-License-Identifier: Apache-2.0
// 10,000 lwm2m-fleet clients register with lwm2m-server on loopback, 100 chosen at random
// answer a Read, and all de-register on SIGINT; the fleet reports its resident memory per
// client (growth from 1,000 to 10,000 registered). A benchmark: minutes on a loaded machine.
#include <signal.h>

#include <cstdio>
#include <random>

#include "fleet_support.hpp"

namespace lwm2m::fleet_test {
namespace {

TEST(FleetBenchmark, TenThousandClientsRegisterAndHundredRandomOnesAnswerARead) {
  constexpr size_t kCount = 10'000;
  ServerTool server;
  ASSERT_FALSE(server.uri.empty());
  const auto start = std::chrono::steady_clock::now();
  Process fleet({LWM2M_FLEET_TOOL, "--count", std::to_string(kCount), "--server", server.uri,
                 "--endpoint-prefix", "bm", "--rate", "2000", "--lifetime", "3600",
                 "--report-memory"});
  ASSERT_TRUE(fleet.expect("registered 10000/10000", 600s)) << fleet.output();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto registered = wait_events(server.process, "registered", "bm-", kCount, 120s);
  ASSERT_EQ(registered.size(), kCount);

  std::mt19937 pick(20261206);
  std::uniform_int_distribution<size_t> any(0, kCount - 1);
  for (int i = 0; i < 100; ++i) {
    const std::string ep = "bm-" + std::to_string(any(pick));
    server.process.send("read " + ep + " /3303/0/5700 text");
    ASSERT_TRUE(server.process.expect("read " + ep + " /3303/0/5700 -> 2.05 Content", 30s)) << ep;
  }
  fleet.signal(SIGINT);
  const auto gone = wait_events(server.process, "deregistered", "bm-", kCount, 600s);
  EXPECT_EQ(gone.size(), kCount);
  EXPECT_EQ(fleet.wait_exit(120s), 0) << fleet.output().substr(0, 4000);
  const std::string out = fleet.output();
  const size_t memory = out.find("lwm2m-fleet: memory:");
  ASSERT_NE(memory, std::string::npos) << out.substr(0, 4000);
  std::printf("registered %zu clients in %.1f s; %s\n", kCount, seconds,
              out.substr(memory, out.find('\n', memory) - memory).c_str());
}

}  // namespace
}  // namespace lwm2m::fleet_test
