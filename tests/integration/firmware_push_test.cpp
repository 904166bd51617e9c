// SPDX-License-Identifier: Apache-2.0
// Firmware Update (/5) pushed by the libcoap server: a 1 MiB image written to Package
// (/5/0/0) with Block1, the server starting at 1024-byte blocks against the client's
// 200-byte receive buffer (RIOT's LWM2M_CLIENT_RCV_BUFFER_SIZE). The client answers the
// first block 4.13 with a block size that fits, the server goes on with smaller blocks,
// and each block streams to the sink, which compares it byte for byte with the image.
// The runner thread allocates nothing while the image streams. State and Update Result
// notifications arrive in the order of the state machine.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include "fixture.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/testserver/block1_push.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;
using objects::UpdateResult;

ts::Bytes make_image(size_t n) {
  ts::Bytes b(n);
  uint32_t x = 0x12345678;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    b[i] = static_cast<uint8_t>(x >> 16);
  }
  std::memcpy(b.data(), "LWFW", 4);
  return b;
}

/// Compares every byte as it arrives with the expected image; keeps nothing. Runs on the
/// runner thread, where it also samples that thread's allocation count.
struct ComparingSink final : objects::FirmwareSink {
  const ts::Bytes* expected = nullptr;
  std::atomic<uint32_t> written{0};
  std::atomic<uint32_t> mismatches{0};
  std::atomic<uint32_t> writes{0};
  std::atomic<uint32_t> largest_block{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> updated{false};
  /// The runner thread's allocation count at the 16th write and at the last.
  std::atomic<size_t> allocations_early{0}, allocations_late{0};

  UpdateResult open() noexcept override {
    written = 0;
    return UpdateResult::initial;
  }
  UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    if (offset != written || offset + bytes.size() > expected->size() ||
        std::memcmp(expected->data() + offset, bytes.data(), bytes.size()) != 0)
      ++mismatches;
    written = offset + static_cast<uint32_t>(bytes.size());
    if (bytes.size() > largest_block) largest_block = static_cast<uint32_t>(bytes.size());
    if (++writes == 16) allocations_early = test::thread_allocations();
    allocations_late = test::thread_allocations();
    return UpdateResult::initial;
  }
  UpdateResult finish(uint32_t size) noexcept override {
    finished = size == expected->size();
    return finished ? UpdateResult::initial : UpdateResult::integrity_failure;
  }
  void discard() noexcept override {}
  UpdateResult update() noexcept override {
    updated = true;
    return UpdateResult::initial;
  }
};

std::vector<int64_t> values(const ts::Observation& o) {
  std::vector<int64_t> out;
  for (const ts::Notification& n : o.notifications())
    out.push_back(std::stoll(n.text()));
  return out;
}

bool wait_for(const std::function<bool()>& cond, ts::Duration timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

TEST(FirmwarePush, OneMebibyteStreamsInSmallBlocksWithFlatHeapAndOrderedNotifications) {
  const ts::Bytes image = make_image(1 << 20);
  ts::Server server{server_options()};
  Rig rig{"fw-node"};
  ComparingSink sink;
  sink.expected = &image;
  objects::FirmwareUpdateObject firmware{sink};
  ASSERT_TRUE(rig.registry.add(firmware).ok());
  // A lifetime long enough that no Registration Update (and its log line, which the test's
  // log hook stores) falls into the measured push (a few seconds: the test server sends
  // each block as soon as the previous one is answered).
  rig.add_server(server, test_server_config(1, 600));
  rig.receive_buffer = 200;
  // Log lines of served blocks are dropped without allocating: the hook runs on the runner
  // thread, whose allocations the sink counts.
  rig.quiet_prefix = "served PUT /5/0/0";
  rig.start();
  ASSERT_TRUE(server.wait_registered("fw-node", kWait));

  auto state = server.observe("fw-node", "/5/0/3", CF::text);
  auto result = server.observe("fw-node", "/5/0/5", CF::text);
  ASSERT_TRUE(state.established()) << state.response().describe();
  ASSERT_TRUE(result.established()) << result.response().describe();
  EXPECT_EQ(state.response().text(), "0");

  auto push = ts::push_block1(server, "fw-node", "/5/0/0", image, CF::opaque, 1024);
  ASSERT_EQ(push.last.code_string(), "2.04") << push.last.describe();
  EXPECT_EQ(push.fallbacks, 1u) << "one 4.13, then blocks that fit";
  EXPECT_EQ(push.block_size, 128u);
  EXPECT_TRUE(sink.finished);
  EXPECT_EQ(sink.written.load(), image.size());
  EXPECT_EQ(sink.mismatches.load(), 0u);
  EXPECT_LE(sink.largest_block.load(), 128u) << "blocks that fit the 200-byte buffer";
  EXPECT_GE(sink.writes.load(), (1u << 20) / 128u);
  EXPECT_EQ(sink.allocations_late.load(), sink.allocations_early.load())
      << "the runner thread allocated while the image streamed";
  EXPECT_TRUE(rig.log_contains("exceeds the 200-byte receive buffer"));

  ASSERT_TRUE(wait_for([&] { return !values(state).empty() && values(state).back() == 2; }, kWait))
      << "State Downloaded notified";
  auto e = server.execute("fw-node", "/5/0/2");
  ASSERT_EQ(e.code_string(), "2.04") << e.describe();
  EXPECT_TRUE(sink.updated);
  ASSERT_TRUE(wait_for([&] { return !values(state).empty() && values(state).back() == 3; }, kWait));
  rig.locked([&](core::Client&) { (void)firmware.update_finished(UpdateResult::success); });
  ASSERT_TRUE(
      wait_for([&] { return !values(result).empty() && values(result).back() == 1; }, kWait));
  ASSERT_TRUE(wait_for([&] { return !values(state).empty() && values(state).back() == 0; }, kWait));
  // Downloading, Downloaded, Updating, Idle: in this order (pmin 0, one change per request).
  EXPECT_EQ(values(state), (std::vector<int64_t>{1, 2, 3, 0}));
  EXPECT_EQ(values(result), (std::vector<int64_t>{1}));
}

TEST(FirmwarePush, AnEmptyPackageCancelsAndAnUpdateOutsideDownloadedIsRefused) {
  ts::Server server{server_options()};
  Rig rig{"fw-cancel"};
  ComparingSink sink;
  const ts::Bytes image = make_image(4000);
  sink.expected = &image;
  objects::FirmwareUpdateObject firmware{sink};
  ASSERT_TRUE(rig.registry.add(firmware).ok());
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("fw-cancel", kWait));

  EXPECT_EQ(server.execute("fw-cancel", "/5/0/2").code_string(), "4.05");
  ASSERT_EQ(server.write("fw-cancel", "/5/0/0", image, CF::opaque).code_string(), "2.04");
  EXPECT_EQ(server.read("fw-cancel", "/5/0/3", CF::text).text(), "2");
  ASSERT_EQ(server.write("fw-cancel", "/5/0/0", {}, CF::opaque).code_string(), "2.04");
  EXPECT_EQ(server.read("fw-cancel", "/5/0/3", CF::text).text(), "0");
  EXPECT_EQ(server.read("fw-cancel", "/5/0/5", CF::text).text(), "0");
  EXPECT_EQ(server.read("fw-cancel", "/5/0/9", CF::text).text(), "1");            // push only
  EXPECT_EQ(server.read("fw-cancel", "/5/0/0", CF::text).code_string(), "4.05");  // write-only
}

// The object as a server sees it: read whole in every format the client speaks, the 1.1
// resources written and executed over the wire (Severity, Maximum Defer Period, Cancel),
// and the spec's codes for what a server may not do.
TEST(FirmwarePush, EveryFormatReadsItAndTheSettingsAndCancelWorkOverTheWire) {
  ts::Server server{server_options()};
  Rig rig{"fw-wire"};
  ComparingSink sink;
  const ts::Bytes image = make_image(3000);
  sink.expected = &image;
  objects::FirmwareUpdateObject firmware{sink};
  ASSERT_TRUE(rig.registry.add(firmware).ok());
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("fw-wire", kWait));

  for (CF cf : {CF::tlv, CF::senml_json, CF::senml_cbor, CF::lwm2m_cbor}) {
    const auto r = server.read("fw-wire", "/5/0", cf);
    EXPECT_EQ(r.code_string(), "2.05") << r.describe();
    EXPECT_EQ(r.content_format, cf) << r.describe();
    EXPECT_FALSE(r.payload.empty());
  }
  EXPECT_EQ(server.read("fw-wire", "/5/0/11", CF::text).text(), "1");  // default Severity
  ASSERT_EQ(server.write("fw-wire", "/5/0/11", ts::Bytes{'0'}, CF::text).code_string(), "2.04");
  EXPECT_EQ(server.read("fw-wire", "/5/0/11", CF::text).text(), "0");
  EXPECT_EQ(server.write("fw-wire", "/5/0/11", ts::Bytes{'3'}, CF::text).code_string(), "4.00");
  ASSERT_EQ(server.write("fw-wire", "/5/0/13", ts::Bytes{'6', '0'}, CF::text).code_string(),
            "2.04");
  EXPECT_EQ(server.read("fw-wire", "/5/0/13", CF::text).text(), "60");
  EXPECT_EQ(server.write("fw-wire", "/5/0/3", ts::Bytes{'1'}, CF::text).code_string(),
            "4.05");                                                             // read-only
  EXPECT_EQ(server.read("fw-wire", "/5/0/12", CF::text).code_string(), "4.04");  // no clock given

  EXPECT_EQ(server.execute("fw-wire", "/5/0/10").code_string(), "4.05");  // Idle: nothing to end
  ASSERT_EQ(server.write("fw-wire", "/5/0/0", image, CF::opaque).code_string(), "2.04");
  EXPECT_EQ(server.read("fw-wire", "/5/0/3", CF::text).text(), "2");
  ASSERT_EQ(server.execute("fw-wire", "/5/0/10").code_string(), "2.04");
  EXPECT_EQ(server.read("fw-wire", "/5/0/3", CF::text).text(), "0");
  EXPECT_EQ(server.read("fw-wire", "/5/0/5", CF::text).text(), "10");  // cancelled
}

}  // namespace
}  // namespace lwm2m::itest
