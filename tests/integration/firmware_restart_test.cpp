// SPDX-License-Identifier: Apache-2.0
// Firmware Update (/5) across restarts of the client: the object's state is saved with the
// rest of the client's state (FirmwareUpdateRecord) and a new client on the same storage
// and the same "flash" takes it up. A pull interrupted by the restart goes on from the
// saved point (not from block 0) and the image arrives byte for byte; a downloaded image
// stays Downloaded; an update in progress stays Updating until the application reports it,
// and the server then sees Update Result 1.
//
// The "kill": the storage and the sink's flash are frozen at one moment (nothing written
// after it survives, as if the process died there), then the first client goes away.
#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "fixture.hpp"
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

/// Named blobs in memory that outlive the clients; frozen, it keeps what it had.
class MemoryStorage final : public Storage {
 public:
  Status store(std::string_view name, ByteView data) noexcept override {
    std::lock_guard<std::mutex> g(m_);
    if (!frozen_) blobs_[std::string(name)].assign(data.begin(), data.end());
    return {};
  }
  Result<size_t> load(std::string_view name, MutableByteView out) noexcept override {
    std::lock_guard<std::mutex> g(m_);
    auto it = blobs_.find(std::string(name));
    if (it == blobs_.end()) return Errc::not_found;
    if (it->second.size() > out.size()) return Errc::buffer_too_small;
    std::copy(it->second.begin(), it->second.end(), out.begin());
    return it->second.size();
  }
  Status remove(std::string_view name) noexcept override {
    std::lock_guard<std::mutex> g(m_);
    if (!frozen_) blobs_.erase(std::string(name));
    return {};
  }
  std::string_view location() const noexcept override { return "memory"; }
  void freeze(bool f) {
    std::lock_guard<std::mutex> g(m_);
    frozen_ = f;
  }

 private:
  std::mutex m_;
  bool frozen_ = false;
  std::map<std::string, std::vector<uint8_t>> blobs_;
};

/// The device's flash: outlives the clients; frozen, it takes no more bytes. With
/// `kill_at` set, the first write that reaches that many bytes freezes it and `storage`
/// (on the runner thread, so that nothing the client does after that block survives) and
/// fails, so that the client asks for no further block.
struct FlashSink final : objects::FirmwareSink {
  std::mutex m;
  ts::Bytes flash;
  bool frozen = false;
  size_t kill_at = 0;
  MemoryStorage* storage = nullptr;
  std::atomic<int> opens{0};
  std::atomic<int> resumes{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> updating{false};

  UpdateResult open() noexcept override {
    std::lock_guard<std::mutex> g(m);
    ++opens;
    if (!frozen) flash.clear();
    return UpdateResult::initial;
  }
  UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    std::lock_guard<std::mutex> g(m);
    if (frozen) return UpdateResult::initial;
    if (offset > flash.size()) return UpdateResult::integrity_failure;
    flash.resize(offset);
    flash.insert(flash.end(), bytes.begin(), bytes.end());
    if (kill_at != 0 && flash.size() >= kill_at) {
      frozen = true;
      storage->freeze(true);
      // The download stops here, as a dead process's would: no request after this block.
      return UpdateResult::not_enough_storage;
    }
    return UpdateResult::initial;
  }
  UpdateResult finish(uint32_t size) noexcept override {
    std::lock_guard<std::mutex> g(m);
    finished = size == flash.size();
    return UpdateResult::initial;
  }
  void discard() noexcept override {}
  UpdateResult update() noexcept override {
    updating = true;
    return UpdateResult::initial;
  }
  bool resume(uint32_t offset) noexcept override {
    std::lock_guard<std::mutex> g(m);
    ++resumes;
    if (flash.size() < offset) return false;  // fewer bytes than were saved: start over
    flash.resize(offset);
    return true;
  }
  size_t size() {
    std::lock_guard<std::mutex> g(m);
    return flash.size();
  }
  ts::Bytes copy() {
    std::lock_guard<std::mutex> g(m);
    return flash;
  }
};

bool wait_for(const std::function<bool()>& cond, ts::Duration timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

objects::FirmwareUpdateConfig pull_config() {
  objects::FirmwareUpdateConfig c;
  c.pull = true;
  return c;
}

/// One life of the device: a client with the Firmware Update object, its state saved in
/// `storage` and its image in `sink`.
struct Device {
  Device(ts::Server& server, Storage& storage, FlashSink& sink, const std::string& ep)
      : rig(ep), firmware(sink, pull_config()), saved(storage, records, buffer) {
    EXPECT_TRUE(rig.registry.add(firmware).ok());
    rig.downloader = &downloader;
    rig.saved_state = &saved;
    rig.add_server(server);
    rig.start();
  }
  ~Device() {
    if (rig.runner) rig.runner->stop(Duration{2000});  // before the members below go
  }
  template <class F>
  auto with_firmware(F&& f) {
    return rig.locked([&](core::Client&) { return f(firmware); });
  }

  Rig rig;
  objects::FirmwareUpdateObject firmware;
  objects::FirmwareUpdateRecord record{firmware};
  StateRecord* records[1] = {&record};
  std::vector<uint8_t> buffer = std::vector<uint8_t>(4096);
  SavedState saved;
  core::PackageDownloader downloader;
};

TEST(FirmwareRestart, APullInterruptedByARestartGoesOnFromTheSavedPointByteForByte) {
  const ts::Bytes image = make_image(200 * 1024 + 77, 11);
  ts::FileServer files("fw.bin", image);
  ts::Server server{server_options()};
  MemoryStorage storage;
  FlashSink sink;
  const std::string ep = "fw-restart-pull";
  // Past a few saves of the resume point (every 16 KiB), the "kill".
  sink.kill_at = 80 * 1024 + 300;
  sink.storage = &storage;
  {
    Device first(server, storage, sink, ep);
    ASSERT_TRUE(server.wait_registered(ep, kWait));
    ASSERT_EQ(server.write(ep, "/5/0/1", ts::to_bytes(files.uri()), CF::text).code_string(),
              "2.04");
    ASSERT_TRUE(wait_for(
        [&] {
          std::lock_guard<std::mutex> g(sink.m);
          return sink.frozen;
        },
        kWait));
  }
  ASSERT_LT(sink.size(), image.size()) << "the image arrived before the restart";
  const size_t served_before = files.blocks_served().size();
  storage.freeze(false);
  {
    std::lock_guard<std::mutex> g(sink.m);
    sink.frozen = false;
    sink.kill_at = 0;
  }
  Device second(server, storage, sink, ep);
  EXPECT_TRUE(second.rig.log_contains("restored the saved configuration"));
  ASSERT_TRUE(wait_for([&] { return sink.finished.load(); }, ts::Duration{60000}))
      << "received " << sink.size() << " of " << image.size();
  EXPECT_TRUE(sink.copy() == image) << "the flash differs from the served image";
  EXPECT_EQ(sink.opens.load(), 1) << "the second client started the image over";
  EXPECT_EQ(sink.resumes.load(), 1);
  const std::vector<uint32_t> blocks = files.blocks_served();
  ASSERT_GT(blocks.size(), served_before);
  // The last save before the kill was at 80 KiB at most and 64 KiB at least (1 KiB blocks).
  EXPECT_GE(blocks[served_before], 64u) << "the second client did not resume";
  EXPECT_LE(blocks[served_before], 80u);
  EXPECT_EQ(second.with_firmware([](auto& fw) { return fw.state(); }),
            objects::FirmwareState::downloaded);
  ASSERT_TRUE(server.wait_registered(ep, kWait));
  EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "2");
}

TEST(FirmwareRestart, DownloadedStaysDownloadedAndAFinishedUpdateReportsResultOne) {
  const ts::Bytes image = make_image(600, 5);
  ts::Server server{server_options()};
  MemoryStorage storage;
  FlashSink sink;
  const std::string ep = "fw-restart-update";
  {
    Device first(server, storage, sink, ep);
    ASSERT_TRUE(server.wait_registered(ep, kWait));
    ASSERT_EQ(server.write(ep, "/5/0/0", image, CF::opaque).code_string(), "2.04");
    ASSERT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "2");
  }
  {
    Device second(server, storage, sink, ep);
    ASSERT_TRUE(server.wait_registered(ep, kWait));
    EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "2") << "Downloaded after a restart";
    EXPECT_EQ(server.read(ep, "/5/0/5", CF::text).text(), "0");
    ASSERT_EQ(server.execute(ep, "/5/0/2").code_string(), "2.04");
    EXPECT_TRUE(sink.updating.load());
    EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "3");
  }
  // The device "rebooted" into the new firmware: the application says the update worked.
  Device third(server, storage, sink, ep);
  ASSERT_TRUE(server.wait_registered(ep, kWait));
  EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "3") << "Updating after a restart";
  auto result = server.observe(ep, "/5/0/5", CF::text);
  ASSERT_TRUE(result.established()) << result.response().describe();
  EXPECT_TRUE(
      third.with_firmware([](auto& fw) { return fw.update_finished(UpdateResult::success); }));
  ASSERT_TRUE(wait_for([&] { return !result.notifications().empty(); }, kWait));
  EXPECT_EQ(result.notifications().back().text(), "1");
  EXPECT_EQ(server.read(ep, "/5/0/3", CF::text).text(), "0");
  EXPECT_TRUE(sink.copy() == image);
}

TEST(FirmwareRestart, ASavedStateWithAnotherFirmwareRecordLayoutIsRefusedWhole) {
  MemoryStorage storage;
  FlashSink sink;
  objects::FirmwareUpdateObject fw{sink};
  objects::FirmwareUpdateRecord record{fw};
  StateRecord* records[1] = {&record};
  std::vector<uint8_t> buffer(1024);
  SavedState saved{storage, records, buffer};
  ASSERT_TRUE(saved.save());
  // Layout byte 2 in the record (payload offset: header + record header).
  std::vector<uint8_t> blob(1024);
  auto n = storage.load(SavedState::kDefaultName, blob);
  ASSERT_TRUE(n);
  blob.resize(*n);
  blob[state_format::kHeaderSize + state_format::kRecordHeaderSize] = 2;
  const uint32_t crc = state_format::crc32(ByteView(blob.data(), blob.size() - 4));
  for (int i = 0; i < 4; ++i)
    blob[blob.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  ASSERT_TRUE(storage.store(SavedState::kDefaultName, blob));
  EXPECT_EQ(saved.restore(), RestoreResult::bad_record);
  EXPECT_EQ(fw.state(), objects::FirmwareState::idle);
}

}  // namespace
}  // namespace lwm2m::itest
