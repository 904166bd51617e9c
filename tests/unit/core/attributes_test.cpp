// SPDX-License-Identifier: Apache-2.0
#include "core/attributes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lwm2m::core {
namespace {

TimePoint at(int64_t s) {
  return from_millis(s * 1000);
}

Status apply(Attributes& a, std::initializer_list<std::string_view> q) {
  return apply_query(a, std::span<const std::string_view>(q.begin(), q.size()));
}

TEST(Attributes, WriteAttributesQuerySetsAndRemoves) {
  Attributes a;
  ASSERT_TRUE(
      apply(a, {"pmin=10", "pmax=60", "gt=20.5", "lt=-3", "st=1", "epmin=1", "epmax=5"}).ok());
  EXPECT_EQ(a.get(Attributes::pmin), 10u);
  EXPECT_EQ(a.get(Attributes::pmax), 60u);
  EXPECT_EQ(a.get(Attributes::gt), 20.5);
  EXPECT_EQ(a.get(Attributes::lt), -3.0);
  EXPECT_EQ(a.get(Attributes::epmax), 5u);
  ASSERT_TRUE(apply(a, {"pmin", "gt"}).ok());  // a name without value removes it
  EXPECT_FALSE(a.get(Attributes::pmin));
  EXPECT_FALSE(a.get(Attributes::gt));
  EXPECT_EQ(a.get(Attributes::pmax), 60u);
}

TEST(Attributes, BadQueryIsRejectedWholesale) {
  Attributes a;
  ASSERT_TRUE(apply(a, {"pmin=1"}).ok());
  for (auto bad :
       {"pmin=-1", "pmax=abc", "gt=", "st=nan", "foo=1", "dim=3", "edge=2", "pmin=99999999999"}) {
    Attributes b = a;
    EXPECT_EQ(apply(b, {"pmax=9", bad}).error(), Errc::bad_request) << bad;
    EXPECT_EQ(b, a) << "nothing applied for " << bad;
  }
}

TEST(Attributes, ValidationOfChangeConditions) {
  Attributes a;
  a.set(Attributes::gt, 10);
  a.set(Attributes::lt, 5);
  a.set(Attributes::st, 2);  // 5 + 2*2 = 9 < 10
  EXPECT_TRUE(validate(a, true, false).ok());
  a.set(Attributes::st, 3);  // 5 + 6 = 11 >= 10
  EXPECT_EQ(validate(a, true, false).error(), Errc::bad_request);
  a.reset(Attributes::st);
  a.set(Attributes::lt, 10);
  EXPECT_EQ(validate(a, true, false).error(), Errc::bad_request);
  Attributes s;
  s.set(Attributes::gt, 1);
  EXPECT_EQ(validate(s, false, false).error(), Errc::bad_request);  // string resource
  Attributes e;
  e.set(Attributes::edge, true);
  EXPECT_EQ(validate(e, true, false).error(), Errc::bad_request);
  EXPECT_TRUE(validate(e, true, true).ok());
}

TEST(Attributes, ARemovedAttributeComparesAsNeverSetAndIsInheritedAgain) {
  Attributes a, outer;
  a.set(Attributes::pmax, 60);
  a.set(Attributes::con, true);
  a.reset(Attributes::pmax);
  a.reset(Attributes::con);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a, Attributes{});
  outer.set(Attributes::pmax, 30);
  outer.set(Attributes::edge, false);
  outer.set(Attributes::con, true);
  a.set(Attributes::edge, true);
  a.inherit(outer);
  EXPECT_EQ(a.get(Attributes::pmax), 30u);
  EXPECT_EQ(a.get(Attributes::edge), true);  // set here: kept
  EXPECT_EQ(a.get(Attributes::con), true);
  EXPECT_FALSE(a.get(Attributes::gt));
}

TEST(Attributes, InheritanceResourceOverInstanceOverObject) {
  Attributes object, instance, resource;
  object.set(Attributes::pmin, 1);
  object.set(Attributes::pmax, 100);
  instance.set(Attributes::pmax, 50);
  resource.set(Attributes::gt, 3);
  Attributes eff = resource;
  eff.inherit(instance);
  eff.inherit(object);
  EXPECT_EQ(eff.get(Attributes::pmin), 1u);
  EXPECT_EQ(eff.get(Attributes::pmax), 50u);
  EXPECT_EQ(eff.get(Attributes::gt), 3.0);
}

TEST(Attributes, LinkFormatForDiscover) {
  Attributes a;
  a.set(Attributes::pmin, 10);
  a.set(Attributes::gt, 20.5);
  uint8_t buf[64];
  Sink sink(buf);
  write_link_attributes(a, sink);
  EXPECT_EQ(as_string(sink.window()), ";pmin=10;gt=20.5");
}

TEST(NotifyDecision, PminHoldsBackAndPmaxForces) {
  Attributes a;
  a.set(Attributes::pmin, 5);
  a.set(Attributes::pmax, 15);
  NotifyState st;
  st.last_notify = at(100);
  st.changed = true;
  auto d = decide(a, st, dm::Value::integer(1), at(102));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, at(105));
  EXPECT_TRUE(decide(a, st, dm::Value::integer(1), at(105)).send_now);
  st.changed = false;
  d = decide(a, st, dm::Value::integer(1), at(110));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, at(115));
  EXPECT_TRUE(decide(a, st, dm::Value::integer(1), at(115)).send_now);
}

TEST(NotifyDecision, GreaterLessThanAndStep) {
  Attributes a;
  a.set(Attributes::gt, 20);
  a.set(Attributes::lt, 10);
  NotifyState st;
  st.last_notify = at(0);
  st.set_last_value(15);
  st.changed = true;
  EXPECT_FALSE(decide(a, st, dm::Value::floating(19.9), at(1)).send_now);
  EXPECT_TRUE(decide(a, st, dm::Value::floating(20.1), at(1)).send_now);  // crosses gt
  EXPECT_TRUE(decide(a, st, dm::Value::floating(9), at(1)).send_now);     // crosses lt
  Attributes s;
  s.set(Attributes::st, 2);
  EXPECT_FALSE(decide(s, st, dm::Value::integer(16), at(1)).send_now);
  EXPECT_TRUE(decide(s, st, dm::Value::integer(17), at(1)).send_now);
  EXPECT_TRUE(decide(s, st, dm::Value::integer(13), at(1)).send_now);
}

TEST(NotifyDecision, NoAttributesAnyChangeNotifiesAtOnce) {
  NotifyState st;
  st.changed = true;
  EXPECT_TRUE(decide(Attributes{}, st, dm::Value::string("x"), at(0)).send_now);
  st.changed = false;
  auto d = decide(Attributes{}, st, dm::Value::string("x"), at(0));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, kNever);
}

TEST(NotifyDecision, PmaxNotAbovePminIsIgnored) {
  Attributes a;
  a.set(Attributes::pmin, 10);
  a.set(Attributes::pmax, 5);
  NotifyState st;
  EXPECT_FALSE(decide(a, st, dm::Value{}, at(7)).send_now);
}

TEST(NotifyDecision, EpminDefersAChangeToTheEndOfTheEvaluationPeriod) {
  Attributes a;
  a.set(Attributes::epmin, 5);
  NotifyState st;
  st.last_eval = at(100);
  st.last_notify = at(100);
  st.changed = true;
  auto d = decide(a, st, dm::Value::integer(1), at(102));
  EXPECT_FALSE(d.send_now);
  EXPECT_FALSE(d.evaluated);
  EXPECT_EQ(d.next_check, at(105));
  d = decide(a, st, dm::Value::integer(1), at(105));
  EXPECT_TRUE(d.send_now);
  EXPECT_TRUE(d.evaluated);
}

TEST(NotifyDecision, EpmaxSamplesAnUnmarkedChange) {
  Attributes a;
  a.set(Attributes::epmax, 3);
  NotifyState st;
  st.last_notify = at(100);
  st.set_last_value(20.0);
  // Nobody called value_changed, but the value differs at the sampling time.
  auto d = decide(a, st, dm::Value::floating(21.5), at(103));
  EXPECT_TRUE(d.send_now);
  // An unchanged value is only sampled again after epmax.
  st.set_last_value(21.5);
  d = decide(a, st, dm::Value::floating(21.5), at(103));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, at(106));
  // Without epmax the same unmarked difference is not looked at.
  EXPECT_FALSE(decide(Attributes{}, NotifyState{at(100), {}, 20.0, true, false},
                      dm::Value::floating(21.5), at(103))
                   .send_now);
}

}  // namespace
}  // namespace lwm2m::core
