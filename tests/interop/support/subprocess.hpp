// SPDX-License-Identifier: Apache-2.0
// A child process for interop tests (libcoap's example programs): started with its stdout
// and stderr in files, killed in every path (destructor, and by the kernel when the test
// process dies first), and reaped so that no zombie or stray server outlives a test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lwm2m::interop {

class Subprocess {
 public:
  /// Starts argv[0] (an absolute path) with stdin from /dev/null and stdout/stderr
  /// truncated into the given files. Returns nullopt when the program cannot be started.
  static std::optional<Subprocess> start(const std::vector<std::string>& argv,
                                         const std::string& stdout_path,
                                         const std::string& stderr_path);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  Subprocess(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  /// True while the child has not exited (reaps it when it has).
  bool running();
  /// The exit code, or 128 + signal number; nullopt while running.
  std::optional<int> exit_code();
  /// Waits up to `timeout` for the child to exit on its own.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  /// SIGTERM, a grace period, then SIGKILL; always reaps. Idempotent.
  void stop();

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// The whole content of a file ("" when it does not exist).
std::string read_file(const std::string& path);
/// Writes bytes to a file; false on failure.
bool write_file(const std::string& path, const std::string& bytes);
/// A fresh empty directory for one test's files: <base>/<suite>.<test>.
std::string make_work_dir(const std::string& base);

}  // namespace lwm2m::interop
