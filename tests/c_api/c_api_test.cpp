// SPDX-License-Identifier: Apache-2.0
// The C facade seen from a server: c_defaults.c and c_scenario.c (C11, lwm2m_client.h only)
// driven against the libcoap test server. What is asserted is on the wire or in what the C
// side observed through the facade.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "lwm2m/testserver/server.hpp"
#include "lwm2m_client.h"

extern "C" {
const char* c_defaults_config(void);
const char* c_defaults_objects_need_init(void);
const char* c_defaults_run_needs_security_and_server(void);
const char* c_defaults_object_descriptors_checked(void);
const char* c_defaults_credentials(void);
const char* c_defaults_credentials_one_client(void);

int c_client_start(const char* uri, const char* endpoint, const char* psk_identity,
                   const uint8_t* psk_key, size_t psk_key_len);
uint16_t c_client_local_port(void);
int c_client_registered(void);
int c_client_running(void);
int c_client_pid_is_set(void);
int c_client_connections(int* type, uint16_t* remote_port, int* has_sent, int* secured);
void c_client_set_value(double v);
int c_client_set_value_and_report(double v);
int c_client_pokes(void);
void c_client_poke_args(char out[64]);
int c_client_reboots(void);
int c_client_logs(void);
size_t c_client_note_len(void);
int64_t c_client_counter(void);
void c_client_stop(void);
void c_client_deinit(void);
}

namespace {

using namespace std::chrono_literals;
using lwm2m::testserver::ContentFormat;
using lwm2m::testserver::Options;
using lwm2m::testserver::Server;

lwm2m::testserver::Bytes bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

template <class F>
bool eventually(F&& f, std::chrono::milliseconds timeout = 10s) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

// Stops and frees the C client in every path.
struct CClient {
  ~CClient() { c_client_deinit(); }
};

TEST(CApiDefaults, SeedDefinesHaveRiotDefaultsAndInitAppliesThem) {
  EXPECT_EQ(c_defaults_config(), nullptr) << c_defaults_config();
}

TEST(CApiDefaults, ObjectsAndRunNeedInit) {
  const char* err = c_defaults_objects_need_init();
  EXPECT_EQ(err, nullptr) << err;
}

TEST(CApiDefaults, RunNeedsSecurityAndServer) {
  const char* err = c_defaults_run_needs_security_and_server();
  EXPECT_EQ(err, nullptr) << err;
}

TEST(CApiDefaults, ObjectDescriptorsAreChecked) {
  const char* err = c_defaults_object_descriptors_checked();
  EXPECT_EQ(err, nullptr) << err;
}

TEST(CApiDefaults, CredentialTagsAreAddedOnceAndUnknownRemovesAreHarmless) {
  EXPECT_EQ(lwm2m_client_dtls_available(), LWM2M_C_API_HAVE_DTLS != 0);
  const char* err = c_defaults_credentials();
  EXPECT_EQ(err, nullptr) << err;
}

TEST(CApiDefaults, CallsWithoutAClientArgumentActOnTheOnlyClient) {
  const char* err = c_defaults_credentials_one_client();
  EXPECT_EQ(err, nullptr) << err;
}

class CApiClient : public ::testing::Test {
 protected:
  Server server;
  CClient guard;

  void start(const std::string& endpoint) {
    ASSERT_EQ(c_client_start(server.uri().c_str(), endpoint.c_str(), nullptr, nullptr, 0), 0);
    ASSERT_TRUE(server.wait_registered(endpoint, 20s)) << endpoint << " did not register";
  }
};

TEST_F(CApiClient, RegistersWithItsObjectsAndFillsClientData) {
  start("c-reg");
  auto info = server.client("c-reg");
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->has_link("/3/0"));
  EXPECT_TRUE(info->has_link("/32769/0"));
  EXPECT_EQ(info->lifetime, 60u);
  EXPECT_TRUE(eventually([] { return c_client_registered() != 0; }));
  EXPECT_TRUE(c_client_running());
  EXPECT_TRUE(c_client_pid_is_set());
  // local_ep holds the port the server saw us come from.
  uint16_t local = c_client_local_port();
  ASSERT_NE(local, 0);
  EXPECT_EQ(info->address, "127.0.0.1:" + std::to_string(local));
  int type = -1, sent = 0, secured = -1;
  uint16_t remote_port = 0;
  EXPECT_EQ(c_client_connections(&type, &remote_port, &sent, &secured), 1);
  EXPECT_EQ(type, 0);  // LWM2M_CLIENT_CONN_UDP
  EXPECT_EQ(remote_port, server.port());
  EXPECT_EQ(sent, 1);
  EXPECT_EQ(secured, 0);
  EXPECT_GT(c_client_logs(), 0);  // the log hook saw at least "registered"
}

TEST_F(CApiClient, CallbacksServeReadWriteAndExecute) {
  start("c-dm");
  auto r = server.read("c-dm", "/3/0/0", ContentFormat::text);
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), "ACME");
  r = server.read("c-dm", "/32769/0/0", ContentFormat::text);
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), "21.5");
  r = server.write("c-dm", "/32769/0/3", bytes("7"), ContentFormat::text);
  EXPECT_EQ(r.code_string(), "2.04");
  EXPECT_EQ(c_client_counter(), 7);
  r = server.read("c-dm", "/32769/0/3", ContentFormat::text);
  EXPECT_EQ(r.text(), "7");
  // The callback's refusal becomes the response code.
  r = server.write("c-dm", "/32769/0/3", bytes("-1"), ContentFormat::text);
  EXPECT_EQ(r.code_string(), "4.00");
  EXPECT_EQ(c_client_counter(), 7);
  // Read-only: the descriptor says so before any callback.
  r = server.write("c-dm", "/32769/0/0", bytes("1.5"), ContentFormat::text);
  EXPECT_EQ(r.code_string(), "4.05");
  r = server.execute("c-dm", "/32769/0/2", "0='hi'");
  EXPECT_EQ(r.code_string(), "2.04");
  EXPECT_EQ(c_client_pokes(), 1);
  char args[64] = {};
  c_client_poke_args(args);
  EXPECT_STREQ(args, "0='hi'");
  r = server.read("c-dm", "/32769/0/9", ContentFormat::text);
  EXPECT_EQ(r.code_string(), "4.04");
}

TEST_F(CApiClient, ValueChangedNotifiesObserversFromAnyThread) {
  start("c-obs");
  auto obs = server.observe("c-obs", "/32769/0/0", ContentFormat::text);
  ASSERT_TRUE(obs.established()) << obs.response().describe();
  EXPECT_EQ(obs.response().text(), "21.5");
  c_client_set_value(30.0);  // lwm2m_client_locked + value_changed inside it
  auto n = obs.wait_notification(10s);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "30");
  EXPECT_EQ(c_client_set_value_and_report(31.25), 0);  // value_changed from this thread
  n = obs.wait_notification(10s);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "31.25");
}

// LWM2M_CLIENT_RCV_BUFFER_SIZE (200): a request that fits is served, a longer datagram is
// dropped (the server gets no answer), and the client goes on serving.
TEST_F(CApiClient, ReceiveBufferBoundsRequests) {
  start("c-rcv");
  auto r = server.write("c-rcv", "/32769/0/1", bytes(std::string(120, 'a')), ContentFormat::text);
  EXPECT_EQ(r.code_string(), "2.04");
  EXPECT_EQ(c_client_note_len(), 120u);
  // Larger than the 200-byte receive buffer: not applied, answered 4.13 with a Block1
  // option naming a block size that fits (RFC 7959 §2.9.3), rather than dropped in silence.
  lwm2m::testserver::Request big;
  big.method = lwm2m::testserver::coap_code(0, 3);  // PUT
  big.path = "/32769/0/1";
  big.content_format = ContentFormat::text;
  big.payload = bytes(std::string(300, 'b'));
  r = server.send_request("c-rcv", big, 3s);
  EXPECT_EQ(r.code_string(), "4.13") << r.describe();
  bool has_block1 = false;
  for (const auto& o : r.options)
    has_block1 = has_block1 || (o.number == 27 && !o.value.empty() && (o.value.back() & 7) <= 3);
  EXPECT_TRUE(has_block1) << "a Block1 of at most 128 bytes";
  EXPECT_EQ(c_client_note_len(), 120u);
  r = server.read("c-rcv", "/32769/0/1", ContentFormat::text);
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), std::string(120, 'a'));
}

// LWM2M_CLIENT_REBOOT_TIME is 1 s in c_scenario.c (-D): the hook runs no earlier.
TEST_F(CApiClient, RebootExecuteCallsTheHookAfterTheConfiguredDelay) {
  start("c-reboot");
  auto before = std::chrono::steady_clock::now();
  auto r = server.execute("c-reboot", "/3/0/4");
  EXPECT_EQ(r.code_string(), "2.04");
  ASSERT_TRUE(eventually([] { return c_client_reboots() > 0; }, 15s));
  auto elapsed = std::chrono::steady_clock::now() - before;
  EXPECT_GE(elapsed, 1000ms);
  EXPECT_EQ(c_client_reboots(), 1);
  // With a hook the client keeps running: rebooting is the application's business.
  EXPECT_TRUE(c_client_running());
  EXPECT_TRUE(server.read("c-reboot", "/3/0/0", ContentFormat::text).ok());
}

TEST_F(CApiClient, StopDeregistersAndJoins) {
  start("c-stop");
  c_client_stop();
  EXPECT_TRUE(server.wait_deregistered("c-stop", 10s));
  EXPECT_FALSE(c_client_running());
  int type, sent, secured;
  uint16_t port;
  EXPECT_EQ(c_client_connections(&type, &port, &sent, &secured), 0);
  c_client_stop();  // twice is harmless
}

TEST(CApiDtls, PskRegistersOverDtlsWithTheSecurityInstanceCredential) {
  if (!lwm2m_client_dtls_available()) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "the C facade was built without DTLS (CI=true)";
    GTEST_SKIP() << "built without DTLS";
  }
  Options o;
  const std::string key = "secret-key";
  o.psk.push_back({"c-dtls-id", {key.begin(), key.end()}});
  Server server(o);
  CClient guard;
  ASSERT_EQ(c_client_start(server.uri().c_str(), "c-dtls", "c-dtls-id",
                           reinterpret_cast<const uint8_t*>(key.data()), key.size()),
            0);
  ASSERT_TRUE(server.wait_registered("c-dtls", 30s));
  // lwm2m_client_run made Security instance 0's tag (base 10) available; refreshing again
  // does not add it twice.
  EXPECT_TRUE(lwm2m_client_has_credential(10));
  size_t count = lwm2m_client_credential_count();
  EXPECT_EQ(lwm2m_client_refresh_dtls_credentials(), 0);
  EXPECT_EQ(lwm2m_client_credential_count(), count);
  int type = -1, sent = 0, secured = 0;
  uint16_t port = 0;
  EXPECT_EQ(c_client_connections(&type, &port, &sent, &secured), 1);
  EXPECT_EQ(type, 1);  // LWM2M_CLIENT_CONN_DTLS
  EXPECT_EQ(secured, 1);
  auto r = server.read("c-dtls", "/3/0/0", ContentFormat::text);
  EXPECT_EQ(r.text(), "ACME");
  c_client_stop();
  EXPECT_TRUE(server.wait_deregistered("c-dtls", 10s));
}

}  // namespace
