// SPDX-License-Identifier: Apache-2.0
// Requests that change the data model run as one transaction over every object they
// touch: all of it or nothing, as the server sees it (4.00 and a following Read shows the
// old value). The core acts on what changed only after the commit.
#include "core/transaction.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/client_fixture.hpp"

namespace lwm2m::test {
namespace {

using namespace std::chrono_literals;
namespace codes = coap::codes;
constexpr uint16_t kSenmlJson = 110;

TEST_F(ClientTest, AWriteCompositeWhoseSecondValueIsInvalidLeavesTheFirstUnchanged) {
  start_and_register();  // lifetime 300
  // The binding "XYZ" is a valid string: only the Server object refuses it, on write.
  Reply r = call(codes::ipatch, "/", {}, kSenmlJson,
                 R"([{"n":"/1/0/1","v":120},{"n":"/1/0/7","vs":"XYZ"}])");
  EXPECT_EQ(r.code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "300");
  EXPECT_EQ(call(codes::get, "/1/0/7").payload, "U");
  net.run_for(5s);
  EXPECT_TRUE(server.updates.empty());  // nothing changed, nothing to tell
  // Both valid: both written, and the Update carries the new lifetime.
  r = call(codes::ipatch, "/", {}, kSenmlJson,
           R"([{"n":"/1/0/1","v":120},{"n":"/1/0/7","vs":"UQ"}])");
  EXPECT_EQ(r.code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "120");
  ASSERT_TRUE(net.run_until([&] { return !server.updates.empty(); }, net.now() + 5s));
  // "UQ" is "U" with queue mode, which a 1.1 Update does not carry: only the lifetime changed.
  EXPECT_EQ(server.updates[0], (std::vector<std::string>{"lt=120"}));
}

TEST_F(ClientTest, APartialUpdateWithAnInvalidValueChangesNothing) {
  start_and_register();
  Reply r = call(codes::post, "/1/0", {}, kSenmlJson,
                 R"([{"bn":"/1/0/","n":"1","v":120},{"n":"7","vs":"X"}])");
  EXPECT_EQ(r.code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "300");
  net.run_for(5s);
  EXPECT_TRUE(server.updates.empty());
}

TEST_F(ClientTest, ACreateWithAnInvalidValueLeavesNoInstanceBehind) {
  start_and_register();
  Reply r = call(codes::post, "/1", {}, kSenmlJson,
                 R"([{"bn":"/1/1/","n":"0","v":102},{"n":"1","v":60},{"n":"6","vb":true},)"
                 R"({"n":"7","vs":"X"}])");
  EXPECT_EQ(r.code, codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/1").code, codes::not_found);
  net.run_for(5s);
  EXPECT_TRUE(server.updates.empty());  // the object list did not change
}

TEST_F(ClientTest, ServerExecutablesActAfterTheAnswer) {
  start_and_register();
  EXPECT_EQ(call(codes::post, "/1/0/8").code, codes::changed);
  ASSERT_TRUE(net.run_until([&] { return server.updates.size() == 1; }, net.now() + 5s));
  EXPECT_EQ(call(codes::post, "/1/0/4").code, codes::changed);  // Disable
  ASSERT_TRUE(net.run_until([&] { return server.deregisters == 1; }, net.now() + 5s));
  EXPECT_FALSE(rig.client->registered(101));
}

// ---- the transaction itself, on objects that record what they were asked ----

/// One instance (id 0) with resources 0 and 1: integers; writing a negative value fails,
/// and validation refuses resource 0 greater than resource 1.
struct Recorder final : dm::Object {
  static constexpr dm::ResourceDef kRes[] = {
      {0, dm::DataType::integer, dm::Operations::read_write},
      {1, dm::DataType::integer, dm::Operations::read_write}};
  static constexpr dm::ObjectDef kDef10{10, "1.0", false, false, kRes};
  static constexpr dm::ObjectDef kDef11{11, "1.0", false, false, kRes};
  explicit Recorder(const dm::ObjectDef& d) : Object(d) {}

  int64_t value[2] = {0, 0};
  int64_t saved[2] = {0, 0};
  std::vector<std::string> log;

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  Status write(dm::InstanceId, dm::ResourceId rid, dm::ResourceInstanceId,
               const dm::Value& v) noexcept override {
    if (v.as_integer() < 0) return Errc::bad_request;
    value[rid] = v.as_integer();
    return {};
  }
  Status transaction_begin() noexcept override {
    log.push_back("begin");
    saved[0] = value[0];
    saved[1] = value[1];
    return {};
  }
  Status transaction_validate() noexcept override {
    log.push_back("validate");
    return value[0] > value[1] ? Status(Errc::bad_request) : Status{};
  }
  void transaction_commit() noexcept override { log.push_back("commit"); }
  void transaction_rollback() noexcept override {
    log.push_back("rollback");
    value[0] = saved[0];
    value[1] = saved[1];
  }
};

struct TransactionTest : ::testing::Test {
  TransactionTest() {
    EXPECT_TRUE(registry.add(a).ok());
    EXPECT_TRUE(registry.add(b).ok());
  }
  Recorder a{Recorder::kDef10}, b{Recorder::kDef11};
  dm::Object* slots[4] = {};
  dm::Registry registry{slots};
};

TEST_F(TransactionTest, CommitsEveryTouchedObjectOnceAfterValidatingThemAll) {
  core::Transaction tx(registry);
  EXPECT_TRUE(tx.write(dm::Path(10, 0, 1), dm::Value::integer(5)).ok());
  EXPECT_TRUE(tx.write(dm::Path(10, 0, 0), dm::Value::integer(3)).ok());
  EXPECT_TRUE(tx.write(dm::Path(11, 0, 1), dm::Value::integer(7)).ok());
  EXPECT_TRUE(tx.finish({}).ok());
  EXPECT_EQ(a.log, (std::vector<std::string>{"begin", "validate", "commit"}));
  EXPECT_EQ(b.log, (std::vector<std::string>{"begin", "validate", "commit"}));
  EXPECT_EQ(a.value[0], 3);
  EXPECT_EQ(b.value[1], 7);
}

TEST_F(TransactionTest, AFailedChangeRollsBackEveryObject) {
  core::Transaction tx(registry);
  EXPECT_TRUE(tx.write(dm::Path(10, 0, 1), dm::Value::integer(5)).ok());
  Status st = tx.write(dm::Path(11, 0, 1), dm::Value::integer(-1));
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(tx.finish(st).error(), Errc::bad_request);
  EXPECT_EQ(a.value[1], 0);
  EXPECT_EQ(a.log.back(), "rollback");
  EXPECT_EQ(b.log.back(), "rollback");
}

TEST_F(TransactionTest, AFailedValidationRollsBackEveryObjectAndForgetsTheChanges) {
  core::Transaction tx(registry);
  EXPECT_TRUE(tx.write(dm::Path(11, 0, 1), dm::Value::integer(5)).ok());
  EXPECT_TRUE(tx.write(dm::Path(10, 0, 0), dm::Value::integer(9)).ok());  // 9 > 0: invalid
  EXPECT_EQ(tx.finish({}).error(), Errc::bad_request);
  EXPECT_EQ(b.value[1], 0);
  EXPECT_EQ(b.log, (std::vector<std::string>{"begin", "validate", "rollback"}));
  EXPECT_TRUE(tx.changes().items().empty());
}

TEST_F(TransactionTest, AnUnfinishedTransactionRollsBack) {
  {
    core::Transaction tx(registry);
    EXPECT_TRUE(tx.write(dm::Path(10, 0, 0), dm::Value::integer(1)).ok());
  }
  EXPECT_EQ(a.log, (std::vector<std::string>{"begin", "rollback"}));
  EXPECT_EQ(a.value[0], 0);
}

// ---- the effects table ----

std::vector<core::Action> effects_of(core::Change::Kind kind, const dm::Path& p) {
  std::vector<core::Action> out;
  core::for_each_effect(core::Change{kind, p}, [&](core::Action a) { out.push_back(a); });
  return out;
}

TEST(Effects, TheTableMapsPathsToCoreActions) {
  using K = core::Change::Kind;
  using A = core::Action;
  EXPECT_EQ(effects_of(K::written, {1, 4, 1}), std::vector<A>{A::registration_changed});
  EXPECT_EQ(effects_of(K::written, {1, 0, 7}), std::vector<A>{A::registration_changed});
  EXPECT_EQ(effects_of(K::written, {1, 0, 2}), std::vector<A>{A::default_periods});
  EXPECT_EQ(effects_of(K::written, {1, 0, 3}), std::vector<A>{A::default_periods});
  EXPECT_EQ(effects_of(K::executed, {1, 0, 4}), std::vector<A>{A::disable});
  EXPECT_EQ(effects_of(K::executed, {1, 0, 8}), std::vector<A>{A::update_trigger});
  EXPECT_EQ(effects_of(K::executed, {1, 0, 9}), std::vector<A>{A::bootstrap_trigger});
  EXPECT_EQ(effects_of(K::executed, {3, 0, 4}), std::vector<A>{A::reboot});
  EXPECT_EQ(effects_of(K::executed, {3, 0, 5}), std::vector<A>{A::factory_reset});
  EXPECT_EQ(effects_of(K::created, {0, 2}),
            (std::vector<A>{A::accounts_changed, A::objects_changed}));
  EXPECT_EQ(effects_of(K::deleted, {1, 2}),
            (std::vector<A>{A::accounts_changed, A::objects_changed}));
  EXPECT_EQ(effects_of(K::created, {3303, 1}), std::vector<A>{A::objects_changed});
  // Writes elsewhere (and to other Server resources) leave the core alone.
  EXPECT_TRUE(effects_of(K::written, {1, 0, 5}).empty());
  EXPECT_TRUE(effects_of(K::written, {3, 0, 13}).empty());
  EXPECT_TRUE(effects_of(K::executed, {3303, 0, 5605}).empty());
}

TEST(Effects, AChangeListKeepsOnlyWhatHasAnEffectOnceAndSaysWhenItOverflowed) {
  core::ChangeList list;
  list.add(core::Change(core::Change::Kind::written, {1, 0, 1}));
  list.add(core::Change(core::Change::Kind::written, {1, 0, 1}));
  list.add(core::Change(core::Change::Kind::written, {1, 0, 5}));
  ASSERT_EQ(list.items().size(), 1u);
  for (uint16_t i = 0; i < core::ChangeList::kMax + 1; ++i)
    list.add(core::Change(core::Change::Kind::created, {3303, i}));
  EXPECT_EQ(list.items().size(), core::ChangeList::kMax);
  EXPECT_TRUE(list.overflowed());
}

}  // namespace
}  // namespace lwm2m::test
