// SPDX-License-Identifier: Apache-2.0
// core::PackageDownloader on the simulated network: a server writes Package URI, the
// client fetches the image from a file server node with Block2, block by block into the
// Firmware Update object's sink. With 30 % of the datagrams lost (seeded, simulated time)
// the download still completes and asks again for the block it lacks, never block 0.
#include "lwm2m/core/download.hpp"

#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "lwm2m/objects/firmware_update.hpp"

namespace lwm2m::test {
namespace {

/// Serves one image at /fw; the engine cuts the Block2 block each GET asks for.
class FileNode final : public coap::RequestHandler {
 public:
  explicit FileNode(std::string image) : image_(std::move(image)), engine_(config(), rng_, this) {}
  static coap::EngineConfig config() {
    coap::EngineConfig c;
    c.block_size = 256;
    c.max_message_size = 512;
    return c;
  }
  std::vector<uint32_t> blocks;  // the Block2 number of each GET
  void handle_datagram(coap::PeerId p, ByteView d, TimePoint now) {
    engine_.handle_datagram(p, d, now);
  }
  void handle_timeout(TimePoint now) { engine_.handle_timeout(now); }
  std::optional<coap::Datagram> poll_transmit() { return engine_.poll_transmit(); }
  TimePoint next_deadline() const { return engine_.next_deadline(); }

 private:
  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    std::string_view seg[2];
    if (req.message.strings(coap::OptionNumber::uri_path, seg) != 1 || seg[0] != "fw") {
      resp.set_code(coap::codes::not_found);
      return;
    }
    auto b2 = req.message.block(coap::OptionNumber::block2);
    blocks.push_back(b2 ? b2->num : 0);
    (void)resp.set_content_format(42);
    resp.write(image_);
  }
  std::string image_;
  XorShiftRandom rng_{99};
  coap::Engine engine_;
};

struct StringSink final : objects::FirmwareSink {
  std::string image;
  int opens = 0;
  bool finished = false;
  objects::UpdateResult open() noexcept override {
    ++opens;
    image.clear();
    return objects::UpdateResult::initial;
  }
  objects::UpdateResult write(uint32_t offset, ByteView b) noexcept override {
    image.resize(offset);
    image.append(reinterpret_cast<const char*>(b.data()), b.size());
    return objects::UpdateResult::initial;
  }
  objects::UpdateResult finish(uint32_t size) noexcept override {
    finished = size == image.size();
    return objects::UpdateResult::initial;
  }
  void discard() noexcept override {}
  objects::UpdateResult update() noexcept override { return objects::UpdateResult::initial; }
};

objects::FirmwareUpdateConfig pull() {
  objects::FirmwareUpdateConfig c;
  c.pull = true;
  return c;
}

struct DownloadTest : ClientTest {
  DownloadTest() : file(make_body(20000, 5)), file_node(file) {
    EXPECT_TRUE(rig.registry.add(firmware).ok());
    rig.client->set_downloader(&downloader);
    // Nodes are numbered in order (three so far): the file server takes the client's
    // download peer.
    for (NodeId n = 3; n < rig.client->download_peer(); ++n)
      net.add(spare_nodes.emplace_back(file));
    EXPECT_EQ(net.add(file_node), rig.client->download_peer());
  }
  Reply write_uri(const std::string& uri) { return call(coap::codes::put, "/5/0/1", {}, 0, uri); }

  FileNode file;
  std::deque<SansIoNode<FileNode>> spare_nodes;
  SansIoNode<FileNode> file_node;
  StringSink sink;
  objects::FirmwareUpdateObject firmware{sink, pull()};
  core::PackageDownloader downloader;
};

TEST_F(DownloadTest, TheImageArrivesBlockByBlockAndTheObjectIsDownloaded) {
  start_and_register();
  EXPECT_EQ(write_uri("coap://files.example/fw").code, coap::codes::changed);
  ASSERT_TRUE(net.run_until([&] { return sink.finished; }, net.now() + std::chrono::seconds(60)));
  EXPECT_EQ(sink.image, make_body(20000, 5));
  EXPECT_EQ(firmware.state(), objects::FirmwareState::downloaded);
  EXPECT_EQ(downloader.resumed(), 0u);
  // Our engine's 1024-byte request was answered in the server's 256: every block once.
  ASSERT_FALSE(file.blocks.empty());
  EXPECT_EQ(file.blocks.size(), 20000u / 256 + 1);
}

TEST_F(DownloadTest, ThirtyPercentLossResumesAtTheMissingBlockNeverFromZero) {
  start_and_register();
  EXPECT_EQ(write_uri("coap://files.example/fw").code, coap::codes::changed);
  net.set_link({.drop_permille = 300});
  ASSERT_TRUE(net.run_until(
      [&] { return sink.finished || firmware.state() == objects::FirmwareState::idle; },
      net.now() + std::chrono::hours(2)));
  EXPECT_TRUE(sink.finished) << "Update Result " << static_cast<int>(firmware.result());
  EXPECT_EQ(sink.image, make_body(20000, 5));
  EXPECT_EQ(sink.opens, 1);
  EXPECT_GT(downloader.resumed(), 0u);
  for (size_t i = 1; i < file.blocks.size(); ++i)
    ASSERT_GE(file.blocks[i], file.blocks[i - 1]) << "request " << i;
}

TEST_F(DownloadTest, ANotFoundUriEndsWithResult7) {
  start_and_register();
  EXPECT_EQ(write_uri("coap://files.example/nothing").code, coap::codes::changed);
  ASSERT_TRUE(net.run_until([&] { return firmware.state() == objects::FirmwareState::idle; },
                            net.now() + std::chrono::seconds(60)));
  EXPECT_EQ(firmware.result(), objects::UpdateResult::invalid_uri);
}

}  // namespace
}  // namespace lwm2m::test
