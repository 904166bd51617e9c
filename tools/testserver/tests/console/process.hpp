// SPDX-License-Identifier: Apache-2.0
// A child process with its stdin and stdout (stderr merged) on pipes, for driving the
// lwm2m-server console and the C example client; output lines are collected by a thread
// and waited for by content, never by sleeping.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lwm2m::console_test {

class Process {
 public:
  explicit Process(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    reader_ = std::thread([this] { read_loop(); });
  }
  ~Process() {
    close_stdin();
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds(5));
    }
    if (reader_.joinable()) reader_.join();
    if (stdout_ >= 0) close(stdout_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void send(const std::string& line) {
    std::string l = line + "\n";
    if (stdin_ >= 0) (void)!::write(stdin_, l.data(), l.size());
  }
  void close_stdin() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }
  void signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }

  /// The first line at or after `from` that contains `text`; `from` moves past it.
  std::optional<std::string> wait_line(const std::string& text, size_t& from,
                                       std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(m_);
    std::optional<std::string> found;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < lines_.size(); ++i) {
        if (lines_[i].find(text) != std::string::npos) {
          found = lines_[i];
          from = i + 1;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  /// Waits for `text` anywhere after the mark, keeping one cursor per test.
  std::optional<std::string> expect(const std::string& text,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_line(text, cursor_, timeout);
  }
  size_t line_count() const {
    std::lock_guard<std::mutex> lock(m_);
    return lines_.size();
  }
  /// Everything printed, for failure messages.
  std::string output() const {
    std::lock_guard<std::mutex> lock(m_);
    std::string s;
    for (const std::string& l : lines_)
      s += l + "\n";
    return s + partial_;
  }
  /// The exit code, or -1 after the timeout (or when killed by a signal).
  int wait_exit(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (!exited_) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        // Its last words may still be in the pipe: wait for the end of the output.
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return eof_; });
        break;
      }
      if (std::chrono::steady_clock::now() > end) return -1;
      // Reaping a child has no descriptor to wait on; the end of its output is close.
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait_for(lock, std::chrono::milliseconds(10), [&] { return eof_; });
    }
    return code_;
  }

 private:
  void read_loop() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(stdout_, buf, sizeof buf);
      std::lock_guard<std::mutex> lock(m_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      partial_.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = partial_.find('\n')) != std::string::npos) {
        lines_.push_back(partial_.substr(0, nl));
        partial_.erase(0, nl + 1);
      }
      cv_.notify_all();
    }
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  bool exited_ = false;
  int code_ = -1;
  std::thread reader_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::string partial_;
  bool eof_ = false;
  size_t cursor_ = 0;
};

}  // namespace lwm2m::console_test
