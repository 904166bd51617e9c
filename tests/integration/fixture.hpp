// SPDX-License-Identifier: Apache-2.0
// Integration fixture: a real client (core::Client driven by posix::Runner on an ephemeral
// loopback UDP port) with Security, Server, Access Control, Device and a sensor object,
// against lwm2m::testserver (libcoap) servers. Tests assert what the server sees.
//
// Timing: tests run under ASan on a loaded 2-core machine, so every wait is generous and
// only lower bounds of intervals are asserted tightly; timers (lifetimes, retry timers,
// CoAP ACK timeout) are short so that the binary stays fast.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/core/download.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/testserver/server.hpp"
#include "support.hpp"

namespace lwm2m::itest {

namespace ts = lwm2m::testserver;
using namespace std::chrono_literals;

/// Default wait for anything the client does on its own (registration, notifications).
inline constexpr ts::Duration kWait{10000};

// ---- the test object: a temperature sensor (3303, instances created by servers) ----

inline constexpr dm::ResourceDef kSensorResources[] = {
    {5605, dm::DataType::none, dm::Operations::execute, false, false, "Reset Min and Max"},
    {5700, dm::DataType::floating, dm::Operations::read, false, false, "Sensor Value"},
    {5701, dm::DataType::string, dm::Operations::read, false, false, "Sensor Units"},
    {5750, dm::DataType::string, dm::Operations::read_write, false, false, "Application Type"},
};
inline constexpr dm::ObjectDef kSensorDef{3303,         "1.0", true, false, kSensorResources,
                                          "Temperature"};

/// Up to four instances; Execute arguments are recorded. Touched only on the runner thread
/// or under Runner::locked().
class SensorObject final : public dm::Object {
 public:
  struct Instance {
    dm::InstanceId id = dm::kInvalidId;
    double value = 0;
    std::string app_type;
  };

  SensorObject() : dm::Object(kSensorDef) {}

  /// Adds an instance outside any server request (the application's own).
  Instance* add(dm::InstanceId iid, double value) {
    if (!create_instance(iid)) return nullptr;
    Instance* i = find(iid);
    i->value = value;
    return i;
  }
  Instance* find(dm::InstanceId iid) {
    for (Instance& i : instances_)
      if (i.id == iid) return &i;
    return nullptr;
  }
  /// "iid/rid:arguments" per Execute.
  std::vector<std::string> executions;

  size_t instance_count() const noexcept override {
    size_t n = 0;
    for (const Instance& i : instances_)
      n += i.id != dm::kInvalidId;
    return n;
  }
  dm::InstanceId instance_at(size_t index) const noexcept override {
    // Ascending ids, whatever the slot order.
    std::vector<dm::InstanceId> ids;
    for (const Instance& i : instances_)
      if (i.id != dm::kInvalidId) ids.push_back(i.id);
    std::sort(ids.begin(), ids.end());
    return index < ids.size() ? ids[index] : dm::kInvalidId;
  }
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                         MutableByteView) noexcept override {
    const Instance* i = cfind(iid);
    if (!i) return Errc::not_found;
    switch (rid) {
      case 5700:
        return dm::Value::floating(i->value);
      case 5701:
        return dm::Value::string("Cel");
      case 5750:
        return dm::Value::string(i->app_type);
      default:
        return Errc::method_not_allowed;
    }
  }
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
               const dm::Value& value) noexcept override {
    Instance* i = find(iid);
    if (!i) return Errc::not_found;
    if (rid != 5750) return Errc::method_not_allowed;
    i->app_type.assign(value.as_string());
    return {};
  }
  Status reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept override {
    Instance* i = find(iid);
    if (!i || rid != 5750) return Errc::method_not_allowed;
    i->app_type.clear();
    return {};
  }
  Status reset_instance(dm::InstanceId iid) noexcept override {
    if (Instance* i = find(iid)) i->app_type.clear();
    return {};
  }
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override {
    executions.push_back(std::to_string(iid) + "/" + std::to_string(rid) + ":" +
                         std::string(as_string(arguments)));
    return {};
  }
  Status create_instance(dm::InstanceId iid) noexcept override {
    if (iid == dm::kInvalidId) {  // the library picks ids, but be safe
      iid = 0;
      while (cfind(iid))
        ++iid;
    }
    if (cfind(iid)) return Errc::already_exists;
    for (Instance& i : instances_) {
      if (i.id != dm::kInvalidId) continue;
      i = Instance{};
      i.id = iid;
      return {};
    }
    return Errc::no_space;
  }
  Status delete_instance(dm::InstanceId iid) noexcept override {
    Instance* i = find(iid);
    if (!i) return Errc::not_found;
    *i = Instance{};
    return {};
  }

 private:
  const Instance* cfind(dm::InstanceId iid) const {
    for (const Instance& i : instances_)
      if (i.id == iid) return &i;
    return nullptr;
  }
  std::array<Instance, 4> instances_;
};

// ---- the client rig ----

/// Short timers for tests: retries after 1 s, doubling; no fallback to bootstrap.
inline objects::ServerConfig test_server_config(uint16_t ssid = 1, uint32_t lifetime_s = 60) {
  objects::ServerConfig c;
  c.short_server_id = ssid;
  c.lifetime_s = lifetime_s;
  c.communication_retry_timer_s = 1;
  c.communication_retry_count = 3;
  c.sequence_delay_timer_s = 2;
  c.sequence_retry_count = 1;
  c.bootstrap_on_failure = false;
  return c;
}

/// The runner's clock (steady_clock in milliseconds), for calls such as Client::send().
inline TimePoint runner_now() {
  auto t = std::chrono::steady_clock::now().time_since_epoch();
  return TimePoint{std::chrono::duration_cast<Duration>(t)};
}

class Rig {
 public:
  explicit Rig(std::string endpoint = "itest-node") : endpoint_(std::move(endpoint)) {
    EXPECT_TRUE(registry.add(security).ok());
    EXPECT_TRUE(registry.add(server).ok());
    EXPECT_TRUE(registry.add(device).ok());
    EXPECT_TRUE(registry.add(sensor).ok());
    sensor.add(0, 21.5);
    config.endpoint = endpoint_;
    // CoAP: 1 s ACK timeout, 2 retransmissions (MAX_TRANSMIT_WAIT 10.5 s).
    config.coap.tx.ack_timeout = Duration{1000};
    config.coap.tx.max_retransmit = 2;
  }
  ~Rig() {
    if (runner) runner->stop(Duration{3000});
    runner.reset();  // before the log it writes to
    if (::testing::Test::HasFailure()) dump_log();
  }
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  const std::string& endpoint() const { return endpoint_; }

  void add_server(const std::string& uri, objects::ServerConfig cfg) {
    uris_.push_back(std::make_unique<std::string>(uri));
    objects::SecurityConfig sc;
    sc.uri = *uris_.back();
    sc.short_server_id = cfg.short_server_id;
    ASSERT_TRUE(security.add(sc).ok());
    ASSERT_TRUE(server.add(cfg).ok());
  }
  void add_server(const ts::Server& s, objects::ServerConfig cfg = test_server_config()) {
    add_server(s.uri(), cfg);
  }
  void add_bootstrap(const std::string& uri) {
    uris_.push_back(std::make_unique<std::string>(uri));
    objects::SecurityConfig sc;
    sc.uri = *uris_.back();
    sc.bootstrap = true;
    ASSERT_TRUE(security.add(sc).ok());
  }
  /// Adds the Access Control object (before start()); the client enforces it once two
  /// servers are configured.
  void use_access_control() { ASSERT_TRUE(registry.add(acl).ok()); }

  /// Builds the client and starts the runner.
  void start() {
    client = std::make_unique<core::Client>(config, registry, rng);
    ASSERT_TRUE(client->valid());
    if (downloader) client->set_downloader(downloader);
    posix::RunnerConfig rc = runner_config;
    rc.local_port = 0;
    rc.receive_buffer = receive_buffer;
    rc.min_refresh = Duration{200};
    runner = std::make_unique<posix::Runner>(*client, rc);
    if (saved_state) runner->set_saved_state(saved_state);
    if (secure_channel_factory) runner->set_secure_channel_factory(secure_channel_factory);
    runner->set_log([this](const char* line) {
      if (!quiet_prefix.empty() &&
          std::strncmp(line, quiet_prefix.c_str(), quiet_prefix.size()) == 0)
        return;
      std::lock_guard<std::mutex> g(log_mutex_);
      log_.emplace_back(line);
    });
    runner->set_event_hook([this](const core::Event& e) {
      std::lock_guard<std::mutex> g(log_mutex_);
      events_.push_back(e);
    });
    ASSERT_TRUE(runner->start().ok());
  }

  template <class F>
  auto locked(F&& f) {
    return runner->locked(std::forward<F>(f));
  }
  /// Sets a sensor value and reports it, as an application would.
  void set_sensor(dm::InstanceId iid, double v) {
    locked([&](core::Client&) { sensor.find(iid)->value = v; });
    runner->value_changed(dm::Path(3303, iid, 5700));
  }
  std::vector<core::Event> events() const {
    std::lock_guard<std::mutex> g(log_mutex_);
    return events_;
  }
  bool wait_client_event(core::EventKind kind, ts::Duration timeout, size_t count = 1) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      size_t n = 0;
      for (const core::Event& e : events())
        n += e.kind == kind;
      if (n >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  std::vector<std::string> log_lines() const {
    std::lock_guard<std::mutex> g(log_mutex_);
    return log_;
  }
  bool log_contains(std::string_view text) const {
    std::lock_guard<std::mutex> g(log_mutex_);
    for (const std::string& l : log_)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  void dump_log() const {
    std::lock_guard<std::mutex> g(log_mutex_);
    for (const std::string& l : log_)
      std::fprintf(stderr, "  [client %s] %s\n", endpoint_.c_str(), l.c_str());
  }

  /// The runner's settings beyond port, receive buffer and refresh time (set by start()).
  posix::RunnerConfig runner_config;
  objects::SecurityInstance sec_storage[4];
  objects::ServerInstance srv_storage[3];
  objects::AclInstance acl_storage[8];
  objects::SecurityObject security{sec_storage};
  objects::ServerObject server{srv_storage};
  objects::AccessControlObject acl{acl_storage};
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 7", "SN-1", "1.0.3", "", "", "", "U"}};
  SensorObject sensor;
  dm::Object* slots[16] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  core::ClientConfig config;
  /// The runner's receive buffer (RunnerConfig::receive_buffer), set before start().
  size_t receive_buffer = 2048;
  /// Fetches Package URIs (set before start()).
  core::PackageDownloader* downloader = nullptr;
  /// Log lines starting with this are not kept (set before start()).
  std::string quiet_prefix;
  std::unique_ptr<core::Client> client;
  std::unique_ptr<posix::Runner> runner;
  /// Persistence, when a test sets it before start().
  SavedState* saved_state = nullptr;
  /// A security layer for coaps:// servers, when a test sets one before start().
  SecureChannelFactory secure_channel_factory;

 private:
  std::string endpoint_;
  std::vector<std::unique_ptr<std::string>> uris_;
  mutable std::mutex log_mutex_;
  std::vector<std::string> log_;
  std::vector<core::Event> events_;
};

/// Server options for tests: answers within 10 s, no datagram logging.
inline ts::Options server_options() {
  ts::Options o;
  o.request_timeout = ts::Duration{10000};
  return o;
}

}  // namespace lwm2m::itest
