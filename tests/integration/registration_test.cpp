// SPDX-License-Identifier: Apache-2.0
// Registration interface over real sockets: Register, Update (lifetime, object changes,
// lifetime written by the server), re-registration after the server forgot the client,
// De-register on stop and the retry scheme when Register is rejected.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

std::optional<ts::ObjectLink> link(const ts::ClientInfo& info, const std::string& path) {
  for (const ts::ObjectLink& l : info.links)
    if (l.path == path) return l;
  return std::nullopt;
}

TEST(Registration, RegisterCarriesEndpointLifetimeVersionBindingAndObjectLinks) {
  ts::Server server(server_options());
  Rig rig("reg-node");
  rig.add_server(server, test_server_config(1, 45));
  rig.start();
  auto info = server.wait_registered("reg-node", kWait);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->query.at("ep"), "reg-node");
  EXPECT_EQ(info->query.at("lt"), "45");
  EXPECT_EQ(info->lifetime, 45u);
  EXPECT_EQ(info->query.at("lwm2m"), "1.1");
  EXPECT_EQ(info->binding, "U");
  EXPECT_FALSE(info->queue_mode);
  EXPECT_EQ(info->location, "/rd/" + info->registration_id);
  // Objects and instances; never the Security object; "ver" only where it is not 1.0.
  EXPECT_FALSE(info->has_link("/0")) << info->links_raw;
  EXPECT_FALSE(info->has_link("/0/0")) << info->links_raw;
  EXPECT_TRUE(info->has_link("/1/0")) << info->links_raw;
  EXPECT_TRUE(info->has_link("/3/0")) << info->links_raw;
  EXPECT_TRUE(info->has_link("/3303/0")) << info->links_raw;
  auto server_obj = link(*info, "/1");
  ASSERT_TRUE(server_obj) << info->links_raw;
  EXPECT_EQ(server_obj->version, "1.1");
  auto device_obj = link(*info, "/3");
  ASSERT_TRUE(device_obj) << info->links_raw;
  EXPECT_EQ(device_obj->version, "1.1");
  // The sensor object is version 1.0: no "ver", and no bare </3303> needed for it.
  if (auto sensor = link(*info, "/3303")) {
    EXPECT_FALSE(sensor->version) << info->links_raw;
  }
  for (const ts::ObjectLink& l : info->links)
    if (l.ids.size() == 2 && l.ids[0] == 3303) {
      EXPECT_FALSE(l.version) << info->links_raw;
    }
  // The client saw the 2.01 too.
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait));
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(1); }));
}

TEST(Registration, UpdatesBeforeTheLifetimeExpires) {
  ts::Server server(server_options());
  Rig rig;
  // 4 s lifetime: the client updates at the latest when half of it is over.
  rig.add_server(server, test_server_config(1, 4));
  rig.start();
  auto reg = server.wait_registered(rig.endpoint(), kWait);
  ASSERT_TRUE(reg);
  for (int i = 0; i < 2; ++i) {
    auto up = server.wait_update(rig.endpoint(), kWait);
    ASSERT_TRUE(up) << "update " << i;
    EXPECT_EQ(up->updates, static_cast<uint32_t>(i + 1));
    EXPECT_EQ(up->lifetime, 4u);
    EXPECT_EQ(up->registration_id, reg->registration_id);
  }
  // Each Update came before the previous registration time + lifetime ran out.
  auto events = server.events();
  ts::Clock::time_point last{};
  int seen = 0;
  for (const ts::Event& e : events) {
    if (e.kind == ts::Event::Kind::registered || e.kind == ts::Event::Kind::updated) {
      if (seen > 0) {
        EXPECT_LT(e.time - last, std::chrono::seconds(4)) << "event " << seen;
        // Not chattering either: the lifetime/2 rule keeps Updates >= ~2 s apart.
        EXPECT_GT(e.time - last, std::chrono::milliseconds(1500)) << "event " << seen;
      }
      last = e.time;
      ++seen;
    }
  }
  EXPECT_GE(seen, 3);
  EXPECT_EQ(server.events().front().kind, ts::Event::Kind::registered);
}

TEST(Registration, UpdateListsAnObjectInstanceTheApplicationAdded) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered(rig.endpoint(), kWait));
  rig.locked([&](core::Client&) {
    rig.sensor.add(7, 3.0);
    rig.sensor.instances_changed();
  });
  auto up = server.wait_update(rig.endpoint(), kWait);
  ASSERT_TRUE(up);
  EXPECT_TRUE(up->has_link("/3303/7")) << up->links_raw;
  EXPECT_TRUE(up->has_link("/3303/0")) << up->links_raw;
}

TEST(Registration, UpdateAfterTheServerCreatesAnInstance) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered(rig.endpoint(), kWait));
  // Create /3303/2 with Application Type "boiler".
  auto payload = ts::tlv::element(0, 2, ts::tlv::resource(5750, "boiler"));
  auto r = server.create(rig.endpoint(), "/3303", payload, ts::ContentFormat::tlv);
  ASSERT_EQ(r.code_string(), "2.01") << r.describe();
  auto up = server.wait_update(rig.endpoint(), kWait);
  ASSERT_TRUE(up);
  EXPECT_TRUE(up->has_link("/3303/2")) << up->links_raw;
}

TEST(Registration, UpdateCarriesTheLifetimeTheServerWrote) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server, test_server_config(1, 60));
  rig.start();
  ASSERT_TRUE(server.wait_registered(rig.endpoint(), kWait));
  auto w = server.write(rig.endpoint(), "/1/0/1", ts::to_bytes("120"), ts::ContentFormat::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  auto up = server.wait_update(rig.endpoint(), kWait);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->lifetime, 120u);
  EXPECT_EQ(up->query.at("lt"), "120");
  // Nothing else changed: no object links in the Update.
  EXPECT_EQ(server.read(rig.endpoint(), "/1/0/1").text(), "120");
}

TEST(Registration, UpdatesFollowAShorterLifetimeTheServerWrote) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server, test_server_config(1, 60));
  rig.start();
  ASSERT_TRUE(server.wait_registered(rig.endpoint(), kWait));
  auto w = server.write(rig.endpoint(), "/1/0/1", ts::to_bytes("3"), ts::ContentFormat::text);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  auto first = server.wait_update(rig.endpoint(), kWait);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->lifetime, 3u);
  // Each following Update lands within the new lifetime (it used to keep the 60 s cadence
  // and the registration expired).
  for (int i = 0; i < 2; ++i) {
    auto up = server.wait_update(rig.endpoint(), std::chrono::seconds(3));
    ASSERT_TRUE(up) << "update " << i;
    EXPECT_EQ(up->registration_id, first->registration_id);
  }
}

TEST(Registration, RegistersAgainWhenTheServerForgotTheClient) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server, test_server_config(1, 3));
  rig.start();
  auto first = server.wait_registered(rig.endpoint(), kWait);
  ASSERT_TRUE(first);
  ASSERT_TRUE(server.forget(rig.endpoint()));
  // The next Update (at most 1.5 s away) is answered 4.04; the client registers anew.
  auto rejected = server.wait_event(ts::Event::Kind::update_rejected, "", kWait);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->code, ts::coap_code(4, 4));
  EXPECT_EQ(rejected->detail, "POST " + first->location);
  auto second = server.wait_registered(rig.endpoint(), kWait);
  ASSERT_TRUE(second);
  EXPECT_NE(second->registration_id, first->registration_id);
  EXPECT_GT(second->registered_at, rejected->time);
  // And it keeps updating the new registration.
  auto up = server.wait_update(rig.endpoint(), kWait);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->registration_id, second->registration_id);
}

TEST(Registration, DeregistersOnStop) {
  ts::Server server(server_options());
  Rig rig;
  rig.add_server(server);
  rig.start();
  auto reg = server.wait_registered(rig.endpoint(), kWait);
  ASSERT_TRUE(reg);
  rig.runner->stop(Duration{5000});
  auto gone = server.wait_deregistered(rig.endpoint(), ts::Duration{1000});
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->registration_id, reg->registration_id);
  EXPECT_FALSE(server.client(rig.endpoint()));
  EXPECT_TRUE(rig.wait_client_event(core::EventKind::deregistered, ts::Duration{100}));
}

TEST(Registration, RetriesRejectedRegistrationsWithADoublingTimer) {
  ts::Server server(server_options());
  server.reject_registrations(2);  // 5.03 twice
  Rig rig;
  rig.add_server(server);  // retry timer 1 s, 3 attempts
  rig.start();
  auto reg = server.wait_registered(rig.endpoint(), ts::Duration{15000});
  ASSERT_TRUE(reg);
  std::vector<ts::Clock::time_point> attempts;
  for (const ts::Event& e : server.events())
    if (e.kind == ts::Event::Kind::registration_rejected) {
      EXPECT_EQ(e.code, ts::coap_code(5, 3));
      EXPECT_EQ(e.endpoint, rig.endpoint());
      attempts.push_back(e.time);
    }
  ASSERT_EQ(attempts.size(), 2u);
  attempts.push_back(reg->registered_at);
  // Communication Retry Timer 1 s, doubled after each failure: 1 s, then 2 s.
  EXPECT_GE(attempts[1] - attempts[0], std::chrono::milliseconds(950));
  EXPECT_GE(attempts[2] - attempts[1], std::chrono::milliseconds(1950));
  EXPECT_LT(attempts[2] - attempts[0], std::chrono::seconds(10));
}

TEST(Registration, GivesUpAfterTheRetrySequencesAndSaysSo) {
  ts::Server server(server_options());
  server.reject_registrations(100, ts::coap_code(4, 3));
  Rig rig;
  auto cfg = test_server_config();
  cfg.communication_retry_count = 2;  // 2 attempts per sequence
  cfg.sequence_retry_count = 2;       // 2 sequences, 2 s apart
  rig.add_server(server, cfg);
  rig.start();
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registration_failed, ts::Duration{15000}));
  std::vector<ts::Clock::time_point> attempts;
  for (const ts::Event& e : server.events())
    if (e.kind == ts::Event::Kind::registration_rejected) attempts.push_back(e.time);
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_GE(attempts[1] - attempts[0], std::chrono::milliseconds(950));   // retry timer
  EXPECT_GE(attempts[2] - attempts[1], std::chrono::milliseconds(1950));  // sequence delay
  EXPECT_GE(attempts[3] - attempts[2], std::chrono::milliseconds(950));
  // Nothing more after giving up.
  std::this_thread::sleep_for(1500ms);
  size_t n = 0;
  for (const ts::Event& e : server.events())
    n += e.kind == ts::Event::Kind::registration_rejected;
  EXPECT_EQ(n, 4u);
  EXPECT_FALSE(server.client(rig.endpoint()));
}

}  // namespace
}  // namespace lwm2m::itest
