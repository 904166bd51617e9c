// SPDX-License-Identifier: Apache-2.0
#include "firmware.hpp"

#include <cerrno>
#include <cstring>

namespace lwm2m::client_tool {

using objects::UpdateResult;

FileFirmwareSink::FileFirmwareSink(std::string dir, std::FILE* out)
    : image_(dir + "/firmware.bin"), installed_(dir + "/installed.bin"), out_(out) {}

FileFirmwareSink::~FileFirmwareSink() {
  close_file();
}

void FileFirmwareSink::close_file() noexcept {
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

UpdateResult FileFirmwareSink::open() noexcept {
  close_file();
  file_ = std::fopen(image_.c_str(), "wb");
  if (!file_) {
    std::fprintf(out_, "lwm2m-client: firmware: cannot create %s: %s (Update Result 2)\n",
                 image_.c_str(), std::strerror(errno));
    std::fflush(out_);
    return UpdateResult::not_enough_storage;
  }
  return UpdateResult::initial;
}

UpdateResult FileFirmwareSink::write(uint32_t offset, ByteView bytes) noexcept {
  // A resumed pull may write a range again: seek to where the block belongs.
  if (!file_ || std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    std::fprintf(out_, "lwm2m-client: firmware: cannot write %s: %s (Update Result 2)\n",
                 image_.c_str(), std::strerror(errno));
    std::fflush(out_);
    return UpdateResult::not_enough_storage;
  }
  return UpdateResult::initial;
}

UpdateResult FileFirmwareSink::finish(uint32_t size) noexcept {
  const bool failed = !file_ || std::fflush(file_) != 0;
  close_file();
  if (failed) return UpdateResult::not_enough_storage;
  std::fprintf(out_, "lwm2m-client: firmware: %u bytes stored in %s\n", size, image_.c_str());
  std::fflush(out_);
  return UpdateResult::initial;
}

void FileFirmwareSink::discard() noexcept {
  close_file();
  std::remove(image_.c_str());
}

UpdateResult FileFirmwareSink::update() noexcept {
  char header[36] = {};
  std::FILE* f = std::fopen(image_.c_str(), "rb");
  const size_t n = f ? std::fread(header, 1, sizeof header, f) : 0;
  if (f) std::fclose(f);
  if (n < 4 || std::memcmp(header, "LWFW", 4) != 0) {
    std::fprintf(out_, "lwm2m-client: firmware: %s does not begin with LWFW: Update Result 6\n",
                 image_.c_str());
    std::fflush(out_);
    return UpdateResult::unsupported_package;
  }
  if (std::rename(image_.c_str(), installed_.c_str()) != 0) {
    std::fprintf(out_, "lwm2m-client: firmware: cannot move %s to %s: %s (Update Result 8)\n",
                 image_.c_str(), installed_.c_str(), std::strerror(errno));
    std::fflush(out_);
    return UpdateResult::update_failed;
  }
  std::string version;
  for (size_t i = 4; i < n && header[i] >= ' ' && header[i] <= '~'; ++i)
    version += header[i];
  if (version.empty()) version = "updated";
  std::fprintf(out_, "lwm2m-client: firmware: installed as %s\n", installed_.c_str());
  std::fflush(out_);
  std::lock_guard<std::mutex> guard(mutex_);
  installed_version_ = version;
  return UpdateResult::initial;
}

std::optional<std::string> FileFirmwareSink::take_installed() {
  std::lock_guard<std::mutex> guard(mutex_);
  std::optional<std::string> v = std::move(installed_version_);
  installed_version_.reset();
  return v;
}

}  // namespace lwm2m::client_tool
