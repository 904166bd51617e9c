// SPDX-License-Identifier: Apache-2.0
// What the client benchmarks share: a whole device (objects, registry, client), the
// server's side of registration, Read requests, and for the loopback measurements a load
// generator that plays the LwM2M server on a UDP socket and an echo responder that shows
// what the machine's UDP loopback allows with the same generator (the ceiling).
#pragma once

#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "lwm2m/coap/message.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/platform/udp.hpp"

namespace lwm2m::bench {

inline constexpr uint16_t kTlv = 11542;
inline constexpr uint16_t kSsid = 101;

/// One device: Security (one server account), Server and Device objects, the registry and
/// the client, all in one block.
struct Device {
  objects::SecurityInstance sec_slots[1];
  objects::ServerInstance srv_slots[1];
  objects::SecurityObject security{sec_slots};
  objects::ServerObject server{srv_slots};
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 7", "SN-0001", "1.0.0", "", "", "", "U"}};
  dm::Object* slots[3] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng;
  char endpoint[24] = {};
  std::optional<core::Client> client;

  Device(core::ClientConfig cfg, std::string_view uri, uint64_t seed) : rng(seed) {
    (void)registry.add(security);
    (void)registry.add(server);
    (void)registry.add(device);
    objects::SecurityConfig sc;
    sc.uri = uri;
    sc.short_server_id = kSsid;
    (void)security.add(sc, 0);
    objects::ServerConfig srv;
    srv.short_server_id = kSsid;
    (void)server.add(srv, 0);
    int n = std::snprintf(endpoint, sizeof endpoint, "urn:dev:%llu",
                          static_cast<unsigned long long>(seed));
    cfg.endpoint = {endpoint, static_cast<size_t>(n)};
    client.emplace(cfg, registry, rng);
  }
};

/// Answers a CON request with a piggybacked 2.01 carrying Location-Path rd/1.
inline size_t created_ack(const coap::Message& req, std::span<uint8_t> out) {
  coap::Message ack;
  ack.type = coap::Type::ack;
  ack.code = coap::codes::created;
  ack.message_id = req.message_id;
  ack.token = req.token;
  (void)ack.add_string(coap::OptionNumber::location_path, "rd");
  (void)ack.add_string(coap::OptionNumber::location_path, "1");
  auto n = coap::encode(ack, out);
  return n ? *n : 0;
}

inline bool is_register(const coap::Message& m) {
  std::string_view path[2];
  return m.type == coap::Type::con && m.code == coap::codes::post &&
         m.strings(coap::OptionNumber::uri_path, path) == 1 && path[0] == "rd";
}

/// CON GET `path` with Accept `accept` (when given), a 4-byte token and message ID `mid`.
inline size_t read_request(std::string_view path, std::optional<uint16_t> accept, uint16_t mid,
                           uint32_t token, std::span<uint8_t> out) {
  coap::Message m;
  m.type = coap::Type::con;
  m.code = coap::codes::get;
  m.message_id = mid;
  const uint8_t t[4] = {static_cast<uint8_t>(token >> 24), static_cast<uint8_t>(token >> 16),
                        static_cast<uint8_t>(token >> 8), static_cast<uint8_t>(token)};
  m.token = coap::Token::from({t, 4});
  (void)m.add_path(coap::OptionNumber::uri_path, path);
  if (accept) (void)m.add_uint(coap::OptionNumber::accept, *accept);
  auto n = coap::encode(m, out);
  return n ? *n : 0;
}

inline double cpu_seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// What one load run measured.
struct LoadStats {
  size_t responses = 0;  ///< answers matched to the request in flight
  size_t timeouts = 0;   ///< times nothing came back in time (everything was resent)
  size_t wrong = 0;      ///< answers that were not what was asked for
  double seconds = 0;
  double generator_cpu = 0;  ///< CPU seconds of the generator's thread
  double process_cpu = 0;    ///< CPU seconds of the whole process
  double rate() const { return seconds > 0 ? static_cast<double>(responses) / seconds : 0; }
  /// CPU microseconds per response of the responder's thread (the process minus the
  /// generator; the benchmark's other threads are idle meanwhile) and of the generator.
  double responder_us() const { return per_response(process_cpu - generator_cpu); }
  double generator_us() const { return per_response(generator_cpu); }

 private:
  double per_response(double s) const {
    return responses ? s * 1e6 / static_cast<double>(responses) : 0;
  }
};

/// The LwM2M server's side on 127.0.0.1: answers the client's Register, then keeps
/// `in_flight` CON GET /3/0 (Accept TLV) outstanding, each with its own message ID and
/// token, matching every answer by token and message ID and sending the next request at
/// once. Answers are read and requests sent in batches (recvmmsg/sendmmsg), so the
/// generator costs as little as it can.
class LoadGenerator {
 public:
  explicit LoadGenerator(size_t in_flight = 8) : in_flight_(in_flight < 64 ? in_flight : 64) {
    if (auto s = posix::UdpSocket::open(0, true)) socket_ = std::move(*s);
  }
  bool ok() const { return socket_.is_open(); }
  uint16_t port() const { return socket_.local_port(); }
  const posix::SocketAddress& client() const { return peer_; }

  /// Waits up to `wait` for a Register and answers it 2.01; its sender becomes the target.
  bool answer_register(std::chrono::milliseconds wait) {
    const auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) {
      if (!socket_.receive(rx_, Duration{100})) continue;
      for (size_t i = 0; i < rx_.size(); ++i) {
        coap::Message req;
        if (rx_.truncated(i) || coap::parse(rx_.bytes(i), req) != coap::ParseError::none ||
            !is_register(req))
          continue;
        std::array<uint8_t, 64> ack{};
        peer_ = rx_.address(i);
        (void)socket_.send_to(peer_, {ack.data(), created_ack(req, ack)});
        return true;
      }
    }
    return false;
  }
  void set_target(const posix::SocketAddress& to) { peer_ = to; }

  /// Drives the target for `duration` or until `max_responses` answers (0: no limit).
  /// `lwm2m`: answers must be ACK 2.05 (a client); otherwise the same bytes (an echo).
  /// After `retransmit` without an answer, everything outstanding is sent again.
  LoadStats drive(std::chrono::milliseconds duration, size_t max_responses, bool lwm2m,
                  Duration retransmit = Duration{200}) {
    LoadStats st;
    for (size_t i = 0; i < in_flight_; ++i)
      issue(i);
    (void)socket_.send(tx_);
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + duration;
    const double process0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    const double generator0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    while ((max_responses == 0 || st.responses < max_responses) &&
           std::chrono::steady_clock::now() < end) {
      if (!socket_.receive(rx_, retransmit)) {
        for (size_t i = 0; i < in_flight_; ++i)
          (void)tx_.add(peer_, {slots_[i].bytes.data(), slots_[i].size});
        (void)socket_.send(tx_);
        ++st.timeouts;
        continue;
      }
      for (size_t k = 0; k < rx_.size(); ++k) {
        coap::Message m;
        if (rx_.truncated(k) || coap::parse(rx_.bytes(k), m) != coap::ParseError::none ||
            m.token.length != 4) {
          ++st.wrong;
          continue;
        }
        const size_t i = m.token.bytes[3];
        if (i >= in_flight_ || slots_[i].mid != m.message_id) continue;  // a late duplicate
        const bool right = lwm2m ? m.type == coap::Type::ack && m.code == coap::codes::content
                                 : m.type == coap::Type::con && m.code == coap::codes::get;
        if (!right) ++st.wrong;
        ++st.responses;
        issue(i);
      }
      (void)socket_.send(tx_);
    }
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    st.process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process0;
    st.generator_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - generator0;
    return st;
  }

 private:
  /// Slot i holds the request with token i; a new message ID each time.
  struct Slot {
    uint16_t mid = 0;
    std::array<uint8_t, 32> bytes{};
    size_t size = 0;
  };
  void issue(size_t i) {
    Slot& s = slots_[i];
    s.mid = next_mid_++;
    s.size = read_request("3/0", kTlv, s.mid, static_cast<uint32_t>(i), s.bytes);
    (void)tx_.add(peer_, {s.bytes.data(), s.size});
  }

  size_t in_flight_;
  posix::UdpSocket socket_;
  posix::SocketAddress peer_;
  posix::DatagramBatch rx_{64, 1500};
  posix::DatagramBatch tx_{64, 32};
  std::array<Slot, 64> slots_{};
  uint16_t next_mid_ = 1;
};

/// The UDP ceiling: a thread that sends every datagram back to its sender unchanged, with
/// the system calls the runner uses: poll, then recvmmsg of up to 16 datagrams and sendmmsg
/// of what is queued, on an IPv4 socket. The runner's poll also watches its wake-up pipe,
/// and after a full batch (never with 8 in flight) it calls recvmmsg again before polling.
class EchoResponder {
 public:
  EchoResponder() {
    if (auto s = posix::UdpSocket::open(0, true)) socket_ = std::move(*s);
    if (socket_.is_open()) thread_ = std::thread([this] { run(); });
  }
  ~EchoResponder() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  EchoResponder(const EchoResponder&) = delete;
  EchoResponder& operator=(const EchoResponder&) = delete;
  bool ok() const { return socket_.is_open(); }
  posix::SocketAddress address() const {
    auto a = posix::SocketAddress::from_literal("127.0.0.1", socket_.local_port());
    return a ? *a : posix::SocketAddress{};
  }

 private:
  void run() {
    posix::DatagramBatch rx{16, 1500}, tx{16, 1500};
    while (!stop_) {
      if (!socket_.receive(rx, Duration{50})) continue;
      for (size_t i = 0; i < rx.size(); ++i)
        if (!rx.truncated(i)) (void)tx.add(rx.address(i), rx.bytes(i));
      (void)socket_.send(tx);
    }
  }

  posix::UdpSocket socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// How one loopback measurement is run.
struct LoopbackOptions {
  std::chrono::milliseconds duration{2000};
  size_t max_responses = 0;  ///< 0: run for `duration`
  size_t in_flight = 8;
  bool log_requests = false;  ///< the log hook takes a line per request served
  Duration retransmit{200};
};

/// The echo responder and its generator.
struct EchoUnderLoad {
  explicit EchoUnderLoad(const LoopbackOptions& o) : gen(o.in_flight) {
    if (echo.ok() && gen.ok()) gen.set_target(echo.address());
  }
  bool ok() const { return echo.ok() && gen.ok(); }
  LoadStats drive(const LoopbackOptions& o, std::chrono::milliseconds duration) {
    return gen.drive(duration, o.max_responses, false, o.retransmit);
  }
  EchoResponder echo;
  LoadGenerator gen;
};

/// A registered client (default configuration) served by posix::Runner, and its
/// generator reading /3/0 in TLV.
struct RunnerUnderLoad {
  explicit RunnerUnderLoad(const LoopbackOptions& o)
      : gen(o.in_flight),
        dev(core::ClientConfig{}, uri(gen.port()), 7),
        runner(*dev.client, config()) {
    runner.set_log([](const char*) {},
                   o.log_requests ? posix::LogDetail::requests : posix::LogDetail::state);
    registered =
        gen.ok() && runner.start() && gen.answer_register(std::chrono::milliseconds(10000));
  }
  ~RunnerUnderLoad() { runner.stop(Duration{0}); }
  bool ok() const { return registered; }
  LoadStats drive(const LoopbackOptions& o, std::chrono::milliseconds duration) {
    return gen.drive(duration, o.max_responses, true, o.retransmit);
  }

  static std::string uri(uint16_t port) { return "coap://127.0.0.1:" + std::to_string(port); }
  static posix::RunnerConfig config() {
    posix::RunnerConfig rc;
    rc.local_port = 0;
    // An IPv4 socket, as the generator's and the echo's: a dual-stack one costs more per
    // datagram in the kernel (the IPv6 layer in front of IPv4), which is not the client's.
    rc.ipv4_only = true;
    return rc;
  }
  LoadGenerator gen;
  Device dev;
  posix::Runner runner;
  bool registered = false;
};

/// Adds up the runs of one kind.
inline void accumulate(LoadStats& sum, const LoadStats& s) {
  sum.responses += s.responses;
  sum.timeouts += s.timeouts;
  sum.wrong += s.wrong;
  sum.seconds += s.seconds;
  sum.generator_cpu += s.generator_cpu;
  sum.process_cpu += s.process_cpu;
}

/// The echo responder and the runner, driven in turn for `rounds` slices of `duration`
/// each, so that both see the same load from the rest of the machine; totals per kind.
struct SideBySide {
  LoadStats echo, runner;
};
inline std::optional<SideBySide> measure_side_by_side(const LoopbackOptions& o, int rounds) {
  EchoUnderLoad echo(o);
  RunnerUnderLoad runner(o);
  if (!echo.ok() || !runner.ok()) return std::nullopt;
  const auto slice = o.duration / (rounds > 0 ? rounds : 1);
  SideBySide r;
  for (int i = 0; i < rounds; ++i) {
    accumulate(r.echo, echo.drive(o, slice));
    accumulate(r.runner, runner.drive(o, slice));
  }
  return r;
}

/// The runner alone (callgrind counts a fixed number of responses).
inline std::optional<LoadStats> measure_runner(const LoopbackOptions& o) {
  RunnerUnderLoad runner(o);
  if (!runner.ok()) return std::nullopt;
  return runner.drive(o, o.duration);
}

/// The echo responder alone.
inline std::optional<LoadStats> measure_echo(const LoopbackOptions& o) {
  EchoUnderLoad echo(o);
  if (!echo.ok()) return std::nullopt;
  return echo.drive(o, o.duration);
}

}  // namespace lwm2m::bench
