// SPDX-License-Identifier: Apache-2.0
// A bare-metal LwM2M device that replays a session with a server on an emulated Cortex-M4
// (QEMU's mps2-an386, scripts/qemu-ram.sh) and reports the RAM it took.
//
// The device is built like the footprint image (bench/footprint): Security, Server and
// Device objects, the small or the tiny profile (bench/profiles.hpp), the client's tables
// from a bump arena, datagrams received into the client's receive_buffer(), the library
// configured as a PSK device ships it (scripts/qemu-ram.sh);
// here with one management server account (no bootstrap) and a Binary App Data Container
// (/19) whose 400-byte value is read block by block. The server is a script compiled into
// the image: the datagrams it sends, byte for byte, and its answers to the client's
// requests (options and payload; the header echoes the request's message ID and token).
// Every datagram the client sends is checked (type, code, message ID and token, content
// format, Observe, Block2, a piece of the payload) with a CoAP reader of its own (wire.hpp).
// Time is a fake clock that jumps to the client's next deadline, so that pmax
// notifications and the registration Update come when the client schedules them.
//
// The image exits 0 (semihosting) only when every step passed, after printing static RAM
// (.data + .bss), the arena the client's tables took, the heap (_sbrk) and the stack's
// high-water mark (painted at reset); each step's line gives the depth that step reached
// (the stack is painted again after it) beside the high-water mark so far.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "board.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "profiles.hpp"
#include "wire.hpp"

#ifndef REPLAY_ARENA_BYTES
#define REPLAY_ARENA_BYTES 8192  // room to spare: what was used is reported
#endif

namespace {

// ---- construction-time allocations: a bump arena with a high-water mark ----------------

alignas(8) unsigned char g_arena[REPLAY_ARENA_BYTES];
size_t g_arena_used = 0;

// What only the replay needs (left out of the device's figures).
struct ReplayState {
  int64_t now_ms = 1000;
  lwm2m::core::Client* client = nullptr;
  /// Where the "radio" receives: the client's receive_buffer() (the engine's scratch), so
  /// the device keeps no receive buffer of its own; the client's own buffers hold what it
  /// sends until poll_transmit() hands it over. It is as large as the largest message the
  /// client takes: a driver hands a longer datagram to handle_oversized(), which answers a
  /// request 4.13 with a block size that fits.
  lwm2m::MutableByteView rx;
  uint8_t observe_token[8] = {};
  uint8_t observe_token_length = 0;
  uint8_t allocation_count = 0;
  uint16_t allocations[14] = {};  ///< sizes of the first arena allocations, in order
  replay::WireView sent;          ///< the client's last datagram
  replay::WireView request;       ///< the last recorded request
};
ReplayState g_replay;

void* arena_alloc(size_t n) noexcept {
  size_t at = (g_arena_used + 7u) & ~size_t{7};
  if (at + n > sizeof g_arena) return nullptr;
  g_arena_used = at + n;
  if (g_replay.allocation_count < 14)
    g_replay.allocations[g_replay.allocation_count++] = static_cast<uint16_t>(n);
  return g_arena + at;
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

// ---- the device ------------------------------------------------------------------------

/// Binary App Data Container (/19/0/0/0): 400 bytes held in flash, more than three blocks.
constexpr size_t kAppDataBytes = 400;
struct AppData {
  uint8_t bytes[kAppDataBytes];
};
constexpr AppData make_app_data() {
  AppData d{};
  for (size_t i = 0; i < kAppDataBytes; ++i)
    d.bytes[i] = static_cast<uint8_t>('a' + (i / 16) % 26);  // "aaaa...bbbb..." runs of 16
  return d;
}
constexpr AppData kAppData = make_app_data();

constexpr dm::ResourceDef kAppDataResources[] = {
    {0, dm::DataType::opaque, dm::Operations::read, true, true, "Data"}};
constexpr dm::ObjectDef kAppDataDef{
    19, "1.0", true, false, kAppDataResources, "BinaryAppDataContainer"};

class AppDataObject final : public dm::Object {
 public:
  AppDataObject() noexcept : dm::Object(kAppDataDef) {}
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  size_t resource_instance_count(dm::InstanceId, dm::ResourceId) const noexcept override {
    return 1;
  }
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId, dm::ResourceId,
                                              size_t) const noexcept override {
    return 0;
  }
  Result<dm::Value> read(dm::InstanceId, dm::ResourceId, dm::ResourceInstanceId riid,
                         MutableByteView) noexcept override {
    if (riid != 0) return Errc::not_found;
    return dm::Value::opaque({kAppData.bytes, kAppDataBytes});
  }
};

constexpr uint16_t kSsid = 101;
constexpr coap::PeerId kServerPeer = 1;  // the first management account

objects::SecurityInstance g_security_slots[1];
objects::ServerInstance g_server_slots[1];
objects::SecurityObject g_security{g_security_slots};
objects::ServerObject g_server{g_server_slots};
objects::DeviceObject g_device{
    objects::DeviceInfo{"Acme", "Model 7", "SN-0001", "1.0.0", "sensor", "", "", "U"}};
AppDataObject g_app_data;
dm::Object* g_object_slots[4];
dm::Registry g_registry{g_object_slots};
XorShiftRandom g_rng{0x5eed};

TimePoint now() noexcept {
  return from_millis(g_replay.now_ms);
}

#if defined(REPLAY_TINY_PROFILE)
constexpr core::ClientConfig kProfile = bench::tiny_profile();
#else
constexpr core::ClientConfig kProfile = bench::small_profile();
#endif

// ---- the script --------------------------------------------------------------------------

enum class Kind : uint8_t {
  start,           ///< client.start()
  server_request,  ///< `bytes` go to the client, which must answer as `expect` says
  client_request,  ///< the client must send a request as `expect` says (within wait_ms);
                   ///< `bytes` are the answer's options and payload, with code `answer`
  notification,    ///< the client must send a notification as `expect` says (within wait_ms)
  battery,         ///< the application sets the battery level (/3/0/9) to `value`
  stop,            ///< client.stop()
  event,           ///< the client must report the event `value` (core::EventKind)
};

struct Expect {
  uint8_t code = 0;                ///< a method for a request, else a response code
  int32_t format = -1;             ///< Content-Format, -1: none
  const char* path = nullptr;      ///< Uri-Path of a request, or null
  const char* contains = nullptr;  ///< a piece of the payload, or null
  int32_t block2 = -1;             ///< the Block2 option's value, -1: none
};

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct Step {
  Kind kind;
  const char* what;
  Bytes bytes = {};
  Expect expect = {};
  uint8_t answer = 0;
  uint32_t wait_ms = 0;
  int32_t value = 0;
};

template <size_t N>
constexpr Bytes bytes(const uint8_t (&b)[N]) {
  return {b, N};
}

constexpr uint8_t kGet = 0x01, kPost = 0x02, kPut = 0x03, kDelete = 0x04;
constexpr uint8_t kCreated = 0x41, kDeleted = 0x42, kChanged = 0x44, kContent = 0x45;
constexpr int32_t kText = 0, kLinkFormat = 40, kSenmlCbor = 112, kTlv = 11542;
constexpr int32_t block2(uint32_t num, bool more) {  // 128-byte blocks (SZX 3)
  return static_cast<int32_t>(num << 4 | (more ? 8u : 0u) | 3u);
}

// Server datagrams: CON, token length 4 (0x44), code, message ID, token, options.
// Uri-Path is option 11, Observe 6, Uri-Query 15, Accept 17, Block2 23.
constexpr uint8_t kReadTlv[] = {0x44, kGet, 0x20, 0x01, 'T',  'L',  'V', '1',   // GET /3/0
                                0xB1, '3',  0x01, '0',  0x62, 0x2D, 0x16};      // Accept 11542
constexpr uint8_t kReadSenml[] = {0x44, kGet, 0x20, 0x02, 'C',  'B', 'O', 'R',  // GET /3/0
                                  0xB1, '3',  0x01, '0',  0x61, 0x70};          // Accept 112
constexpr uint8_t kWritePmax[] = {0x44, kPut, 0x20, 0x03, 'A',  'T', 'T', 'R',  // PUT /3/0/9
                                  0xB1, '3',  0x01, '0',  0x01, '9',            // ?pmax=60
                                  0x47, 'p',  'm',  'a',  'x',  '=', '6', '0'};
constexpr uint8_t kObserve[] = {0x44, kGet, 0x20, 0x04, 'O', 'B',  'S', '1',  // Observe 0
                                0x60, 0x51, '3',  0x01, '0', 0x01, '9',       // GET /3/0/9
                                0x60};                                        // Accept 0
constexpr uint8_t kCancel[] = {0x44, kGet, 0x20, 0x05, 'O',  'B', 'S',  '1',  // Observe 1
                               0x61, 0x01, 0x51, '3',  0x01, '0', 0x01, '9',  // same token
                               0x60};
// GET /19/0/0 Accept 11542, then with Block2 1, 2, 3 (128-byte blocks).
constexpr uint8_t kBlock0[] = {0x44, kGet, 0x20, 0x06, 'B',  'L', 'K',  '0',  0xB2,
                               '1',  '9',  0x01, '0',  0x01, '0', 0x62, 0x2D, 0x16};
constexpr uint8_t kBlock1[] = {0x44, kGet, 0x20, 0x07, 'B', 'L',  'K',  '1',  0xB2, '1',
                               '9',  0x01, '0',  0x01, '0', 0x62, 0x2D, 0x16, 0x61, 0x13};
constexpr uint8_t kBlock2[] = {0x44, kGet, 0x20, 0x08, 'B', 'L',  'K',  '2',  0xB2, '1',
                               '9',  0x01, '0',  0x01, '0', 0x62, 0x2D, 0x16, 0x61, 0x23};
constexpr uint8_t kBlock3[] = {0x44, kGet, 0x20, 0x09, 'B', 'L',  'K',  '3',  0xB2, '1',
                               '9',  0x01, '0',  0x01, '0', 0x62, 0x2D, 0x16, 0x61, 0x33};
// POST /3/0 in TLV (a partial update): UTC Offset (14) "+01:00" and Timezone (15)
// "Europe/Paris"; then GET /3/0/15 Accept 0 reads the written value back.
constexpr uint8_t kWriteTlv[] = {0x44, kPost, 0x20, 0x0A, 'W',  'R',  'T',  '1',  0xB1, '3',
                                 0x01, '0',   0x12, 0x2D, 0x16, 0xFF, 0xC6, 0x0E, '+',  '0',
                                 '1',  ':',   '0',  '0',  0xC8, 0x0F, 0x0C, 'E',  'u',  'r',
                                 'o',  'p',   'e',  '/',  'P',  'a',  'r',  'i',  's'};
constexpr uint8_t kReadZone[] = {0x44, kGet, 0x20, 0x0B, 'Z',  'O', 'N', 'E',
                                 0xB1, '3',  0x01, '0',  0x02, '1', '5', 0x60};
// Answers: Location-Path (option 8) "rd", "5a3f" for Register; nothing for the others.
constexpr uint8_t kRegistered[] = {0x82, 'r', 'd', 0x04, '5', 'a', '3', 'f'};

// The self-test build expects a value the client never sends, so the replay must fail.
#if defined(REPLAY_SELF_TEST)
constexpr const char* kFirstChange = "77";
#else
constexpr const char* kFirstChange = "79";
#endif

constexpr Step kScript[] = {
    {Kind::start, "start"},
    {Kind::client_request,
     "Register",
     bytes(kRegistered),
     {kPost, kLinkFormat, "/rd", "</3/0>"},
     kCreated},
    {Kind::event, "registered", {}, {}, 0, 0, int32_t(core::EventKind::registered)},
    {Kind::server_request, "Read /3/0 TLV", bytes(kReadTlv), {kContent, kTlv, nullptr, "Acme"}},
    {Kind::server_request,
     "Read /3/0 SenML CBOR",
     bytes(kReadSenml),
     {kContent, kSenmlCbor, nullptr, "Model 7"}},
    {Kind::server_request, "Write /3/0 TLV (UTC offset, timezone)", bytes(kWriteTlv), {kChanged}},
    {Kind::server_request,
     "Read /3/0/15 text",
     bytes(kReadZone),
     {kContent, kText, nullptr, "Europe/Paris"}},
    {Kind::server_request, "Write-Attributes /3/0/9?pmax=60", bytes(kWritePmax), {kChanged}},
    {Kind::server_request, "Observe /3/0/9", bytes(kObserve), {kContent, kText, nullptr, "80"}},
    {Kind::battery, "battery 79 %", {}, {}, 0, 0, 79},
    {Kind::notification, "notification (change)", {}, {kContent, kText, nullptr, kFirstChange}},
    {Kind::notification, "notification (pmax)", {}, {kContent, kText, nullptr, "79"}, 0, 60000},
    {Kind::battery, "battery 78 %", {}, {}, 0, 0, 78},
    {Kind::notification, "notification (change)", {}, {kContent, kText, nullptr, "78"}},
    {Kind::notification, "notification (pmax)", {}, {kContent, kText, nullptr, "78"}, 0, 60000},
    {Kind::server_request,
     "cancel the observation",
     bytes(kCancel),
     {kContent, kText, nullptr, "78"}},
    {Kind::server_request,
     "Read /19/0/0 block 0",
     bytes(kBlock0),
     {kContent, kTlv, nullptr, "aaaa", block2(0, true)}},
    {Kind::server_request,
     "Read /19/0/0 block 1",
     bytes(kBlock1),
     {kContent, kTlv, nullptr, "iiii", block2(1, true)}},
    {Kind::server_request,
     "Read /19/0/0 block 2",
     bytes(kBlock2),
     {kContent, kTlv, nullptr, "qqqq", block2(2, true)}},
    {Kind::server_request,
     "Read /19/0/0 block 3",
     bytes(kBlock3),
     {kContent, kTlv, nullptr, "yyyy", block2(3, false)}},
    {Kind::client_request, "Update", {}, {kPost, -1, "/rd/5a3f"}, kChanged, 600000},
    {Kind::event, "updated", {}, {}, 0, 0, int32_t(core::EventKind::updated)},
    {Kind::stop, "stop"},
    {Kind::client_request, "De-register", {}, {kDelete, -1, "/rd/5a3f"}, kDeleted},
    {Kind::event, "deregistered", {}, {}, 0, 0, int32_t(core::EventKind::deregistered)},
};

// ---- running it ------------------------------------------------------------------------

/// The next datagram the client sends, letting the fake clock run to the client's own
/// deadlines for at most `wait_ms`; empty when none comes.
std::optional<coap::Datagram> next_datagram(uint32_t wait_ms) noexcept {
  const int64_t until = g_replay.now_ms + wait_ms;
  for (;;) {
    if (auto d = g_replay.client->poll_transmit()) return d;
    const TimePoint due = g_replay.client->next_deadline();
    if (due > from_millis(until)) return std::nullopt;
    if (due > now()) g_replay.now_ms = to_millis(due);
    g_replay.client->handle_timeout(now());
  }
}

bool fail(const Step& step, const char* why) noexcept {
  board::print("replay: FAILED at \"");
  board::print(step.what);
  board::print("\": ");
  board::print(why);
  board::print("\n");
  return false;
}

bool contains(const replay::WireView& w, const char* piece) noexcept {
  const size_t n = std::strlen(piece);
  for (size_t i = 0; i + n <= w.payload_length; ++i)
    if (std::memcmp(w.payload + i, piece, n) == 0) return true;
  return false;
}

/// Checks what the client sent against `e` (the parts every kind of step shares).
bool check(const Step& step, const replay::WireView& w, const Expect& e) noexcept {
  if (!w.valid) return fail(step, "the client sent a malformed CoAP message");
  if (w.code != e.code) return fail(step, "wrong code");
  if (w.content_format != e.format) return fail(step, "wrong Content-Format");
  if (e.path && std::strcmp(w.path, e.path) != 0) return fail(step, "wrong Uri-Path");
  if (e.contains && !contains(w, e.contains)) return fail(step, "payload lacks the expected value");
  if (w.block2 != e.block2) return fail(step, "wrong Block2 option");
  return true;
}

/// Hands the first `n` bytes of the receive buffer to the client, as a driver would.
void receive(size_t n) noexcept {
  g_replay.client->handle_datagram(kServerPeer, {g_replay.rx.data(), n}, now());
}

/// Parses what the client sent into g_replay.sent (static, so that the replay's own frames
/// stay small and the stack figure is the client's).
bool parse_sent(const Step& step, const coap::Datagram& d) noexcept {
  g_replay.sent = replay::parse(d.bytes.data(), d.bytes.size());
  return check(step, g_replay.sent, step.expect);
}

/// Checks the client's answer to the server's request of `step`. Out of line, so that its
/// locals are not on the stack while the client handles the request.
[[gnu::noinline]] bool check_answer(const Step& step) noexcept {
  auto d = next_datagram(0);
  if (!d) return fail(step, "no answer");
  if (!parse_sent(step, *d)) return false;
  const replay::WireView& w = g_replay.sent;
  replay::WireView& q = g_replay.request;
  q = replay::parse(step.bytes.data, step.bytes.size);
  if (w.type != 2 || w.mid != q.mid) return fail(step, "not a piggybacked ACK of the request");
  if (w.token_length != q.token_length || std::memcmp(w.token, q.token, q.token_length) != 0)
    return fail(step, "the token differs from the request's");
  const bool registers = step.bytes.data == kObserve;
  if (registers != (w.observe >= 0)) return fail(step, "Observe option wrong");
  if (registers) {
    std::memcpy(g_replay.observe_token, q.token, q.token_length);
    g_replay.observe_token_length = q.token_length;
  }
  return true;
}

bool server_request(const Step& step) noexcept {
  if (step.bytes.size > g_replay.rx.size()) return fail(step, "recorded datagram too long");
  std::memcpy(g_replay.rx.data(), step.bytes.data, step.bytes.size);
  receive(step.bytes.size);
  return check_answer(step);
}

bool client_request(const Step& step) noexcept {
  auto d = next_datagram(step.wait_ms);
  if (!d) return fail(step, "the client sent nothing");
  if (!parse_sent(step, *d)) return false;
  const replay::WireView& w = g_replay.sent;
  if (w.type != 0) return fail(step, "a request that is not confirmable");
  // The answer: ACK, the recorded code and options, the request's message ID and token.
  const size_t head = 4u + w.token_length;
  const MutableByteView b = g_replay.rx;
  if (head + step.bytes.size > b.size()) return fail(step, "recorded answer too long");
  b[0] = static_cast<uint8_t>(0x60 | w.token_length);
  b[1] = step.answer;
  b[2] = static_cast<uint8_t>(w.mid >> 8);
  b[3] = static_cast<uint8_t>(w.mid);
  std::memcpy(b.data() + 4, w.token, w.token_length);
  if (step.bytes.size) std::memcpy(b.data() + head, step.bytes.data, step.bytes.size);
  receive(head + step.bytes.size);
  return true;
}

bool notification(const Step& step) noexcept {
  auto d = next_datagram(step.wait_ms);
  if (!d) return fail(step, "no notification");
  if (!parse_sent(step, *d)) return false;
  const replay::WireView& w = g_replay.sent;
  if (w.observe < 0) return fail(step, "no Observe option");
  if (w.token_length != g_replay.observe_token_length ||
      std::memcmp(w.token, g_replay.observe_token, w.token_length) != 0)
    return fail(step, "not the observation's token");
  if (w.type == 0) {  // a confirmable notification is acknowledged (an empty ACK)
    const MutableByteView b = g_replay.rx;
    b[0] = 0x60;
    b[1] = 0x00;
    b[2] = static_cast<uint8_t>(w.mid >> 8);
    b[3] = static_cast<uint8_t>(w.mid);
    receive(4);
    return true;
  }
  return w.type == 1 || fail(step, "neither CON nor NON");
}

bool event(const Step& step) noexcept {
  while (auto e = g_replay.client->poll_event())
    if (static_cast<int32_t>(e->kind) == step.value) return true;
  return fail(step, "the event did not come");
}

[[gnu::noinline]] bool run(const Step& step) noexcept {
  switch (step.kind) {
    case Kind::start:
      return g_replay.client->start(now()).ok() || fail(step, "start() failed");
    case Kind::server_request:
      return server_request(step);
    case Kind::client_request:
      return client_request(step);
    case Kind::notification:
      return notification(step);
    case Kind::battery:
      g_device.set_battery_level(step.value);
      return true;
    case Kind::stop:
      g_replay.client->stop(now());
      return true;
    case Kind::event:
      return event(step);
  }
  return false;
}

void print_figure(const char* name, size_t value) noexcept {
  board::print("ram.");
  board::print(name);
  board::print(" ");
  board::print_number(static_cast<uint32_t>(value));
  board::print("\n");
}

/// The figures scripts/qemu-ram.sh reads: "ram.NAME BYTES" lines.
void print_figures() noexcept {
  // Static RAM of the device: .data and .bss less the arena (counted by what was used)
  // and the replay's own state.
  const size_t statics =
      board::data_bytes() + board::bss_bytes() - sizeof g_arena - sizeof g_replay;
  print_figure("data", board::data_bytes());
  print_figure("bss", board::bss_bytes());
  print_figure("replay_state", sizeof g_replay);
  print_figure("static", statics);
  print_figure("arena_capacity", sizeof g_arena);
  print_figure("arena_used", g_arena_used);
  board::print("ram.arena_allocations");
  for (uint8_t i = 0; i < g_replay.allocation_count; ++i) {
    board::print(" ");
    board::print_number(g_replay.allocations[i]);
  }
  board::print("\n");
  print_figure("heap", board::sbrk_bytes());
  print_figure("stack_size", board::stack_size());
  print_figure("stack_high_water", board::stack_high_water());
  print_figure("total", statics + g_arena_used + board::sbrk_bytes() + board::stack_high_water());
}

core::ClientConfig profile() noexcept {
  core::ClientConfig c = kProfile;
  c.endpoint = "urn:dev:qemu-1";
  return c;
}

/// Fills the objects and constructs the client. Not inlined: its locals (the
/// configurations) are gone before the replay, as they would be on a device.
[[gnu::noinline]] bool set_up() noexcept {
  (void)g_registry.add(g_security);
  (void)g_registry.add(g_server);
  (void)g_registry.add(g_device);
  (void)g_registry.add(g_app_data);
  objects::SecurityConfig account;
  account.uri = "coap://192.0.2.1:5683";
  account.short_server_id = kSsid;
  (void)g_security.add(account, 0);
  objects::ServerConfig server;
  server.short_server_id = kSsid;
  server.lifetime_s = 300;
  (void)g_server.add(server, 0);
  g_device.set_battery_level(80);
  alignas(core::Client) static unsigned char storage[sizeof(core::Client)];
  g_replay.client = new (storage) core::Client(profile(), g_registry, g_rng);
  g_replay.rx = g_replay.client->receive_buffer();
  return g_replay.client->valid();
}

}  // namespace

int image_main() noexcept {
  if (!set_up()) {
    board::print("replay: FAILED: the client could not be constructed (arena too small?)\n");
    return 1;
  }
  for (const Step& step : kScript) {
    if (!run(step)) return 1;
    board::print("replay: ok   ");
    board::print(step.what);
    board::print(" (stack ");
    board::print_number(static_cast<uint32_t>(board::stack_depth_since_repaint()));
    board::print(", high-water so far ");
    board::print_number(static_cast<uint32_t>(board::stack_high_water()));
    board::print(")\n");
  }
  if (g_replay.client->poll_transmit()) {
    board::print("replay: FAILED: the client sent a datagram after the last step\n");
    return 1;
  }
  if (!g_replay.client->stopped()) {
    board::print("replay: FAILED: the client has not stopped\n");
    return 1;
  }
  board::print("replay: complete\n");
  print_figures();
  return 0;
}
