// SPDX-License-Identifier: Apache-2.0
// ops::read_composite, ops::write_composite, ops::observe and ops::observe_composite.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, ReadCompositeListsTheNamedValuesAndRefusesHiddenOnes) {
  start_and_register();
  Reply r = call(codes::fetch, "/", kSenmlJson, kSenmlJson, R"([{"n":"/1/0/1"},{"n":"/3/0/0"}])");
  EXPECT_EQ(r.code, codes::content);
  EXPECT_NE(r.payload.find(R"("v":300)"), std::string::npos) << r.payload;
  EXPECT_NE(r.payload.find(R"("vs":"Acme")"), std::string::npos) << r.payload;
  EXPECT_EQ(call(codes::fetch, "/", kSenmlJson, kSenmlJson, R"([{"n":"/0/1/0"}])").code,
            codes::unauthorized);
  EXPECT_EQ(call(codes::fetch, "/", kSenmlJson).code, codes::bad_request);  // no payload
}

TEST_F(ClientTest, ObserveAnswersNowAndNotifiesTheNextChange) {
  start_and_register();
  rig.device.set_battery_level(50);
  auto id = server.request(codes::get, "/3/0/9", net.now(), {}, {}, {}, {}, /*observe=*/true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  EXPECT_EQ(server.replies_for(id)[0].payload, "50");
  EXPECT_TRUE(server.replies_for(id)[0].observe.has_value());
  rig.device.set_battery_level(40);
  ASSERT_TRUE(net.run_until([&] { return server.replies_for(id).size() == 2; }, net.now() + 5s));
  EXPECT_EQ(server.replies_for(id)[1].payload, "40");
}

TEST_F(ClientTest, ObserveCompositeNotifiesTheValuesTogether) {
  start_and_register();
  rig.device.set_battery_level(50);
  auto id = server.request(codes::fetch, "/", net.now(), kSenmlJson, kSenmlJson,
                           R"([{"n":"/3/0/9"},{"n":"/1/0/1"}])", {}, /*observe=*/true);
  ASSERT_TRUE(net.run_until([&] { return !server.replies_for(id).empty(); }, net.now() + 5s));
  EXPECT_TRUE(server.replies_for(id)[0].observe.has_value());
  rig.device.set_battery_level(45);
  ASSERT_TRUE(net.run_until([&] { return server.replies_for(id).size() == 2; }, net.now() + 5s));
  const std::string& note = server.replies_for(id)[1].payload;
  EXPECT_NE(note.find(R"("v":45)"), std::string::npos) << note;
  EXPECT_NE(note.find(R"("v":300)"), std::string::npos) << note;
}

}  // namespace
}  // namespace lwm2m::test
