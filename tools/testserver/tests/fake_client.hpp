// SPDX-License-Identifier: Apache-2.0
// A scripted fake LwM2M client for testing the test server: our own sans-I/O CoAP engine
// behind a POSIX UDP socket, driven by its own thread. It sends whatever requests a test
// asks for and answers the server's requests from a table of resources (or a handler), so
// each test states exactly what a client does on the wire.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::testserver::fake {

struct Reply {
  bool received = false;  ///< false: the engine reported an error (timeout, reset...)
  uint8_t code = 0;
  std::vector<std::string> location;  ///< Location-Path segments
  std::optional<uint16_t> content_format;
  std::string payload;  ///< Block2 blocks concatenated
};

/// A request the server sent to the client, as the client saw it.
struct Recorded {
  uint8_t method = 0;
  std::string path;  ///< "/3/0", "/" for none
  std::vector<std::string> query;
  std::optional<uint16_t> content_format;
  std::optional<uint16_t> accept;
  std::optional<uint32_t> observe;
  std::string payload;  ///< the whole body (Block1 reassembled by the engine)
};

/// What the client answers.
struct Answer {
  uint8_t code = (2 << 5) | 5;
  std::optional<uint16_t> content_format;
  std::string payload;
};

class FakeClient {
 public:
  using Handler = std::function<Answer(const Recorded&)>;

  /// Talks to 127.0.0.1:server_port (or `server_host`).
  explicit FakeClient(uint16_t server_port, coap::EngineConfig config = default_config(),
                      const char* server_host = "127.0.0.1");
  ~FakeClient();
  FakeClient(const FakeClient&) = delete;
  FakeClient& operator=(const FakeClient&) = delete;

  static coap::EngineConfig default_config();

  /// Sends a CON request and waits for its (complete) answer.
  Reply request(uint8_t method, const std::string& path, const std::vector<std::string>& query,
                const std::string& payload = "", std::optional<uint16_t> content_format = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// GET answers with these bytes; observe registrations are accepted.
  void set_resource(const std::string& path, uint16_t content_format, const std::string& payload);
  /// Replaces the table for every request (observe is still accepted for GET).
  void set_handler(Handler handler);
  /// Sends a notification to every observer of `path`; returns how many were notified.
  int notify(const std::string& path, const std::string& payload, uint16_t content_format,
             bool confirmable = false);
  size_t observers(const std::string& path);

  std::vector<Recorded> requests();
  bool wait_requests(size_t count, std::chrono::milliseconds timeout);
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

inline constexpr uint8_t kGet = 1, kPost = 2, kPut = 3, kDelete = 4, kFetch = 5, kIpatch = 7;

}  // namespace lwm2m::testserver::fake
