// SPDX-License-Identifier: Apache-2.0
// Clients made through the C facade (c_multi.c, C11) seen from the test server: several
// clients in one process with their own credentials, the core settings set from C, and the
// Device object's Current Time. Asserted on the wire or through the facade's calls.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "c_multi.h"
#include "lwm2m/testserver/server.hpp"

namespace {

using namespace std::chrono_literals;
using lwm2m::testserver::ContentFormat;
using lwm2m::testserver::Options;
using lwm2m::testserver::Server;

template <class F>
bool eventually(F&& f, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// Stops and frees every C client in every path.
struct CClients {
  ~CClients() { c_multi_deinit_all(); }
};

c_multi_args_t plain(const std::string& uri, const char* endpoint) {
  c_multi_args_t a{};
  a.uri = uri.c_str();
  a.endpoint = endpoint;
  return a;
}

std::optional<int64_t> read_time(Server& server, const std::string& endpoint) {
  auto r = server.read(endpoint, "/3/0/13", ContentFormat::text);
  if (!r.ok()) return std::nullopt;
  return std::stoll(r.text());
}

lwm2m::testserver::Bytes bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

// ---- credentials per client -------------------------------------------------------------

TEST(CApiTwoClients, DifferentPsksBothRegisterOverDtlsFromTheirOwnPorts) {
  // CI has every peer: a build or server without DTLS there is a failure, not a skip.
  if (!lwm2m_client_dtls_available()) {
    if (in_ci()) FAIL() << "the C facade was built without DTLS (CI=true)";
    GTEST_SKIP() << "built without DTLS";
  }
  const std::string key_a = "key-of-a-0123", key_b = "key-of-b-4567";
  Options o;
  o.psk.push_back({"two-a", bytes(key_a)});
  o.psk.push_back({"two-b", bytes(key_b)});
  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>(o);
  } catch (const std::exception& e) {
    if (in_ci()) FAIL() << "the DTLS test server cannot start (CI=true): " << e.what();
    GTEST_SKIP() << "the DTLS test server cannot start: " << e.what();
  }
  CClients guard;
  const std::string uri = server->uri();
  c_multi_args_t a = plain(uri, "c-two-a");
  a.psk_identity = "two-a";
  a.psk_key = reinterpret_cast<const uint8_t*>(key_a.data());
  a.psk_key_len = key_a.size();
  c_multi_args_t b = plain(uri, "c-two-b");
  b.psk_identity = "two-b";
  b.psk_key = reinterpret_cast<const uint8_t*>(key_b.data());
  b.psk_key_len = key_b.size();
  ASSERT_EQ(c_multi_start(0, &a), 0);
  ASSERT_EQ(c_multi_start(1, &b), 0);

  auto ra = server->wait_registered("c-two-a", 30s);
  auto rb = server->wait_registered("c-two-b", 30s);
  ASSERT_TRUE(ra) << "client a did not register over DTLS";
  ASSERT_TRUE(rb) << "client b did not register over DTLS";
  EXPECT_NE(ra->address, rb->address);  // each from its own local port
  EXPECT_EQ(server->read("c-two-a", "/3/0/1", ContentFormat::text).text(), "C-2");
  EXPECT_EQ(server->read("c-two-b", "/3/0/1", ContentFormat::text).text(), "C-2");

  // Both use tag 10 (Security instance 0), each for its own key.
  lwm2m_client_data_t* da = c_multi_data(0);
  lwm2m_client_data_t* db = c_multi_data(1);
  EXPECT_TRUE(lwm2m_client_has_credential_for(da, 10));
  EXPECT_TRUE(lwm2m_client_has_credential_for(db, 10));
  EXPECT_EQ(lwm2m_client_add_credential_for(da, 700), LWM2M_CLIENT_OK);
  EXPECT_EQ(lwm2m_client_credential_count_for(da), 2u);
  EXPECT_EQ(lwm2m_client_credential_count_for(db), 1u);
  EXPECT_FALSE(lwm2m_client_has_credential_for(db, 700));
  // Without a client argument the call is ambiguous with two clients: refused.
  EXPECT_EQ(lwm2m_client_add_credential(701), LWM2M_CLIENT_ERR_INVALID_STATE);
  EXPECT_FALSE(lwm2m_client_has_credential_for(da, 701));
  EXPECT_FALSE(lwm2m_client_has_credential_for(db, 701));
  EXPECT_EQ(lwm2m_client_refresh_dtls_credentials(), LWM2M_CLIENT_OK);  // every client
  EXPECT_EQ(lwm2m_client_credential_count_for(db), 1u);
}

// ---- core settings from C -----------------------------------------------------------------

TEST(CApiConfig, CoreSettingsDefaultToTheLibrarys) {
  const char* err = c_multi_config_defaults();
  EXPECT_EQ(err, nullptr) << err;
}

TEST(CApiConfig, Version10WithQueueModeRegistersWithBindingUQ) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-v10q");
  a.lwm2m_version = LWM2M_CLIENT_VERSION_1_0;
  a.queue_mode = true;
  a.binding = "U";
  ASSERT_EQ(c_multi_start(0, &a), 0);
  auto info = server.wait_registered("c-v10q", 20s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->lwm2m_version, "1.0");
  EXPECT_EQ(info->binding, "UQ");
  EXPECT_EQ(info->query.count("Q"), 0u);  // 1.0 has no Q parameter
}

TEST(CApiConfig, Version11WithQueueModeRegistersWithQ) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-v11q");
  a.lwm2m_version = LWM2M_CLIENT_VERSION_1_1;
  a.queue_mode = true;
  ASSERT_EQ(c_multi_start(0, &a), 0);
  auto info = server.wait_registered("c-v11q", 20s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->lwm2m_version, "1.1");
  EXPECT_EQ(info->query.count("Q"), 1u);
  EXPECT_TRUE(info->queue_mode);
}

TEST(CApiConfig, DefaultsRegisterAs11WithoutQueueMode) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-v-default");
  ASSERT_EQ(c_multi_start(0, &a), 0);
  auto info = server.wait_registered("c-v-default", 20s);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->lwm2m_version, "1.1");
  EXPECT_FALSE(info->queue_mode);
  EXPECT_EQ(info->binding, "U");
}

TEST(CApiConfig, SizesAreTakenAndMaxObservationsBoundsObservations) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-sizes");
  a.max_observations = 1;
  a.coap_message_size = 512;
  a.uplink_buffer = 1024;
  a.scratch = 300;
  a.max_servers = 1;
  ASSERT_EQ(c_multi_start(0, &a), 0);
  ASSERT_TRUE(server.wait_registered("c-sizes", 20s));
  const lwm2m_client_config_t* c = lwm2m_client_get_config(c_multi_data(0));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->coap_message_size, 512);
  EXPECT_EQ(c->uplink_buffer, 1024);
  EXPECT_EQ(c->scratch, 300);
  EXPECT_EQ(c->max_servers, 1);
  EXPECT_EQ(c->max_observations, 1);
  auto first = server.observe("c-sizes", "/3/0/0", ContentFormat::text);
  EXPECT_TRUE(first.established()) << first.response().describe();
  auto second = server.observe("c-sizes", "/3/0/1", ContentFormat::text);
  EXPECT_FALSE(second.established()) << "a second observation with max_observations = 1";
}

// ---- Device Current Time (/3/0/13) --------------------------------------------------------

TEST(CApiDeviceTime, CurrentTimeFollowsTheSystemClockAndAWrittenTimeAdvances) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-time");
  ASSERT_EQ(c_multi_start(0, &a), 0);
  ASSERT_TRUE(server.wait_registered("c-time", 20s));

  auto t0 = read_time(server, "c-time");
  ASSERT_TRUE(t0);
  const int64_t system_now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_LE(std::llabs(*t0 - system_now), 2) << "/3/0/13 is not the system clock";
  EXPECT_TRUE(eventually([&] { return read_time(server, "c-time").value_or(0) > *t0; }, 5s))
      << "/3/0/13 does not advance";

  const int64_t written = 1'000'000'000;
  auto w = server.write("c-time", "/3/0/13", bytes(std::to_string(written)), ContentFormat::text);
  ASSERT_EQ(w.code_string(), "2.04");
  auto t1 = read_time(server, "c-time");
  ASSERT_TRUE(t1);
  EXPECT_GE(*t1, written);
  EXPECT_LE(*t1, written + 2);
  EXPECT_TRUE(eventually([&] { return read_time(server, "c-time").value_or(0) > *t1; }, 5s))
      << "a written /3/0/13 stays frozen";
  EXPECT_LT(read_time(server, "c-time").value_or(0), written + 60);
}

TEST(CApiDeviceTime, ObservedWithPmaxNotificationsCarryIncreasingTimes) {
  Server server;
  CClients guard;
  const std::string uri = server.uri();
  c_multi_args_t a = plain(uri, "c-time-obs");
  ASSERT_EQ(c_multi_start(0, &a), 0);
  ASSERT_TRUE(server.wait_registered("c-time-obs", 20s));
  auto wa = server.write_attributes("c-time-obs", "/3/0/13", "pmin=1&pmax=2");
  ASSERT_EQ(wa.code_string(), "2.04");
  auto obs = server.observe("c-time-obs", "/3/0/13", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  int64_t previous = std::stoll(obs.response().text());
  for (int i = 0; i < 3; ++i) {
    auto n = obs.wait_notification(10s);
    ASSERT_TRUE(n) << "no notification " << i << " within 10 s (pmax is 2 s)";
    int64_t t = std::stoll(n->text());
    EXPECT_GT(t, previous) << "notification " << i;
    previous = t;
  }
}

}  // namespace
