// SPDX-License-Identifier: Apache-2.0
// LwM2M 1.1 Send and queue mode over real sockets: POST /dp in SenML CBOR, a request the
// server holds while the client sleeps and delivers when it wakes with an Update, and
// notifications stored while the server cannot hear the client, flushed in order.
#include <gtest/gtest.h>

#include <future>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

TEST(Send, PostsTheValuesToDpInSenmlCbor) {
  ts::Server server(server_options());
  Rig rig("send-node");
  rig.add_server(server);
  rig.start();
  ASSERT_TRUE(server.wait_registered("send-node", kWait));
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait));
  rig.set_sensor(0, 17.75);
  Status st = rig.locked([](core::Client& c) {
    const dm::Path paths[] = {dm::Path(3303, 0, 5700), dm::Path(3, 0, 0)};
    return c.send(1, paths, runner_now());
  });
  ASSERT_TRUE(st.ok()) << to_string(st.error());
  auto e = server.wait_send("send-node", kWait);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ts::coap_code(2, 4));
  EXPECT_EQ(e->content_format, CF::senml_cbor);
  auto values = senml_cbor_map(e->payload);
  EXPECT_EQ(values["/3303/0/5700"], "17.75") << cbor_diag(e->payload);
  EXPECT_EQ(values["/3/0/0"], "\"Acme\"") << cbor_diag(e->payload);
  EXPECT_EQ(values.size(), 2u) << cbor_diag(e->payload);
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::send_done, kWait));
  for (const core::Event& ev : rig.events())
    if (ev.kind == core::EventKind::send_done) {
      EXPECT_EQ(ev.error, Errc::ok);
    }
}

/// A queue-mode client that falls asleep 2.25 s after its last message (MAX_TRANSMIT_WAIT
/// with a 0.5 s ACK timeout and one retransmission), and a server that takes a client to
/// be asleep 1 s after its last message.
struct QueueMode : ::testing::Test {
  void SetUp() override {
    rig.config.queue_mode = true;
    rig.config.coap.tx.ack_timeout = Duration{500};
    rig.config.coap.tx.max_retransmit = 1;
    rig.add_server(server);
    rig.start();
    reg = server.wait_registered(ep, kWait);
    ASSERT_TRUE(reg);
  }
  static ts::Options options() {
    ts::Options o = server_options();
    o.queue_awake_time = ts::Duration{1000};
    return o;
  }
  bool asleep() {
    return rig.locked([](core::Client& c) { return c.server_status(0).asleep; });
  }
  bool wait_asleep(ts::Duration timeout) {
    auto end = ts::Clock::now() + timeout;
    while (ts::Clock::now() < end) {
      if (asleep()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  ts::Server server{options()};
  Rig rig{"queue-node"};
  std::string ep = "queue-node";
  std::optional<ts::ClientInfo> reg;
};

TEST_F(QueueMode, RegistersWithTheQueueParameter) {
  EXPECT_TRUE(reg->queue_mode);
  EXPECT_EQ(reg->query.count("Q"), 1u);
  EXPECT_EQ(reg->binding, "U");  // 1.1: Q is a parameter of its own, not in the binding
}

TEST_F(QueueMode, HeldRequestIsDeliveredWhenTheClientWakesWithAnUpdate) {
  ASSERT_TRUE(wait_asleep(kWait));
  auto pending = std::async(std::launch::async, [&] {
    return server.read(ep, "/3303/0/5700", CF::text, ts::Duration{20000});
  });
  auto held = server.wait_event(ts::Event::Kind::request_held, ep, kWait);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->detail, "GET /3303/0/5700");
  // Asleep: the request stays with the server.
  EXPECT_EQ(pending.wait_for(1s), std::future_status::timeout);
  rig.locked([](core::Client& c) { c.request_update(1, runner_now()); });
  auto up = server.wait_update(ep, kWait);
  ASSERT_TRUE(up);
  ASSERT_EQ(pending.wait_for(kWait), std::future_status::ready);
  auto r = pending.get();
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.text(), "21.5");
}

TEST_F(QueueMode, NotificationsStoredWhileUnheardAreFlushedInOrder) {
  auto o = server.observe(ep, "/3303/0/5700", CF::text);
  ASSERT_TRUE(o.established()) << o.response().describe();
  ASSERT_TRUE(wait_asleep(kWait));
  // A change while asleep is stored and makes the client send an Update. The server's
  // 2.04 to it is lost, so the client stays unheard (Update in flight) until its
  // retransmission is answered; the changes meanwhile are stored too.
  server.drop_outgoing(1);
  rig.set_sensor(0, 1);
  auto up = server.wait_update(ep, kWait);
  ASSERT_TRUE(up);
  // Apart, so that each change is taken on its own (they are not timing assertions).
  std::this_thread::sleep_for(50ms);
  rig.set_sensor(0, 2);
  std::this_thread::sleep_for(50ms);
  rig.set_sensor(0, 3);
  ASSERT_TRUE(o.wait_notifications(3, kWait)) << o.notification_count();
  auto ns = o.notifications();
  EXPECT_EQ(ns[0].text(), "1");
  EXPECT_EQ(ns[1].text(), "2");
  EXPECT_EQ(ns[2].text(), "3");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GE(ns[i].arrival, up->last_update) << i;  // none while unheard
    if (i > 0) {
      EXPECT_GT(*ns[i].observe, *ns[i - 1].observe) << i;
    }
  }
  // The Update was answered (its retransmission): the client is registered and awake.
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::updated, kWait));
  EXPECT_LE(o.notification_count(), 4u);
}

TEST_F(QueueMode, SendWhileAsleepGoesOutAtOnce) {
  ASSERT_TRUE(wait_asleep(kWait));
  rig.set_sensor(0, 4.5);
  Status st = rig.locked([](core::Client& c) {
    const dm::Path paths[] = {dm::Path(3303, 0, 5700)};
    return c.send(1, paths, runner_now());
  });
  ASSERT_TRUE(st.ok()) << to_string(st.error());
  // A Send is an uplink of its own: no Update has to wake the client first.
  auto e = server.wait_send(ep, kWait);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ts::coap_code(2, 4));
  EXPECT_EQ(senml_cbor_map(e->payload)["/3303/0/5700"], "4.5") << cbor_diag(e->payload);
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::send_done, kWait));
}

TEST(QueueMode10, A10ClientSignalsQueueModeInTheBinding) {
  ts::Server server(server_options());
  Rig rig("queue-10");
  rig.config.version = core::LwM2MVersion::v1_0;
  rig.config.queue_mode = true;
  rig.add_server(server);
  rig.start();
  auto reg = server.wait_registered("queue-10", kWait);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->binding, "UQ");  // 1.0: queue mode is part of the binding
  EXPECT_EQ(reg->query.count("Q"), 0u);
  EXPECT_TRUE(reg->queue_mode);
  EXPECT_EQ(reg->lwm2m_version, "1.0");
  // And a 1.0 client has no Send.
  Status st = rig.locked([](core::Client& c) {
    const dm::Path paths[] = {dm::Path(3303, 0, 5700)};
    return c.send(1, paths, runner_now());
  });
  EXPECT_EQ(st.error(), Errc::invalid_state);
}

}  // namespace
}  // namespace lwm2m::itest
