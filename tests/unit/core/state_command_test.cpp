// SPDX-License-Identifier: Apache-2.0
// Client::poll_state: the core says when the configuration must be saved (a committed
// Bootstrap-Finish, a server's committed change to Security, Server or Access Control) and
// when it must be discarded (Factory Reset, Bootstrap-Request Trigger); nothing else asks.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using namespace ops;
namespace codes = coap::codes;
using core::StateCommand;

struct StateCommands : ClientTest {
  std::optional<StateCommand> poll() { return rig.client->poll_state(); }
};

TEST_F(StateCommands, AServersCommittedWriteToServerIsSaved) {
  start_and_register();
  EXPECT_EQ(poll(), std::nullopt);  // registering changes nothing to save
  EXPECT_EQ(call(codes::get, "/1/0/1").code, codes::content);
  EXPECT_EQ(poll(), std::nullopt);
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "77").code, codes::changed);
  EXPECT_EQ(poll(), StateCommand::save);
  EXPECT_EQ(poll(), std::nullopt);  // once
  EXPECT_EQ(call(codes::put, "/1/0/6", {}, kText, "0").code,
            codes::changed);  // no effect of its own
  EXPECT_EQ(poll(), StateCommand::save);
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, kText, "-5").code, codes::bad_request);
  EXPECT_EQ(poll(), std::nullopt);  // rolled back: nothing changed
  (void)call(codes::put, "/3/0/14", {}, kText, "+01:00");
  EXPECT_EQ(poll(), std::nullopt);  // not configuration
}

TEST_F(StateCommands, FactoryResetAndBootstrapTriggerDiscard) {
  start_and_register();
  EXPECT_EQ(call(codes::post, "/3/0/5").code, codes::changed);
  EXPECT_EQ(poll(), StateCommand::discard);
  EXPECT_EQ(poll(), std::nullopt);
  // Without a bootstrap account nothing would replace the configuration: it is kept.
  EXPECT_EQ(call(codes::post, "/1/0/9").code, codes::changed);
  EXPECT_EQ(poll(), std::nullopt);
}

struct BootstrapState : ClientTest {
  BootstrapState() : ClientTest(/*with_server=*/false) {
    objects::SecurityConfig bs;
    bs.uri = "coap://127.0.0.1:5783";
    bs.bootstrap = true;
    EXPECT_TRUE(rig.security.add(bs, 0).ok());
  }
  std::optional<StateCommand> poll() { return rig.client->poll_state(); }
  Reply bs_call(coap::Code code, std::string_view path, std::optional<uint16_t> cf = {},
                std::string payload = {}) {
    auto id = bootstrap.request(code, path, net.now(), {}, cf, std::move(payload));
    EXPECT_TRUE(net.run_until([&] { return !bootstrap.replies_for(id).empty(); }, net.now() + 30s));
    auto& r = bootstrap.replies_for(id);
    return r.empty() ? Reply{} : r.front();
  }
};

TEST_F(BootstrapState, BootstrapWritesAreSavedOnlyAtFinishAndTheTriggerDiscards) {
  ASSERT_TRUE(rig.client->start(net.now()).ok());
  ASSERT_TRUE(net.run_until([&] { return bootstrap.bootstrap_requests == 1; }, net.now() + 5s));
  EXPECT_EQ(bs_call(codes::del, "/").code, codes::deleted);
  EXPECT_EQ(bs_call(codes::put, "/0/1", kSenmlJson,
                    R"([{"bn":"/0/1/","n":"0","vs":"coap://127.0.0.1:5683"},{"n":"1","vb":false},)"
                    R"({"n":"2","v":3},{"n":"10","v":101}])")
                .code,
            codes::changed);
  EXPECT_EQ(poll(), std::nullopt);  // half a configuration is never saved
  EXPECT_EQ(bs_call(codes::put, "/1/0", kSenmlJson,
                    R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":60},{"n":"7","vs":"U"}])")
                .code,
            codes::changed);
  EXPECT_EQ(poll(), std::nullopt);
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::changed);
  EXPECT_EQ(poll(), StateCommand::save);
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  EXPECT_EQ(poll(), std::nullopt);
  // Bootstrap-Request Trigger: what was saved goes, until the next Bootstrap-Finish.
  EXPECT_EQ(call(codes::post, "/1/0/9").code, codes::changed);
  EXPECT_EQ(poll(), StateCommand::discard);
  ASSERT_TRUE(net.run_until([&] { return bootstrap.bootstrap_requests == 2; }, net.now() + 30s));
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::changed);
  EXPECT_EQ(poll(), StateCommand::save);
}

}  // namespace
}  // namespace lwm2m::test
