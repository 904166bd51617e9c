// SPDX-License-Identifier: Apache-2.0
// lwm2m::Storage in a directory of a POSIX file system (link lwm2m::posix): one file per
// blob, replaced atomically: written to "NAME.tmp", fsynced, renamed over "NAME", and the
// directory fsynced, so that a crash or power loss at any moment leaves the old file or
// the new one.
#pragma once

#include <string>
#include <string_view>

#include "lwm2m/storage.hpp"

namespace lwm2m::posix {

/// Storage in one directory of a POSIX file system, each blob a file replaced atomically.
class DirectoryStorage final : public Storage {
 public:
  /// Blobs go to files in `directory` (created by prepare()).
  explicit DirectoryStorage(std::string directory) : dir_(std::move(directory)) {}

  /// Creates the directory (one level, mode 0700) unless it exists; invalid_argument when
  /// the path is something else than a directory, internal_error when it cannot be made
  /// (error_detail() says why).
  Status prepare() noexcept;

  Status store(std::string_view name, ByteView data) noexcept override;
  Result<size_t> load(std::string_view name, MutableByteView out) noexcept override;
  Status remove(std::string_view name) noexcept override;
  std::string_view location() const noexcept override { return dir_; }
  std::string_view error_detail() const noexcept override { return error_; }

 private:
  std::string path_of(std::string_view name) const;
  Status failed(const char* what) noexcept;
  Status sync_directory() noexcept;

  std::string dir_;
  std::string error_;
};

}  // namespace lwm2m::posix
