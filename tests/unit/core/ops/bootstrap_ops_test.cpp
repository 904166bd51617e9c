// SPDX-License-Identifier: Apache-2.0
// The Bootstrap interface's operations as the bootstrap server sees them.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
using namespace ops;
namespace codes = coap::codes;

struct BootstrapOps : ClientTest {
  BootstrapOps() : ClientTest(/*with_server=*/false) {
    objects::SecurityConfig bs;
    bs.uri = "coap://127.0.0.1:5783";
    bs.bootstrap = true;
    EXPECT_TRUE(rig.security.add(bs, 0).ok());
  }
  Reply bs_call(coap::Code code, std::string_view path, std::optional<uint16_t> cf = {},
                std::string payload = {}, std::optional<uint16_t> accept = {}) {
    auto id = bootstrap.request(code, path, net.now(), accept, cf, std::move(payload));
    EXPECT_TRUE(net.run_until([&] { return !bootstrap.replies_for(id).empty(); }, net.now() + 30s));
    auto& r = bootstrap.replies_for(id);
    return r.empty() ? Reply{} : r.front();
  }
  void until_requested() {
    ASSERT_TRUE(rig.client->start(net.now()).ok());
    ASSERT_TRUE(net.run_until([&] { return bootstrap.bootstrap_requests == 1; }, net.now() + 5s));
  }
};

TEST_F(BootstrapOps, FinishIsRefusedUntilAServerIsUsable) {
  until_requested();
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::not_acceptable);
  EXPECT_EQ(bs_call(codes::put, "/0/1", kSenmlJson,
                    R"([{"bn":"/0/1/","n":"0","vs":"coap://127.0.0.1:5683"},{"n":"1","vb":false},)"
                    R"({"n":"2","v":3},{"n":"10","v":101}])")
                .code,
            codes::changed);
  EXPECT_EQ(bs_call(codes::put, "/1/0", kSenmlJson,
                    R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":60},{"n":"7","vs":"U"}])")
                .code,
            codes::changed);
  Reply d = bs_call(codes::get, "/", {}, {}, kLink);
  EXPECT_EQ(d.code, codes::content);
  EXPECT_NE(d.payload.find(R"(</0/1>;ssid=101;uri="coap://127.0.0.1:5683")"), std::string::npos)
      << d.payload;
  EXPECT_EQ(bs_call(codes::get, "/1/0/1").payload, "60");             // Bootstrap-Read
  EXPECT_EQ(bs_call(codes::get, "/3/0/0").code, codes::bad_request);  // only /1 and /2
  EXPECT_EQ(bs_call(codes::post, "/bs").code, codes::changed);
  ASSERT_TRUE(net.run_until([&] { return rig.client->registered(101); }, net.now() + 30s));
  EXPECT_EQ(server.registers.at(0).lifetime, "60");
}

TEST_F(BootstrapOps, DeleteKeepsTheBootstrapAccount) {
  until_requested();
  ASSERT_EQ(bs_call(codes::put, "/1/0", kSenmlJson,
                    R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":60},{"n":"7","vs":"U"}])")
                .code,
            codes::changed);
  EXPECT_EQ(bs_call(codes::del, "/").code, codes::deleted);
  EXPECT_EQ(rig.security.instance_count(), 1u);  // the bootstrap server's own
  EXPECT_EQ(rig.server.instance_count(), 0u);
  EXPECT_EQ(bs_call(codes::del, "/1/0/1").code, codes::bad_request);
  EXPECT_EQ(bs_call(codes::post, "/1").code, codes::method_not_allowed);
}

// A Bootstrap-Write's records are checked as a management server's Write's are, less the
// write permission: a resource instance of a single resource is no resource (4.04), a
// value for an executable resource is 4.00; nothing is written.
TEST_F(BootstrapOps, WriteRefusesWhatNoResourceTakes) {
  until_requested();
  EXPECT_EQ(bs_call(codes::put, "/1/0", kSenmlJson,
                    R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1/0","v":60}])")
                .code,
            codes::not_found);
  EXPECT_EQ(
      bs_call(codes::put, "/1/0", kSenmlJson, R"([{"bn":"/1/0/","n":"0","v":101},{"n":"8","v":1}])")
          .code,
      codes::bad_request);
  EXPECT_EQ(rig.server.instance_count(), 0u);
  // Read-only resources are the bootstrap server's to write (Short Server ID).
  EXPECT_EQ(bs_call(codes::put, "/1/0", kSenmlJson,
                    R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":60},{"n":"7","vs":"U"}])")
                .code,
            codes::changed);
  EXPECT_EQ(rig.server.instance_count(), 1u);
}

}  // namespace
}  // namespace lwm2m::test
