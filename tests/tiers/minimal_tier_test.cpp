// SPDX-License-Identifier: Apache-2.0
// A client built for the minimal tier (LWM2M_TIER=minimal: no bootstrap, observe, block-wise
// transfers, composite operations, Send, and only TLV, text, opaque and link format) answers
// a server that asks for what it left out as the specifications say, on the wire.
#include <bit>

#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/dm/resource_info.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/random.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;

constexpr uint16_t kTlv = 11542, kText = 0, kLink = 40, kCbor = 60, kSenmlCbor = 112,
                   kSenmlJson = 110;

static_assert(!LWM2M_WITH_BOOTSTRAP && !LWM2M_WITH_OBSERVE && !LWM2M_WITH_BLOCKWISE &&
                  !LWM2M_WITH_COMPOSITE && !LWM2M_WITH_SEND && !LWM2M_WITH_SENML_CBOR &&
                  !LWM2M_WITH_CBOR && LWM2M_MAX_SERVERS == 1,
              "these tests are built against the minimal tier's build_config.hpp");

// Built as for firmware, without the names of object definitions (LWM2M_WITH_NAMES=0):
// a resource row is its id, type, and one byte of operations and two flags.
static_assert(!LWM2M_WITH_NAMES, "the tier is built with LWM2M_WITH_NAMES OFF");
static_assert(sizeof(dm::ResourceDef) == 4, "a ResourceDef keeps no name");
// Built for one management server, the Server object keeps two instances for rollback, not
// four (a request of this tier changes one instance at most).
static_assert(objects::ServerObject::kMaxInstancesPerRequest == 2);

struct MinimalTier : ClientTest {
  /// Feeds the client a CON request from the management server (peer 1) carrying `option`
  /// and returns its answer as the server receives it.
  coap::Message answer_to(coap::Code code, std::string_view path, coap::OptionNumber option,
                          uint32_t value, std::string_view payload = {}) {
    coap::Message m;
    m.type = coap::Type::con;
    m.code = code;
    m.message_id = next_mid_++;
    const uint8_t token[] = {0x7a, static_cast<uint8_t>(m.message_id)};
    m.token = coap::Token::from(token);
    EXPECT_TRUE(m.add_path(coap::OptionNumber::uri_path, path.substr(1)).ok());
    EXPECT_TRUE(m.add_uint(option, value).ok());
    if (code == codes::put) {
      EXPECT_TRUE(m.add_uint(coap::OptionNumber::content_format, kText).ok());
    }
    m.payload = as_bytes(payload);
    auto n = coap::encode(m, wire_);
    EXPECT_TRUE(n.ok());
    rig.client->handle_datagram(kServerNode, {wire_, n.ok() ? *n : 0}, net.now());
    coap::Message reply;
    while (auto d = rig.client->poll_transmit()) {
      if (d->peer != kServerNode) continue;
      answer_.assign(d->bytes.begin(), d->bytes.end());
      EXPECT_EQ(coap::parse({answer_.data(), answer_.size()}, reply), coap::ParseError::none);
    }
    return reply;
  }

  uint16_t next_mid_ = 0x4000;
  uint8_t wire_[256] = {};
  std::vector<uint8_t> answer_;
};

TEST_F(MinimalTier, ReadsTlvAndTextAsAlways) {
  start_and_register();
  Reply tlv = call(codes::get, "/3/0", kTlv);
  EXPECT_EQ(tlv.code, codes::content);
  EXPECT_EQ(tlv.content_format, kTlv);
  Reply text = call(codes::get, "/3/0/0", kText);
  EXPECT_EQ(text.code, codes::content);
  EXPECT_EQ(text.payload, "Acme");
}

// This tier's decoders (TLV, text) read each value as the registry declares it, so the write
// path takes it without dm::convert() (codec::as_declared()): what a Write stores is still
// what a Read then returns, and a value that does not fit its type is still 4.00.
TEST_F(MinimalTier, WritesInTlvAndTextStoreValuesOfTheResourcesTypes) {
  start_and_register();
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "86400").code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "86400");
  // Partial update of the Server instance: Lifetime 3600 in two bytes, Notification
  // Storing true, Binding "U".
  const std::string tlv("\xc2\x01\x0e\x10\xc1\x06\x01\xc1\x07U", 10);
  EXPECT_EQ(call(codes::post, "/1/0", {}, kTlv, tlv).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "3600");
  EXPECT_EQ(call(codes::get, "/1/0/6", kText).payload, "1");
  EXPECT_EQ(call(codes::get, "/1/0/7", kText).payload, "U");
  // An integer of three bytes, a boolean 2, a text that is not a number: 4.00, unchanged.
  EXPECT_EQ(call(codes::post, "/1/0", {}, kTlv, std::string("\xc3\x01\x00\x0e\x10", 5)).code,
            codes::bad_request);
  EXPECT_EQ(call(codes::post, "/1/0", {}, kTlv, std::string("\xc1\x06\x02", 3)).code,
            codes::bad_request);
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "1.5").code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "3600");
  EXPECT_EQ(call(codes::get, "/1/0/6", kText).payload, "1");
}

std::string bytes(std::initializer_list<uint8_t> b) {
  return {b.begin(), b.end()};
}

// The top-level TLV entries of `payload`: (type bits, id) in order, their lengths checked.
std::vector<std::pair<int, int>> tlv_entries(const std::string& payload) {
  std::vector<std::pair<int, int>> out;
  size_t i = 0;
  while (i < payload.size()) {
    const auto type = static_cast<uint8_t>(payload[i++]);
    int id = static_cast<uint8_t>(payload[i++]);
    if (type & 0x20) id = id << 8 | static_cast<uint8_t>(payload[i++]);
    size_t len = type & 7;
    for (int k = 0; k < (type >> 3 & 3); ++k)
      len = len << 8 | static_cast<uint8_t>(payload[i++]);
    i += len;
    out.emplace_back(type >> 6, id);
  }
  EXPECT_EQ(i, payload.size());
  return out;
}

// The library is built for size here (tests/tiers/CMakeLists.txt): each leaf of a Read is
// found by the data model's search from the top. The records come in order at every depth.
TEST_F(MinimalTier, ReadsEveryDepthInOrder) {
  ASSERT_TRUE(rig.device.add_error_code(1).ok());
  ASSERT_TRUE(rig.device.add_error_code(5).ok());
  rig.device.set_battery_level(80);
  start_and_register();
  // A multiple resource, and one of its instances.
  EXPECT_EQ(call(codes::get, "/3/0/11", kTlv).payload,
            bytes({0x86, 0x0B, 0x41, 0x00, 0x01, 0x41, 0x01, 0x05}));
  EXPECT_EQ(call(codes::get, "/3/0/11/1", kTlv).payload, bytes({0x41, 0x01, 0x05}));
  EXPECT_EQ(call(codes::get, "/3/0/11/2", kTlv).code, codes::not_found);
  // The instance: its readable resources that are present, ascending, each once; the
  // multiple one as the resource read alone.
  const std::string instance = call(codes::get, "/3/0", kTlv).payload;
  std::vector<std::pair<int, int>> expected;
  for (int rid : {0, 1, 2, 3, 9, 11, 13, 14, 15, 16})
    expected.emplace_back(rid == 11 ? 2 : 3, rid);
  EXPECT_EQ(tlv_entries(instance), expected);
  EXPECT_NE(instance.find(bytes({0x86, 0x0B, 0x41, 0x00, 0x01, 0x41, 0x01, 0x05})),
            std::string::npos);
  // The object: the same, inside the instance's entry.
  const std::string object = call(codes::get, "/3", kTlv).payload;
  EXPECT_EQ(tlv_entries(object), (std::vector<std::pair<int, int>>{{0, 0}}));
  EXPECT_EQ(object.substr(object.size() - instance.size()), instance);
  // Several instances: the Server object's one instance, then a second one created.
  Reply created = call(codes::post, "/1", {}, kTlv, bytes({0xC1, 0x00, 0x07}));
  EXPECT_EQ(created.code, codes::created);
  EXPECT_EQ(tlv_entries(call(codes::get, "/1", kTlv).payload),
            (std::vector<std::pair<int, int>>{{0, 0}, {0, 1}}));
}

TEST_F(MinimalTier, FormatsLeftOutAre406OnReadAnd415OnWrite) {
  start_and_register();
  EXPECT_EQ(call(codes::get, "/3/0", kSenmlCbor).code, codes::not_acceptable);
  EXPECT_EQ(call(codes::get, "/3/0", kSenmlJson).code, codes::not_acceptable);
  EXPECT_EQ(call(codes::get, "/3/0/0", kCbor).code, codes::not_acceptable);
  // A Write in a format left out: 4.15, and the value is unchanged.
  const std::string senml_cbor_lifetime = "\x81\xa2\x00\x66/1/0/1\x02\x18\x3c";
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kSenmlCbor, senml_cbor_lifetime).code,
            codes::unsupported_content_format);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "300");
}

TEST_F(MinimalTier, ObserveIsAnsweredAsAPlainRead) {
  start_and_register();
  // RFC 7641 §4.1: a server that does not add an observer answers without Observe.
  auto id = server.request(codes::get, "/3/0/0", net.now(), kText, std::nullopt, {}, {}, true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 30s));
  const Reply& r = server.replies_for(id).front();
  EXPECT_EQ(r.code, codes::content);
  EXPECT_EQ(r.payload, "Acme");
  EXPECT_FALSE(r.observe);
  EXPECT_EQ(rig.client->engine().observation_count(), 0u);
}

TEST_F(MinimalTier, WriteAttributesAndCompositeAre405) {
  start_and_register();
  EXPECT_EQ(call(codes::put, "/3/0/0", {}, {}, {}, {"pmin=10"}).code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::fetch, "/", kSenmlCbor, kSenmlCbor, "\x81\xa1\x00\x64/3/0").code,
            codes::method_not_allowed);
  EXPECT_EQ(call(codes::ipatch, "/", {}, kSenmlCbor, "\x80").code, codes::method_not_allowed);
  // Discover still answers, without attributes (none can be written).
  Reply d = call(codes::get, "/3/0/0", 40);
  EXPECT_EQ(d.code, codes::content);
  EXPECT_EQ(d.payload, "</3/0/0>");
}

TEST_F(MinimalTier, BlockOptionsAre402BadOption) {
  start_and_register();
  // Block1 and Block2 are critical options this build does not know (RFC 7252 §5.4.1).
  const coap::BlockOption first{0, true, 2};  // 64-byte blocks, more to come
  coap::Message put = answer_to(codes::put, "/1/0/1", coap::OptionNumber::block1, first.encode(),
                                std::string(64, '6'));
  EXPECT_EQ(put.code, codes::bad_option);
  coap::Message get = answer_to(codes::get, "/3/0", coap::OptionNumber::block2,
                                coap::BlockOption{1, false, 2}.encode());
  EXPECT_EQ(get.code, codes::bad_option);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "300");  // nothing was written
}

TEST_F(MinimalTier, SendAndBootstrapAreRefusedWithoutTouchingTheNetwork) {
  start_and_register();
  const dm::Path p(3, 0, 0);
  EXPECT_EQ(rig.client->send(101, {&p, 1}, net.now()).error(), Errc::unsupported);
  rig.client->request_bootstrap(net.now());
  bool failed = false;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::bootstrap_failed) failed = e.error == Errc::unsupported;
  EXPECT_TRUE(failed);
  (void)net.run_until([] { return false; }, net.now() + 5s);
  EXPECT_EQ(bootstrap.bootstrap_requests, 0);
  EXPECT_TRUE(server.sends.empty());
  EXPECT_TRUE(rig.client->registered(101));
}

TEST_F(MinimalTier, ABootstrapServersRequestIs405AndStartsNoBootstrap) {
  // A device configured with a bootstrap server as well: this build cannot bootstrap, so a
  // request from that server is refused, and the client neither starts waiting for a
  // Bootstrap-Finish nor schedules a wake-up for one.
  objects::SecurityConfig bs;
  bs.uri = "coap://127.0.0.1:5783";
  bs.bootstrap = true;
  ASSERT_TRUE(rig.security.add(bs, 0).ok());
  start_and_register();
  const TimePoint due = rig.client->next_deadline();
  auto id = bootstrap.request(codes::get, "/3/0", net.now(), kTlv);
  ASSERT_TRUE(net.run_until([&] { return !bootstrap.replies_for(id).empty(); }, net.now() + 30s));
  EXPECT_EQ(bootstrap.replies_for(id).front().code, codes::method_not_allowed);
  EXPECT_FALSE(rig.client->bootstrapping());
  EXPECT_EQ(rig.client->next_deadline(), due);
  EXPECT_TRUE(rig.client->registered(101));
}

TEST_F(MinimalTier, BootstrapRequestTriggerKeepsTheSavedConfiguration) {
  // This build cannot bootstrap: a configured bootstrap server would never replace the
  // configuration, so the trigger does not ask the driver to discard it.
  objects::SecurityConfig bs;
  bs.uri = "coap://127.0.0.1:5783";
  bs.bootstrap = true;
  ASSERT_TRUE(rig.security.add(bs, 0).ok());
  start_and_register();
  (void)rig.drain_events();
  EXPECT_EQ(call(codes::post, "/1/0/9").code, codes::changed);
  EXPECT_EQ(rig.client->poll_state(), std::nullopt);
  bool failed = false;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::bootstrap_failed) failed = e.error == Errc::unsupported;
  EXPECT_TRUE(failed);
  EXPECT_TRUE(rig.client->registered(101));
}

TEST_F(MinimalTier, NamesReadAsEmptyAndCodeThatSetsThemStillCompiles) {
  const dm::ObjectDef& server_def = objects::server_object_def();
  EXPECT_TRUE(server_def.name.empty());
  const dm::ResourceDef* trigger = server_def.find(8);  // Registration Update Trigger
  ASSERT_NE(trigger, nullptr);
  EXPECT_EQ(std::string_view(trigger->name), "");
  EXPECT_TRUE(trigger->executable());
  // Names, units and range texts given by an application are accepted and dropped.
  constexpr dm::ResourceDef own{7,     dm::DataType::string, dm::Operations::read, false,
                                false, "Own Resource"};
  static_assert(own.name.empty() && own.name.size() == 0);
  constexpr dm::ResourceInfo info{7, "Cel", "-40..85", dm::RangeKind::value, -40, 85};
  static_assert(info.units.empty() && info.range == "" && info.accepts(85) && !info.accepts(86));
  dm::ObjectDef def{4242};
  const std::string runtime_name = "Made At Run Time";
  def.name = runtime_name;
  EXPECT_EQ(def.name, "");
  EXPECT_EQ(std::string(def.name), "");
}

TEST_F(MinimalTier, DiscoverListsTheResourcesWithoutNames) {
  start_and_register();
  Reply discover = call(codes::get, "/1/0", kLink);
  EXPECT_EQ(discover.code, codes::content);
  EXPECT_TRUE(discover.payload.starts_with("</1/0>,</1/0/0>,</1/0/1>,")) << discover.payload;
  EXPECT_NE(discover.payload.find("</1/0/8>"), std::string::npos) << discover.payload;
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "300");
}

// Without Observe the tier converts integers to doubles from their bits (no soft-float
// addition linked on a Cortex-M4): the same doubles as the compiler's conversion.
TEST(MinimalTierNumbers, IntegersConvertToTheSameDoublesAsTheCompilersConversion) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            (int64_t{1} << 53) + 1,
                            -(int64_t{1} << 53) - 3,
                            INT64_MAX,
                            INT64_MIN,
                            123456789012345678};
  for (int64_t v : values) {
    auto d = dm::convert(dm::Value::integer(v), dm::DataType::floating);
    ASSERT_TRUE(d.ok()) << v;
    EXPECT_EQ(std::bit_cast<uint64_t>(d->as_float()),
              std::bit_cast<uint64_t>(static_cast<double>(v)))
        << v;
    const auto u = static_cast<uint64_t>(v);
    auto du = dm::convert(dm::Value::unsigned_integer(u), dm::DataType::floating);
    ASSERT_TRUE(du.ok()) << u;
    EXPECT_EQ(std::bit_cast<uint64_t>(du->as_float()),
              std::bit_cast<uint64_t>(static_cast<double>(u)))
        << u;
  }
}

// The CoAP engine of this build serves no observe relation: a GET with Observe 0 reaches the
// handler as a plain GET, accept_observe() says so and the answer carries no Observe option
// (RFC 7641 §4.1: not observed).
TEST(MinimalTierEngine, AcceptObserveIsUnsupportedAndTheAnswerIsPlain) {
  struct Handler : coap::RequestHandler {
    void on_request(const coap::IncomingRequest& in, coap::Response& resp) noexcept override {
      registering = in.observe_register;
      accepted = resp.accept_observe(7).status();
      resp.write(std::string_view{"21.5"});
    }
    bool registering = false;
    Status accepted;
  } handler;
  XorShiftRandom rng{3};
  coap::Engine engine(coap::EngineConfig{}, rng, &handler);
  ASSERT_TRUE(engine.valid());
  coap::Message get;
  get.type = coap::Type::con;
  get.code = codes::get;
  get.message_id = 0x1234;
  const uint8_t token[] = {0xab};
  get.token = coap::Token::from(token);
  ASSERT_TRUE(get.add_uint(coap::OptionNumber::observe, 0).ok());
  ASSERT_TRUE(get.add_path(coap::OptionNumber::uri_path, "3303/0/5700").ok());
  uint8_t wire[64];
  auto n = coap::encode(get, wire);
  ASSERT_TRUE(n.ok());
  engine.handle_datagram(1, {wire, *n}, TimePoint{});
  EXPECT_FALSE(handler.registering);
  EXPECT_EQ(handler.accepted.error(), Errc::unsupported);
  auto d = engine.poll_transmit();
  ASSERT_TRUE(d.has_value());
  coap::Message reply;
  ASSERT_EQ(coap::parse(d->bytes, reply), coap::ParseError::none);
  EXPECT_EQ(reply.code, codes::content);
  EXPECT_FALSE(reply.observe().has_value());
  EXPECT_EQ(engine.observation_count(), 0u);
}

// Nor does it hold an observation of its own: a request with Observe 0 ends with its first
// response (final, as any response), and a notification after it is answered RST (RFC 7641
// §3.6, an unknown token), as a peer that ended the observation would be.
TEST(MinimalTierEngine, ARequestWithObserveEndsWithItsFirstResponse) {
  struct Handler : coap::ResponseHandler {
    void on_response(coap::RequestId, const coap::Message&, bool last) noexcept override {
      ++responses;
      final = last;
    }
    void on_error(coap::RequestId, Errc) noexcept override { ++errors; }
    int responses = 0, errors = 0;
    bool final = false;
  } handler;
  XorShiftRandom rng{3};
  coap::Engine engine(coap::EngineConfig{}, rng, nullptr);
  ASSERT_TRUE(engine.valid());
  coap::Message get;
  get.code = codes::get;
  ASSERT_TRUE(get.add_uint(coap::OptionNumber::observe, 0).ok());
  ASSERT_TRUE(get.add_path(coap::OptionNumber::uri_path, "3303/0/5700").ok());
  auto id = engine.send_request(1, get, handler, TimePoint{});
  ASSERT_TRUE(id.ok());
  auto d = engine.poll_transmit();
  ASSERT_TRUE(d.has_value());
  coap::Message sent;
  ASSERT_EQ(coap::parse(d->bytes, sent), coap::ParseError::none);
  EXPECT_EQ(sent.observe(), 0u) << "the request goes out as given";

  coap::Message notification;
  notification.type = coap::Type::ack;
  notification.code = codes::content;
  notification.message_id = sent.message_id;
  notification.token = sent.token;
  ASSERT_TRUE(notification.add_uint(coap::OptionNumber::observe, 5).ok());
  uint8_t wire[64];
  auto n = coap::encode(notification, wire);
  ASSERT_TRUE(n.ok());
  engine.handle_datagram(1, {wire, *n}, TimePoint{});
  EXPECT_EQ(handler.responses, 1);
  EXPECT_TRUE(handler.final);
  EXPECT_FALSE(engine.active(*id));

  notification.type = coap::Type::con;
  notification.message_id = static_cast<uint16_t>(sent.message_id + 100);
  notification.remove(coap::OptionNumber::observe);
  ASSERT_TRUE(notification.add_uint(coap::OptionNumber::observe, 6).ok());
  n = coap::encode(notification, wire);
  ASSERT_TRUE(n.ok());
  engine.handle_datagram(1, {wire, *n}, from_millis(1000));
  EXPECT_EQ(handler.responses, 1);
  d = engine.poll_transmit();
  ASSERT_TRUE(d.has_value());
  coap::Message rst;
  ASSERT_EQ(coap::parse(d->bytes, rst), coap::ParseError::none);
  EXPECT_EQ(rst.type, coap::Type::rst);
  EXPECT_EQ(rst.message_id, notification.message_id);
}

}  // namespace
}  // namespace lwm2m::test
