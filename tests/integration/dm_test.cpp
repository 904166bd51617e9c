// SPDX-License-Identifier: Apache-2.0
// Device management over real sockets, as the libcoap server sees it: Read in every
// format, Discover, Write (replace, partial), Write-Attributes, Execute, Create, Delete,
// Read-/Write-Composite, and the error codes.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace lwm2m::itest {
namespace {

using CF = ts::ContentFormat;

struct Dm : ::testing::Test {
  void SetUp() override {
    rig.add_server(server);
    rig.start();
    ASSERT_TRUE(server.wait_registered(ep, kWait));
  }
  ts::Server server{server_options()};
  Rig rig{"dm-node"};
  std::string ep = "dm-node";
};

TEST_F(Dm, ReadsAResourceAsPlainText) {
  auto r = server.read(ep, "/3/0/0");
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::text);
  EXPECT_EQ(r.text(), "Acme");
  r = server.read(ep, "/3303/0/5700", CF::text);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.text(), "21.5");
}

TEST_F(Dm, ReadsAnInstanceAsTlv) {
  auto r = server.read(ep, "/3303/0", CF::tlv);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::tlv);
  auto tlv = parse_tlv(r.payload);
  ASSERT_TRUE(tlv);
  // The resources of the instance (readable ones only: not the executable 5605).
  std::map<uint16_t, const Tlv*> by_id;
  for (const Tlv& t : *tlv) {
    EXPECT_EQ(t.type, 3);
    by_id[t.id] = &t;
  }
  ASSERT_TRUE(by_id.count(5700));
  EXPECT_DOUBLE_EQ(by_id[5700]->as_float(), 21.5);
  ASSERT_TRUE(by_id.count(5701));
  EXPECT_EQ(by_id[5701]->as_string(), "Cel");
  EXPECT_FALSE(by_id.count(5605));
}

TEST_F(Dm, ReadsAnObjectAsSenmlCbor) {
  rig.locked([&](core::Client&) { rig.sensor.add(4, -3.25); });
  auto r = server.read(ep, "/3303", CF::senml_cbor);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::senml_cbor);
  auto values = senml_cbor_map(r.payload);
  EXPECT_EQ(values["/3303/0/5700"], "21.5") << cbor_diag(r.payload);
  EXPECT_EQ(values["/3303/0/5701"], "\"Cel\"") << cbor_diag(r.payload);
  EXPECT_EQ(values["/3303/4/5700"], "-3.25") << cbor_diag(r.payload);
}

TEST_F(Dm, ReadsAnInstanceAsSenmlJson) {
  auto r = server.read(ep, "/3/0", CF::senml_json);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::senml_json);
  std::string t = r.text();
  EXPECT_EQ(t.front(), '[') << t;
  EXPECT_NE(t.find("\"bn\":\"/3/0/\""), std::string::npos) << t;
  EXPECT_NE(t.find("\"n\":\"0\",\"vs\":\"Acme\""), std::string::npos) << t;
  EXPECT_NE(t.find("\"n\":\"1\",\"vs\":\"Model 7\""), std::string::npos) << t;
}

TEST_F(Dm, ReadsAnInstanceAsLwm2mCbor) {
  auto r = server.read(ep, "/3303/0", CF::lwm2m_cbor);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::lwm2m_cbor);
  std::string d = cbor_diag(r.payload);
  // Nested maps keyed by path segments: {3303: {0: {5700: 21.5, 5701: "Cel"}}} (the
  // outer levels may be merged into an array key, so look for the leaves).
  EXPECT_NE(d.find("5700: 21.5"), std::string::npos) << d;
  EXPECT_NE(d.find("5701: \"Cel\""), std::string::npos) << d;
  EXPECT_NE(d.find("3303"), std::string::npos) << d;
}

TEST_F(Dm, DiscoverListsResourcesWithTheAttributesThisServerWrote) {
  auto a = server.write_attributes(ep, "/3303/0/5700", "pmin=2&pmax=30&gt=40");
  ASSERT_EQ(a.code_string(), "2.04") << a.describe();
  auto r = server.discover(ep, "/3303/0");
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::link_format);
  auto links = ts::parse_links(r.text());
  bool found = false;
  for (auto& l : links) {
    if (l.path != "/3303/0/5700") continue;
    found = true;
    EXPECT_EQ(l.attributes["pmin"], "2") << r.text();
    EXPECT_EQ(l.attributes["pmax"], "30") << r.text();
    EXPECT_EQ(l.attributes["gt"], "40") << r.text();
  }
  EXPECT_TRUE(found) << r.text();
  EXPECT_NE(r.text().find("</3303/0/5701>"), std::string::npos) << r.text();
  EXPECT_NE(r.text().find("</3303/0/5605>"), std::string::npos) << r.text();
}

TEST_F(Dm, DiscoverOnAResourceShowsWhatItInheritsFromInstanceAndObject) {
  ASSERT_EQ(server.write_attributes(ep, "/3303", "pmin=5&pmax=50").code_string(), "2.04");
  ASSERT_EQ(server.write_attributes(ep, "/3303/0", "pmin=3&pmax=40").code_string(), "2.04");
  auto r = server.discover(ep, "/3303/0/5700");
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.text(), "</3303/0/5700>;pmin=3;pmax=40");
}

TEST_F(Dm, AWriteCompositeWhoseSecondValueIsInvalidLeavesTheFirstUnchanged) {
  // The binding "XYZ" is a string, as the resource wants; only the Server object refuses it.
  auto w = server.write_composite(
      ep, ts::to_bytes(R"([{"n":"/1/0/1","v":120},{"n":"/1/0/7","vs":"XYZ"}])"), CF::senml_json);
  EXPECT_EQ(w.code_string(), "4.00") << w.describe();
  EXPECT_EQ(server.read(ep, "/1/0/1").text(), std::to_string(test_server_config().lifetime_s));
  EXPECT_EQ(server.read(ep, "/1/0/7").text(), "U");
}

TEST_F(Dm, WriteAttributesRejectsNonsense) {
  EXPECT_EQ(server.write_attributes(ep, "/3303/0/5700", "pmin=abc").code_string(), "4.00");
  // lt above gt... and step on a string resource are refused too.
  EXPECT_EQ(server.write_attributes(ep, "/3303/0/5700", "gt=10&lt=20").code_string(), "4.00");
  EXPECT_EQ(server.write_attributes(ep, "/3303/9/5700", "pmin=1").code_string(), "4.04");
}

TEST_F(Dm, WriteReplaceAndPartialUpdate) {
  // Replace of the instance: 5750 set.
  auto w = server.write(ep, "/3303/0", ts::tlv::resource(5750, "boiler"), CF::tlv, true);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(server.read(ep, "/3303/0/5750").text(), "boiler");
  // Partial update (POST) of the resource alone, in SenML JSON.
  w = server.write(ep, "/3303/0", ts::to_bytes(R"([{"bn":"/3303/0/","n":"5750","vs":"heater"}])"),
                   CF::senml_json, false);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(server.read(ep, "/3303/0/5750").text(), "heater");
  // A replace without 5750 resets it (the instance's writable resources are replaced).
  w = server.write(ep, "/3303/0", {}, CF::tlv, true);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  auto r = server.read(ep, "/3303/0/5750");
  EXPECT_EQ(r.code_string(), "2.05");
  EXPECT_EQ(r.text(), "");
  // A single resource written in plain text.
  w = server.write(ep, "/3303/0/5750", ts::to_bytes("cooler"), CF::text, true);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(server.read(ep, "/3303/0/5750").text(), "cooler");
}

TEST_F(Dm, ExecutePassesTheArguments) {
  auto r = server.execute(ep, "/3303/0/5605", "0='reset',1");
  ASSERT_EQ(r.code_string(), "2.04") << r.describe();
  r = server.execute(ep, "/3303/0/5605");
  ASSERT_EQ(r.code_string(), "2.04") << r.describe();
  auto exec = rig.locked([&](core::Client&) { return rig.sensor.executions; });
  ASSERT_EQ(exec.size(), 2u);
  EXPECT_EQ(exec[0], "0/5605:0='reset',1");
  EXPECT_EQ(exec[1], "0/5605:");
  // Arguments outside the grammar; Execute on a readable resource.
  EXPECT_EQ(server.execute(ep, "/3303/0/5605", "x=1").code_string(), "4.00");
  EXPECT_EQ(server.execute(ep, "/3303/0/5700").code_string(), "4.05");
  EXPECT_EQ(rig.locked([&](core::Client&) { return rig.sensor.executions.size(); }), 2u);
}

std::vector<std::string> location_of(const ts::Response& r) {
  std::vector<std::string> segs;
  for (const ts::CoapOption& o : r.options)
    if (o.number == 8) segs.emplace_back(o.value.begin(), o.value.end());
  return segs;
}

TEST_F(Dm, CreateWithAndWithoutAnInstanceIdThenDelete) {
  // With an id: the instance element names it.
  auto r =
      server.create(ep, "/3303", ts::tlv::element(0, 5, ts::tlv::resource(5750, "a")), CF::tlv);
  ASSERT_EQ(r.code_string(), "2.01") << r.describe();
  EXPECT_EQ(location_of(r), (std::vector<std::string>{"3303", "5"}));
  EXPECT_EQ(server.read(ep, "/3303/5/5750").text(), "a");
  // Without: the client picks a free id and says which in Location-Path.
  r = server.create(ep, "/3303", ts::tlv::resource(5750, "b"), CF::tlv);
  ASSERT_EQ(r.code_string(), "2.01") << r.describe();
  auto loc = location_of(r);
  ASSERT_EQ(loc.size(), 2u);
  EXPECT_EQ(loc[0], "3303");
  EXPECT_NE(loc[1], "0");
  EXPECT_NE(loc[1], "5");
  EXPECT_EQ(server.read(ep, "/3303/" + loc[1] + "/5750").text(), "b");
  // An id that exists already.
  r = server.create(ep, "/3303", ts::tlv::element(0, 5, ts::tlv::resource(5750, "c")), CF::tlv);
  EXPECT_EQ(r.code_string(), "4.00") << r.describe();
  EXPECT_EQ(server.read(ep, "/3303/5/5750").text(), "a");

  auto d = server.del(ep, "/3303/5");
  EXPECT_EQ(d.code_string(), "2.02") << d.describe();
  EXPECT_EQ(server.read(ep, "/3303/5").code_string(), "4.04");
  EXPECT_EQ(server.del(ep, "/3303/5").code_string(), "4.04");
  // The Device instance cannot be deleted, nor a resource.
  EXPECT_EQ(server.del(ep, "/3/0").code_string(), "4.05");
  EXPECT_EQ(server.del(ep, "/3303/0/5750").code_string(), "4.05");
}

TEST_F(Dm, ReadCompositeAndWriteComposite) {
  auto r = server.read_composite(
      ep, ts::to_bytes(R"([{"n":"/3/0/0"},{"n":"/3303/0/5700"},{"n":"/3303/0/5701"}])"),
      CF::senml_json, CF::senml_cbor);
  ASSERT_EQ(r.code_string(), "2.05") << r.describe();
  EXPECT_EQ(r.content_format, CF::senml_cbor);
  auto values = senml_cbor_map(r.payload);
  EXPECT_EQ(values["/3/0/0"], "\"Acme\"") << cbor_diag(r.payload);
  EXPECT_EQ(values["/3303/0/5700"], "21.5") << cbor_diag(r.payload);
  EXPECT_EQ(values["/3303/0/5701"], "\"Cel\"") << cbor_diag(r.payload);
  EXPECT_EQ(values.size(), 3u) << cbor_diag(r.payload);

  rig.locked([&](core::Client&) { rig.sensor.add(1, 0); });
  auto w = server.write_composite(
      ep, ts::to_bytes(R"([{"n":"/3303/0/5750","vs":"x"},{"n":"/3303/1/5750","vs":"y"}])"),
      CF::senml_json);
  ASSERT_EQ(w.code_string(), "2.04") << w.describe();
  EXPECT_EQ(server.read(ep, "/3303/0/5750").text(), "x");
  EXPECT_EQ(server.read(ep, "/3303/1/5750").text(), "y");
  // A read-only resource among them: nothing is written.
  w = server.write_composite(
      ep, ts::to_bytes(R"([{"n":"/3303/0/5750","vs":"z"},{"n":"/3303/0/5700","v":1}])"),
      CF::senml_json);
  EXPECT_EQ(w.code_string(), "4.05") << w.describe();
  EXPECT_EQ(server.read(ep, "/3303/0/5750").text(), "x");
}

TEST_F(Dm, AnswersErrorsWithTheSpecCodes) {
  EXPECT_EQ(server.read(ep, "/3303/9").code_string(), "4.04");
  EXPECT_EQ(server.read(ep, "/4242").code_string(), "4.04");
  // Write on a read-only resource; Read of an executable one.
  EXPECT_EQ(server.write(ep, "/3303/0/5700", ts::to_bytes("1"), CF::text).code_string(), "4.05");
  EXPECT_EQ(server.read(ep, "/3303/0/5605").code_string(), "4.05");
  // Unsupported Accept; text for more than one value.
  EXPECT_EQ(server.read(ep, "/3303/0", static_cast<CF>(9999)).code_string(), "4.06");
  EXPECT_EQ(server.read(ep, "/3303/0", CF::text).code_string(), "4.06");
  // Unknown Content-Format; malformed payloads.
  EXPECT_EQ(
      server.write(ep, "/3303/0/5750", ts::to_bytes("x"), static_cast<CF>(9999)).code_string(),
      "4.15");
  EXPECT_EQ(server.write(ep, "/3303/0", ts::from_hex("c8"), CF::tlv, false).code_string(), "4.00");
  EXPECT_EQ(
      server.write(ep, "/3303/0", ts::to_bytes("[{\"n\":"), CF::senml_json, false).code_string(),
      "4.00");
  EXPECT_EQ(server.write(ep, "/3303/0", ts::from_hex("9f"), CF::senml_cbor, false).code_string(),
            "4.00");
}

TEST_F(Dm, TheSecurityObjectIsNeverReadable) {
  EXPECT_EQ(server.read(ep, "/0").code_string(), "4.01");
  EXPECT_EQ(server.read(ep, "/0/0").code_string(), "4.01");
  EXPECT_EQ(server.read(ep, "/0/0/0").code_string(), "4.01");
  EXPECT_EQ(server.discover(ep, "/0").code_string(), "4.01");
  EXPECT_EQ(server.observe(ep, "/0/0/0").response().code_string(), "4.01");
  auto r = server.read_composite(ep, ts::to_bytes(R"([{"n":"/0/0/0"}])"), CF::senml_json,
                                 CF::senml_json);
  EXPECT_NE(r.text().find("coap"), 0u);
  EXPECT_EQ(r.text().find("coap://"), std::string::npos) << r.describe() << " " << r.text();
  EXPECT_EQ(server.write(ep, "/0/0/0", ts::to_bytes("coap://evil"), CF::text).code_string(),
            "4.01");
}

}  // namespace
}  // namespace lwm2m::itest
