// SPDX-License-Identifier: Apache-2.0
// The whole client on its hottest path and at scale:
//   ClientRead/*          a registered client answering Read requests fed as datagrams
//                         (handle_datagram + poll_transmit), with heap allocations counted;
//   ClientReadLoopback    the same client served by posix::Runner on a UDP socket, and a
//                         load generator on another socket keeping 8 CON GET /3/0 in flight,
//                         next to an echo responder driven the same way (the UDP ceiling);
//   ClientMemory/*        bytes per client (the client, its tables, its objects) for the
//                         default and the small profile;
//   TenThousandClients/*  10,000 clients (small, tiny profile; each with its own objects) created
//                         and registered in one process, bytes per client and the time.
// Registration is played in-process by a minimal server: the client's Register is parsed
// and answered 2.01 with a location, as any LwM2M server would.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "harness.hpp"
#include "lwm2m/coap/message.hpp"
#include "lwm2m/core/client.hpp"
#include "profiles.hpp"
#include "support/alloc_counter.hpp"

namespace {

using namespace lwm2m;
namespace codes = coap::codes;

core::ClientConfig default_profile() {
  return core::ClientConfig{};
}

using bench::created_ack;
using bench::Device;
using bench::is_register;
using bench::kSsid;
using bench::kTlv;
using bench::read_request;
using bench::small_profile;
using bench::tiny_profile;

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

// ---- loopback: posix::Runner next to the UDP ceiling ---------------------------------

/// The echo responder and the runner driven in turn by the same generator
/// (bench/harness.hpp), range(0) ms each in all: both rates and their ratio (the target is
/// at least 0.85).
void BM_ClientReadLoopback(benchmark::State& state) {
  bench::LoopbackOptions o;
  o.duration = std::chrono::milliseconds(state.range(0));
  std::optional<bench::SideBySide> both;
  for (auto _ : state)
    both = bench::measure_side_by_side(o, 4);
  if (!both) {
    state.SkipWithError("no socket, or the runner did not register");
    return;
  }
  const bench::LoadStats* echo = &both->echo;
  const bench::LoadStats* served = &both->runner;
  state.counters["responses_per_s"] = served->rate();
  state.counters["echo_per_s"] = echo->rate();
  state.counters["ratio_to_echo"] = echo->rate() > 0 ? served->rate() / echo->rate() : 0;
  state.counters["timeouts"] = static_cast<double>(served->timeouts);
  // CPU per response of the runner's thread and of the generator: what the machine would
  // sustain with a core for each, without other load.
  state.counters["runner_cpu_us"] = served->responder_us();
  state.counters["echo_cpu_us"] = echo->responder_us();
  state.counters["generator_cpu_us"] = served->generator_us();
  if (echo->wrong != 0 || served->wrong != 0) state.SkipWithError("unexpected responses");
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
    ->Arg(2000)
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
