// SPDX-License-Identifier: Apache-2.0
// One server account's registration on its own, with simulated time: what it sends
// (decoded from the CoAP engine's datagrams), what it does with the answers, and what it
// reports. The Server object (/1) and a Device object stand in for the data model.
#include "core/registration.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/random.hpp"
#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using Outcome = core::Registration::Outcome;

constexpr coap::PeerId kPeer = 3;
constexpr uint16_t kSsid = 7;
constexpr TimePoint kStart = from_millis(1000);

/// The client's side of what a registration is lent: the link and uplink requests are
/// recorded.
struct FakeHost final : core::RegistrationHost {
  FakeHost(coap::Engine& eng, coap::ResponseHandler& handler, dm::Registry& registry,
           const core::ClientConfig& cfg)
      : RegistrationHost(eng, handler, registry, cfg) {
    events.attach(ring, sizeof ring / sizeof ring[0]);
  }
  core::Event ring[16] = {};
  void link_needed(coap::PeerId peer) noexcept override { link_requests.push_back(peer); }
  void sent(uint8_t peer, TimePoint) noexcept override { uplinks.push_back(peer); }
  void uplink_needed(TimePoint) noexcept override {}  // no Send shares the buffer here
  std::vector<coap::PeerId> link_requests;
  std::vector<uint8_t> uplinks;
};

struct NoRequests final : coap::RequestHandler {
  void on_request(const coap::IncomingRequest&, coap::Response& r) noexcept override {
    r.set_code(coap::codes::not_found);
  }
};

std::vector<std::string> queries(const Parsed& p) {
  std::vector<std::string> out;
  for (const coap::Option& o : p->options())
    if (o.number == static_cast<uint16_t>(coap::OptionNumber::uri_query))
      out.emplace_back(o.string());
  return out;
}

class RegistrationTest : public ::testing::Test, public coap::ResponseHandler {
 protected:
  RegistrationTest() {
    EXPECT_TRUE(registry.add(server).ok());
    EXPECT_TRUE(registry.add(device).ok());
    objects::ServerConfig s;
    s.short_server_id = kSsid;
    s.lifetime_s = 60;
    s.communication_retry_count = 2;
    s.communication_retry_timer_s = 10;
    s.sequence_retry_count = 1;
    EXPECT_TRUE(server.add(s, 0).ok());
    host.links = {links, sizeof links};
    reg.set_server(kSsid, kPeer);
  }

  static core::ClientConfig client_config() {
    core::ClientConfig c;
    c.endpoint = "node-1";
    c.version = core::LwM2MVersion::v1_1;
    c.uplink_buffer = 256;
    return c;
  }

  // ---- answers from the engine, routed to the registration as the client does ----
  void on_response(coap::RequestId id, const coap::Message& m, bool final) noexcept override {
    EXPECT_TRUE(reg.owns(id));
    if (final) outcomes.push_back(reg.on_response(host, m, now));
  }
  void on_error(coap::RequestId id, Errc e) noexcept override {
    EXPECT_TRUE(reg.owns(id));
    outcomes.push_back(reg.on_error(host, e, now));
  }

  void start() {
    auto srv = host.reader.server(kSsid);
    ASSERT_TRUE(srv);
    reg.configure(*srv, 10s);  // MAX_TRANSMIT_WAIT: Updates go 10 s before expiry
    reg.start(now);
  }
  Outcome drive() { return reg.drive(host, now); }
  void at(TimePoint t) {
    now = t;
    engine.handle_timeout(now);
  }

  /// The one datagram the engine has for the server.
  Parsed sent() {
    auto d = engine.poll_transmit();
    if (!d) {
      ADD_FAILURE() << "nothing sent";
      return Parsed(Bytes{});
    }
    EXPECT_EQ(d->peer, kPeer);
    Parsed p(d->bytes);
    EXPECT_TRUE(p.ok());
    EXPECT_FALSE(engine.poll_transmit()) << "more than one datagram";
    return p;
  }
  bool nothing_sent() { return !engine.poll_transmit(); }

  /// The server's piggybacked answer to `req`; returns the outcome it led to.
  Outcome answer(const Parsed& req, coap::Code code, std::vector<std::string> location = {}) {
    coap::Message m = response(coap::Type::ack, code, req.mid(), req.tok());
    for (const std::string& seg : location)
      EXPECT_TRUE(m.add_string(coap::OptionNumber::location_path, seg).ok());
    const size_t before = outcomes.size();
    engine.handle_datagram(kPeer, encode(m), now);
    EXPECT_EQ(outcomes.size(), before + 1) << "the answer reached the registration";
    return outcomes.empty() ? Outcome::none : outcomes.back();
  }

  /// Registers (Register answered 2.01 at rd/5a3f) and drains the event.
  void registered() {
    start();
    ASSERT_EQ(drive(), Outcome::none);
    ASSERT_EQ(answer(sent(), coap::codes::created, {"rd", "5a3f"}), Outcome::registered);
    ASSERT_TRUE(host.events.pop());
  }

  void set_lifetime(int64_t s) {
    ASSERT_TRUE(server.write(0, 1, dm::kInvalidId, dm::Value::integer(s)).ok());
  }

  objects::ServerInstance srv_storage[1];
  objects::ServerObject server{srv_storage};
  objects::DeviceObject device{objects::DeviceInfo{"Acme", "M", "S", "1", "", "", "", "U"}};
  dm::Object* slots[2] = {};
  dm::Registry registry{slots};
  XorShiftRandom rng{11};
  NoRequests no_requests;
  coap::Engine engine{coap::EngineConfig{}, rng, &no_requests};
  uint8_t links[256] = {};
  core::ClientConfig config = client_config();
  FakeHost host{engine, *this, registry, config};
  core::Registration reg;
  std::vector<Outcome> outcomes;
  TimePoint now = kStart;
};

TEST_F(RegistrationTest, RegisterCarriesEndpointLifetimeVersionBindingAndObjectLinks) {
  start();
  EXPECT_EQ(drive(), Outcome::none);
  const Parsed p = sent();
  EXPECT_EQ(p.type(), coap::Type::con);
  EXPECT_EQ(p.code(), coap::codes::post);
  EXPECT_EQ(p.path(), "rd");
  EXPECT_EQ(queries(p), (std::vector<std::string>{"ep=node-1", "lt=60", "lwm2m=1.1", "b=U"}));
  EXPECT_EQ(p.uint_option(coap::OptionNumber::content_format), 40u);  // link format
  EXPECT_EQ(p.payload(), "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");
  EXPECT_EQ(host.link_requests, (std::vector<coap::PeerId>{kPeer}));  // the link is asked for first
  EXPECT_EQ(reg.fsm().state(), core::RegistrationState::registering);
}

TEST_F(RegistrationTest, CreatedKeepsTheLocationAndReportsRegistered) {
  start();
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::created, {"rd", "5a3f"}), Outcome::registered);
  EXPECT_TRUE(reg.registered());
  EXPECT_EQ(reg.location(), "rd/5a3f");
  EXPECT_EQ(reg.sent_lifetime(), 60u);
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::registered);
  EXPECT_EQ(e->ssid, kSsid);
  EXPECT_EQ(e->peer, kPeer);
  EXPECT_FALSE(host.events.pop());
  EXPECT_EQ(host.uplinks.size(), 1u);  // queue mode may count from the Register
}

TEST_F(RegistrationTest, CreatedWithoutALocationIsAFailedAttempt) {
  start();
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::created), Outcome::none);
  EXPECT_FALSE(reg.registered());
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::register_attempt_failed);
}

TEST_F(RegistrationTest, UpdatesAtTheLifetimeCadenceWithOnlyWhatChanged) {
  registered();
  // Lifetime 60 s, 10 s to complete an exchange: the Update goes at 50 s.
  EXPECT_EQ(reg.fsm().deadline(), kStart + 50s);
  at(kStart + 50s - 1ms);
  EXPECT_EQ(drive(), Outcome::none);
  EXPECT_TRUE(nothing_sent());
  at(kStart + 50s);
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.code(), coap::codes::post);
  EXPECT_EQ(p.path(), "rd/5a3f");
  EXPECT_TRUE(queries(p).empty());  // nothing changed since the Register
  EXPECT_TRUE(p.payload().empty());
  EXPECT_EQ(answer(p, coap::codes::changed), Outcome::updated);
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::updated);
  EXPECT_EQ(reg.fsm().deadline(), kStart + 100s);
}

TEST_F(RegistrationTest, AShorterLifetimeWrittenByTheServerSetsTheNextUpdate) {
  registered();
  at(kStart + 5s);
  set_lifetime(20);
  reg.request_update(now);  // what the effects table does after the write commits
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.path(), "rd/5a3f");
  EXPECT_EQ(queries(p), (std::vector<std::string>{"lt=20"}));
  EXPECT_EQ(answer(p, coap::codes::changed), Outcome::updated);
  EXPECT_EQ(reg.sent_lifetime(), 20u);
  // max(20 s - 10 s, 20 s / 2): 10 s after the Update, not on the old 60 s cadence.
  EXPECT_EQ(reg.fsm().deadline(), kStart + 15s);
  at(kStart + 15s);
  drive();
  const Parsed next = sent();
  EXPECT_EQ(next.path(), "rd/5a3f");
  EXPECT_TRUE(queries(next).empty());  // the server already knows lt=20
}

TEST_F(RegistrationTest, NewInstancesGoOutWithTheNextUpdate) {
  registered();
  reg.objects_changed(now);
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.path(), "rd/5a3f");
  EXPECT_EQ(p.payload(), "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");
}

TEST_F(RegistrationTest, UpdateAnsweredNotFoundRegistersAgain) {
  registered();
  reg.request_update(now);
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::not_found), Outcome::forgotten);
  EXPECT_FALSE(reg.registered());
  // The runner logs this one ("Update rejected 4.04 ... registering again").
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::update_failed);
  EXPECT_EQ(e->error, Errc::not_found);
  EXPECT_FALSE(host.events.pop());  // not an update, and not a failed registration
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.code(), coap::codes::post);
  EXPECT_EQ(p.path(), "rd");
  EXPECT_EQ(queries(p).front(), "ep=node-1");
}

TEST_F(RegistrationTest, AnUpdateThatCannotGoOutIsReportedAndRegistersAgain) {
  registered();
  host.links = {links, 8};  // the object links no longer fit
  reg.objects_changed(now);
  EXPECT_EQ(drive(), Outcome::none);
  EXPECT_TRUE(nothing_sent());
  // Told as an Update that failed: a Register follows, as after an unanswered Update.
  auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::update_failed);
  EXPECT_EQ(e->error, Errc::buffer_too_small);
  EXPECT_FALSE(host.events.pop());
  EXPECT_EQ(reg.fsm().state(), core::RegistrationState::waiting);
  host.links = {links, sizeof links};
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.path(), "rd");
  EXPECT_EQ(p.payload(), "</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>");
}

TEST_F(RegistrationTest, AFailedRegisterRetriesPerTheSchemeThenGivesUp) {
  start();
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::forbidden), Outcome::none);
  auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::register_attempt_failed);
  EXPECT_EQ(e->error, Errc::forbidden);
  // /1/x/18: the first retry after 10 s.
  EXPECT_EQ(reg.fsm().deadline(), kStart + 10s);
  at(kStart + 10s - 1ms);
  drive();
  EXPECT_TRUE(nothing_sent());
  at(kStart + 10s);
  drive();
  const Parsed again = sent();
  EXPECT_EQ(again.path(), "rd");
  // /1/x/17 = 2 attempts, /1/x/20 = 1 sequence: that was the last one.
  EXPECT_EQ(answer(again, coap::codes::forbidden), Outcome::gave_up);
  e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::registration_failed);
  EXPECT_EQ(e->error, Errc::forbidden);
  EXPECT_EQ(reg.fsm().state(), core::RegistrationState::failed);
  EXPECT_EQ(reg.fsm().deadline(), kNever);
}

TEST_F(RegistrationTest, ARegisterWithoutAnswerIsAFailedAttemptThatSaysTimeout) {
  start();
  drive();
  (void)sent();
  while (outcomes.empty() && now < kStart + 300s) {
    at(now + 500ms);
    (void)engine.poll_transmit();  // retransmissions, unanswered
  }
  ASSERT_EQ(outcomes.size(), 1u);
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::register_attempt_failed);
  EXPECT_EQ(e->error, Errc::timeout);
  EXPECT_EQ(reg.fsm().state(), core::RegistrationState::waiting);
}

TEST_F(RegistrationTest, AServerRefusingTheVersionGetsTheNextLowerAtOnce) {
  start();
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::precondition_failed), Outcome::none);
  const Parsed p = sent();
  EXPECT_EQ(queries(p), (std::vector<std::string>{"ep=node-1", "lt=60", "lwm2m=1.0", "b=U"}));
  EXPECT_FALSE(host.events.pop());  // not counted as a failed attempt
  EXPECT_EQ(reg.version(core::LwM2MVersion::v1_1), core::LwM2MVersion::v1_0);
}

TEST_F(RegistrationTest, QueueModeIsItsOwnParameterFrom1_1) {
  host.config.queue_mode = true;  // as a client built with ClientConfig::queue_mode
  start();
  drive();
  EXPECT_EQ(queries(sent()),
            (std::vector<std::string>{"ep=node-1", "lt=60", "lwm2m=1.1", "b=U", "Q"}));
}

// A 1.0-style binding written by a server ("UQ") is spelled for the registration's version:
// a 1.1 server gets "b=U" and the "Q" parameter, in the Register and in every Update (Leshan
// refuses "b=UQ" from a 1.1 client); a 1.0 server gets the letters as they are.
TEST_F(RegistrationTest, ABindingWithQueueModeIsSpelledForTheVersionInRegisterAndUpdate) {
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("UQ")).ok());
  registered();
  // The Register that registered() answered carried the 1.1 spelling; check it on a new one.
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("US")).ok());
  reg.request_update(now);
  drive();
  Parsed p = sent();
  EXPECT_EQ(queries(p), (std::vector<std::string>{"b=US"}));
  EXPECT_EQ(answer(p, coap::codes::changed), Outcome::updated);
  // Back to "UQ": in 1.1 the letters are "U" now, a change the server is told.
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("UQ")).ok());
  reg.request_update(now);
  drive();
  p = sent();
  EXPECT_EQ(queries(p), (std::vector<std::string>{"b=U"}));
  EXPECT_EQ(answer(p, coap::codes::changed), Outcome::updated);
  // "U": the same letters in 1.1 (only queue mode changed, which an Update cannot say).
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("U")).ok());
  reg.request_update(now);
  drive();
  EXPECT_TRUE(queries(sent()).empty());
}

TEST_F(RegistrationTest, ABindingWithQueueModeRegistersWithTheQParameterIn1_1) {
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("UQ")).ok());
  start();
  drive();
  EXPECT_EQ(queries(sent()),
            (std::vector<std::string>{"ep=node-1", "lt=60", "lwm2m=1.1", "b=U", "Q"}));
}

TEST_F(RegistrationTest, ABindingWithQueueModeKeepsItsLettersIn1_0) {
  host.config.version = core::LwM2MVersion::v1_0;  // as a client built for 1.0
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("UQ")).ok());
  start();
  drive();
  Parsed p = sent();
  EXPECT_EQ(queries(p), (std::vector<std::string>{"ep=node-1", "lt=60", "lwm2m=1.0", "b=UQ"}));
  ASSERT_EQ(answer(p, coap::codes::created, {"rd", "5a3f"}), Outcome::registered);
  ASSERT_TRUE(server.write(0, 7, dm::kInvalidId, dm::Value::string("U")).ok());
  reg.request_update(now);
  drive();
  EXPECT_EQ(queries(sent()), (std::vector<std::string>{"b=U"}));
}

TEST_F(RegistrationTest, DeregisterDeletesTheLocation) {
  registered();
  reg.request_deregister(now);
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.code(), coap::codes::del);
  EXPECT_EQ(p.path(), "rd/5a3f");
  EXPECT_TRUE(queries(p).empty());
  EXPECT_EQ(answer(p, coap::codes::deleted), Outcome::deregistered);
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::deregistered);
  EXPECT_EQ(e->error, Errc::ok);
  EXPECT_EQ(reg.fsm().state(), core::RegistrationState::idle);
}

TEST_F(RegistrationTest, ADeregisterRefusedByTheServerIsReportedAsFailed) {
  registered();
  reg.request_deregister(now);
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::bad_request), Outcome::deregistered);
  const auto e = host.events.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::EventKind::deregistered);
  EXPECT_EQ(e->error, Errc::bad_request);  // the log tells it from a success
  EXPECT_FALSE(reg.active());              // gone from our side either way
}

TEST_F(RegistrationTest, DisableDeregistersAndRegistersAgainAfterTheTimeout) {
  registered();
  reg.disable(30s, now);
  drive();
  EXPECT_EQ(answer(sent(), coap::codes::deleted), Outcome::deregistered);
  EXPECT_TRUE(reg.disabled());
  EXPECT_EQ(reg.disabled_until(), kStart + 30s);
  at(kStart + 30s);
  drive();
  const Parsed p = sent();
  EXPECT_EQ(p.path(), "rd");
  EXPECT_FALSE(reg.disabled());
}

}  // namespace
}  // namespace lwm2m::test
