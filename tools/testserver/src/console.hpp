// SPDX-License-Identifier: Apache-2.0
// The lwm2m-server console: one command per line (from a terminal or a pipe), each answered
// with the CoAP code and the decoded payload; events, notifications and Send data printed
// as they arrive (poll()).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver::console {

class Console {
 public:
  using Print = std::function<void(const std::string&)>;
  /// `servers`: every listener (UDP, DTLS); a command goes to the one the endpoint is
  /// registered with. `bootstrap` may be null.
  Console(std::vector<Server*> servers, BootstrapServer* bootstrap, Print print, bool hex,
          Duration timeout);

  /// Runs one command line. False after quit.
  bool execute(const std::string& line);
  /// Prints what happened since the last call: registrations, updates, de-registrations,
  /// Send data, bootstrap steps, notifications.
  void poll();

  static const char* help();

 private:
  struct Watched {
    std::string endpoint;
    std::string path;
    Server* server = nullptr;
    Observation observation;
    size_t printed = 0;
  };
  using Args = std::vector<std::string>;

  void list();
  void read(const Args& a);
  void write(const Args& a);
  void exec(const Args& a);
  void create(const Args& a);
  void remove(const Args& a);
  void discover(const Args& a);
  void observe(const Args& a);
  void cancel(const Args& a);
  void attr(const Args& a);
  void composite_read(const Args& a);
  void push_firmware(const Args& a);
  void set_hex(const Args& a);

  Server* server_of(const std::string& endpoint);
  void say(const std::string& text);

  std::vector<Server*> servers_;
  BootstrapServer* bootstrap_;
  Print print_;
  bool hex_;
  Duration timeout_;
  std::mutex poll_mutex_;  // poll() runs on the watcher thread and before a cancel
  std::mutex watch_mutex_;
  std::vector<Watched> watched_;
  std::vector<size_t> seen_;  // events printed, per server
  size_t bootstrap_seen_ = 0;
};

/// Splits a command line on spaces; "double quotes" keep spaces inside one word.
std::vector<std::string> split_words(const std::string& line);

}  // namespace lwm2m::testserver::console
