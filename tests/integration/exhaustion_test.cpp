// SPDX-License-Identifier: Apache-2.0
// A server (or whoever holds its address) asking for more than the client has room for:
//  - a body larger than the client takes gets 4.13 with Size1 saying how much it takes
//    (RFC 7959 §2.9.3), and the registration goes on;
//  - an observation beyond the table is served as a plain Read, without Observe (RFC 7641
//    §4.1: the request "falls back to a normal GET"), and the observations already made
//    keep notifying;
//  - a flood of requests from the server's address is answered request by request with the
//    right codes, the runner thread allocates nothing while it lasts, and the registration
//    survives.
// A second block-wise transfer while one is under way: tests/unit/coap/
// engine_block_slots_test.cpp (5.03 with Max-Age; the first completes).
#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "fixture.hpp"
#include "support/alloc_counter.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

TEST(Exhaustion, ABodyLargerThanTheClientTakesGets413WithTheSizeItTakes) {
  ts::Server server(server_options());
  Rig rig("big-node");
  rig.config.coap.block1_buffer = 4096;
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("big-node", kWait));

  // libcoap sends it block-wise with Size1 6000: refused at the first block.
  const std::string big(6000, 'x');
  auto w = server.write("big-node", "/3303/0/5750", ts::Bytes(big.begin(), big.end()), CF::text);
  ASSERT_EQ(w.code_string(), "4.13") << w.describe();
  std::optional<uint32_t> size1;
  for (const ts::CoapOption& o : w.options)
    if (o.number == 60) {
      uint32_t v = 0;
      for (uint8_t b : o.value)
        v = v << 8 | b;
      size1 = v;
    }
  ASSERT_TRUE(size1.has_value()) << "4.13 without Size1";
  EXPECT_EQ(*size1, 4096u);
  // What fits goes through, and the client is still registered and served.
  const std::string fits(3000, 'y');
  auto ok = server.write("big-node", "/3303/0/5750", ts::Bytes(fits.begin(), fits.end()), CF::text);
  EXPECT_EQ(ok.code_string(), "2.04") << ok.describe();
  EXPECT_EQ(server.read("big-node", "/3303/0/5750").text(), fits);
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(1); }));
}

TEST(Exhaustion, AnObservationBeyondTheTableIsAPlainReadAndTheOthersKeepNotifying) {
  ts::Server server(server_options());
  Rig rig("obs-node");
  rig.config.max_observations = 2;
  rig.config.coap.observations = 2;
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("obs-node", kWait));

  auto value = server.observe("obs-node", "/3303/0/5700", CF::text);
  auto instance = server.observe("obs-node", "/3303/0", CF::senml_json);
  ASSERT_TRUE(value.established()) << value.response().describe();
  ASSERT_TRUE(instance.established()) << instance.response().describe();
  // The third: answered with the value, no Observe option, so no relation.
  auto third = server.observe("obs-node", "/3/0/0", CF::text);
  EXPECT_EQ(third.response().code_string(), "2.05") << third.response().describe();
  EXPECT_EQ(third.response().text(), "Acme");
  EXPECT_FALSE(third.established());
  for (const ts::CoapOption& o : third.response().options)
    EXPECT_NE(o.number, 6) << "an Observe option on a request the client did not take";

  rig.set_sensor(0, 30.5);
  auto n1 = value.wait_notification(kWait);
  ASSERT_TRUE(n1);
  EXPECT_EQ(n1->text(), "30.5");
  EXPECT_TRUE(instance.wait_notifications(1, kWait));
  rig.set_sensor(0, 31.5);
  auto n2 = value.wait_notification(kWait);
  ASSERT_TRUE(n2);
  EXPECT_EQ(n2->text(), "31.5");
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(1); }));
}

// ---- a flood from the server's address --------------------------------------------------

inline constexpr dm::ResourceDef kProbeResources[] = {
    {0, dm::DataType::integer, dm::Operations::read, false, false, "Reads"},
};
inline constexpr dm::ObjectDef kProbeDef{32769, "1.0", false, false, kProbeResources, "Probe"};

/// One instance, one readable resource; each read samples the runner thread's allocation
/// count (reads run on that thread).
class Probe final : public dm::Object {
 public:
  Probe() : dm::Object(kProbeDef) {}
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t index) const noexcept override {
    return index == 0 ? 0 : dm::kInvalidId;
  }
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                         MutableByteView) noexcept override {
    if (iid != 0 || rid != 0) return Errc::not_found;
    const uint64_t n = ++reads;
    if (n == kWarm) allocations_warm = test::thread_allocations();
    allocations_last = test::thread_allocations();
    return dm::Value::integer(static_cast<int64_t>(n));
  }
  static constexpr uint64_t kWarm = 200;
  std::atomic<uint64_t> reads{0};
  std::atomic<size_t> allocations_warm{0}, allocations_last{0};
};

/// A bare UDP endpoint the client registers with, so that the test speaks from the
/// server's own address.
class BareServer {
 public:
  BareServer() : sock_(posix::UdpSocket::open(0, true).value()) {}
  uint16_t port() const { return sock_.local_port(); }
  std::optional<test::Parsed> receive(Duration wait) {
    uint8_t buf[2048];
    posix::SocketAddress from;
    auto n = sock_.receive_from(MutableByteView(buf, sizeof buf), from, wait);
    if (!n) return std::nullopt;
    client_ = from;
    return test::Parsed(ByteView(buf, *n));
  }
  void send(const coap::Message& m) {
    const test::Bytes b = test::encode(m);
    (void)sock_.send_to(client_, ByteView(b.data(), b.size()));
  }
  void send_raw(const test::Bytes& b) {
    (void)sock_.send_to(client_, ByteView(b.data(), b.size()));
  }
  /// Answers the Register with 2.01 and a location.
  bool accept_register() {
    for (int i = 0; i < 50; ++i) {
      auto m = receive(Duration{200});
      if (!m || m->code() != coap::codes::post || m->path() != "rd") continue;
      coap::Message ack = test::response(coap::Type::ack, coap::codes::created, m->mid(), m->tok());
      EXPECT_TRUE(ack.add_path(coap::OptionNumber::location_path, "rd/7").ok());
      send(ack);
      return true;
    }
    return false;
  }

 private:
  posix::UdpSocket sock_;
  posix::SocketAddress client_;
};

coap::Message get(uint16_t mid, std::string_view path) {
  const uint8_t t[4] = {0xF1, static_cast<uint8_t>(mid >> 8), static_cast<uint8_t>(mid), 0x0D};
  return test::request(coap::Type::con, coap::codes::get, mid, coap::Token::from({t, 4}), path);
}

TEST(Exhaustion, AFloodFromTheServersAddressGetsItsAnswersNoAllocationAndKeepsTheRegistration) {
  BareServer bare;
  Rig rig("flood-node");
  Probe probe;
  ASSERT_TRUE(rig.registry.add(probe).ok());
  rig.quiet_prefix = "served ";  // a line per request would be the test's own allocation
  rig.add_server("coap://127.0.0.1:" + std::to_string(bare.port()), test_server_config(1, 600));
  rig.start();
  ASSERT_TRUE(bare.accept_register());
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait));

  // Waves of 100 requests, each wave sent at once and then drained: valid reads, reads of
  // what does not exist, writes to a read-only resource, and garbage. 30 waves.
  std::map<std::string, int> codes;
  int garbage_answers = 0;
  uint16_t mid = 1;
  constexpr int kWaves = 30, kWave = 100;
  for (int wave = 0; wave < kWaves; ++wave) {
    int expected = 0;
    for (int i = 0; i < kWave; ++i, ++mid) {
      switch (i % 10) {
        case 7:
          bare.send(get(mid, "9999/0/0"));
          ++expected;
          break;
        case 8: {
          coap::Message put = get(mid, "32769/0/0");
          put.code = coap::codes::put;
          EXPECT_TRUE(put.add_uint(coap::OptionNumber::content_format, 0).ok());  // text
          put.payload = as_bytes("5");
          bare.send(put);
          ++expected;
          break;
        }
        case 9:
          bare.send_raw({0xFF, 0x00, 0x13, 0x37, 0xDE, 0xAD});  // not CoAP version 1
          break;
        default:
          bare.send(get(mid, "32769/0/0"));
          ++expected;
      }
    }
    for (int got = 0; got < expected;) {
      auto m = bare.receive(Duration{3000});
      ASSERT_TRUE(m) << "wave " << wave << ": " << got << " of " << expected << " answered";
      if (!m->ok() || m->type() != coap::Type::ack) {
        ++garbage_answers;
        continue;
      }
      char code[8];
      std::snprintf(code, sizeof code, "%u.%02u", m->code().cls(), m->code().detail());
      ++codes[code];
      ++got;
    }
  }
  const int reads = kWaves * kWave * 7 / 10;
  std::string seen;
  for (const auto& [code, n] : codes)
    seen += code + " x" + std::to_string(n) + " ";
  SCOPED_TRACE(seen);
  EXPECT_EQ(codes["2.05"], reads);
  EXPECT_EQ(codes["4.04"], kWaves * kWave / 10);
  EXPECT_EQ(codes["4.05"], kWaves * kWave / 10);
  EXPECT_EQ(garbage_answers, 0) << "garbage was answered";
  EXPECT_EQ(probe.reads.load(), static_cast<uint64_t>(reads));
  // Bounded memory: after the first waves, the runner thread allocated nothing more.
  EXPECT_EQ(probe.allocations_last.load(), probe.allocations_warm.load());
  // Still registered, and still served.
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(1); }));
  bare.send(get(mid, "3/0/0"));
  auto last = bare.receive(Duration{3000});
  ASSERT_TRUE(last);
  EXPECT_EQ(last->code(), coap::codes::content);
  EXPECT_EQ(last->payload(), "Acme");
}

}  // namespace
}  // namespace lwm2m::itest
