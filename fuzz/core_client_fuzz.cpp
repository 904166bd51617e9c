// SPDX-License-Identifier: Apache-2.0
// Fuzzes the whole client (core::Client) as a driver would run it: the input is a sequence
// of operations (datagrams from a server, the bootstrap server, the download peer or a
// stranger; replies to the client's latest request to a peer; time steps; sensor changes;
// application calls). The client has Security, Server, Access Control, Device, an IPSO
// Temperature sensor and Firmware Update (push and pull), a bootstrap server and two
// management servers, so that Register, Update, Read, Write, Observe, block-wise, Execute,
// Create/Delete, Bootstrap and the firmware pull are all reachable.
//
// Checked after every operation: no crash or sanitizer report; every datagram the client
// emits parses as CoAP and fits max_message_size; a stranger gets at most a refusal no
// larger than what it sent (no reflection or amplification). Checked at the end, after time
// ran on through the retry schemes: the client allocated nothing once set up (bounded
// memory, whatever the servers and strangers sent).
//
// Input format (fuzz/make_core_client_seeds.py writes realistic ones), one operation after another:
//   0 SRC LEN_LO LEN_HI BYTES...           a raw datagram from SRC
//   1 SRC TYPE CODE LEN_LO LEN_HI REST...  a reply to our latest request to SRC: header of
//                                          TYPE (0 CON..3 RST) and CODE, that request's
//                                          message ID (ACK/RST) and token, then REST
//                                          (options and payload, already encoded); an
//                                          empty ACK or RST answers our latest CON instead
//   2 MS_LO MS_HI                          time runs on by 10 * MS milliseconds
//   3                                      time jumps to the client's next deadline
//   4 V                                    the sensor measures V - 40 degrees
//   5 WHAT                                 an application call (start, stop, update...)
//   6 SRC LEN_LO LEN_HI BYTES...           a datagram too large for the driver's buffer
// SRC: 0..2 the accounts (0 the bootstrap server, 1 and 2 the management servers), 3 the
// download peer, 4 and up a stranger.
#include <sanitizer/allocator_interface.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "lwm2m/coap/message.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/core/download.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/objects/ipso_sensor.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"

namespace {

using namespace lwm2m;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// Heap allocations by this thread while `g_counting` is set (ASan's malloc hooks see every
// allocation; libFuzzer's RSS monitor thread allocates too, so the count is per thread).
thread_local bool g_counting = false;
thread_local size_t g_allocations = 0;
void on_malloc(const volatile void*, size_t) {
  if (g_counting) ++g_allocations;
}
void on_free(const volatile void*) {}

// LWM2M_FUZZ_TRACE=1 prints what the client sends and reports (to check seeds by hand).
bool g_trace = false;

class NullSink final : public objects::FirmwareSink {
 public:
  objects::UpdateResult open() noexcept override { return objects::UpdateResult::initial; }
  objects::UpdateResult write(uint32_t, ByteView) noexcept override {
    return objects::UpdateResult::initial;
  }
  objects::UpdateResult finish(uint32_t) noexcept override {
    return objects::UpdateResult::initial;
  }
  void discard() noexcept override {}
  objects::UpdateResult update() noexcept override { return objects::UpdateResult::initial; }
};

constexpr uint16_t kMaxMessage = 512;
constexpr size_t kOversizedLimit = 64;  ///< the driver's receive buffer, for op 6
constexpr coap::PeerId kStrangers[] = {9, 200};

struct LastRequest {
  bool seen = false;
  uint16_t mid = 0;
  uint8_t token[8] = {};
  uint8_t token_length = 0;
  uint16_t con_mid = 0;  ///< our latest confirmable message (a request or a notification)
};

/// One client and everything it is made of, built afresh for every input.
struct Rig {
  objects::SecurityInstance sec_storage[4];
  objects::ServerInstance srv_storage[3];
  objects::AclInstance acl_storage[6];
  objects::IpsoSensorInstance sensor_storage[2];
  objects::SecurityObject security{sec_storage};
  objects::ServerObject server{srv_storage};
  objects::AccessControlObject acl{acl_storage};
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 7", "SN-1", "1.0.3", "sensor", "B", "2.1", "U"}};
  objects::IpsoSensorObject sensor{*objects::ipso_sensor_def(3303), sensor_storage};
  NullSink sink;
  objects::FirmwareUpdateObject firmware{sink, {.push = true, .pull = true, .coaps = false}};
  core::PackageDownloader downloader;
  dm::Object* slots[10] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{7};
  core::ClientConfig config;
  core::Client* client = nullptr;
  alignas(core::Client) unsigned char client_storage[sizeof(core::Client)];
  LastRequest last[4];
  TimePoint now{};
  size_t stranger_budget = 0;  ///< bytes the client may send a stranger now
  uint8_t reply[kMaxMessage + 16];

  Rig() {
    check(registry.add(security).ok(), "setup");
    check(registry.add(server).ok(), "setup");
    check(registry.add(acl).ok(), "setup");
    check(registry.add(device).ok(), "setup");
    check(registry.add(sensor).ok(), "setup");
    check(registry.add(firmware).ok(), "setup");
    objects::SecurityConfig bs;
    bs.uri = "coap://192.0.2.1:5783";
    bs.bootstrap = true;
    check(security.add(bs, 0).ok(), "setup");
    for (uint16_t i = 0; i < 2; ++i) {
      objects::SecurityConfig sc;
      sc.uri = i == 0 ? "coap://192.0.2.2:5683" : "coap://192.0.2.3:5683";
      sc.short_server_id = static_cast<uint16_t>(101 + i);
      check(security.add(sc, static_cast<dm::InstanceId>(1 + i)).ok(), "setup");
      objects::ServerConfig srv;
      srv.short_server_id = sc.short_server_id;
      srv.lifetime_s = 60;
      srv.communication_retry_timer_s = 2;
      srv.communication_retry_count = 2;
      check(server.add(srv, i).ok(), "setup");
    }
    // Server 101 owns the instances; 102 may only read them and create sensors.
    for (auto [object, instance] : {std::pair<dm::ObjectId, dm::InstanceId>{3, 0},
                                    {5, 0},
                                    {3303, 0},
                                    {3303, dm::kInvalidId}}) {
      auto acl_iid = acl.add(object, instance, 101);
      check(acl_iid.ok(), "setup");
      check(acl.grant(*acl_iid, 102, instance == dm::kInvalidId ? 16 : 1).ok(), "setup");
    }
    check(
        sensor.add(0, {.units = "Cel", .has_range = true, .min_range = -40, .max_range = 85}).ok(),
        "setup");
    config.endpoint = "urn:dev:fuzz-1";
    config.coap.max_message_size = kMaxMessage;
    config.coap.block_size = 64;
    config.coap.block1_buffer = 512;
    config.coap.exchanges = 4;
    config.coap.observations = 4;
    config.coap.dedup_entries = 4;
    config.max_observations = 4;
    config.max_attributes = 4;
    config.stored_notifications = 3;
    config.stored_bytes = 256;
    config.bootstrap_timeout = Duration{30000};
    config.bootstrap_retry = Duration{5000};
    config.bootstrap_attempts = 2;
    client = new (client_storage) core::Client(config, registry, rng);
    check(client->valid(), "setup");
    client->set_downloader(&downloader);
  }
  ~Rig() { client->~Client(); }

  static coap::PeerId peer_of(uint8_t src) { return src < 4 ? src : kStrangers[src & 1]; }

  /// Everything the client has to say after an input, with the invariants it must keep.
  void drain() {
    for (int guard = 0; guard < 256; ++guard) {
      auto d = client->poll_transmit();
      if (!d) break;
      check(d->bytes.size() <= kMaxMessage, "a datagram fits max_message_size");
      coap::Message m;
      check(coap::parse(d->bytes, m) == coap::ParseError::none,
            "every datagram sent parses as CoAP");
      if (g_trace) {
        std::fprintf(stderr, "%8lld ms  -> peer %u: type %u code %u.%02u mid %u, %zu bytes\n",
                     static_cast<long long>(to_millis(now)), d->peer, static_cast<unsigned>(m.type),
                     m.code.raw >> 5, m.code.raw & 31u, m.message_id, d->bytes.size());
      }
      if (d->peer >= 4) {
        // A stranger (a peer id with no account; the runner drops its datagrams before
        // the core) gets at most a refusal of the datagram it just sent, never more bytes
        // than that datagram: no reflection or amplification, and nothing later.
        check(!m.code.is_request() && d->bytes.size() <= stranger_budget,
              "a stranger gets no more than a refusal");
        stranger_budget = 0;
        continue;
      }
      if (m.type == coap::Type::con) last[d->peer].con_mid = m.message_id;
      if (m.code.is_request()) {
        LastRequest& l = last[d->peer];
        l.seen = true;
        l.mid = m.message_id;
        l.token_length = static_cast<uint8_t>(m.token.length);
        std::memcpy(l.token, m.token.bytes.data(), m.token.length);
      }
    }
    while (auto e = client->poll_event()) {
      if (g_trace) {
        std::fprintf(stderr, "%8lld ms  event %s ssid %u\n", static_cast<long long>(to_millis(now)),
                     core::to_string(e->kind), e->ssid);
      }
    }
    while (client->poll_link()) {
    }
    while (client->poll_state()) {
    }
  }

  void advance(TimePoint to) {
    if (to > now) now = to;
    client->handle_timeout(now);
    drain();
  }

  /// A reply to our latest request to `peer`: type, code, its message ID and token, `rest`.
  ByteView make_reply(coap::PeerId peer, uint8_t type, uint8_t code, ByteView rest) {
    const LastRequest& l = last[peer];
    type &= 3;
    reply[0] = static_cast<uint8_t>(0x40 | (type << 4) | l.token_length);
    reply[1] = code;
    // A CON or NON reply (a separate response) gets a message ID of its own; an empty ACK
    // or RST answers our latest confirmable message (e.g. a notification).
    uint16_t mid = type >= 2 ? l.mid : static_cast<uint16_t>(l.mid ^ 0x5a5a);
    if (type >= 2 && code == 0) mid = l.con_mid;
    reply[2] = static_cast<uint8_t>(mid >> 8);
    reply[3] = static_cast<uint8_t>(mid);
    std::memcpy(reply + 4, l.token, l.token_length);
    const size_t n = rest.size() < kMaxMessage ? rest.size() : kMaxMessage;
    std::memcpy(reply + 4 + l.token_length, rest.data(), n);
    return {reply, 4 + l.token_length + n};
  }

  void application(uint8_t what) {
    static const dm::Path kSendPaths[] = {dm::Path(3303, 0, 5700), dm::Path(3, 0, 9)};
    switch (what % 10) {
      case 0:
        (void)client->start(now);
        break;
      case 1:
        client->stop(now);
        break;
      case 2:
        client->request_update(101, now);
        break;
      case 3:
        client->request_bootstrap(now);
        break;
      case 4:
        (void)client->send(101, kSendPaths, now);
        break;
      case 5:
        client->peer_failed(static_cast<coap::PeerId>((what >> 4) & 3), Errc::timeout, now);
        break;
      case 6:
        device.set_battery_level(what);
        break;
      case 7:
        if (firmware.state() == objects::FirmwareState::updating) {
          (void)firmware.update_finished(objects::UpdateResult::success);
        }
        break;
      case 8:
        (void)client->send(102, kSendPaths, now);
        break;
      default:
        client->request_update(102, now);
        break;
    }
  }
};

size_t length_at(const uint8_t* p) {
  return p[0] | (static_cast<size_t>(p[1] & 0x7) << 8);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
  g_trace = std::getenv("LWM2M_FUZZ_TRACE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Rig rig;
  check(rig.client->start(rig.now).ok(), "setup");
  rig.drain();
  g_allocations = 0;
  g_counting = true;
  size_t i = 0;
  for (int ops = 0; i < size && ops < 512; ++ops) {
    const uint8_t op = data[i++];
    const size_t left = size - i;
    switch (op % 8) {
      case 0:
      case 6: {
        if (left < 3) break;
        const coap::PeerId peer = Rig::peer_of(data[i]);
        const size_t want = length_at(data + i + 1);
        i += 3;
        const size_t n = want < size - i ? want : size - i;
        const ByteView datagram{data + i, n};
        i += n;
        // An oversized datagram was larger than the driver's buffer (kOversizedLimit).
        if (peer >= 4) rig.stranger_budget = op % 8 == 0 ? n : kOversizedLimit + 1;
        if (op % 8 == 0) {
          rig.client->handle_datagram(peer, datagram, rig.now);
        } else {
          rig.client->handle_oversized(peer, datagram, kOversizedLimit, rig.now);
        }
        break;
      }
      case 1: {
        if (left < 5) break;
        const uint8_t src = data[i] & 3;
        const uint8_t type = data[i + 1], code = data[i + 2];
        const size_t want = length_at(data + i + 3);
        i += 5;
        const size_t n = want < size - i ? want : size - i;
        const ByteView rest{data + i, n};
        i += n;
        if (!rig.last[src].seen) break;
        rig.client->handle_datagram(src, rig.make_reply(src, type, code, rest), rig.now);
        break;
      }
      case 2:
        if (left < 2) break;
        rig.advance(rig.now + Duration{10 * int64_t{data[i] | data[i + 1] << 8}});
        i += 2;
        break;
      case 3:
        if (rig.client->next_deadline() != kNever) rig.advance(rig.client->next_deadline());
        break;
      case 4:
        if (left < 1) break;
        (void)rig.sensor.set_value(0, static_cast<double>(data[i++]) - 40.0);
        break;
      case 5:
        if (left < 1) break;
        rig.application(data[i++]);
        break;
      default:
        break;
    }
    rig.drain();
    rig.stranger_budget = 0;
    rig.client->handle_timeout(rig.now);
    rig.drain();
  }
  // Let time run on: retransmissions end and the client keeps only its periodic work.
  for (int k = 0; k < 32 && rig.client->next_deadline() != kNever; ++k) {
    rig.advance(rig.client->next_deadline());
  }
  g_counting = false;
  check(g_allocations == 0, "no allocation after setup");
  return 0;
}
