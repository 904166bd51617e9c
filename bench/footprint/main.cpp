// SPDX-License-Identifier: Apache-2.0
// A minimal bare-metal LwM2M device for the flash and RAM figures (scripts/footprint.sh):
// Security, Server and Device objects, one management server and a bootstrap server,
// the client fed datagrams through its sans-I/O API. No operating system: the "radio" is a
// pair of volatile buffers a driver would fill, time is a tick counter, and the client's
// construction-time tables come from a bump arena (operator new), so the linked image
// holds everything a device would carry and nothing else. It starts as firmware does: a
// vector table and a reset handler (below; memory map in cortex_m4.ld), no C runtime start.
//
// The profile is the small one in bench/README.md: messages up to 256 bytes (Block2 in
// 128-byte blocks), no Block1 reassembly, 4 observations, one management server. A library
// built without bootstrap (LWM2M_TIER=minimal) gets its management server configured here
// instead of from the bootstrap server.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "cortex_m4_start.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "profiles.hpp"

#ifndef FOOTPRINT_HEAP_BYTES
#define FOOTPRINT_HEAP_BYTES 6144  // the small profile: 5.5 kB on a 64-bit host, less here
#endif

namespace {

// ---- construction-time allocations: a bump arena, never freed -------------------------

alignas(8) unsigned char g_heap[FOOTPRINT_HEAP_BYTES];  // name read by scripts/footprint.sh
size_t g_heap_used = 0;

void* arena_alloc(size_t n) noexcept {
  size_t at = (g_heap_used + 7u) & ~size_t{7};
  if (at + n > sizeof g_heap) return nullptr;
  g_heap_used = at + n;
  return g_heap + at;
}

// ---- the "radio" and the clock: what a driver and a timer interrupt would provide ------

volatile uint32_t g_ticks_ms;
volatile uint16_t g_rx_len;
volatile uint8_t g_rx_peer;
uint8_t g_rx[256];
volatile uint16_t g_tx_len;
uint8_t g_tx[256];

lwm2m::TimePoint now() noexcept {
  return lwm2m::from_millis(g_ticks_ms);
}

}  // namespace

void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return arena_alloc(n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return arena_alloc(n);
}
void operator delete(void*) noexcept {}
void operator delete[](void*) noexcept {}
void operator delete(void*, size_t) noexcept {}
void operator delete[](void*, size_t) noexcept {}

namespace {

using namespace lwm2m;

lwm2m::core::ClientConfig footprint_profile() noexcept {
  core::ClientConfig c = bench::small_profile();
  c.endpoint = "urn:dev:fp-1";
  return c;
}

objects::SecurityInstance g_security_slots[2];
objects::ServerInstance g_server_slots[1];
objects::SecurityObject g_security{g_security_slots};
objects::ServerObject g_server{g_server_slots};
// Constant, as a device's identity is: the object views it, nothing builds it at start-up.
constexpr objects::DeviceInfo kDeviceInfo{"Acme", "Model 7", "SN-0001", "1.0.0", "", "", "", "U"};
objects::DeviceObject g_device{kDeviceInfo};
dm::Object* g_object_slots[3];
dm::Registry g_registry{g_object_slots};
XorShiftRandom g_rng{0x5eed};

int run() noexcept {
  (void)g_registry.add(g_security);
  (void)g_registry.add(g_server);
  (void)g_registry.add(g_device);
  objects::SecurityConfig account;
#if LWM2M_WITH_BOOTSTRAP
  account.uri = "coap://192.0.2.1:5783";
  account.bootstrap = true;
#else
  account.uri = "coap://192.0.2.1:5683";
  account.short_server_id = 1;
  objects::ServerConfig server;
  server.short_server_id = 1;
  (void)g_server.add(server, 0);
#endif
  (void)g_security.add(account, 0);

  // Constructed here, once the registry holds its objects; storage is static.
  alignas(core::Client) static unsigned char storage[sizeof(core::Client)];
  core::Client& client = *new (storage) core::Client(footprint_profile(), g_registry, g_rng);
  if (!client.valid() || !client.start(now())) return 1;
  for (;;) {
    if (uint16_t n = g_rx_len; n != 0 && n <= sizeof g_rx) {
      client.handle_datagram(g_rx_peer, {g_rx, n}, now());
      g_rx_len = 0;
    }
    if (now() >= client.next_deadline()) client.handle_timeout(now());
    while (auto d = client.poll_transmit()) {
      if (d->bytes.size() > sizeof g_tx) continue;
      for (size_t i = 0; i < d->bytes.size(); ++i)
        g_tx[i] = d->bytes[i];
      g_tx_len = static_cast<uint16_t>(d->bytes.size());
    }
    while (auto e = client.poll_event()) {
      if (e->kind == core::EventKind::reboot) return 0;
    }
  }
}

}  // namespace

// ---- start-up: what a device's reset vector runs ---------------------------------------

extern "C" {
extern uint32_t __stack_top[];
void reset_handler();
}

// The device never ends, so the destructors of static objects never run: registering them
// would only keep newlib's atexit records (as the QEMU images do, bench/qemu/startup.cpp).
void* __dso_handle = nullptr;
extern "C" int __cxa_atexit(void (*)(void*), void*, void*) {
  return 0;
}

void reset_handler() {
  cortex_m4::enable_fpu();
  cortex_m4::init_memory();
  cortex_m4::run_constructors();
  (void)run();
  for (;;) {  // a device would reset here (the reboot event, or a failed start)
  }
}

// Initial stack pointer and reset; the other exceptions are never enabled by this image
// (a device's table would go on with its fault and interrupt handlers).
__attribute__((section(".vectors"), used)) const void* const g_vectors[] = {
    __stack_top,
    reinterpret_cast<const void*>(reset_handler),
};
