// SPDX-License-Identifier: Apache-2.0
// Client-initiated bootstrap over real sockets: from a client that knows only its
// bootstrap server to a registered one, a Bootstrap-Finish refused for an unusable
// configuration, and Bootstrap-Discover / Bootstrap-Read.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

ts::tlv::SecurityInstance security_for(const ts::Server& server, int64_t ssid) {
  ts::tlv::SecurityInstance s;
  s.server_uri = server.uri();
  s.bootstrap_server = false;
  s.security_mode = 3;  // NoSec
  s.short_server_id = ssid;
  return s;
}

ts::tlv::ServerInstance server_account(int64_t ssid, int64_t lifetime) {
  ts::tlv::ServerInstance s;
  s.short_server_id = ssid;
  s.lifetime = lifetime;
  s.binding = "U";
  return s;
}

TEST(Bootstrap, FromOnlyABootstrapServerToRegistered) {
  ts::BootstrapServer bs(server_options());
  ts::Server server(server_options());
  ts::BootstrapScript script;
  script.steps = {
      ts::BootstrapStep::delete_path("/"),
      ts::BootstrapStep::write("/0/1", ts::tlv::security_resources(security_for(server, 7))),
      ts::BootstrapStep::write("/1", ts::tlv::server_instance(0, server_account(7, 30))),
  };
  bs.set_script(script);

  Rig rig("bs-node");
  rig.add_bootstrap(bs.uri());
  rig.start();

  auto requested = bs.wait_requested("bs-node", kWait);
  ASSERT_TRUE(requested);
  // 1.1: the client names the format it prefers for Bootstrap-Write.
  EXPECT_EQ(requested->detail, "pct=112");
  auto result = bs.wait_finished("bs-node", ts::Duration{15000});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->completed) << result->failure;
  ASSERT_EQ(result->steps.size(), 3u);
  EXPECT_EQ(result->steps[0].response.code_string(), "2.02");
  EXPECT_EQ(result->steps[1].response.code_string(), "2.04");
  EXPECT_EQ(result->steps[2].response.code_string(), "2.04");
  ASSERT_TRUE(result->finish);
  EXPECT_EQ(result->finish->code_string(), "2.04") << result->finish->describe();

  // The client then registers with the server it was given.
  auto reg = server.wait_registered("bs-node", kWait);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->lifetime, 30u);
  EXPECT_TRUE(reg->has_link("/1/0")) << reg->links_raw;
  ASSERT_TRUE(rig.wait_client_event(core::EventKind::registered, kWait));
  EXPECT_TRUE(rig.locked([](core::Client& c) { return c.registered(7); }));
  // The Delete of "/" spared the bootstrap account; the written ones are in place.
  rig.locked([&](core::Client&) {
    ASSERT_NE(rig.security.find_bootstrap(), nullptr);
    EXPECT_EQ(rig.security.find_bootstrap()->uri.str(), bs.uri());
    ASSERT_NE(rig.security.find_server(7), nullptr);
    EXPECT_EQ(rig.security.find_server(7)->uri.str(), server.uri());
    EXPECT_EQ(rig.sensor.instance_count(), 0u);  // Delete "/" reached the sensor too
  });
  EXPECT_TRUE(rig.wait_client_event(core::EventKind::bootstrap_finished, ts::Duration{100}));
}

TEST(Bootstrap, FinishWithoutAUsableServerIsNotAcceptable) {
  ts::BootstrapServer bs(server_options());
  ts::Server server(server_options());
  ts::BootstrapScript script;
  // A Security instance for server 7, but no Server instance: nothing to register with.
  script.steps = {
      ts::BootstrapStep::delete_path("/"),
      ts::BootstrapStep::write("/0/1", ts::tlv::security_resources(security_for(server, 7))),
  };
  bs.set_script(script);
  Rig rig("bs-bad");
  rig.add_bootstrap(bs.uri());
  rig.start();
  auto result = bs.wait_finished("bs-bad", ts::Duration{15000});
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->completed);
  ASSERT_TRUE(result->finish);
  EXPECT_EQ(result->finish->code_string(), "4.06") << result->finish->describe();
  EXPECT_FALSE(server.wait_registered("bs-bad", ts::Duration{1000}));
  EXPECT_FALSE(rig.locked([](core::Client& c) { return c.registered(7); }));
}

TEST(Bootstrap, DiscoverAndReadShowTheConfiguration) {
  ts::BootstrapServer bs(server_options());
  ts::Server server(server_options());
  ts::BootstrapScript script;
  script.stop_on_error = false;
  script.steps = {
      ts::BootstrapStep::discover("/"),
      ts::BootstrapStep::write("/0/1", ts::tlv::security_resources(security_for(server, 3))),
      ts::BootstrapStep::write("/1", ts::tlv::server_instance(0, server_account(3, 40))),
      ts::BootstrapStep::discover("/0"),
      ts::BootstrapStep::read("/1/0", ts::ContentFormat::tlv),
      ts::BootstrapStep::read("/3/0", ts::ContentFormat::tlv),  // not readable in bootstrap
  };
  bs.set_script(script);
  Rig rig("bs-disc");
  rig.add_bootstrap(bs.uri());
  rig.start();
  auto result = bs.wait_finished("bs-disc", ts::Duration{15000});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->steps.size(), 6u);

  const ts::Response& all = result->steps[0].response;
  EXPECT_EQ(all.code_string(), "2.05");
  EXPECT_EQ(all.content_format, ts::ContentFormat::link_format);
  auto links = ts::parse_links(all.text());
  ASSERT_FALSE(links.empty()) << all.text();
  EXPECT_EQ(links[0].path, "/");
  EXPECT_EQ(links[0].attributes["lwm2m"], "1.1") << all.text();
  bool bs_instance = false, device = false;
  for (auto& l : links) {
    if (l.path == "/0/0") {
      bs_instance = true;
      EXPECT_EQ(l.attributes["uri"], bs.uri()) << all.text();
      EXPECT_EQ(l.attributes.count("ssid"), 0u) << all.text();
    }
    if (l.path == "/3/0") device = true;
  }
  EXPECT_TRUE(bs_instance) << all.text();
  EXPECT_TRUE(device) << all.text();

  const ts::Response& sec = result->steps[3].response;
  EXPECT_EQ(sec.code_string(), "2.05");
  bool server_instance = false;
  for (auto& l : ts::parse_links(sec.text())) {
    EXPECT_NE(l.path.rfind("/3", 0), 0u) << "Discover /0 lists only object 0: " << sec.text();
    if (l.path == "/0/1") {
      server_instance = true;
      EXPECT_EQ(l.attributes["ssid"], "3") << sec.text();
      EXPECT_EQ(l.attributes["uri"], server.uri()) << sec.text();
    }
  }
  EXPECT_TRUE(server_instance) << sec.text();

  const ts::Response& read = result->steps[4].response;
  ASSERT_EQ(read.code_string(), "2.05") << read.describe();
  EXPECT_EQ(read.content_format, ts::ContentFormat::tlv);
  auto tlv = parse_tlv(read.payload);
  ASSERT_TRUE(tlv);
  const Tlv* ssid = nullptr;
  const Tlv* lifetime = nullptr;
  for (const Tlv& t : *tlv) {
    if (t.type == 0) {  // wrapped in the instance
      ssid = t.child(0);
      lifetime = t.child(1);
    } else if (t.id == 0) {
      ssid = &t;
    } else if (t.id == 1) {
      lifetime = &t;
    }
  }
  ASSERT_TRUE(ssid && lifetime);
  EXPECT_EQ(ssid->as_int(), 3);
  EXPECT_EQ(lifetime->as_int(), 40);

  EXPECT_EQ(result->steps[5].response.code_string(), "4.00");
  ASSERT_TRUE(result->finish);
  EXPECT_EQ(result->finish->code_string(), "2.04");
  EXPECT_TRUE(server.wait_registered("bs-disc", kWait));
}

}  // namespace
}  // namespace lwm2m::itest
