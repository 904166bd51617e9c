// SPDX-License-Identifier: Apache-2.0
// lwm2m-client's --firmware-dir: the Firmware Update object's sink as files. A pushed
// (Write of /5/0/0) or pulled (Package URI /5/0/1) image streams to DIR/firmware.bin as its
// blocks arrive. Update (/5/0/2) installs an image that begins with the 4 bytes "LWFW" as
// DIR/installed.bin (its version: the text after LWFW up to the first newline); any other
// image is refused with Update Result 6 (unsupported package).
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "lwm2m/objects/firmware_update.hpp"

namespace lwm2m::client_tool {

class FileFirmwareSink final : public objects::FirmwareSink {
 public:
  /// `out`: where the progress lines go (stdout).
  FileFirmwareSink(std::string dir, std::FILE* out);
  ~FileFirmwareSink() override;
  FileFirmwareSink(const FileFirmwareSink&) = delete;
  FileFirmwareSink& operator=(const FileFirmwareSink&) = delete;

  const std::string& image_path() const { return image_; }

  objects::UpdateResult open() noexcept override;
  objects::UpdateResult write(uint32_t offset, ByteView bytes) noexcept override;
  objects::UpdateResult finish(uint32_t size) noexcept override;
  void discard() noexcept override;
  objects::UpdateResult update() noexcept override;

  /// The version an update installed, once, after update() started it: the caller reports
  /// the outcome (FirmwareUpdateObject::update_finished) outside the client's request.
  std::optional<std::string> take_installed();

 private:
  void close_file() noexcept;

  std::string image_, installed_;
  std::FILE* out_;
  std::FILE* file_ = nullptr;
  std::mutex mutex_;  // installed_version_: set on the runner thread, taken on the main one
  std::optional<std::string> installed_version_;
};

}  // namespace lwm2m::client_tool
