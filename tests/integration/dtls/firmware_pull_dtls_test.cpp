// SPDX-License-Identifier: Apache-2.0
// Firmware Update pulled over coaps://: the Package URI names a CoAP file server speaking
// DTLS PSK; the client's downloader opens a DTLS session to it with the credentials of the
// server that wrote the URI, and the image arrives byte for byte.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "dtls_fixture.hpp"
#include "lwm2m/core/download.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/testserver/file_server.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m {
namespace {

using namespace itest;
using namespace std::chrono_literals;
namespace ts = testserver;

struct CopyingSink final : objects::FirmwareSink {
  std::mutex m;
  Bytes image;
  std::atomic<bool> finished{false};
  objects::UpdateResult open() noexcept override {
    std::lock_guard<std::mutex> g(m);
    image.clear();
    return objects::UpdateResult::initial;
  }
  objects::UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    std::lock_guard<std::mutex> g(m);
    image.resize(offset);
    image.insert(image.end(), bytes.begin(), bytes.end());
    return objects::UpdateResult::initial;
  }
  objects::UpdateResult finish(uint32_t size) noexcept override {
    std::lock_guard<std::mutex> g(m);
    finished = size == image.size();
    return objects::UpdateResult::initial;
  }
  void discard() noexcept override {}
  objects::UpdateResult update() noexcept override { return objects::UpdateResult::initial; }
  Bytes copy() {
    std::lock_guard<std::mutex> g(m);
    return image;
  }
};

TEST(DtlsFirmwarePull, ACoapsUriIsDownloadedOverDtlsByteForByte) {
  ts::Options so;
  so.bind_address = "127.0.0.1";
  so.psk = {ts::PskCredential{kIdentity, kKey}};
  so.request_timeout = kWait;
  ts::Server server(so);
  Relay relay(server.port());
  // 128-byte blocks: with the DTLS record around them they fit RIOT's 200-byte buffer.
  DtlsClient client({.uri = coaps_uri(relay.port()), .block_size = 128});
  CopyingSink sink;
  objects::FirmwareUpdateConfig fc;
  fc.pull = true;
  objects::FirmwareUpdateObject firmware{sink, fc};
  core::PackageDownloader downloader;
  ASSERT_TRUE(client.registry().add(firmware).ok());
  client.client().set_downloader(&downloader);
  client.start();
  ASSERT_TRUE(server.wait_registered(DtlsClient::endpoint(), kWait)) << client.log_text();

  Bytes image(40 * 1024 + 5);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = static_cast<uint8_t>((i * 131) ^ (i >> 8));
  ts::FileServer files("fw.bin", image, {ts::PskCredential{kIdentity, kKey}});
  ASSERT_EQ(files.uri().rfind("coaps://", 0), 0u);
  const std::string uri = files.uri();
  auto w = server.write(DtlsClient::endpoint(), "/5/0/1", Bytes(uri.begin(), uri.end()),
                        ts::ContentFormat::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  auto end = std::chrono::steady_clock::now() + kWait;
  while (!sink.finished && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(sink.finished) << "received " << sink.copy().size() << " of " << image.size() << "\n"
                             << client.log_text();
  EXPECT_TRUE(sink.copy() == image);
  EXPECT_EQ(server.read(DtlsClient::endpoint(), "/5/0/3", ts::ContentFormat::text).text(), "2");
  EXPECT_EQ(files.blocks_served().size(), (image.size() + 127) / 128);
}

}  // namespace
}  // namespace lwm2m
