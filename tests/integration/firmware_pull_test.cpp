// SPDX-License-Identifier: Apache-2.0
// Firmware Update (/5) pulled: a server writes Package URI (/5/0/1) and the client's
// PackageDownloader fetches the image from a CoAP file server with Block2, block by block
// into the sink, which compares it byte for byte. Invalid and unsupported URIs end with
// Update Result 7 and 9.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include "fixture.hpp"
#include "lossy_proxy.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/testserver/file_server.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;
using objects::UpdateResult;

ts::Bytes make_image(size_t n, uint32_t seed) {
  ts::Bytes b(n);
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    b[i] = static_cast<uint8_t>(x >> 24);
  }
  return b;
}

/// Keeps a copy of what it is given, block by block (the test compares it at the end).
struct CopyingSink final : objects::FirmwareSink {
  std::mutex m;
  ts::Bytes image;
  std::atomic<int> opens{0};
  std::atomic<bool> finished{false};
  UpdateResult open() noexcept override {
    std::lock_guard<std::mutex> g(m);
    image.clear();
    ++opens;
    finished = false;
    return UpdateResult::initial;
  }
  UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    std::lock_guard<std::mutex> g(m);
    if (offset > image.size()) return UpdateResult::integrity_failure;
    image.resize(offset);
    image.insert(image.end(), bytes.begin(), bytes.end());
    return UpdateResult::initial;
  }
  UpdateResult finish(uint32_t size) noexcept override {
    std::lock_guard<std::mutex> g(m);
    finished = size == image.size();
    return UpdateResult::initial;
  }
  void discard() noexcept override {}
  UpdateResult update() noexcept override { return UpdateResult::initial; }
  ts::Bytes copy() {
    std::lock_guard<std::mutex> g(m);
    return image;
  }
};

bool wait_for(const std::function<bool()>& cond, ts::Duration timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

std::vector<int64_t> values(const ts::Observation& o) {
  std::vector<int64_t> out;
  for (const ts::Notification& n : o.notifications())
    out.push_back(std::stoll(n.text()));
  return out;
}

objects::FirmwareUpdateConfig pull_config() {
  objects::FirmwareUpdateConfig c;
  c.pull = true;
  return c;
}

struct FirmwarePull : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(rig.registry.add(firmware).ok());
    rig.downloader = &downloader;
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  std::string read(const std::string& path) { return server.read(ep, path, CF::text).text(); }
  ts::Response write_uri(const std::string& uri) {
    return server.write(ep, "/5/0/1", ts::Bytes(uri.begin(), uri.end()), CF::text);
  }

  ts::Server server{server_options()};
  Rig rig{"fw-pull"};
  std::string ep = "fw-pull";
  CopyingSink sink;
  objects::FirmwareUpdateObject firmware{sink, pull_config()};
  core::PackageDownloader downloader;
};

TEST_F(FirmwarePull, ACoapUriIsDownloadedWithBlock2ByteForByte) {
  const ts::Bytes image = make_image(300 * 1024 + 123, 7);
  ts::FileServer files("fw.bin", image);
  EXPECT_EQ(read("/5/0/9"), "2");  // push and pull
  auto state = server.observe(ep, "/5/0/3", CF::text);
  ASSERT_TRUE(state.established());
  ASSERT_EQ(write_uri(files.uri()).code_string(), "2.04");
  ASSERT_TRUE(wait_for([&] { return sink.finished.load(); }, ts::Duration{60000}))
      << "received " << sink.copy().size() << " of " << image.size();
  EXPECT_TRUE(sink.copy() == image) << "the sink's copy differs from the served image";
  ASSERT_TRUE(wait_for([&] { return values(state).size() >= 2; }, kWait));
  EXPECT_EQ(values(state), (std::vector<int64_t>{1, 2}));  // Downloading, Downloaded
  EXPECT_EQ(read("/5/0/5"), "0");
  EXPECT_EQ(sink.opens.load(), 1);
  // Every block asked for once, in order: 1024-byte blocks.
  auto blocks = files.blocks_served();
  ASSERT_EQ(blocks.size(), (image.size() + 1023) / 1024);
  for (uint32_t i = 0; i < blocks.size(); ++i)
    ASSERT_EQ(blocks[i], i);
}

TEST_F(FirmwarePull, InvalidAndUnsupportedUrisEndWithResult7And9) {
  ASSERT_EQ(write_uri("http://127.0.0.1/fw").code_string(), "2.04");
  EXPECT_EQ(read("/5/0/5"), "9");
  EXPECT_EQ(read("/5/0/3"), "0");
  ASSERT_EQ(write_uri("coap//nothing").code_string(), "2.04");
  EXPECT_EQ(read("/5/0/5"), "7");
  // A well-formed URI whose resource is not there: the file server answers 4.04.
  ts::FileServer files("fw.bin", make_image(100, 1));
  ASSERT_EQ(
      write_uri("coap://127.0.0.1:" + std::to_string(files.port()) + "/missing").code_string(),
      "2.04");
  ASSERT_TRUE(wait_for([&] { return read("/5/0/5") == "7"; }, kWait));
  EXPECT_EQ(read("/5/0/3"), "0");
}

TEST_F(FirmwarePull, AnEmptyUriCancelsADownload) {
  ts::FileServer files("fw.bin", make_image(64 * 1024, 3));
  ASSERT_EQ(write_uri(files.uri()).code_string(), "2.04");
  ASSERT_EQ(write_uri("").code_string(), "2.04");
  EXPECT_EQ(read("/5/0/3"), "0");
  EXPECT_EQ(read("/5/0/5"), "0");
  EXPECT_EQ(read("/5/0/1"), "");
}

// 30 % of the datagrams lost in each direction (a seeded lossy proxy between the client
// and the file server): exchanges fail, and the downloader asks again for the block it
// lacks instead of starting over. Short CoAP timers keep the test quick.
TEST(FirmwarePullLossy, ThirtyPercentLossStillCompletesAndResumesRatherThanRestarts) {
  ts::Server server{server_options()};
  Rig rig{"fw-lossy"};
  CopyingSink sink;
  objects::FirmwareUpdateObject firmware{sink, pull_config()};
  core::PackageDownloader downloader;
  ASSERT_TRUE(rig.registry.add(firmware).ok());
  rig.downloader = &downloader;
  rig.config.coap.tx.ack_timeout = Duration{150};
  rig.config.coap.tx.max_retransmit = 1;
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("fw-lossy", kWait));

  const ts::Bytes image = make_image(48 * 1024 + 17, 11);
  ts::FileServer files("fw.bin", image);
  LossyProxy proxy(files.port(), 0.30, 20261206);
  const std::string uri = "coap://127.0.0.1:" + std::to_string(proxy.port()) + "/fw.bin";
  ASSERT_EQ(
      server.write("fw-lossy", "/5/0/1", ts::Bytes(uri.begin(), uri.end()), CF::text).code_string(),
      "2.04");
  ASSERT_TRUE(wait_for([&] { return sink.finished.load(); }, ts::Duration{90000}))
      << "received " << sink.copy().size() << " of " << image.size() << ", dropped "
      << proxy.dropped();
  EXPECT_TRUE(sink.copy() == image);
  EXPECT_EQ(server.read("fw-lossy", "/5/0/3", CF::text).text(), "2");
  EXPECT_GT(proxy.dropped(), 0u);
  EXPECT_GT(downloader.resumed(), 0u) << "no exchange failed: the loss was not felt";
  EXPECT_EQ(sink.opens.load(), 1) << "the image was never started over";
  // The file server saw block numbers that never go back: every retry asked for the block
  // the client lacked, not block 0.
  auto blocks = files.blocks_served();
  for (size_t i = 1; i < blocks.size(); ++i)
    ASSERT_GE(blocks[i], blocks[i - 1]) << "at request " << i;
}

}  // namespace
}  // namespace lwm2m::itest
