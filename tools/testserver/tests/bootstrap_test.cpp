// SPDX-License-Identifier: Apache-2.0
// The bootstrap server against a fake client that records each request: the script's
// order, methods, paths and payloads on the wire, Bootstrap-Finish, and the TLV helper.
#include <gtest/gtest.h>

#include "fake_client.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {
namespace {

using namespace std::chrono_literals;
using fake::FakeClient;

constexpr auto kWait = 5000ms;

// OMA LwM2M Core §7.4.3: type byte = identifier type (2 bits) | identifier length (1) |
// length type (2) | length (3).
TEST(Tlv, ServerInstanceBytes) {
  tlv::ServerInstance s;
  s.short_server_id = 1;
  s.lifetime = 86400;
  s.binding = "U";
  const Bytes resources = {
      0xC1, 0x00, 0x01,                    // 0 Short Server ID = 1 (1 byte)
      0xC4, 0x01, 0x00, 0x01, 0x51, 0x80,  // 1 Lifetime = 86400 (4 bytes)
      0xC1, 0x06, 0x01,                    // 6 Notification Storing = true
      0xC1, 0x07, 'U',                     // 7 Binding = "U"
  };
  EXPECT_EQ(tlv::server_resources(s), resources);
  Bytes wrapped = {0x08, 0x00, 0x0F};  // object instance 0, 8-bit length 15
  wrapped.insert(wrapped.end(), resources.begin(), resources.end());
  EXPECT_EQ(tlv::server_instance(0, s), wrapped);
}

TEST(Tlv, IntegersLengthsAndIdentifiers) {
  EXPECT_EQ(tlv::resource_int(2, -1), (Bytes{0xC1, 0x02, 0xFF}));
  EXPECT_EQ(tlv::resource_int(2, 128), (Bytes{0xC2, 0x02, 0x00, 0x80}));
  EXPECT_EQ(tlv::resource_int(2, 1LL << 40),
            (Bytes{0xC8, 0x02, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}));
  // 16-bit identifier (bit 5) and a 16-bit length field (length type 2).
  Bytes big(300, 0xAA);
  Bytes e = tlv::resource(0x1234, big);
  ASSERT_EQ(e.size(), 1u + 2 + 2 + 300);
  EXPECT_EQ(e[0], 0xF0);
  EXPECT_EQ(e[1], 0x12);
  EXPECT_EQ(e[2], 0x34);
  EXPECT_EQ(e[3], 0x01);
  EXPECT_EQ(e[4], 0x2C);
  EXPECT_EQ(tlv::resource(5, std::string_view{}), (Bytes{0xC0, 0x05}));
}

TEST(Tlv, SecurityInstanceForPsk) {
  tlv::SecurityInstance s;
  s.server_uri = "coaps://[::1]:5684";
  s.security_mode = 0;
  s.identity = to_bytes("id");
  s.secret_key = Bytes{0x01, 0x02};
  s.short_server_id = 101;
  Bytes expect = {0xC8, 0x00, 18};
  for (char c : std::string("coaps://[::1]:5684"))
    expect.push_back(static_cast<uint8_t>(c));
  Bytes rest = {0xC1, 0x01, 0x00,        // 1 Bootstrap-Server = false
                0xC1, 0x02, 0x00,        // 2 Security Mode = 0 (PSK)
                0xC2, 0x03, 'i',  'd',   // 3 identity
                0xC0, 0x04,              // 4 server public key (empty)
                0xC2, 0x05, 0x01, 0x02,  // 5 secret key
                0xC1, 0x0A, 101};        // 10 Short Server ID
  expect.insert(expect.end(), rest.begin(), rest.end());
  EXPECT_EQ(tlv::security_resources(s), expect);
}

BootstrapScript standard_script(uint16_t dm_port) {
  tlv::SecurityInstance sec;
  sec.server_uri = "coap://127.0.0.1:" + std::to_string(dm_port);
  sec.short_server_id = 1;
  tlv::ServerInstance srv;
  srv.short_server_id = 1;
  srv.lifetime = 60;
  BootstrapScript script;
  script.steps.push_back(BootstrapStep::delete_path("/"));
  script.steps.push_back(BootstrapStep::write("/0", tlv::security_instance(1, sec)));
  script.steps.push_back(BootstrapStep::write("/1", tlv::server_instance(0, srv)));
  script.steps.push_back(BootstrapStep::discover("/"));
  return script;
}

fake::Answer bootstrap_answers(const fake::Recorded& r) {
  fake::Answer a;
  switch (r.method) {
    case fake::kDelete:
      a.code = coap_code(2, 2);
      break;
    case fake::kPut:
    case fake::kPost:
      a.code = coap_code(2, 4);
      break;
    default:
      a.code = coap_code(2, 5);
      a.content_format = 40;
      a.payload = "</0/1>,</1/0>;ssid=1,</3/0>";
  }
  return a;
}

TEST(BootstrapServerTest, PlaysTheScriptThenFinishes) {
  BootstrapServer bs;
  bs.set_script(standard_script(5683));
  FakeClient client(bs.port());
  client.set_handler(bootstrap_answers);

  auto r = client.request(fake::kPost, "/bs", {"ep=boot-1", "pct=112"});
  EXPECT_EQ(code_string(r.code), "2.04");
  auto req = bs.wait_requested("boot-1", kWait);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->detail, "pct=112");

  auto result = bs.wait_finished("boot-1", kWait);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->completed) << result->failure;
  EXPECT_EQ(result->preferred_content_format, "112");
  ASSERT_EQ(result->steps.size(), 4u);
  EXPECT_EQ(result->steps[0].response.code_string(), "2.02");
  EXPECT_EQ(result->steps[1].response.code_string(), "2.04");
  EXPECT_EQ(result->steps[2].response.code_string(), "2.04");
  EXPECT_EQ(result->steps[3].response.code_string(), "2.05");
  EXPECT_EQ(result->steps[3].response.text(), "</0/1>,</1/0>;ssid=1,</3/0>");
  ASSERT_TRUE(result->finish);
  EXPECT_EQ(result->finish->code_string(), "2.04");

  auto reqs = client.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].method, fake::kDelete);
  EXPECT_EQ(reqs[0].path, "/");
  EXPECT_EQ(reqs[1].method, fake::kPut);
  EXPECT_EQ(reqs[1].path, "/0");
  EXPECT_EQ(reqs[1].content_format, 11542);
  tlv::SecurityInstance sec;
  sec.server_uri = "coap://127.0.0.1:5683";
  sec.short_server_id = 1;
  Bytes sec_tlv = tlv::security_instance(1, sec);
  EXPECT_EQ(reqs[1].payload, std::string(sec_tlv.begin(), sec_tlv.end()));
  EXPECT_EQ(reqs[2].path, "/1");
  EXPECT_EQ(reqs[3].method, fake::kGet);
  EXPECT_EQ(reqs[3].accept, 40);
  EXPECT_EQ(reqs[4].method, fake::kPost);
  EXPECT_EQ(reqs[4].path, "/bs");
  EXPECT_TRUE(reqs[4].payload.empty());

  int steps = 0;
  for (auto& e : bs.events())
    steps += e.kind == Event::Kind::bootstrap_step;
  EXPECT_EQ(steps, 4);
  auto finished = bs.wait_event(Event::Kind::bootstrap_finished, "boot-1", kWait);
  ASSERT_TRUE(finished);
  EXPECT_EQ(code_string(finished->code), "2.04");
}

TEST(BootstrapServerTest, AStepAnsweredWithAnErrorStopsBeforeFinish) {
  BootstrapServer bs;
  bs.set_script("boot-2", standard_script(5683));
  FakeClient client(bs.port());
  client.set_handler([](const fake::Recorded& r) {
    fake::Answer a = bootstrap_answers(r);
    if (r.method == fake::kPut && r.path == "/1") a.code = coap_code(4, 0);
    return a;
  });
  EXPECT_EQ(code_string(client.request(fake::kPost, "/bs", {"ep=boot-2"}).code), "2.04");
  auto result = bs.wait_finished("boot-2", kWait);
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->completed);
  EXPECT_FALSE(result->finish);
  ASSERT_EQ(result->steps.size(), 3u);
  EXPECT_EQ(result->steps[2].response.code_string(), "4.00");
  EXPECT_NE(result->failure.find("4.00"), std::string::npos) << result->failure;
  EXPECT_TRUE(bs.wait_event(Event::Kind::bootstrap_failed, "boot-2", kWait));
  EXPECT_EQ(client.requests().size(), 3u);  // no Bootstrap-Finish
}

TEST(BootstrapServerTest, UnknownEndpointAndInjectedRejection) {
  BootstrapServer bs;
  bs.set_script("known", BootstrapScript{});
  FakeClient client(bs.port());
  client.set_handler(bootstrap_answers);
  EXPECT_EQ(code_string(client.request(fake::kPost, "/bs", {"ep=stranger"}).code), "4.03");
  bs.reject_requests(1, coap_code(5, 3));
  EXPECT_EQ(code_string(client.request(fake::kPost, "/bs", {"ep=known"}).code), "5.03");
  EXPECT_EQ(code_string(client.request(fake::kPost, "/bs", {"ep=known"}).code), "2.04");
  auto result = bs.wait_finished("known", kWait);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->completed);  // an empty script: only Bootstrap-Finish
  ASSERT_EQ(client.requests().size(), 1u);
  EXPECT_EQ(client.requests()[0].path, "/bs");
}

// A bootstrap server and a server side by side, as a demo runs them: bootstrap, then the
// client registers with what it was given.
TEST(BootstrapServerTest, BootstrapThenRegisterWithTheServer) {
  Server dm;
  BootstrapServer bs;
  bs.set_script(standard_script(dm.port()));
  FakeClient client(bs.port());
  client.set_handler(bootstrap_answers);
  ASSERT_EQ(code_string(client.request(fake::kPost, "/bs", {"ep=both"}).code), "2.04");
  auto result = bs.wait_finished("both", kWait);
  ASSERT_TRUE(result && result->completed);
  FakeClient registered(dm.port());
  EXPECT_EQ(code_string(registered.request(fake::kPost, "/rd", {"ep=both", "lt=60"}).code), "2.01");
  EXPECT_TRUE(dm.wait_registered("both", kWait));
}

}  // namespace
}  // namespace lwm2m::testserver
