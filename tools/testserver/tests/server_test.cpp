// SPDX-License-Identifier: Apache-2.0
// The test server against a fake client on our own CoAP engine: registration interface,
// device management, observe, Send, queue mode and failure injection, as a client sees
// them on the wire.
#include "lwm2m/testserver/server.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "fake_client.hpp"

namespace lwm2m::testserver {
namespace {

using namespace std::chrono_literals;
using fake::FakeClient;
using fake::Reply;

constexpr auto kWait = 5000ms;
constexpr uint16_t kSenmlJson = 110;

const char kLinks[] = "</>;rt=\"oma.lwm2m\";ct=11543,</1/0>,</3>;ver=1.1,</3/0>,</5/0>";

Reply register_client(FakeClient& c, const std::string& ep, std::vector<std::string> extra = {},
                      const std::string& links = kLinks) {
  std::vector<std::string> q{"ep=" + ep, "lt=300", "lwm2m=1.1", "b=U"};
  q.insert(q.end(), extra.begin(), extra.end());
  return c.request(fake::kPost, "/rd", q, links, 40);
}

std::string location(const Reply& r) {
  std::string s;
  for (auto& seg : r.location)
    s += "/" + seg;
  return s;
}

TEST(TestServerRegistration, RegisterIsAnswered201WithLocationAndRecorded) {
  Server server;
  ASSERT_NE(server.port(), 0);
  FakeClient client(server.port());
  Reply r = register_client(client, "node-1");
  ASSERT_TRUE(r.received);
  EXPECT_EQ(code_string(r.code), "2.01");
  ASSERT_EQ(r.location.size(), 2u);
  EXPECT_EQ(r.location[0], "rd");

  auto info = server.wait_registered("node-1", kWait);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->endpoint, "node-1");
  EXPECT_EQ(info->lifetime, 300u);
  EXPECT_EQ(info->lwm2m_version, "1.1");
  EXPECT_EQ(info->binding, "U");
  EXPECT_FALSE(info->queue_mode);
  EXPECT_EQ(info->location, location(r));
  EXPECT_EQ(info->links_raw, kLinks);
  ASSERT_EQ(info->links.size(), 5u);
  EXPECT_EQ(info->links[0].path, "/");
  EXPECT_EQ(info->links[0].attributes.at("rt"), "oma.lwm2m");
  EXPECT_EQ(info->links[0].attributes.at("ct"), "11543");
  EXPECT_EQ(info->links[2].path, "/3");
  EXPECT_EQ(info->links[2].ids, (std::vector<uint16_t>{3}));
  EXPECT_EQ(info->links[2].version, "1.1");
  EXPECT_EQ(info->links[3].ids, (std::vector<uint16_t>{3, 0}));
  EXPECT_TRUE(info->has_link("/5/0"));
  EXPECT_EQ(info->address, "127.0.0.1:" + std::to_string(client.port()));
  EXPECT_TRUE(server.client("node-1"));
}

TEST(TestServerRegistration, UpdateForgetAndDeregister) {
  Server server;
  FakeClient client(server.port());
  Reply reg = register_client(client, "node-2");
  ASSERT_EQ(code_string(reg.code), "2.01");
  ASSERT_TRUE(server.wait_registered("node-2", kWait));
  std::string loc = location(reg);

  Reply up = client.request(fake::kPost, loc, {"lt=600"});
  EXPECT_EQ(code_string(up.code), "2.04");
  auto info = server.wait_update("node-2", kWait);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->lifetime, 600u);
  EXPECT_EQ(info->updates, 1u);
  EXPECT_EQ(info->links_raw, kLinks);  // an Update without payload keeps the links
  EXPECT_GE(info->last_update, info->registered_at);

  // An Update with a payload replaces the object links.
  Reply up2 = client.request(fake::kPost, loc, {}, "</1/0>,</3/0>", 40);
  EXPECT_EQ(code_string(up2.code), "2.04");
  info = server.wait_update("node-2", kWait);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->links.size(), 2u);

  // The server forgets the client: its next Update is answered 4.04 (Core §6.2.2 says
  // the client must then register again).
  EXPECT_TRUE(server.forget("node-2"));
  Reply gone = client.request(fake::kPost, loc, {});
  EXPECT_EQ(code_string(gone.code), "4.04");
  auto rejected = server.wait_event(Event::Kind::update_rejected, "", kWait);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->detail, "POST " + loc);

  Reply again = register_client(client, "node-2");
  ASSERT_EQ(code_string(again.code), "2.01");
  EXPECT_NE(location(again), loc);  // a new registration gets a new location
  Reply dereg = client.request(fake::kDelete, location(again), {});
  EXPECT_EQ(code_string(dereg.code), "2.02");
  auto gone_info = server.wait_deregistered("node-2", kWait);
  ASSERT_TRUE(gone_info);
  EXPECT_EQ(gone_info->location, location(again));
  EXPECT_FALSE(server.client("node-2"));
  // A second De-register of the same location: nothing to delete.
  EXPECT_EQ(code_string(client.request(fake::kDelete, location(again), {}).code), "4.04");
}

TEST(TestServerRegistration, InjectedRejectionsAndMissingEndpoint) {
  Server server;
  FakeClient client(server.port());
  server.reject_registrations(2, coap_code(5, 3));
  EXPECT_EQ(code_string(register_client(client, "node-3").code), "5.03");
  EXPECT_EQ(code_string(register_client(client, "node-3").code), "5.03");
  EXPECT_EQ(code_string(register_client(client, "node-3").code), "2.01");
  EXPECT_EQ(code_string(client.request(fake::kPost, "/rd", {"lt=60"}, kLinks, 40).code), "4.00");
  int rejected = 0;
  for (auto& e : server.events())
    rejected += e.kind == Event::Kind::registration_rejected;
  EXPECT_EQ(rejected, 3);
}

TEST(TestServerRegistration, QueueModeFromTheQParameterAnd10Binding) {
  Server server;
  FakeClient a(server.port()), b(server.port());
  ASSERT_EQ(code_string(register_client(a, "q11", {"Q"}).code), "2.01");
  ASSERT_EQ(
      code_string(b.request(fake::kPost, "/rd", {"ep=q10", "lt=60", "b=UQ"}, kLinks, 40).code),
      "2.01");
  EXPECT_TRUE(server.wait_registered("q11", kWait)->queue_mode);
  auto q10 = server.wait_registered("q10", kWait);
  ASSERT_TRUE(q10);
  EXPECT_TRUE(q10->queue_mode);
  EXPECT_EQ(q10->binding, "UQ");
  EXPECT_EQ(q10->lwm2m_version, "");
}

// A registration payload larger than one block goes up with Block1 (RFC 7959); libcoap
// reassembles it and the server sees the whole link list.
TEST(TestServerRegistration, Block1RegistrationWithALargePayload) {
  Server server;
  auto config = FakeClient::default_config();
  config.block_size = 64;
  FakeClient client(server.port(), config);
  std::string links = "</>;rt=\"oma.lwm2m\"";
  for (int i = 0; i < 100; ++i)
    links += ",</" + std::to_string(3300 + i) + "/0>";
  ASSERT_GT(links.size(), 900u);
  Reply r = register_client(client, "big", {}, links);
  ASSERT_TRUE(r.received);
  EXPECT_EQ(code_string(r.code), "2.01");
  auto info = server.wait_registered("big", kWait);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->links_raw, links);
  EXPECT_EQ(info->links.size(), 101u);
  EXPECT_EQ(info->links.back().ids, (std::vector<uint16_t>{3399, 0}));
}

// ---- device management ----

class TestServerDm : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = std::make_unique<FakeClient>(server_.port(), config());
    Reply r = register_client(*client_, "dev");
    ASSERT_EQ(code_string(r.code), "2.01");
    location_ = location(r);
    ASSERT_TRUE(server_.wait_registered("dev", kWait));
  }
  virtual coap::EngineConfig config() { return FakeClient::default_config(); }

  Server server_;
  std::unique_ptr<FakeClient> client_;
  std::string location_;
};

TEST_F(TestServerDm, ReadSendsGetWithAcceptAndReturnsTheAnswer) {
  const std::string device = R"([{"bn":"/3/0/","n":"0","vs":"ACME"},{"n":"9","v":87}])";
  client_->set_resource("/3/0", kSenmlJson, device);
  Response r = server_.read("dev", "/3/0", ContentFormat::senml_json);
  ASSERT_TRUE(r.received()) << r.describe();
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.content_format, ContentFormat::senml_json);
  EXPECT_EQ(r.text(), device);
  auto reqs = client_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, fake::kGet);
  EXPECT_EQ(reqs[0].path, "/3/0");
  EXPECT_EQ(reqs[0].accept, kSenmlJson);

  Response missing = server_.read("dev", "/4/0");
  EXPECT_EQ(missing.code_string(), "4.04");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(server_.read("nobody", "/3/0").outcome, Response::Outcome::not_registered);
}

TEST_F(TestServerDm, EachOperationHasItsMethodPathOptionsAndPayload) {
  EXPECT_EQ(server_.discover("dev", "/3").code_string(), "4.04");  // no table entry
  EXPECT_EQ(server_.write("dev", "/1/0/1", to_bytes("60"), ContentFormat::text, true).code_string(),
            "2.04");
  EXPECT_EQ(server_.write("dev", "/1/0", to_bytes("x"), ContentFormat::tlv, false).code_string(),
            "2.04");
  EXPECT_EQ(server_.write_attributes("dev", "/3/0/9", "pmin=1&pmax=5").code_string(), "2.04");
  EXPECT_EQ(server_.execute("dev", "/3/0/4", "0='x'").code_string(), "2.04");
  EXPECT_EQ(server_.create("dev", "/1", to_bytes("c"), ContentFormat::senml_cbor).code_string(),
            "2.04");
  EXPECT_EQ(server_.del("dev", "/1/1").code_string(), "2.04");
  EXPECT_EQ(server_.write_composite("dev", to_bytes("[]"), ContentFormat::senml_json).code_string(),
            "2.04");
  auto reqs = client_->requests();
  ASSERT_EQ(reqs.size(), 8u);
  EXPECT_EQ(reqs[0].method, fake::kGet);
  EXPECT_EQ(reqs[0].accept, 40);
  EXPECT_EQ(reqs[1].method, fake::kPut);
  EXPECT_EQ(reqs[1].path, "/1/0/1");
  EXPECT_EQ(reqs[1].content_format, 0);
  EXPECT_EQ(reqs[1].payload, "60");
  EXPECT_EQ(reqs[2].method, fake::kPost);
  EXPECT_EQ(reqs[2].content_format, 11542);
  EXPECT_EQ(reqs[3].method, fake::kPut);
  EXPECT_EQ(reqs[3].query, (std::vector<std::string>{"pmin=1", "pmax=5"}));
  EXPECT_FALSE(reqs[3].content_format);
  EXPECT_EQ(reqs[4].method, fake::kPost);
  EXPECT_EQ(reqs[4].payload, "0='x'");
  EXPECT_FALSE(reqs[4].content_format);
  EXPECT_EQ(reqs[5].path, "/1");
  EXPECT_EQ(reqs[5].content_format, 112);
  EXPECT_EQ(reqs[6].method, fake::kDelete);
  EXPECT_EQ(reqs[6].path, "/1/1");
  EXPECT_EQ(reqs[7].method, fake::kIpatch);
  EXPECT_EQ(reqs[7].path, "/");
  EXPECT_EQ(reqs[7].content_format, kSenmlJson);
}

TEST_F(TestServerDm, ReadCompositeIsAFetchWithThePathList) {
  client_->set_handler([](const fake::Recorded& r) {
    fake::Answer a;
    a.content_format = kSenmlJson;
    a.payload = r.method == fake::kFetch ? R"([{"n":"/3/0/0","vs":"ACME"}])" : "";
    return a;
  });
  Response r = server_.read_composite("dev", to_bytes(R"([{"n":"/3/0/0"}])"),
                                      ContentFormat::senml_json, ContentFormat::senml_json);
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), R"([{"n":"/3/0/0","vs":"ACME"}])");
  auto reqs = client_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, fake::kFetch);
  EXPECT_EQ(reqs[0].payload, R"([{"n":"/3/0/0"}])");
  EXPECT_EQ(reqs[0].content_format, kSenmlJson);
  EXPECT_EQ(reqs[0].accept, kSenmlJson);
}

TEST_F(TestServerDm, LargeWritesGoUpWithBlock1) {
  std::string big(3000, 'a');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  Response r = server_.write("dev", "/5/0/0", to_bytes(big), ContentFormat::opaque);
  EXPECT_EQ(r.code_string(), "2.04");
  auto reqs = client_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].payload, big);
}

class TestServerDmSmallBlocks : public TestServerDm {
  coap::EngineConfig config() override {
    auto c = FakeClient::default_config();
    c.block_size = 64;
    return c;
  }
};

// The client answers in 64-byte Block2 blocks; libcoap fetches and joins them.
TEST_F(TestServerDmSmallBlocks, Block2ResponsesAreReassembled) {
  std::string big;
  for (int i = 0; i < 40; ++i)
    big += "{\"n\":\"" + std::to_string(i) + "\",\"v\":" + std::to_string(i) + "},";
  client_->set_resource("/3/0", kSenmlJson, big);
  Response r = server_.read("dev", "/3/0");
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), big);
  EXPECT_GT(client_->requests().size(), 3u);  // one GET per block
}

TEST_F(TestServerDm, ObserveDeliversNotificationsUntilProactiveCancel) {
  client_->set_resource("/3/0/13", 0, "1000");
  Observation obs = server_.observe("dev", "/3/0/13", ContentFormat::text);
  ASSERT_TRUE(obs.response().received()) << obs.response().describe();
  EXPECT_EQ(obs.response().code_string(), "2.05");
  EXPECT_EQ(obs.response().text(), "1000");
  EXPECT_TRUE(obs.established());
  ASSERT_EQ(client_->observers("/3/0/13"), 1u);
  EXPECT_EQ(client_->requests()[0].observe, 0u);

  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(client_->notify("/3/0/13", std::to_string(1000 + i), 0, i == 3), 1);
    auto n = obs.wait_notification(kWait);
    ASSERT_TRUE(n) << "notification " << i;
    EXPECT_EQ(n->text(), std::to_string(1000 + i));
    EXPECT_EQ(n->content_format, ContentFormat::text);
    EXPECT_TRUE(n->observe);
    EXPECT_EQ(code_string(n->code), "2.05");
  }
  auto all = obs.notifications();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_LT(*all[0].observe, *all[1].observe);  // RFC 7641 §4.4: increasing
  EXPECT_LE(all[0].arrival, all[2].arrival);

  Response cancel = server_.cancel_observe(obs);
  EXPECT_EQ(cancel.code_string(), "2.05") << cancel.describe();
  auto reqs = client_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].observe, 1u);
  EXPECT_EQ(reqs[1].path, "/3/0/13");
  EXPECT_EQ(client_->observers("/3/0/13"), 0u);
}

TEST_F(TestServerDm, ReactiveCancelAnswersTheNextNotificationWithReset) {
  client_->set_resource("/3/0/9", 0, "87");
  Observation obs = server_.observe("dev", "/3/0/9");
  ASSERT_TRUE(obs.established());
  ASSERT_EQ(client_->notify("/3/0/9", "86", 0), 1);
  ASSERT_TRUE(obs.wait_notification(kWait));
  server_.forget_observation(obs);
  ASSERT_EQ(client_->notify("/3/0/9", "85", 0, /*confirmable=*/true), 1);
  auto rejected = server_.wait_event(Event::Kind::notification_rejected, "dev", kWait);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->detail, "/3/0/9");
  // The RST ends the relation at the client (RFC 7641 §3.6).
  for (int i = 0; i < 100 && client_->observers("/3/0/9") > 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(client_->observers("/3/0/9"), 0u);
  EXPECT_EQ(obs.notification_count(), 1u);
}

TEST_F(TestServerDm, SendIsAnswered204AndRecorded) {
  Reply r = client_->request(fake::kPost, "/dp", {}, R"([{"n":"/3/0/9","v":80}])", kSenmlJson);
  EXPECT_EQ(code_string(r.code), "2.04");
  auto e = server_.wait_send("dev", kWait);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content_format, ContentFormat::senml_json);
  EXPECT_EQ(std::string(e->payload.begin(), e->payload.end()), R"([{"n":"/3/0/9","v":80}])");
  // From an address that never registered: refused.
  FakeClient stranger(server_.port());
  EXPECT_EQ(code_string(stranger.request(fake::kPost, "/dp", {}, "[]", kSenmlJson).code), "4.03");
}

TEST_F(TestServerDm, RequestsToAnUnansweringClientTimeOut) {
  client_->set_handler([](const fake::Recorded&) {
    std::this_thread::sleep_for(400ms);  // answers too late
    return fake::Answer{};
  });
  Response r = server_.read("dev", "/3/0", std::nullopt, 100ms);
  EXPECT_EQ(r.outcome, Response::Outcome::timeout);
  EXPECT_FALSE(r.ok());
}

TEST(TestServerQueueMode, RequestsAreHeldUntilTheClientSendsAnUpdate) {
  Options o;
  o.queue_awake_time = 200ms;
  Server server(o);
  FakeClient client(server.port());
  Reply reg = register_client(client, "sleepy", {"Q"});
  ASSERT_EQ(code_string(reg.code), "2.01");
  ASSERT_TRUE(server.wait_registered("sleepy", kWait));
  client.set_resource("/3/0/9", 0, "50");
  // Awake right after registering: the read goes out at once.
  EXPECT_EQ(server.read("sleepy", "/3/0/9").text(), "50");
  std::this_thread::sleep_for(300ms);  // asleep now

  Response late;
  std::thread reader([&] { late = server.read("sleepy", "/3/0/9", std::nullopt, kWait); });
  ASSERT_TRUE(server.wait_event(Event::Kind::request_held, "sleepy", kWait));
  EXPECT_EQ(client.requests().size(), 1u);  // nothing sent while asleep
  EXPECT_EQ(code_string(client.request(fake::kPost, location(reg), {}).code), "2.04");
  reader.join();
  EXPECT_EQ(late.code_string(), "2.05");
  EXPECT_EQ(late.text(), "50");
  EXPECT_EQ(client.requests().size(), 2u);
}

TEST(TestServerFailures, DroppedResponseIsRetransmittedByTheClient) {
  Server server;
  FakeClient client(server.port());
  // 2 s ACK timeout: the client's first retransmission comes 2-3 s later.
  server.drop_outgoing(1);  // armed on return: no sleep needed
  Reply r = register_client(client, "lossy");
  ASSERT_TRUE(r.received);
  EXPECT_EQ(code_string(r.code), "2.01");
  EXPECT_TRUE(server.wait_registered("lossy", kWait));
}

TEST(TestServerLinks, ParsesQuotedCommasAndAlternatePaths) {
  auto links = parse_links("</lwm2m>;rt=\"oma.lwm2m\", </lwm2m/3/0>;title=\"a,b\";ver=1.0 ,</x");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].path, "/lwm2m");
  EXPECT_TRUE(links[0].ids.empty());
  EXPECT_EQ(links[1].attributes.at("title"), "a,b");
  EXPECT_EQ(links[1].version, "1.0");
}

TEST(TestServerText, CodesAndHex) {
  EXPECT_EQ(code_string(coap_code(2, 5)), "2.05");
  EXPECT_EQ(code_string(coap_code(4, 15)), "4.15");
  EXPECT_EQ(from_hex("00ff10"), (Bytes{0x00, 0xFF, 0x10}));
  EXPECT_EQ(to_hex(Bytes{0xAB, 0x01}), "ab01");
  EXPECT_THROW(from_hex("abc"), Error);
  EXPECT_THROW(from_hex("zz"), Error);
}

}  // namespace
}  // namespace lwm2m::testserver

namespace lwm2m::testserver {
namespace {

// DTLS with PSK through libcoap's OpenSSL backend, checked with libcoap's own client
// (libcoap3-bin): a known identity registers, an unknown one does not.
TEST(TestServerDtls, PskClientRegistersUnknownIdentityIsRefused) {
  Options o;
  o.psk.push_back({"node-psk", to_bytes("secret-key")});
  Server server(o);
  EXPECT_EQ(server.uri().rfind("coaps://", 0), 0u);
  auto run = [&](const std::string& identity, const std::string& ep) {
    std::string cmd =
        "coap-client-openssl -B 5 -m post -u " + identity +
        " -k secret-key -t 40 -e '</3/0>' 'coaps://127.0.0.1:" + std::to_string(server.port()) +
        "/rd?ep=" + ep + "&lt=60' >/dev/null 2>&1";
    return std::system(cmd.c_str());
  };
  if (std::system("command -v coap-client-openssl >/dev/null") != 0) {
    GTEST_SKIP() << "coap-client-openssl (libcoap3-bin) is not installed";
  }
  run("node-psk", "secure");
  auto info = server.wait_registered("secure", 5000ms);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->links_raw, "</3/0>");
  run("intruder", "bad");
  EXPECT_FALSE(server.wait_registered("bad", 500ms));
}

}  // namespace
}  // namespace lwm2m::testserver
