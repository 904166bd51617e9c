// SPDX-License-Identifier: Apache-2.0
// The whole client on its hottest path and at scale:
//   ClientRead/*          a registered client answering Read requests fed as datagrams
//                         (handle_datagram + poll_transmit), with heap allocations counted;
//   ClientReadLoopback    the same client served by posix::Runner on a UDP socket, and a
//                         load generator on another socket keeping 8 CON GET /3/0 in flight;
//   ClientMemory/*        bytes per client (the client, its tables, its objects) for the
//                         default and the small profile;
//   TenThousandClients/*  10,000 clients (small, tiny profile; each with its own objects) created
//                         and registered in one process, bytes per client and the time.
// Registration is played in-process by a minimal server: the client's Register is parsed
// and answered 2.01 with a location, as any LwM2M server would.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/coap/message.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/runner.hpp"
#include "profiles.hpp"
#include "support/alloc_counter.hpp"

namespace {

using namespace lwm2m;
namespace codes = coap::codes;

constexpr uint16_t kTlv = 11542;
constexpr uint16_t kSsid = 101;

core::ClientConfig default_profile() {
  return core::ClientConfig{};
}

using bench::small_profile;
using bench::tiny_profile;

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
size_t created_ack(const coap::Message& req, std::span<uint8_t> out) {
  coap::Message ack;
  ack.type = coap::Type::ack;
  ack.code = codes::created;
  ack.message_id = req.message_id;
  ack.token = req.token;
  (void)ack.add_string(coap::OptionNumber::location_path, "rd");
  (void)ack.add_string(coap::OptionNumber::location_path, "1");
  auto n = coap::encode(ack, out);
  return n ? *n : 0;
}

bool is_register(const coap::Message& m) {
  std::string_view path[2];
  return m.type == coap::Type::con && m.code == codes::post &&
         m.strings(coap::OptionNumber::uri_path, path) == 1 && path[0] == "rd";
}

/// The server's part of registration, in-process: the Register the client sends is
/// answered 2.01 straight back into the client.
bool register_in_process(core::Client& c, TimePoint now) {
  if (!c.start(now)) return false;
  for (int round = 0; round < 8 && !c.registered(kSsid); ++round) {
    c.handle_timeout(now);
    while (auto d = c.poll_transmit()) {
      coap::Message req;
      if (coap::parse(d->bytes, req) != coap::ParseError::none || !is_register(req)) continue;
      uint8_t buf[64];
      const coap::PeerId peer = d->peer;
      const size_t n = created_ack(req, buf);
      c.handle_datagram(peer, {buf, n}, now);  // d is not used past this call
    }
  }
  while (c.poll_event()) {
  }
  return c.registered(kSsid);
}

/// CON GET `path` with Accept `accept` (when given), a 4-byte token and message ID `mid`.
size_t read_request(std::string_view path, std::optional<uint16_t> accept, uint16_t mid,
                    uint32_t token, std::span<uint8_t> out) {
  coap::Message m;
  m.type = coap::Type::con;
  m.code = codes::get;
  m.message_id = mid;
  const uint8_t t[4] = {static_cast<uint8_t>(token >> 24), static_cast<uint8_t>(token >> 16),
                        static_cast<uint8_t>(token >> 8), static_cast<uint8_t>(token)};
  m.token = coap::Token::from({t, 4});
  (void)m.add_path(coap::OptionNumber::uri_path, path);
  if (accept) (void)m.add_uint(coap::OptionNumber::accept, *accept);
  auto n = coap::encode(m, out);
  return n ? *n : 0;
}

// ---- in-process Read -----------------------------------------------------------------

void read_in_process(benchmark::State& state, const core::ClientConfig& cfg, std::string_view path,
                     std::optional<uint16_t> accept) {
  Device dev(cfg, "coap://192.0.2.1:5683", 1);
  TimePoint now = from_millis(1'000'000);
  if (!dev.client->valid() || !register_in_process(*dev.client, now)) {
    state.SkipWithError("registration failed");
    return;
  }
  std::array<uint8_t, 64> req{};
  const size_t len = read_request(path, accept, 0, 0x5a17c30e, req);
  uint16_t mid = 0;
  size_t content = 0, bytes = 0;
  // Warm-up: first use of every table on this path.
  dev.client->handle_datagram(1, {req.data(), len}, now);
  while (dev.client->poll_transmit()) {
  }
  test::AllocationScope allocs;
  for (auto _ : state) {
    ++mid;
    req[2] = static_cast<uint8_t>(mid >> 8);
    req[3] = static_cast<uint8_t>(mid);
    now += Duration{1};
    dev.client->handle_datagram(1, {req.data(), len}, now);
    while (auto d = dev.client->poll_transmit()) {
      content += d->bytes.size() > 1 && d->bytes[1] == 0x45;  // 2.05 Content
      bytes = d->bytes.size();
    }
  }
  const size_t allocations = allocs.count();
  if (content != static_cast<size_t>(state.iterations()))
    state.SkipWithError("a Read was not answered 2.05");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["response_bytes"] = static_cast<double>(bytes);
  state.counters["allocs_per_read"] =
      static_cast<double>(allocations) / static_cast<double>(state.iterations());
}

void BM_ClientReadDeviceTlv(benchmark::State& s) {
  read_in_process(s, default_profile(), "3/0", kTlv);
}
void BM_ClientReadDeviceTlvSmall(benchmark::State& s) {
  read_in_process(s, small_profile(), "3/0", kTlv);
}
void BM_ClientReadDeviceTlvTiny(benchmark::State& s) {
  read_in_process(s, tiny_profile(), "3/0", kTlv);
}
void BM_ClientReadManufacturerText(benchmark::State& s) {
  read_in_process(s, default_profile(), "3/0/0", std::nullopt);
}

// ---- loopback: posix::Runner and a load generator ------------------------------------

/// A UDP socket on 127.0.0.1 with a receive timeout: the LwM2M server and load generator.
class LoadSocket {
 public:
  LoadSocket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port_ = ntohs(a.sin_port);
    timeval tv{0, 200'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~LoadSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  uint16_t port() const { return port_; }
  /// A datagram, or 0 bytes after the timeout; `from` is the sender.
  size_t receive(std::span<uint8_t> buf, sockaddr_in& from) {
    socklen_t len = sizeof from;
    ssize_t n =
        ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  void send(std::span<const uint8_t> d, const sockaddr_in& to) {
    (void)::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_ClientReadLoopback(benchmark::State& state) {
  constexpr size_t kInFlight = 8;
  const auto run_for = std::chrono::milliseconds(state.range(0));
  LoadSocket server;
  const std::string uri = "coap://127.0.0.1:" + std::to_string(server.port());
  Device dev(default_profile(), uri, 7);
  posix::RunnerConfig rc;
  rc.local_port = 0;
  posix::Runner runner(*dev.client, rc);
  runner.set_log([](const char*) {});
  if (!runner.start()) {
    state.SkipWithError("runner did not start");
    return;
  }
  std::array<uint8_t, 1500> buf{};
  sockaddr_in client{};
  bool registered = false;
  for (int i = 0; i < 50 && !registered; ++i) {
    size_t n = server.receive(buf, client);
    coap::Message req;
    if (n == 0 || coap::parse({buf.data(), n}, req) != coap::ParseError::none || !is_register(req))
      continue;
    std::array<uint8_t, 64> ack{};
    server.send({ack.data(), created_ack(req, ack)}, client);
    registered = true;
  }
  if (!registered) {
    state.SkipWithError("no Register from the runner");
    runner.stop(Duration{0});
    return;
  }
  // Slot i holds the request with message ID base+i and token i (a new MID per request).
  struct Slot {
    uint16_t mid;
    std::array<uint8_t, 32> bytes;
    size_t size;
  };
  std::array<Slot, kInFlight> slots{};
  uint16_t next_mid = 1;
  auto issue = [&](size_t i) {
    Slot& s = slots[i];
    s.mid = next_mid++;
    s.size = read_request("3/0", kTlv, s.mid, static_cast<uint32_t>(i), s.bytes);
    server.send({s.bytes.data(), s.size}, client);
  };
  size_t answered = 0, retransmitted = 0, wrong = 0;
  double seconds = 0, process_cpu = 0, generator_cpu = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kInFlight; ++i)
      issue(i);
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + run_for;
    const double process_cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
    const double generator_cpu0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    while (std::chrono::steady_clock::now() < end) {
      sockaddr_in from{};
      size_t n = server.receive(buf, from);
      if (n == 0) {  // timed out: retransmit what is outstanding (same MIDs)
        for (auto& s : slots)
          server.send({s.bytes.data(), s.size}, client);
        ++retransmitted;
        continue;
      }
      coap::Message resp;
      if (coap::parse({buf.data(), n}, resp) != coap::ParseError::none ||
          resp.type != coap::Type::ack || resp.token.length != 4) {
        ++wrong;
        continue;
      }
      const size_t i = resp.token.bytes[3];
      if (i >= kInFlight || slots[i].mid != resp.message_id) continue;  // a late duplicate
      if (resp.code != codes::content) ++wrong;
      ++answered;
      issue(i);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0;
    generator_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - generator_cpu0;
  }
  runner.stop(Duration{0});
  state.counters["responses_per_s"] = static_cast<double>(answered) / seconds;
  state.counters["responses"] = static_cast<double>(answered);
  state.counters["timeouts"] = static_cast<double>(retransmitted);
  // CPU per response of the runner's thread (the process minus the generator) and of the
  // generator: what the machine would sustain with a core for each, without other load.
  const double per = 1e6 / static_cast<double>(answered ? answered : 1);
  state.counters["runner_cpu_us"] = (process_cpu - generator_cpu) * per;
  state.counters["generator_cpu_us"] = generator_cpu * per;
  if (wrong != 0) state.SkipWithError("unexpected responses");
}

// ---- memory per client and 10,000 clients ---------------------------------------------

void client_memory(benchmark::State& state, const core::ClientConfig& cfg) {
  for (auto _ : state) {
    test::AllocationScope allocs;
    auto dev = std::make_unique<Device>(cfg, "coap://192.0.2.1:5683", 1);
    if (!dev->client->valid()) state.SkipWithError("invalid configuration");
    const size_t total = allocs.bytes();
    state.counters["sizeof_Client"] = sizeof(core::Client);
    state.counters["engine_tables"] = static_cast<double>(coap::Engine::storage_size(cfg.coap));
    state.counters["client_tables"] = static_cast<double>(total - sizeof(Device)) -
                                      static_cast<double>(coap::Engine::storage_size(cfg.coap));
    state.counters["objects"] = static_cast<double>(sizeof(Device) - sizeof(dev->client));
    state.counters["sizeof_Security_inst"] = sizeof(objects::SecurityInstance);
    state.counters["sizeof_DeviceObject"] = sizeof(objects::DeviceObject);
    state.counters["total"] = static_cast<double>(total);
  }
}
void BM_ClientMemoryDefault(benchmark::State& s) {
  client_memory(s, default_profile());
}
void BM_ClientMemorySmall(benchmark::State& s) {
  client_memory(s, small_profile());
}

void BM_ClientMemoryTiny(benchmark::State& s) {
  client_memory(s, tiny_profile());
}

void ten_thousand_clients(benchmark::State& state, const core::ClientConfig& cfg) {
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    test::AllocationScope allocs;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Device>> devices;
    devices.reserve(n);
    for (size_t i = 0; i < n; ++i)
      devices.push_back(std::make_unique<Device>(cfg, "coap://192.0.2.1:5683", i + 1));
    const auto t1 = std::chrono::steady_clock::now();
    const size_t bytes = allocs.bytes();
    test::AllocationScope registering;
    size_t registered = 0;
    TimePoint now = from_millis(1'000'000);
    for (auto& d : devices)
      registered += d->client->valid() && register_in_process(*d->client, now);
    const auto t2 = std::chrono::steady_clock::now();
    state.counters["registered"] = static_cast<double>(registered);
    state.counters["bytes_per_client"] = static_cast<double>(bytes) / static_cast<double>(n);
    state.counters["allocs_registering"] = static_cast<double>(registering.count());
    state.counters["create_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    state.counters["register_ms"] = std::chrono::duration<double, std::milli>(t2 - t1).count();
    if (registered != n) state.SkipWithError("not every client registered");
  }
}

BENCHMARK(BM_ClientReadDeviceTlv);
BENCHMARK(BM_ClientReadDeviceTlvSmall);
BENCHMARK(BM_ClientReadDeviceTlvTiny);
BENCHMARK(BM_ClientReadManufacturerText);
BENCHMARK(BM_ClientReadLoopback)
    ->Arg(3000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ClientMemoryDefault)->Iterations(1);
BENCHMARK(BM_ClientMemorySmall)->Iterations(1);
BENCHMARK(BM_ClientMemoryTiny)->Iterations(1);
BENCHMARK_CAPTURE(ten_thousand_clients, small, small_profile())
    ->Name("TenThousandClients/small")
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ten_thousand_clients, tiny, tiny_profile())
    ->Name("TenThousandClients/tiny")
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
