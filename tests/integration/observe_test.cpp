// SPDX-License-Identifier: Apache-2.0
// Information reporting over real sockets: Observe on object, instance and resource,
// proactive (Observe 1) and reactive (RST) cancel, pmin/pmax timing, gt/lt/st thresholds
// and Observe-Composite, as the libcoap server receives the notifications.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;
constexpr ts::Duration kQuiet{1500};  // how long "no notification" is watched for

struct Observe : ::testing::Test {
  void SetUp() override {
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  /// The value the notification (or response) carries for /3303/0/5700.
  static std::string sensor_value(const ts::Response& r) {
    return value_in(r.content_format, r.payload);
  }
  static std::string sensor_value(const ts::Notification& n) {
    return value_in(n.content_format, n.payload);
  }
  static std::string value_in(std::optional<CF> cf, const ByteVec& payload) {
    if (cf == CF::text) return std::string(payload.begin(), payload.end());
    if (cf == CF::senml_cbor) {
      auto m = senml_cbor_map(payload);
      return m.count("/3303/0/5700") ? m["/3303/0/5700"] : "<absent> " + cbor_diag(payload);
    }
    return "<format " + (cf ? ts::to_string(*cf) : std::string("none")) + ">";
  }

  ts::Server server{server_options()};
  Rig rig{"obs-node"};
  std::string ep = "obs-node";
};

TEST_F(Observe, ResourceInstanceAndObjectEachNotifyAChange) {
  auto res = server.observe(ep, "/3303/0/5700", CF::text);
  auto inst = server.observe(ep, "/3303/0", CF::senml_cbor);
  auto obj = server.observe(ep, "/3303", CF::senml_cbor);
  for (auto* o : {&res, &inst, &obj}) {
    ASSERT_EQ(o->response().code_string(), "2.05") << o->path() << " " << o->response().describe();
    EXPECT_TRUE(o->established()) << o->path();
    EXPECT_EQ(sensor_value(o->response()), "21.5") << o->path();
  }
  rig.set_sensor(0, 23.25);
  for (auto* o : {&res, &inst, &obj}) {
    auto n = o->wait_notification(kWait);
    ASSERT_TRUE(n) << o->path();
    EXPECT_EQ(n->code, ts::coap_code(2, 5));
    EXPECT_TRUE(n->observe) << o->path();
    EXPECT_EQ(sensor_value(*n), "23.25") << o->path();
  }
  // Another instance changing is no news for the observer of instance 0's resource.
  rig.locked([&](core::Client&) { rig.sensor.add(1, 0); });
  rig.runner->value_changed(dm::Path(3303, 1, 5700));
  EXPECT_FALSE(res.wait_notification(kQuiet));
  EXPECT_TRUE(obj.wait_notification(kWait));  // but it is for the object's observer
}

TEST_F(Observe, NotificationsCarryIncreasingObserveNumbers) {
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  for (int i = 1; i <= 3; ++i) {
    rig.set_sensor(0, i);
    ASSERT_TRUE(o.wait_notifications(static_cast<size_t>(i), kWait)) << i;
  }
  auto ns = o.notifications();
  ASSERT_EQ(ns.size(), 3u);
  for (size_t i = 0; i < ns.size(); ++i) {
    EXPECT_EQ(ns[i].text(), std::to_string(i + 1)) << i;
    if (i > 0) {
      EXPECT_GT(*ns[i].observe, *ns[i - 1].observe);
    }
  }
}

TEST_F(Observe, ProactiveCancelEndsTheNotifications) {
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  rig.set_sensor(0, 1);
  ASSERT_TRUE(o.wait_notification(kWait));
  auto c = server.cancel_observe(o);
  ASSERT_EQ(c.code_string(), "2.05") << c.describe();
  EXPECT_EQ(c.text(), "1");
  rig.set_sensor(0, 2);
  EXPECT_FALSE(o.wait_notification(kQuiet));
  EXPECT_EQ(o.notification_count(), 1u);
}

TEST_F(Observe, ResetCancelsTheObservation) {
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  server.forget_observation(o);
  rig.set_sensor(0, 5);
  // The server answers the notification with RST; the client drops the observation.
  auto rejected = server.wait_event(ts::Event::Kind::notification_rejected, ep, kWait);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->detail, "/3303/0/5700");
  // The event comes before the RST leaves the server: wait until the client took it.
  auto gone = [&] {
    return rig.locked([](core::Client& c) { return c.engine().observation_count() == 0; });
  };
  for (auto end = ts::Clock::now() + kWait; !gone() && ts::Clock::now() < end;)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(gone());
  rig.set_sensor(0, 6);
  EXPECT_FALSE(server.wait_event(ts::Event::Kind::notification_rejected, ep, kQuiet));
}

TEST_F(Observe, PmaxSendsWithoutChangesAndPminHoldsChangesBack) {
  auto a = server.write_attributes(ep, "/3303/0/5700", "pmin=1&pmax=2");
  ASSERT_EQ(a.code_string(), "2.04") << a.describe();
  auto start = ts::Clock::now();
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  // No change: a notification every pmax (2 s), not earlier.
  ASSERT_TRUE(o.wait_notifications(2, ts::Duration{9000}));
  auto ns = o.notifications();
  EXPECT_GE(ns[0].arrival - start, std::chrono::milliseconds(1800));
  EXPECT_GE(ns[1].arrival - ns[0].arrival, std::chrono::milliseconds(1800));
  EXPECT_LT(ns[1].arrival - ns[0].arrival, std::chrono::milliseconds(5000));
  EXPECT_EQ(ns[1].text(), "21.5");

  // Two changes right after a notification: the first waits for pmin (1 s); the second
  // is folded into it or follows at least pmin later.
  ASSERT_TRUE(o.wait_notifications(3, ts::Duration{5000}));
  auto last = o.notifications().back().arrival;
  rig.set_sensor(0, 30);
  rig.set_sensor(0, 31);
  ASSERT_TRUE(o.wait_notifications(4, kWait));
  ns = o.notifications();
  EXPECT_GE(ns[3].arrival - last, std::chrono::milliseconds(900));
  if (ns[3].text() == "30") {
    ASSERT_TRUE(o.wait_notifications(5, kWait));
    ns = o.notifications();
    EXPECT_GE(ns[4].arrival - ns[3].arrival, std::chrono::milliseconds(900));
    EXPECT_EQ(ns[4].text(), "31");
  } else {
    EXPECT_EQ(ns[3].text(), "31");
  }
}

TEST_F(Observe, GreaterAndLessThanNotifyOnlyWhenAThresholdIsCrossed) {
  auto a = server.write_attributes(ep, "/3303/0/5700", "gt=30&lt=10");
  ASSERT_EQ(a.code_string(), "2.04") << a.describe();
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  rig.set_sensor(0, 25);  // 21.5 -> 25: between the thresholds
  EXPECT_FALSE(o.wait_notification(kQuiet));
  rig.set_sensor(0, 35);  // crosses gt
  auto n = o.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "35");
  rig.set_sensor(0, 32);  // stays above
  EXPECT_FALSE(o.wait_notification(kQuiet));
  rig.set_sensor(0, 5);  // crosses both
  n = o.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "5");
}

TEST_F(Observe, StepNotifiesOnlyAChangeOfAtLeastTheStep) {
  auto a = server.write_attributes(ep, "/3303/0/5700", "st=5");
  ASSERT_EQ(a.code_string(), "2.04") << a.describe();
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established());
  rig.set_sensor(0, 24);  // 2.5 from the last reported 21.5
  EXPECT_FALSE(o.wait_notification(kQuiet));
  rig.set_sensor(0, 27);  // 5.5 from 21.5
  auto n = o.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->text(), "27");
  rig.set_sensor(0, 23);  // 4 from 27
  EXPECT_FALSE(o.wait_notification(kQuiet));
}

TEST_F(Observe, CompositeObservationNotifiesTheValuesTogether) {
  auto o = server.observe_composite(ep, ts::to_bytes(R"([{"n":"/3303/0/5700"},{"n":"/3/0/0"}])"),
                                    CF::senml_json, CF::senml_cbor);
  ASSERT_EQ(o.response().code_string(), "2.05") << o.response().describe();
  ASSERT_TRUE(o.established());
  auto first = senml_cbor_map(o.response().payload);
  EXPECT_EQ(first["/3303/0/5700"], "21.5") << cbor_diag(o.response().payload);
  EXPECT_EQ(first["/3/0/0"], "\"Acme\"") << cbor_diag(o.response().payload);
  rig.set_sensor(0, 19);
  auto n = o.wait_notification(kWait);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->content_format, CF::senml_cbor);
  auto values = senml_cbor_map(n->payload);
  EXPECT_EQ(values["/3303/0/5700"], "19.0") << cbor_diag(n->payload);
  EXPECT_EQ(values["/3/0/0"], "\"Acme\"") << cbor_diag(n->payload);
}

}  // namespace
}  // namespace lwm2m::itest
