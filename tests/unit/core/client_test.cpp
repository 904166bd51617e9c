// SPDX-License-Identifier: Apache-2.0
// The client core against a scripted server on the simulated network: registration,
// updates, device management codes, attributes and notifications, bootstrap, loss.
#include "lwm2m/core/client.hpp"

#include <gtest/gtest.h>

#include "codec/senml.hpp"
#include "core/client_fixture.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;
constexpr uint16_t kText = 0;
constexpr uint16_t kLink = 40;

TEST_F(ClientTest, RegistersWithEndpointLifetimeVersionBindingAndObjectLinks) {
  start_and_register();
  ASSERT_EQ(server.registers.size(), 1u);
  const auto& r = server.registers[0];
  EXPECT_EQ(r.endpoint, "urn:dev:test-1");
  EXPECT_EQ(r.lifetime, "300");
  EXPECT_EQ(r.version, "1.1");
  EXPECT_EQ(r.binding, "U");
  EXPECT_FALSE(r.queue);
  // Security is never listed; objects of version 1.1 carry ver.
  EXPECT_EQ(r.payload, "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");
  auto link = rig.client->poll_link();
  ASSERT_TRUE(link);
  EXPECT_EQ(link->kind, core::LinkCommand::Kind::connect);
  EXPECT_EQ(link->peer, 1);
  EXPECT_EQ(link->ssid, 101);
  EXPECT_FALSE(rig.client->poll_link());
  EXPECT_TRUE(has_event(rig.drain_events(), core::EventKind::registered));
  EXPECT_EQ(rig.client->server_status(0).location, "rd/5a3f");
}

TEST_F(ClientTest, UpdatesBeforeTheLifetimeRunsOut) {
  start_and_register();
  // Lifetime 300 s: the Update must reach the server before the registration expires.
  ASSERT_TRUE(net.run_until([&] { return !server.updates.empty(); }, net.now() + 300s));
  EXPECT_LT(net.now(), from_millis(300000));
  EXPECT_TRUE(server.updates[0].empty());  // nothing changed: no lt, no b, no payload
  EXPECT_TRUE(server.update_payloads[0].empty());
}

TEST_F(ClientTest, RegistersAgainWhenTheServerForgotIt) {
  start_and_register();
  server.forget = true;
  rig.client->request_update(101, net.now());
  ASSERT_TRUE(net.run_until([&] { return server.registers.size() == 2; }, net.now() + 120s));
  EXPECT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
}

TEST_F(ClientTest, ReadsSingleResourcesAsTextAndRefusesWhatTheSpecForbids) {
  start_and_register();
  Reply r = call(codes::get, "/3/0/0");
  EXPECT_EQ(r.code, codes::content);
  EXPECT_EQ(r.content_format, kText);
  EXPECT_EQ(r.payload, "Acme");

  EXPECT_EQ(call(codes::get, "/3/0/0", kText).payload, "Acme");
  EXPECT_EQ(call(codes::get, "/0/1/0").code, codes::unauthorized);        // Security object
  EXPECT_EQ(call(codes::get, "/3/0/42").code, codes::not_found);          // undefined
  EXPECT_EQ(call(codes::get, "/3/7").code, codes::not_found);             // no such instance
  EXPECT_EQ(call(codes::get, "/3/0/4").code, codes::method_not_allowed);  // executable
  EXPECT_EQ(call(codes::get, "/3/0", kText).code, codes::not_acceptable);
  EXPECT_EQ(call(codes::get, "/3/0/0", 9999).code, codes::not_acceptable);
  EXPECT_EQ(call(codes::get, "/3/0/0", 42).code, codes::not_acceptable);  // not opaque
}

TEST_F(ClientTest, WritesExecutesAndAnswersWithTheSpecCodes) {
  start_and_register();
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "120").code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "120");
  // A changed lifetime goes to the server in an Update.
  ASSERT_TRUE(net.run_until([&] { return !server.updates.empty(); }, net.now() + 10s));
  EXPECT_EQ(server.updates[0], std::vector<std::string>{"lt=120"});

  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "12x").code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "120");  // nothing changed
  EXPECT_EQ(call(codes::put, "/3/0/0", {}, kText, "Evil").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::put, "/3/0/0", {}, 9999, "x").code, codes::unsupported_content_format);
  EXPECT_EQ(call(codes::post, "/3/0/0").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::del, "/3/0").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::del, "/3").code, codes::method_not_allowed);

  rig.drain_events();
  EXPECT_EQ(call(codes::post, "/3/0/4").code, codes::changed);
  net.run_for(10ms);
  EXPECT_TRUE(has_event(rig.drain_events(), core::EventKind::reboot));
}

TEST_F(ClientTest, DiscoverListsInstancesResourcesDimAndAttributes) {
  start_and_register();
  ASSERT_TRUE(rig.device.add_error_code(0).ok());
  // Battery level is absent until the application sets it: no attributes on it either.
  EXPECT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"pmin=10"}).code, codes::not_found);
  Reply r = call(codes::get, "/3/0", kLink);
  EXPECT_EQ(r.code, codes::content);
  EXPECT_EQ(r.content_format, kLink);
  EXPECT_EQ(r.payload,
            "</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/5>,</3/0/11>;dim=1,"
            "</3/0/12>,</3/0/13>,</3/0/14>,</3/0/15>,</3/0/16>");
  rig.device.set_battery_level(80);
  ASSERT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"pmin=10", "pmax=60"}).code, codes::changed);
  r = call(codes::get, "/3/0/9", kLink);
  EXPECT_EQ(r.payload, "</3/0/9>;pmin=10;pmax=60");
}

TEST_F(ClientTest, WriteAttributesRejectsWhatTheSpecRejects) {
  start_and_register();
  rig.device.set_battery_level(80);
  EXPECT_EQ(call(codes::put, "/3/0/0", {}, {}, {}, {"gt=5"}).code, codes::bad_request);  // string
  EXPECT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"foo=1"}).code, codes::bad_request);
  EXPECT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"lt=10", "gt=5"}).code, codes::bad_request);
  EXPECT_EQ(call(codes::put, "/3/9", {}, {}, {}, {"pmin=1"}).code, codes::not_found);
}

TEST_F(ClientTest, NotificationsHonourPminPmaxAndChangeConditions) {
  start_and_register();
  rig.device.set_battery_level(50);
  ASSERT_EQ(call(codes::put, "/3/0/9", {}, {}, {}, {"pmin=2", "pmax=20", "st=5"}).code,
            codes::changed);
  auto id = server.request(codes::get, "/3/0/9", net.now(), {}, {}, {}, {}, /*observe=*/true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  auto& notes = server.replies_for(id);
  EXPECT_EQ(notes[0].payload, "50");
  ASSERT_TRUE(notes[0].observe.has_value());
  TimePoint t0 = net.now();

  rig.device.set_battery_level(52);  // below st: no notification until pmax
  net.run_for(5s);
  EXPECT_EQ(notes.size(), 1u);
  rig.device.set_battery_level(40);  // step 10 >= st, pmin passed: notify now
  net.run_for(100ms);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].payload, "40");

  rig.device.set_battery_level(20);  // within pmin of the last one: held until pmin
  net.run_for(1s);
  EXPECT_EQ(notes.size(), 2u);
  net.run_for(1500ms);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[2].payload, "20");

  // Nothing changes: pmax forces one.
  TimePoint before = net.now();
  ASSERT_TRUE(net.run_until([&] { return notes.size() == 4; }, net.now() + 30s));
  EXPECT_GE(net.now() - before, 19s);
  EXPECT_LE(net.now() - before, 21s);
  (void)t0;
}

TEST_F(ClientTest, DeregistersOnStop) {
  start_and_register();
  rig.client->stop(net.now());
  ASSERT_TRUE(net.run_until([&] { return rig.client->stopped(); }, net.now() + 30s));
  EXPECT_EQ(server.deregisters, 1);
}

TEST_F(ClientTest, RegistrationSurvivesThirtyPercentLoss) {
  net.set_link({.drop_permille = 300});
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 600s));
  // Retransmitted Registers are deduplicated by the server's engine: one registration.
  EXPECT_EQ(server.registers.size(), 1u);
}

TEST_F(ClientTest, TenThousandReadsAfterRegistrationAllocateNothing) {
  start_and_register();
  // Warm up every path once (first uses of tables).
  call(codes::get, "/3/0/0");
  AllocationScope scope;
  coap::Message m;
  m.type = coap::Type::con;
  m.code = codes::get;
  ASSERT_TRUE(m.add_path(coap::OptionNumber::uri_path, "3/0/0").ok());
  uint8_t buf[64];
  size_t ok = 0;
  for (int i = 0; i < 10000; ++i) {
    m.message_id = static_cast<uint16_t>(20000 + i);
    m.token = coap::Token::from({reinterpret_cast<const uint8_t*>(&i), 4});
    auto n = coap::encode(m, buf);
    ASSERT_TRUE(n.ok());
    rig.client->handle_datagram(kServerNode, {buf, *n}, net.now());
    while (auto d = rig.client->poll_transmit())
      ok += d->bytes.size() > 4;
  }
  EXPECT_EQ(ok, 10000u);
  EXPECT_EQ(scope.count(), 0u);
}

struct BootstrapTest : ClientTest {
  BootstrapTest() : ClientTest(/*with_server=*/false) {
    objects::SecurityConfig bs;
    bs.uri = "coap://127.0.0.1:5783";
    bs.bootstrap = true;
    EXPECT_TRUE(rig.security.add(bs, 0).ok());
  }
  Reply bs_call(coap::Code code, std::string_view path, std::optional<uint16_t> cf = {},
                std::string payload = {}, std::optional<uint16_t> accept = {}) {
    auto id = bootstrap.request(code, path, net.now(), accept, cf, std::move(payload));
    EXPECT_TRUE(net.run_until([&] { return !bootstrap.replies_for(id).empty(); }, net.now() + 30s));
    auto& r = bootstrap.replies_for(id);
    return r.empty() ? Reply{} : r.front();
  }
};

TEST_F(BootstrapTest, FromAnEmptyClientToARegisteredOne) {
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return bootstrap.bootstrap_requests == 1; }, net.now() + 10s));
  EXPECT_EQ(bootstrap.bootstrap_queries[0], "ep=urn:dev:test-1");
  net.run_for(100ms);
  EXPECT_TRUE(rig.client->bootstrapping());

  // Finish before any server is configured: 4.06, still bootstrapping.
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::not_acceptable);

  EXPECT_EQ(bs_call(codes::del, "/").code, codes::deleted);
  EXPECT_EQ(bs_call(codes::put, "/0/1/0", kText, "coap://127.0.0.1:5683").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/0/1/1", kText, "0").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/0/1/2", kText, "3").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/0/1/10", kText, "101").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/1/0/0", kText, "101").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/1/0/1", kText, "60").code, codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/1/0/7", kText, "U").code, codes::changed);
  Reply d = bs_call(codes::get, "/", {}, {}, kLink);
  EXPECT_EQ(d.payload,
            "</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri=\"coap://127.0.0.1:5783\",</0/1>;ssid=101;"
            "uri=\"coap://127.0.0.1:5683\",</1>;ver=1.1,</1/0>;ssid=101,</3>;ver=1.1,</3/0>");
  EXPECT_EQ(bs_call(codes::get, "/3/0/0").code, codes::bad_request);  // only /1 and /2
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::changed);

  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  ASSERT_EQ(server.registers.size(), 1u);
  EXPECT_EQ(server.registers[0].lifetime, "60");
}

}  // namespace
}  // namespace lwm2m::test

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;

std::string bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

/// Decodes a SenML CBOR payload into "path=value" strings (integers and strings only).
std::vector<std::string> senml_values(const std::string& payload, const dm::Registry& reg) {
  std::vector<uint8_t> scratch(512);
  codec::DecodeContext ctx{dm::Path{}, &reg, {scratch.data(), scratch.size()}};
  codec::SenmlCborDecoder dec({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()},
                              ctx);
  std::vector<std::string> out;
  for (;;) {
    codec::Record r;
    auto more = dec.next(r);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    char path[32];
    size_t n = r.path.format(path);
    std::string v = r.value.type() == dm::DataType::string ? std::string(r.value.as_string())
                                                           : std::to_string(r.value.as_integer());
    out.push_back(std::string(path, n) + "=" + v);
  }
  return out;
}

TEST_F(ClientTest, CreatesWithTlvAndDeletesUpdatingTheRegistration) {
  start_and_register();
  // Server instance without an instance id: ssid 102, lifetime 300, storing, binding U.
  std::string tlv =
      bytes({0xC1, 0x00, 0x66, 0xC2, 0x01, 0x01, 0x2C, 0xC1, 0x06, 0x01, 0xC1, 0x07, 'U'});
  Reply r = call(codes::post, "/1", {}, 11542, tlv);
  EXPECT_EQ(r.code, codes::created);
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "1"}));
  EXPECT_EQ(call(codes::get, "/1/1/0").payload, "102");
  ASSERT_TRUE(net.run_until([&] { return !server.update_payloads.empty(); }, net.now() + 10s));
  EXPECT_EQ(server.update_payloads.back(), "</1>;ver=1.1,</1/0>,</1/1>,</3>;ver=1.1,</3/0>");
  // Create on an existing instance is 4.00; a malformed TLV is 4.00 and creates nothing.
  std::string with_id = bytes({0x08, 0x01, 0x03, 0xC1, 0x00, 0x67});
  EXPECT_EQ(call(codes::post, "/1", {}, 11542, with_id).code, codes::bad_request);
  EXPECT_EQ(call(codes::post, "/1", {}, 11542, bytes({0xC1, 0x00})).code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/2").code, codes::not_found);

  size_t updates = server.update_payloads.size();
  EXPECT_EQ(call(codes::del, "/1/1").code, codes::deleted);
  EXPECT_EQ(call(codes::get, "/1/1").code, codes::not_found);
  ASSERT_TRUE(
      net.run_until([&] { return server.update_payloads.size() > updates; }, net.now() + 10s));
  EXPECT_EQ(server.update_payloads.back(), "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");

  // An empty object-instance TLV creates an instance with its defaults.
  r = call(codes::post, "/1", {}, 11542, bytes({0x00, 0x05}));
  EXPECT_EQ(r.code, codes::created);
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "5"}));
  EXPECT_EQ(call(codes::get, "/1/5/7").payload, "U");
}

// A monitor that uses the stack, as a logging one does. The engine encodes a response
// after the handler (and the monitor) returned, so no option may point into the handler's
// stack: the Location-Path of a Create did, and came out as garbage behind the runner.
struct StackScribbler final : core::ClientMonitor {
  void on_request_served(uint16_t, const coap::Message&, coap::Code) noexcept override {
    volatile char junk[4096];
    for (volatile char& c : junk)
      c = 'x';
  }
};

TEST_F(ClientTest, CreateLocationPathIsIntactWhateverRunsAfterTheHandler) {
  StackScribbler monitor;
  rig.client->set_monitor(&monitor);
  start_and_register();
  std::string tlv = bytes({0x08, 0x07, 0x03, 0xC1, 0x00, 0x67});  // instance 7, ssid 103
  Reply r = call(codes::post, "/1", {}, 11542, tlv);
  EXPECT_EQ(r.code, codes::created);
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "7"}));
  rig.client->set_monitor(nullptr);
}

TEST_F(ClientTest, ReadCompositeAndWriteCompositeInSenmlCbor) {
  start_and_register();
  // FETCH / with names only: [{0: "/3/0/0"}, {0: "/1/0/1"}]
  std::string names = bytes({0x82, 0xA1, 0x00, 0x66, '/', '3', '/', '0', '/', '0', 0xA1, 0x00, 0x66,
                             '/', '1', '/', '0', '/', '1'});
  Reply r = call(codes::fetch, "/", 112, 112, names);
  EXPECT_EQ(r.code, codes::content);
  EXPECT_EQ(r.content_format, 112);
  EXPECT_EQ(senml_values(r.payload, rig.registry),
            (std::vector<std::string>{"/3/0/0=Acme", "/1/0/1=300"}));
  // The Security object cannot be named.
  std::string secret = bytes({0x81, 0xA1, 0x00, 0x64, '/', '0', '/', '1'});
  EXPECT_EQ(call(codes::fetch, "/", 112, 112, secret).code, codes::unauthorized);

  // iPATCH: [{0: "/1/0/1", 2: 77}] sets the lifetime.
  std::string patch = bytes({0x81, 0xA2, 0x00, 0x66, '/', '1', '/', '0', '/', '1', 0x02, 0x18, 77});
  EXPECT_EQ(call(codes::ipatch, "/", {}, 112, patch).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "77");
  // One bad record: nothing is written.
  std::string bad = bytes({0x82, 0xA2, 0x00, 0x66, '/', '1', '/', '0', '/', '1', 0x02, 0x18,
                           99,   0xA2, 0x00, 0x66, '/', '3', '/', '0', '/', '0', 0x02, 0x01});
  EXPECT_NE(call(codes::ipatch, "/", {}, 112, bad).code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "77");
}

TEST_F(ClientTest, SendPostsSenmlCborToDp) {
  ASSERT_FALSE(rig.client->send(101, std::vector<dm::Path>{dm::Path(3, 0, 0)}, net.now()).ok());
  start_and_register();
  dm::Path paths[] = {dm::Path(3, 0, 0), dm::Path(3, 0, 1)};
  ASSERT_TRUE(rig.client->send(101, paths, net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return !server.sends.empty(); }, net.now() + 10s));
  EXPECT_EQ(server.sends[0].first, 112);
  EXPECT_EQ(senml_values(server.sends[0].second, rig.registry),
            (std::vector<std::string>{"/3/0/0=Acme", "/3/0/1=Model 7"}));
  net.run_for(100ms);
  bool done = false;
  for (auto& e : rig.drain_events())
    if (e.kind == core::EventKind::send_done && e.error == Errc::ok) done = true;
  EXPECT_TRUE(done);
  // A refused Send says why: the error of the server's answer (4.04 here).
  server.reject_send = codes::not_found;
  ASSERT_TRUE(rig.client->send(101, paths, net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return server.sends.size() == 2; }, net.now() + 10s));
  net.run_for(100ms);
  std::optional<Errc> why;
  for (auto& e : rig.drain_events())
    if (e.kind == core::EventKind::send_done) why = e.error;
  EXPECT_EQ(why, Errc::not_found);
}

/// A client with a configuration of its own, a bootstrap server (node 0) and a management
/// server (node 1) on a simulated network, for tests that ClientTest's defaults do not fit.
struct ConfiguredClient {
  ConfiguredClient(const core::ClientConfig& cfg, uint64_t seed, bool with_server = true,
                   uint32_t lifetime = 300)
      : rig(with_server, lifetime, cfg),
        net{seed},
        bs_node(bs),
        srv_node(server),
        cl_node(*rig.client) {
    net.add(bs_node);
    net.add(srv_node);
    net.add(cl_node);
  }

  ClientRig rig;
  SimNet net;
  FakeServer bs{1}, server{2};
  SansIoNode<FakeServer> bs_node, srv_node;
  SansIoNode<core::Client> cl_node;
};

// Register/Update payloads and Send payloads share one uplink buffer; with 16-byte blocks
// both go out block by block from it, so neither may overwrite the other in flight.
TEST(ClientUplink, SendAndRegistrationShareOneBufferWithoutCorruptingEachOther) {
  core::ClientConfig cfg;
  cfg.coap.block_size = 16;
  ConfiguredClient t(cfg, 21);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  const std::string links = "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>";  // 3 blocks
  dm::Path paths[] = {dm::Path(3, 0, 0), dm::Path(3, 0, 1)};
  const std::vector<std::string> values{"/3/0/0=Acme", "/3/0/1=Model 7"};
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  EXPECT_EQ(server.registers[0].payload, links);

  // An Update with the object links is uploading: a Send must wait.
  rig.registry.instances_changed(3);
  ASSERT_TRUE(net.run_until(
      [&] { return std::string_view(rig.client->server_status(0).state) == "updating"; },
      net.now() + 10s));
  EXPECT_EQ(rig.client->send(101, paths, net.now()).error(), Errc::no_space);
  ASSERT_TRUE(net.run_until([&] { return !server.update_payloads.empty(); }, net.now() + 10s));
  EXPECT_EQ(server.update_payloads[0], links);
  const auto registered = [&] {
    return std::string_view(rig.client->server_status(0).state) == "registered";
  };
  ASSERT_TRUE(net.run_until(registered, net.now() + 10s));  // the Update's answer is in

  // A Send is uploading (more than one block) when the links are needed again: it gives
  // way (send_done, cancelled), and the Update carries the links intact.
  rig.drain_events();
  ASSERT_EQ(rig.client->send(101, paths, net.now()).error(), Errc::ok);
  rig.registry.instances_changed(3);
  rig.client->handle_timeout(net.now());
  ASSERT_TRUE(net.run_until([&] { return server.update_payloads.size() == 2; }, net.now() + 10s));
  EXPECT_EQ(server.update_payloads[1], links);
  std::optional<Errc> why;
  for (auto& e : rig.drain_events())
    if (e.kind == core::EventKind::send_done) why = e.error;
  EXPECT_EQ(why, Errc::cancelled);
  EXPECT_TRUE(server.sends.empty());

  // With the buffer free again, a Send goes out whole.
  ASSERT_TRUE(net.run_until(registered, net.now() + 10s));
  ASSERT_EQ(rig.client->send(101, paths, net.now()).error(), Errc::ok);
  ASSERT_TRUE(net.run_until([&] { return !server.sends.empty(); }, net.now() + 10s));
  EXPECT_EQ(senml_values(server.sends[0].second, rig.registry), values);
}

// The tiny profile's sizes (bench/profiles.hpp): 192-byte messages, 128-byte blocks, one
// exchange, and an uplink of one block, for which the client keeps no bytes: each payload
// is written into the buffer of the request that carries it.
core::ClientConfig one_block_uplink() {
  core::ClientConfig c;
  c.max_servers = 1;
  c.uplink_buffer = 128;
  c.scratch = 64;
  c.coap.max_message_size = 192;
  c.coap.block_size = 128;
  c.coap.exchanges = 1;
  c.coap.dedup_entries = 1;
  c.coap.observations = 2;
  c.coap.deferred = 0;
  c.coap.block1_buffer = 0;
  return c;
}

constexpr std::string_view kLinks = "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>";

TEST(ClientUplink, AnUplinkOfOneBlockTakesNoBytesALargerOneItsSize) {
  const auto allocated = [](uint16_t uplink) {
    core::ClientConfig cfg = one_block_uplink();
    cfg.uplink_buffer = uplink;
    AllocationScope scope;
    ClientRig rig(true, 300, cfg);
    return scope.bytes();
  };
  const size_t one_block = allocated(128);
  EXPECT_EQ(allocated(16), one_block);
  EXPECT_EQ(allocated(256), one_block + 256);  // kept for Block1 uploads
}

// The server refuses the Register's version twice (4.12): each Register goes out again at
// once, from inside the handling of the answer that lies in the client's receive buffer,
// and carries the object links whole.
TEST(ClientUplink, RegisterSentAgainWhileItsAnswerIsHandledCarriesTheLinks) {
  core::ClientConfig cfg = one_block_uplink();
  cfg.version = core::LwM2MVersion::v1_2;
  ConfiguredClient t(cfg, 31);
  t.server.refused_versions = {"1.2", "1.1"};
  ASSERT_TRUE(t.rig.client->start(t.net.now()).ok());
  ASSERT_TRUE(t.net.run_until([&] { return t.rig.client->registered(101); }, t.net.now() + 1s));
  ASSERT_EQ(t.server.registers.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.server.registers[i].version, i == 0 ? "1.2" : i == 1 ? "1.1" : "1.0");
    EXPECT_EQ(t.server.registers[i].payload, kLinks) << i;
  }
}

// What a server sends leads to Register and Update: an Update answered 4.04 (Register
// again, with the links), a Write of the lifetime (an Update with lt=). Each goes out
// whole while the client's own buffers hold no payload.
TEST(ClientUplink, RegisterAndUpdateCausedByAnswersAndRequestsGoOutWhole) {
  ConfiguredClient t(one_block_uplink(), 32);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 10s));
  const auto registered = [&] {
    return std::string_view(rig.client->server_status(0).state) == "registered";
  };

  server.forget = true;  // the Update is answered 4.04
  rig.client->request_update(101, net.now());
  ASSERT_TRUE(net.run_until([&] { return server.registers.size() == 2; }, net.now() + 10s));
  ASSERT_EQ(server.update_payloads.size(), 1u);
  EXPECT_TRUE(server.update_payloads[0].empty());
  EXPECT_EQ(server.registers[1].payload, kLinks);
  ASSERT_TRUE(net.run_until(registered, net.now() + 10s));

  auto write = server.request(codes::put, "/1/0/1", net.now(), {}, kText, "77");
  ASSERT_TRUE(net.run_until([&] { return server.updates.size() == 2; }, net.now() + 10s));
  ASSERT_FALSE(server.replies_for(write).empty());
  EXPECT_EQ(server.replies_for(write)[0].code, codes::changed);
  EXPECT_EQ(server.updates.back(), std::vector<std::string>{"lt=77"});
  EXPECT_TRUE(server.update_payloads.back().empty());
}

// An object whose Execute sends values to the server (Send, from inside the handling of
// the Execute, whose datagram lies in the client's receive buffer).
class SendOnExecute final : public dm::Object {
 public:
  static constexpr dm::ResourceDef kRes[] = {{0, dm::DataType::none, dm::Operations::execute}};
  static constexpr dm::ObjectDef kDef{32769, "1.0", false, false, kRes};
  SendOnExecute() : Object(kDef) {}
  core::Client* client = nullptr;
  TimePoint now{};
  std::optional<Status> sent;
  std::string arguments;
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  Status execute(dm::InstanceId, dm::ResourceId, ByteView args) noexcept override {
    arguments.assign(reinterpret_cast<const char*>(args.data()), args.size());
    const dm::Path paths[] = {dm::Path(3, 0, 0), dm::Path(3, 0, 1)};
    sent = client->send(101, paths, now);
    return {};
  }
};

TEST(ClientUplink, SendFromAnExecuteGoesOutWholeAndTheExecuteIsAnswered) {
  ConfiguredClient t(one_block_uplink(), 33);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  SendOnExecute trigger;
  trigger.client = rig.client.get();
  ASSERT_TRUE(rig.registry.add(trigger).ok());
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 10s));
  EXPECT_EQ(server.registers[0].payload, std::string(kLinks) + ",</32769/0>");

  trigger.now = net.now();
  const std::string args = "0='a long enough argument',1";
  auto exec = server.request(codes::post, "/32769/0/0", net.now(), {}, {}, args);
  ASSERT_TRUE(net.run_until(
      [&] { return !server.sends.empty() && !server.replies_for(exec).empty(); }, net.now() + 10s));
  EXPECT_EQ(trigger.arguments, args);
  ASSERT_TRUE(trigger.sent.has_value());
  EXPECT_EQ(trigger.sent->error(), Errc::ok);
  EXPECT_EQ(server.replies_for(exec)[0].code, codes::changed);
  EXPECT_EQ(server.sends[0].first, 112);
  EXPECT_EQ(senml_values(server.sends[0].second, rig.registry),
            (std::vector<std::string>{"/3/0/0=Acme", "/3/0/1=Model 7"}));
}

TEST(ClientQueueMode, SleepsAfterMaxTransmitWaitAndWakesWithAnUpdateBeforeNotifying) {
  core::ClientConfig cfg;
  cfg.queue_mode = true;
  ConfiguredClient t(cfg, 9, true, 3600);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  EXPECT_TRUE(server.registers[0].queue);  // 1.1: the Q parameter
  rig.device.set_battery_level(10);
  auto id = server.request(codes::get, "/3/0/9", net.now(), {}, {}, {}, {}, true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  net.run_for(100s);  // past MAX_TRANSMIT_WAIT (93 s): asleep
  EXPECT_TRUE(rig.client->server_status(0).asleep);
  size_t updates = server.updates.size();
  rig.device.set_battery_level(20);
  ASSERT_TRUE(net.run_until([&] { return server.replies_for(id).size() == 2; }, net.now() + 10s));
  EXPECT_EQ(server.updates.size(), updates + 1);  // the Update went first
  EXPECT_EQ(server.replies_for(id)[1].payload, "20");
}

TEST(ClientAccessControl, TwoServersGetTheRightsTheAclGrants) {
  objects::AclInstance acl_storage[4];
  objects::AccessControlObject acl(acl_storage);
  ClientRig rig(true);
  objects::SecurityConfig sc;
  sc.uri = "coap://127.0.0.1:5684";
  sc.short_server_id = 102;
  ASSERT_TRUE(rig.security.add(sc, 2).ok());
  objects::ServerConfig srv;
  srv.short_server_id = 102;
  ASSERT_TRUE(rig.server.add(srv, 1).ok());
  ASSERT_TRUE(rig.registry.add(acl).ok());
  auto dev = acl.add(3, 0, 101);
  ASSERT_TRUE(dev.ok());
  ASSERT_TRUE(acl.grant(*dev, 102, objects::kAccessRead).ok());
  ASSERT_TRUE(acl.add(1, 0, 101).ok());
  ASSERT_TRUE(acl.add(1, 1, 102).ok());

  // Nodes: 0 unused (bootstrap), 1 and 2 the servers, 3 the client.
  SimNet net{5};
  FakeServer bs{1}, s1{2}, s2{3};
  s1.client_node = s2.client_node = 3;
  SansIoNode<FakeServer> n0(bs), n1(s1), n2(s2);
  SansIoNode<core::Client> nc(*rig.client);
  net.add(n0);
  net.add(n1);
  net.add(n2);
  net.add(nc);
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until(
      [&] { return rig.client->registered(101) && rig.client->registered(102); }, net.now() + 30s));
  auto call = [&](FakeServer& s, coap::Code code, std::string_view path,
                  std::optional<uint16_t> cf = {}, std::string payload = {}) {
    auto id = s.request(code, path, net.now(), {}, cf, std::move(payload));
    EXPECT_TRUE(net.run_until([&] { return !s.replies_for(id).empty(); }, net.now() + 30s));
    return s.replies_for(id).empty() ? coap::Code{} : s.replies_for(id).front().code;
  };
  EXPECT_EQ(call(s2, codes::get, "/3/0/0"), codes::content);                // read granted
  EXPECT_EQ(call(s2, codes::post, "/3/0/4"), codes::unauthorized);          // execute not
  EXPECT_EQ(call(s1, codes::post, "/3/0/4"), codes::changed);               // owner: all
  EXPECT_EQ(call(s2, codes::put, "/1/0/1", 0, "60"), codes::unauthorized);  // 101's instance
  EXPECT_EQ(call(s2, codes::put, "/1/1/1", 0, "60"), codes::changed);       // its own
  EXPECT_EQ(call(s1, codes::get, "/1/1/1"), codes::unauthorized);
  EXPECT_EQ(call(s2, codes::del, "/3/0"), codes::unauthorized);
}

}  // namespace
}  // namespace lwm2m::test

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;

TEST_F(ClientTest, ExecuteArgumentsFollowTheSpecGrammar) {
  start_and_register();
  auto exec = [&](std::string args) {
    return call(codes::post, "/1/0/8", {}, {}, std::move(args)).code;
  };
  EXPECT_EQ(exec(""), codes::changed);
  EXPECT_EQ(exec("0"), codes::changed);
  EXPECT_EQ(exec("0='on',5,7='a b'"), codes::changed);
  EXPECT_EQ(exec("x"), codes::bad_request);
  EXPECT_EQ(exec("0="), codes::bad_request);
  EXPECT_EQ(exec("0='open"), codes::bad_request);
  EXPECT_EQ(exec("1,"), codes::bad_request);
  EXPECT_EQ(exec("12"), codes::bad_request);
}

TEST_F(BootstrapTest, ServerInitiatedBootstrapReconfiguresARegisteredClient) {
  objects::SecurityConfig sc;
  sc.uri = "coap://127.0.0.1:5683";
  sc.short_server_id = 101;
  ASSERT_TRUE(rig.security.add(sc, 1).ok());
  objects::ServerConfig srv;
  srv.short_server_id = 101;
  srv.lifetime_s = 300;
  ASSERT_TRUE(rig.server.add(srv, 0).ok());
  start_and_register();
  EXPECT_EQ(bootstrap.bootstrap_requests, 0);
  // Unasked, the bootstrap server changes the lifetime and finishes.
  EXPECT_EQ(bs_call(codes::put, "/1/0/1", 0, "99").code, codes::changed);
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::changed);
  ASSERT_TRUE(net.run_until([&] { return server.registers.size() == 2; }, net.now() + 30s));
  EXPECT_EQ(server.registers[1].lifetime, "99");
}

}  // namespace
}  // namespace lwm2m::test

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;

TEST(ClientQueueMode, ValuesReportedWhileAsleepArriveInOrderAfterTheUpdate) {
  core::ClientConfig cfg;
  cfg.queue_mode = true;
  ConfiguredClient t(cfg, 9, true, 3600);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  rig.device.set_battery_level(10);
  auto id = server.request(codes::get, "/3/0/9", net.now(), {}, {}, {}, {}, true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  net.run_for(100s);  // asleep
  // The first wake-up Update is lost: the client stays unreachable for a retransmission
  // timeout while the value keeps changing.
  bool dropped_one = false;
  net.set_filter([&](const WireRecord& w) {
    if (dropped_one || w.from != kClientNode) return false;
    Parsed p(w.bytes);
    if (p.code() == codes::post && p.path() == "rd/5a3f") return dropped_one = true;
    return false;
  });
  rig.device.set_battery_level(20);
  net.run_for(500ms);
  rig.device.set_battery_level(30);
  net.run_for(500ms);
  rig.device.set_battery_level(40);
  ASSERT_TRUE(net.run_until([&] { return server.replies_for(id).size() >= 4; }, net.now() + 20s));
  net.run_for(1s);
  auto& notes = server.replies_for(id);
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_EQ(notes[1].payload, "20");
  EXPECT_EQ(notes[2].payload, "30");
  EXPECT_EQ(notes[3].payload, "40");
  EXPECT_LT(*notes[1].observe, *notes[2].observe);
  EXPECT_LT(*notes[2].observe, *notes[3].observe);
}

TEST_F(ClientTest, RetransmittedCreateAndExecuteTakeEffectOnce) {
  start_and_register();
  // The client's first answer to each request is lost: the server's engine retransmits the
  // same CON, which must get the same answer without running the operation again.
  size_t to_drop = 0;
  net.set_filter([&](const WireRecord& w) {
    if (w.from != kClientNode || to_drop == 0) return false;
    --to_drop;
    return true;
  });
  std::string tlv =
      bytes({0xC1, 0x00, 0x66, 0xC2, 0x01, 0x01, 0x2C, 0xC1, 0x06, 0x01, 0xC1, 0x07, 'U'});
  const size_t before = net.trace().size();
  to_drop = 1;
  Reply r = call(codes::post, "/1", {}, 11542, tlv);
  EXPECT_EQ(r.code, codes::created);  // not 4.00 "instance exists" from a second Create
  EXPECT_EQ(r.location, (std::vector<std::string>{"1", "1"}));
  size_t server_sent = 0;
  for (size_t i = before; i < net.trace().size(); ++i)
    if (net.trace()[i].from == kServerNode) ++server_sent;
  EXPECT_GE(server_sent, 2u);  // the request really was retransmitted
  EXPECT_EQ(call(codes::get, "/1/2").code, codes::not_found);  // and created once

  rig.drain_events();
  to_drop = 1;
  EXPECT_EQ(call(codes::post, "/3/0/4").code, codes::changed);
  net.run_for(10ms);
  int reboots = 0;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::reboot) ++reboots;
  EXPECT_EQ(reboots, 1);
}

TEST(ClientRegister, ALargeRegisterGoesOutInBlock1Blocks) {
  core::ClientConfig cfg;
  cfg.coap.block_size = 16;  // smaller than the link payload, so Block1 is needed
  ConfiguredClient t(cfg, 5);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  ASSERT_EQ(server.registers.size(), 1u);
  EXPECT_EQ(server.registers[0].payload, "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");
  // On the wire: several POSTs from the client, each with a Block1 option (27).
  size_t blocks = 0;
  for (const WireRecord* w : net.sent(kClientNode, kServerNode)) {
    coap::Message m;
    if (coap::parse(w->bytes, m) != coap::ParseError::none || m.code != codes::post) continue;
    for (const coap::Option& o : m.options())
      if (o.number == 27) ++blocks;
  }
  EXPECT_GE(blocks, 3u);
}

TEST(ClientRegister, StepsDownTheVersionWhenTheServerAnswers412) {
  core::ClientConfig cfg;
  cfg.version = core::LwM2MVersion::v1_2;
  ConfiguredClient t(cfg, 6);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  server.refused_versions = {"1.2", "1.1"};
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  // No retry timer in between: each 4.12 is answered by the next Register at once.
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 1s));
  ASSERT_EQ(server.registers.size(), 3u);
  EXPECT_EQ(server.registers[0].version, "1.2");
  EXPECT_EQ(server.registers[1].version, "1.1");
  EXPECT_EQ(server.registers[2].version, "1.0");
  // From then on the client speaks 1.0 with that server: TLV when no Accept is given.
  auto id = server.request(codes::get, "/3/0", net.now());
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  EXPECT_EQ(server.replies_for(id)[0].content_format, 11542);
}

TEST(ClientRegister, EndpointNamesUpToTheLimitRegisterLongerOnesAreRefusedUpFront) {
  const std::string longest(core::ClientConfig::kMaxEndpoint, 'e');
  core::ClientConfig cfg;
  cfg.endpoint = longest;
  ConfiguredClient t(cfg, 4);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& server = t.server;
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 10s));
  EXPECT_EQ(server.registers[0].endpoint, longest);

  const std::string too_long(core::ClientConfig::kMaxEndpoint + 1, 'e');
  objects::SecurityInstance sec[1];
  objects::ServerInstance srv[1];
  objects::SecurityObject security{sec};
  objects::ServerObject servers{srv};
  dm::Object* slots[2] = {};
  dm::Registry registry{slots};
  ASSERT_TRUE(registry.add(security).ok());
  ASSERT_TRUE(registry.add(servers).ok());
  XorShiftRandom rng{1};
  core::ClientConfig bad;
  bad.endpoint = too_long;
  core::Client client(bad, registry, rng);
  EXPECT_FALSE(client.valid());
}

TEST(ClientBootstrapRetry, AnUnfinishedBootstrapIsRetriedWithDoublingDelaysThenGivenUp) {
  core::ClientConfig cfg;
  cfg.bootstrap_timeout = 10s;
  cfg.bootstrap_retry = 5s;
  cfg.bootstrap_attempts = 3;
  ConfiguredClient t(cfg, 3, false, 300);
  ClientRig& rig = t.rig;
  SimNet& net = t.net;
  FakeServer& bs = t.bs;  // answers Bootstrap-Request 2.04, never sends Finish
  objects::SecurityConfig bsc;
  bsc.uri = "coap://127.0.0.1:5783";
  bsc.bootstrap = true;
  ASSERT_TRUE(rig.security.add(bsc, 0).ok());
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  std::vector<TimePoint> at;
  for (int n = 1; n <= 3; ++n) {
    ASSERT_TRUE(net.run_until([&] { return bs.bootstrap_requests == n; }, net.now() + 60s)) << n;
    at.push_back(net.now());
  }
  // Timeout 10 s, then 5 s; timeout 10 s, then 10 s.
  EXPECT_NEAR(static_cast<double>((at[1] - at[0]).count()), 15000, 500);
  EXPECT_NEAR(static_cast<double>((at[2] - at[1]).count()), 20000, 500);
  net.run_for(300s);
  EXPECT_EQ(bs.bootstrap_requests, 3);  // given up after the configured attempts
  int failures = 0;
  for (const core::Event& e : rig.drain_events())
    if (e.kind == core::EventKind::bootstrap_failed) ++failures;
  EXPECT_EQ(failures, 3);
}

}  // namespace
}  // namespace lwm2m::test
