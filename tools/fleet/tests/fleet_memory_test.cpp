// SPDX-License-Identifier: Apache-2.0
// Bytes per client of lwm2m-fleet, measured as the fleet makes its clients: the heap that
// glibc's allocator hands out (mallinfo2, so its chunk headers and rounding count) for
// devices made in a fleet::Devices table as the fleet keeps them, after a first block that
// pays for what is made once. Deterministic, unlike the resident growth that lwm2m-fleet
// --report-memory measures on a live run (bench/README.md, "Many clients in one process").
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include "fleet.hpp"

namespace lwm2m::fleet {
namespace {

// The target, 2 KiB per client (issue 11): 2,039 B measured when it was set, so a few
// more bytes per client fail here (bench/README.md says what takes them).
constexpr size_t kBudget = 2048;
constexpr size_t kClients = 64 * Devices::kBlock;  // 2,048

size_t heap_in_use() {
  return mallinfo2().uordblks;
}

TEST(FleetMemory, EachClientStaysWithinItsHeapBudget) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the sanitizer's allocator has its own chunk sizes; run in a plain build";
#endif
  Shared shared;
  shared.server_uri = "coap://127.0.0.1:5683";
  core::ClientConfig config = device_config();
  // As lwm2m-fleet --count 10000 --rate 2000 sizes it, counted per client below.
  constexpr size_t kFleet = 10000;
  constexpr double kRate = 2000;
  core::Workspace workspace(config, response_store_bytes(kFleet), shared_messages(kFleet, kRate));
  ASSERT_TRUE(workspace.valid());
  config.workspace = &workspace;
  std::vector<std::string> names;
  names.reserve(Devices::kBlock + kClients);
  for (size_t i = 0; i < Devices::kBlock + kClients; ++i)
    names.push_back("mem-" + std::to_string(i));

  XorShiftRandom rng(20261207);
  Devices devices;
  auto make = [&](size_t i) -> Device& {
    core::ClientConfig c = config;
    c.endpoint = names[i];
    return devices.emplace_back(shared, names[i], c, rng);
  };
  // The first block of devices pays for what is made once; those measured fill whole
  // blocks, so each counts its share of the blocks' memory.
  for (size_t i = 0; i < Devices::kBlock; ++i)
    ASSERT_TRUE(make(i).client.valid());
  // What the workspace holds for them all, per client of that fleet.
  const size_t store_share = (response_store_bytes(kFleet) +
                              shared_messages(kFleet, kRate) * config.coap.max_message_size) /
                             kFleet;
  const size_t before = heap_in_use();
  for (size_t i = Devices::kBlock; i < Devices::kBlock + kClients; ++i) {
    Device& d = make(i);
    ASSERT_TRUE(d.model.ok && d.client.valid()) << i;
  }
  const size_t per_client = (heap_in_use() - before) / kClients + store_share;
  std::printf("heap per fleet client: %zu bytes (sizeof(Device) %zu)\n", per_client,
              sizeof(Device));
  EXPECT_LE(per_client, kBudget);
}

}  // namespace
}  // namespace lwm2m::fleet
