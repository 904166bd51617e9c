// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/directory_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lwm2m::posix {
namespace {

/// Closes a descriptor at the end of a scope.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string DirectoryStorage::path_of(std::string_view name) const {
  std::string p = dir_;
  if (!p.empty() && p.back() != '/') p += '/';
  p += name;
  return p;
}

Status DirectoryStorage::failed(const char* what) noexcept {
  const int err = errno;
  error_ = what;
  error_ += ": ";
  error_ += std::strerror(err);
  return err == ENOENT ? Errc::not_found : Errc::internal_error;
}

Status DirectoryStorage::prepare() noexcept {
  struct stat st {};
  if (::stat(dir_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    error_ = "not a directory";
    return Errc::invalid_argument;
  }
  if (::mkdir(dir_.c_str(), 0700) != 0) {
    (void)failed("mkdir");
    return Errc::internal_error;
  }
  return {};
}

Status DirectoryStorage::sync_directory() noexcept {
  // The rename (or unlink) is durable only once the directory entry is.
  Fd d{::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return failed("open directory");
  if (::fsync(d.fd) != 0) return failed("fsync directory");
  return {};
}

Status DirectoryStorage::store(std::string_view name, ByteView data) noexcept {
  const std::string path = path_of(name);
  const std::string tmp = path + ".tmp";
  Status st;
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (f.fd < 0) return failed("create");
    size_t done = 0;
    while (st && done < data.size()) {
      const ssize_t n = ::write(f.fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) st = failed("write");
      if (n > 0) done += static_cast<size_t>(n);
    }
    if (st && ::fsync(f.fd) != 0) st = failed("fsync");
  }
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = failed("rename");
  if (!st) {
    (void)::unlink(tmp.c_str());
    return st.error() == Errc::not_found ? Status{Errc::internal_error} : st;
  }
  return sync_directory();
}

Result<size_t> DirectoryStorage::load(std::string_view name, MutableByteView out) noexcept {
  const std::string path = path_of(name);
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return failed("open");
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return failed("fstat");
  if (static_cast<uint64_t>(st.st_size) > out.size()) {
    error_ = "larger than the buffer";
    return Errc::buffer_too_small;
  }
  size_t done = 0;
  for (;;) {
    const ssize_t n = ::read(f.fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed("read");
    if (n == 0) break;
    done += static_cast<size_t>(n);
    if (done == out.size()) break;
  }
  return done;
}

Status DirectoryStorage::remove(std::string_view name) noexcept {
  const std::string path = path_of(name);
  (void)::unlink((path + ".tmp").c_str());  // a save interrupted by a crash
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return failed("unlink");
  return sync_directory();
}

}  // namespace lwm2m::posix
