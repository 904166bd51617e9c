// SPDX-License-Identifier: Apache-2.0
// Our engine as a CoAP client on loopback; libcoap's coap-server as the independent server.
// Each test asserts on what our ResponseHandler was given and on what coap-server logged it
// received from us and sent back (its own decoding of the bytes on the wire).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/fixture.hpp"

namespace lwm2m::interop {
namespace {

using namespace std::chrono_literals;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// The client application: records every callback.
class Recorder final : public coap::ResponseHandler {
 public:
  struct Event {
    coap::RequestId id;
    bool is_error = false;
    Errc error = Errc::ok;
    coap::Type type = coap::Type::con;
    coap::Code code;
    uint16_t mid = 0;
    std::string token;
    std::string payload;
    std::optional<uint16_t> content_format;
    std::optional<uint32_t> observe;
    std::optional<coap::BlockOption> block1, block2;
    bool final = false;
  };
  std::vector<Event> events;

  void on_response(coap::RequestId id, const coap::Message& m, bool final) noexcept override {
    Event e;
    e.id = id;
    e.type = m.type;
    e.code = m.code;
    e.mid = m.message_id;
    e.token = token_hex(m.token.view());
    e.payload = std::string(as_string(m.payload));
    e.content_format = m.content_format();
    e.observe = m.observe();
    e.block1 = m.block(coap::OptionNumber::block1);
    e.block2 = m.block(coap::OptionNumber::block2);
    e.final = final;
    events.push_back(std::move(e));
  }
  void on_error(coap::RequestId id, Errc error) noexcept override {
    Event e;
    e.id = id;
    e.is_error = true;
    e.error = error;
    e.final = true;
    events.push_back(std::move(e));
  }
  bool done() const { return !events.empty() && events.back().final; }
  std::string body() const {
    std::string s;
    for (const Event& e : events)
      s += e.payload;
    return s;
  }
};

/// libcoap's example server keeps /example_data at 1500 bytes of "a123456789b1234...".
std::string example_data() {
  std::string s(1500, '\0');
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>(i % 10 == 0 ? 'a' + (i / 10) % 26 : '0' + i % 10);
  return s;
}

class ClientRole : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = make_work_dir(LWM2M_INTEROP_WORK_DIR);
    // -p 0: the kernel picks the port, which coap-server logs at -v 7.
    if (auto s = Subprocess::start({coap_server_program(), "-A", "127.0.0.1", "-p", "0", "-v", "7"},
                                   log_path(), work_ + "/server.err"))
      server_.emplace(std::move(*s));
    ASSERT_TRUE(server_.has_value()) << "cannot start " << coap_server_program();
    std::optional<uint16_t> port;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!(port = server_udp_port(read_file(log_path()))) && server_->running() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(2ms);
    ASSERT_TRUE(port.has_value()) << "coap-server did not report its port:\n"
                                  << read_file(log_path()) << read_file(work_ + "/server.err");

    server_port_ = *port;
    use_config(coap::EngineConfig{});
  }

  /// (Re)creates our endpoint with `config`, on a fresh ephemeral port.
  void use_config(const coap::EngineConfig& config) {
    driver_.reset();
    engine_ = std::make_unique<coap::Engine>(config, rng_, nullptr);
    ASSERT_TRUE(engine_->valid());
    auto socket = posix::UdpSocket::open(0);
    ASSERT_TRUE(socket.ok());
    driver_ = std::make_unique<UdpDriver>(*engine_, std::move(*socket));
    auto address = posix::SocketAddress::from_literal("127.0.0.1", server_port_);
    ASSERT_TRUE(address.ok());
    server_peer_ = driver_->peer(*address);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (!HasFailure()) return;
    stop_server();
    std::fprintf(stderr, "our endpoint's datagrams:\n%s\n%s\nfiles in %s\n",
                 driver_ ? driver_->trace().c_str() : "", report(server_run_).c_str(),
                 work_.c_str());
  }

  std::string log_path() const { return work_ + "/server.log"; }

  /// Stops coap-server and parses what it logged (every PDU it sent and received).
  const ProgramRun& stop_server() {
    if (server_) {
      server_->stop();
      server_run_.exit_code = server_->exit_code();
    }
    server_run_.log = read_file(log_path());
    server_run_.errors = read_file(work_ + "/server.err");
    server_run_.pdus = parse_libcoap_log(server_run_.log);
    return server_run_;
  }

  static coap::Message request(coap::Code code, std::string_view path) {
    coap::Message m;
    m.code = code;
    EXPECT_TRUE(m.add_path(coap::OptionNumber::uri_path, path).ok());
    return m;
  }

  coap::RequestId send(const coap::Message& m, coap::RequestOptions opts = {}) {
    auto id = engine_->send_request(server_peer_, m, recorder_, steady_now(), opts);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : coap::RequestId{};
  }

  /// Our outgoing requests as the engine put them on the wire.
  std::vector<coap::Message> sent_requests() const {
    std::vector<coap::Message> out;
    for (const Captured& c : driver_->captured()) {
      coap::Message m;
      if (c.dir == Captured::Dir::out &&
          coap::parse({c.bytes.data(), c.bytes.size()}, m) == coap::ParseError::none &&
          m.code.is_request())
        out.push_back(m);
    }
    return out;
  }

  /// libcoap's PDUs that it received from us / sent to us carrying a given code.
  std::vector<LibcoapPdu> pdus(bool received, std::string_view code) const {
    std::vector<LibcoapPdu> out;
    for (const LibcoapPdu& p : server_run_.pdus)
      if (p.received == received && p.code == code) out.push_back(p);
    return out;
  }

  std::string work_;
  std::optional<Subprocess> server_;
  ProgramRun server_run_;
  XorShiftRandom rng_{7};
  Recorder recorder_;
  std::unique_ptr<coap::Engine> engine_;
  std::unique_ptr<UdpDriver> driver_;
  coap::PeerId server_peer_ = 0;
  uint16_t server_port_ = 0;
};

TEST_F(ClientRole, GetWellKnownCoreListsTheExampleResources) {
  send(request(coap::codes::get, ".well-known/core"));
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 1u);
  const Recorder::Event& r = recorder_.events[0];
  ASSERT_FALSE(r.is_error) << to_string(r.error);
  EXPECT_EQ(r.type, coap::Type::ack) << "piggybacked";
  EXPECT_EQ(r.code, coap::codes::content);
  EXPECT_EQ(r.content_format, 40u) << "application/link-format";
  EXPECT_NE(r.payload.find("</time>"), std::string::npos) << r.payload;
  EXPECT_NE(r.payload.find("</example_data>"), std::string::npos) << r.payload;

  const ProgramRun& server = stop_server();
  auto gets = pdus(true, "GET");
  ASSERT_EQ(gets.size(), 1u) << report(server);
  EXPECT_EQ(gets[0].type, "CON");
  EXPECT_EQ(gets[0].mid, r.mid);
  EXPECT_TRUE(iequals(gets[0].token, r.token)) << gets[0].token << " vs " << r.token;
  EXPECT_EQ(gets[0].token.size(), 2u * engine_->config().token_length);
  // Two Uri-Path options, as RFC 7252 §6.4 splits the path.
  std::vector<std::string> path;
  for (const std::string& o : gets[0].options)
    if (o.rfind("Uri-Path:", 0) == 0) path.push_back(o.substr(9));
  EXPECT_EQ(path, (std::vector<std::string>{".well-known", "core"}));
  auto answers = pdus(false, "2.05");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].payload, r.payload);
}

// /time changes every second; coap-server sends each change as a CON notification, which
// we must acknowledge. cancel() then deregisters (RFC 7641 §3.6) and the server stops.
TEST_F(ClientRole, ObserveTimeReceivesNotificationsAndDeregisters) {
  coap::Message m = request(coap::codes::get, "time");
  ASSERT_TRUE(m.add_uint(coap::OptionNumber::observe, 0).ok());
  const coap::RequestId id = send(m);
  constexpr size_t kWanted = 4;  // the registration's response and three notifications
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.events.size() >= kWanted; }, 10s))
      << recorder_.events.size() << " responses";

  engine_->cancel(id, steady_now());
  // The deregistration is a CON GET with Observe 1; wait for its answer.
  auto deregistration_answered = [&] {
    std::optional<uint16_t> mid;
    for (const coap::Message& s : sent_requests())
      if (s.observe() == 1u) mid = s.message_id;
    if (!mid) return false;
    for (const Captured& c : driver_->captured()) {
      coap::Message in;
      if (c.dir == Captured::Dir::in &&
          coap::parse({c.bytes.data(), c.bytes.size()}, in) == coap::ParseError::none &&
          in.type == coap::Type::ack && in.message_id == *mid)
        return true;
    }
    return false;
  };
  ASSERT_TRUE(driver_->run_until(deregistration_answered, 10s));
  const size_t events_at_cancel = recorder_.events.size();
  // /time changes every second: a relation still alive would notify within this window.
  driver_->run_for(1200ms);
  EXPECT_EQ(recorder_.events.size(), events_at_cancel) << "handler called after cancel()";

  ASSERT_GE(recorder_.events.size(), kWanted);
  std::optional<uint32_t> last;
  for (const Recorder::Event& e : recorder_.events) {
    ASSERT_FALSE(e.is_error) << to_string(e.error);
    EXPECT_EQ(e.code, coap::codes::content);
    EXPECT_FALSE(e.final) << "an observation is never final while registered";
    ASSERT_TRUE(e.observe.has_value());
    if (last) {
      EXPECT_GT(*e.observe, *last);
    }
    last = e.observe;
    EXPECT_FALSE(e.payload.empty());
  }
  EXPECT_EQ(recorder_.events[0].type, coap::Type::ack);
  EXPECT_EQ(recorder_.events[1].type, coap::Type::con);
  EXPECT_EQ(engine_->stats().retransmissions, 0u);

  const ProgramRun& server = stop_server();
  // Every CON notification the server sent was acknowledged by us, with its MID.
  size_t con_notifications = 0;
  for (const LibcoapPdu& p : server.pdus) {
    if (p.received || p.type != "CON" || p.code != "2.05") continue;
    ++con_notifications;
    EXPECT_TRUE(std::any_of(server.pdus.begin(), server.pdus.end(),
                            [&](const LibcoapPdu& a) {
                              return a.received && a.type == "ACK" && a.code == "0.00" &&
                                     a.mid == p.mid;
                            }))
        << "notification mid " << p.mid << " not acknowledged";
  }
  EXPECT_GE(con_notifications, kWanted - 1);
  // The server saw the registration and the deregistration on the same token.
  auto gets = pdus(true, "GET");
  ASSERT_EQ(gets.size(), 2u) << report(server);
  EXPECT_EQ(gets[0].option("Observe"), "0");
  EXPECT_EQ(gets[1].option("Observe"), "1");
  EXPECT_EQ(gets[0].token, gets[1].token);
  EXPECT_TRUE(iequals(gets[0].token, recorder_.events[0].token));
}

TEST_F(ClientRole, Block2GetOfExampleDataIsFetchedBlockByBlock) {
  send(request(coap::codes::get, "example_data"));
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 2u);
  for (const Recorder::Event& e : recorder_.events)
    ASSERT_FALSE(e.is_error) << to_string(e.error);
  EXPECT_TRUE(recorder_.body() == example_data()) << recorder_.body().size() << " bytes";
  ASSERT_TRUE(recorder_.events[0].block2 && recorder_.events[1].block2);
  EXPECT_EQ(recorder_.events[0].block2->encode(), (coap::BlockOption{0, true, 6}.encode()));
  EXPECT_EQ(recorder_.events[1].block2->encode(), (coap::BlockOption{1, false, 6}.encode()));
  EXPECT_FALSE(recorder_.events[0].final);
  EXPECT_TRUE(recorder_.events[1].final);

  stop_server();
  auto gets = pdus(true, "GET");
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_FALSE(gets[0].option("Block2")) << "no early negotiation: our size is the default";
  EXPECT_EQ(gets[1].option("Block2"), "1/_/1024");
  auto answers = pdus(false, "2.05");
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].option("Block2"), "0/M/1024");
  EXPECT_EQ(answers[1].option("Block2"), "1/_/1024");
}

// A 3 KiB PUT goes out in three Block1 blocks (RFC 7959 §2.5) that coap-server reassembles;
// reading it back takes three Block2 blocks, and the bytes must match.
TEST_F(ClientRole, Block1PutThenBlock2GetRoundTripsThreeKiB) {
  const std::string body = test_body(3072, 3);
  coap::Message put = request(coap::codes::put, "example_data");
  ASSERT_TRUE(put.add_uint(coap::OptionNumber::content_format, 42).ok());
  put.payload = as_bytes(body);
  send(put);
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 1u) << "2.31 Continue is handled inside the engine";
  ASSERT_FALSE(recorder_.events[0].is_error) << to_string(recorder_.events[0].error);
  // coap-server answers 2.01 when the PUT creates the data and 2.04 when it replaces it.
  const coap::Code put_code = recorder_.events[0].code;
  EXPECT_TRUE(put_code == coap::codes::created || put_code == coap::codes::changed)
      << int(put_code.cls()) << "." << int(put_code.detail());

  recorder_.events.clear();
  send(request(coap::codes::get, "example_data"));
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 3u);
  for (const Recorder::Event& e : recorder_.events)
    ASSERT_FALSE(e.is_error) << to_string(e.error);
  EXPECT_EQ(recorder_.body().size(), body.size());
  EXPECT_TRUE(recorder_.body() == body) << "body differs";
  EXPECT_EQ(recorder_.events[0].content_format, 42u);

  const ProgramRun& server = stop_server();
  auto puts = pdus(true, "PUT");
  ASSERT_EQ(puts.size(), 3u) << report(server);
  EXPECT_EQ(puts[0].option("Block1"), "0/M/1024");
  EXPECT_EQ(puts[1].option("Block1"), "1/M/1024");
  EXPECT_EQ(puts[2].option("Block1"), "2/_/1024");
  EXPECT_EQ(puts[0].option("Size1"), "3072");
  EXPECT_EQ(pdus(false, "2.31").size(), 2u);
  // The final answer acknowledges the last block (libcoap leaves Block1 out of it).
  const std::string put_code_text =
      std::to_string(put_code.cls()) + ".0" + std::to_string(put_code.detail());
  auto final_answer = pdus(false, put_code_text);
  ASSERT_EQ(final_answer.size(), 1u);
  EXPECT_EQ(final_answer[0].mid, puts[2].mid);
  EXPECT_TRUE(final_answer[0].options.empty()) << final_answer[0].options.front();
  auto answers = pdus(false, "2.05");
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[2].option("Block2"), "2/_/1024");
}

// RFC 7252 §5.2.3: a NON request gets a NON response, matched by token alone.
TEST_F(ClientRole, NonGetGetsNonResponse) {
  send(request(coap::codes::get, "time"), coap::RequestOptions{.confirmable = false});
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 1u);
  ASSERT_FALSE(recorder_.events[0].is_error) << to_string(recorder_.events[0].error);
  EXPECT_EQ(recorder_.events[0].type, coap::Type::non);
  EXPECT_EQ(recorder_.events[0].code, coap::codes::content);
  EXPECT_TRUE(recorder_.events[0].final);

  stop_server();
  auto gets = pdus(true, "GET");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].type, "NON");
  EXPECT_EQ(engine_->stats().retransmissions, 0u);
}

// A device configured for 256-byte blocks uploads in 256-byte Block1 blocks (SZX 4),
// and libcoap reassembles them.
TEST_F(ClientRole, Block1PutInOurSmallerBlockSize) {
  coap::EngineConfig config;
  config.block_size = 256;
  config.max_message_size = 512;
  use_config(config);
  const std::string body = test_body(3072, 4);
  coap::Message put = request(coap::codes::put, "example_data");
  put.payload = as_bytes(body);
  send(put);
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  ASSERT_EQ(recorder_.events.size(), 1u);
  ASSERT_FALSE(recorder_.events[0].is_error) << to_string(recorder_.events[0].error);
  EXPECT_TRUE(recorder_.events[0].code.is_success());

  recorder_.events.clear();
  send(request(coap::codes::get, "example_data"));
  ASSERT_TRUE(driver_->run_until([&] { return recorder_.done(); }, 10s));
  EXPECT_TRUE(recorder_.body() == body) << recorder_.body().size() << " bytes";

  stop_server();
  auto puts = pdus(true, "PUT");
  ASSERT_EQ(puts.size(), 12u);
  EXPECT_EQ(puts.front().option("Block1"), "0/M/256");
  EXPECT_EQ(puts.back().option("Block1"), "11/_/256");
}

// /example_data is observable and larger than a block: the registration's answer and
// each notification come as their first block with Observe, and the engine completes them
// with plain Block2 GETs (RFC 7959 §2.6). A PUT of ours changes the data and triggers a
// notification.
TEST_F(ClientRole, ObserveOfALargeResourceDeliversWholeNotifications) {
  Recorder observer;
  coap::Message reg = request(coap::codes::get, "example_data");
  ASSERT_TRUE(reg.add_uint(coap::OptionNumber::observe, 0).ok());
  auto id = engine_->send_request(server_peer_, reg, observer, steady_now());
  ASSERT_TRUE(id.ok());
  auto complete = [&](size_t from) {
    std::string s;
    for (size_t i = from; i < observer.events.size(); ++i) {
      const Recorder::Event& e = observer.events[i];
      s += e.payload;
      if (e.block2 && !e.block2->more) return std::optional<std::string>(s);
    }
    return std::optional<std::string>();
  };
  ASSERT_TRUE(driver_->run_until([&] { return complete(0).has_value(); }, 10s));
  EXPECT_TRUE(*complete(0) == example_data()) << complete(0)->size() << " bytes";
  const size_t first_events = observer.events.size();
  EXPECT_EQ(first_events, 2u);

  const std::string body = test_body(2000, 5);
  coap::Message put = request(coap::codes::put, "example_data");
  put.payload = as_bytes(body);
  send(put);
  ASSERT_TRUE(driver_->run_until(
      [&] { return recorder_.done() && complete(first_events).has_value(); }, 10s));
  EXPECT_TRUE(*complete(first_events) == body) << complete(first_events)->size() << " bytes";
  for (const Recorder::Event& e : observer.events) {
    EXPECT_EQ(e.id, *id);
    EXPECT_FALSE(e.is_error) << to_string(e.error);
    EXPECT_FALSE(e.final);
  }
  EXPECT_TRUE(observer.events[first_events].observe.has_value());
  EXPECT_TRUE(engine_->active(*id));

  stop_server();
  // The follow-up GETs carry no Observe and a token other than the observation's.
  const std::string observe_token = observer.events[0].token;
  size_t block_gets = 0;
  for (const LibcoapPdu& p : pdus(true, "GET")) {
    if (p.option("Observe")) continue;
    ++block_gets;
    EXPECT_FALSE(iequals(p.token, observe_token));
    EXPECT_EQ(p.option("Block2"), "1/_/1024");
  }
  EXPECT_EQ(block_gets, 2u);
}

}  // namespace
}  // namespace lwm2m::interop
