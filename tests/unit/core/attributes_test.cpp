// SPDX-License-Identifier: Apache-2.0
#include "core/attributes.hpp"

#include <gtest/gtest.h>

#include <cmath>
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
  EXPECT_TRUE(validate(a, dm::DataType::floating).ok());
  a.set(Attributes::st, 3);  // 5 + 6 = 11 >= 10
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
  a.reset(Attributes::st);
  a.set(Attributes::lt, 10);
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
  Attributes s;
  s.set(Attributes::gt, 1);
  EXPECT_EQ(validate(s, dm::DataType::string).error(), Errc::bad_request);  // string resource
  Attributes e;
  e.set(Attributes::edge, true);
  EXPECT_EQ(validate(e, dm::DataType::integer).error(), Errc::bad_request);
  EXPECT_EQ(validate(e, dm::DataType::none).error(), Errc::bad_request);  // not a resource
  EXPECT_TRUE(validate(e, dm::DataType::boolean).ok());
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

TEST(Attributes, OnlyTheExactNamesAndFlagValuesAreTaken) {
  Attributes a;
  ASSERT_TRUE(apply(a, {"hqmax=3", "edge=1", "con=0", "epmin=2"}).ok());
  EXPECT_EQ(a.get(Attributes::hqmax), 3u);
  EXPECT_EQ(a.get(Attributes::edge), true);
  EXPECT_EQ(a.get(Attributes::con), false);
  EXPECT_EQ(a.get(Attributes::epmin), 2u);
  ASSERT_TRUE(apply(a, {"con", "edge"}).ok());
  EXPECT_FALSE(a.get(Attributes::con));
  EXPECT_FALSE(a.get(Attributes::edge));
  EXPECT_EQ(a, [] {
    Attributes b;
    b.set(Attributes::hqmax, 3);
    b.set(Attributes::epmin, 2);
    return b;
  }());
  const std::string_view with_nul("pmin\0=1", 7);
  for (std::string_view bad :
       {std::string_view{"pmi=1"}, std::string_view{"pminx=1"}, std::string_view{"Pmin=1"},
        std::string_view{"=1"}, with_nul, std::string_view{"edge=01"}, std::string_view{"con=true"},
        std::string_view{"con="}, std::string_view{"pmax=4294967296"}, std::string_view{"gt=1e400"},
        std::string_view{"lt=inf"}}) {
    Attributes b;
    EXPECT_EQ(apply_query(b, std::span<const std::string_view>(&bad, 1)).error(), Errc::bad_request)
        << bad;
  }
  Attributes c;
  EXPECT_TRUE(apply(c, {"pmax=4294967295", "st=-0"}).ok());
  EXPECT_EQ(c.get(Attributes::pmax), 4294967295u);
}

TEST(Attributes, ValidationAtItsEdges) {
  Attributes a;
  a.set(Attributes::gt, 9);
  a.set(Attributes::lt, 5);
  a.set(Attributes::st, 2);  // 5 + 2*2 = 9: not below gt
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
  a.set(Attributes::st, 1.9999999);
  EXPECT_TRUE(validate(a, dm::DataType::floating).ok());
  a.set(Attributes::st, -0.0);  // a zero step
  EXPECT_TRUE(validate(a, dm::DataType::floating).ok());
  a.set(Attributes::st, -1e-300);
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
  Attributes n;
  n.set(Attributes::gt, -2);
  n.set(Attributes::lt, -3);
  EXPECT_TRUE(validate(n, dm::DataType::integer).ok());
  n.set(Attributes::lt, -2);
  EXPECT_EQ(validate(n, dm::DataType::integer).error(), Errc::bad_request);
  n.set(Attributes::lt, -1);
  EXPECT_EQ(validate(n, dm::DataType::integer).error(), Errc::bad_request);
}

// lt + 2*st < gt with the sum rounded as the FPU's: a sum that overflows is never below gt.
TEST(Attributes, ValidationSumsLtAndTwoStepsRounded) {
  Attributes a;
  a.set(Attributes::gt, 1e308);
  a.set(Attributes::lt, -1e308);
  a.set(Attributes::st, 0.9e308);  // 2*st overflows: lt + infinity is not below gt
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
  a.set(Attributes::st, 0.8e308);  // -1e308 + 1.6e308 = 6e307 < 1e308
  EXPECT_TRUE(validate(a, dm::DataType::floating).ok());
  a.set(Attributes::gt, 1e17 + 16);
  a.set(Attributes::lt, 1e17);
  a.set(Attributes::st, 4);  // 1e17 + 8 rounds to 1e17 (a tie to even): below gt
  EXPECT_TRUE(validate(a, dm::DataType::floating).ok());
  a.set(Attributes::st, 6);  // 1e17 + 12 rounds to 1e17 + 16: not below gt
  EXPECT_EQ(validate(a, dm::DataType::floating).error(), Errc::bad_request);
}

TEST(Attributes, LinkFormatListsEveryAttributeInDiscoversOrder) {
  Attributes a;
  ASSERT_TRUE(apply(a, {"hqmax=6", "con=0", "edge=1", "epmax=5", "epmin=4", "st=0.5", "lt=-1",
                        "gt=3.5", "pmax=2", "pmin=1"})
                  .ok());
  uint8_t buf[128];
  Sink sink(buf);
  write_link_attributes(a, sink);
  EXPECT_EQ(as_string(sink.window()),
            ";pmin=1;pmax=2;gt=3.5;lt=-1;st=0.5;epmin=4;epmax=5;edge=1;con=0;hqmax=6");
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

// The change conditions at their edges, with negative values, signed zeros, infinities and
// NaN (a float resource may read as any of them).
TEST(NotifyDecision, ThresholdsAreCrossedExactlyAtTheirValues) {
  auto crosses = [](Attributes::Real which, double threshold, double last, double now) {
    Attributes a;
    a.set(which, threshold);
    NotifyState st;
    st.set_last_value(last);
    st.changed = true;
    return decide(a, st, dm::Value::floating(now), at(1)).send_now;
  };
  // gt: from at most gt to above it, or back.
  EXPECT_FALSE(crosses(Attributes::gt, 20, 19, 20));
  EXPECT_TRUE(crosses(Attributes::gt, 20, 20, 20.000000000000004));
  EXPECT_TRUE(crosses(Attributes::gt, 20, 21, 20));
  EXPECT_TRUE(crosses(Attributes::gt, -5, -6, -4));
  EXPECT_FALSE(crosses(Attributes::gt, -5, -5, -5.5));
  EXPECT_FALSE(crosses(Attributes::gt, 0, -0.0, 0.0));
  EXPECT_TRUE(crosses(Attributes::gt, 0, -0.0, 5e-324));
  EXPECT_TRUE(crosses(Attributes::gt, 1e300, -INFINITY, INFINITY));
  // lt: from below lt to at least it, or back.
  EXPECT_FALSE(crosses(Attributes::lt, 10, 11, 10));
  EXPECT_TRUE(crosses(Attributes::lt, 10, 10, 9.999999999999998));
  EXPECT_TRUE(crosses(Attributes::lt, 10, 9, 10));
  EXPECT_TRUE(crosses(Attributes::lt, -3, -2, -4));
  EXPECT_FALSE(crosses(Attributes::lt, 0, 0.0, -0.0));
  EXPECT_TRUE(crosses(Attributes::lt, 0, 0.0, -5e-324));
  // A NaN crosses nothing.
  EXPECT_FALSE(crosses(Attributes::gt, 20, 15, NAN));
  EXPECT_FALSE(crosses(Attributes::lt, 20, NAN, 15));
  // st: a change of at least st; infinity minus infinity is no step.
  EXPECT_TRUE(crosses(Attributes::st, 0.5, -0.25, 0.25));
  EXPECT_FALSE(crosses(Attributes::st, 0.5, -0.25, 0.2499999999999999));
  EXPECT_TRUE(crosses(Attributes::st, 1, 5, INFINITY));
  EXPECT_TRUE(crosses(Attributes::st, 1, -INFINITY, 5));
  EXPECT_FALSE(crosses(Attributes::st, 1, INFINITY, INFINITY));
  EXPECT_FALSE(crosses(Attributes::st, 1, NAN, 5));
  EXPECT_TRUE(crosses(Attributes::st, 0, 0.0, -0.0));  // st=0: any evaluated change
}

// st compares the difference rounded to a double, as the FPU's subtraction gives it (the
// library subtracts from the bits on a Cortex-M4): at large magnitudes, across signs, with
// integers that are no doubles, and where the difference overflows.
TEST(NotifyDecision, StepIsTheRoundedDifference) {
  auto steps = [](double step, const dm::Value& last, const dm::Value& now) {
    Attributes a;
    a.set(Attributes::st, step);
    NotifyState st;
    st.reported(last, at(0));
    st.changed = true;
    return decide(a, st, now, at(1)).send_now;
  };
  using V = dm::Value;
  // 1e17 - 1 rounds to 1e17 (doubles are 16 apart there): a step of 1e17 is met.
  EXPECT_TRUE(steps(1e17, V::floating(1e17), V::floating(1)));
  EXPECT_FALSE(steps(1e17, V::floating(1e17), V::floating(16)));  // 1e17 - 16 is a double
  EXPECT_TRUE(steps(2e17, V::floating(-1e17), V::floating(1e17)));
  EXPECT_FALSE(steps(2.0000000000000003e17, V::floating(-1e17), V::floating(1e17)));
  EXPECT_TRUE(steps(3, V::floating(-1.5), V::floating(1.5)));
  EXPECT_FALSE(steps(3, V::floating(-1.5), V::floating(1.4999999999999996)));
  // The largest values apart overflow to infinity: any finite step is met.
  EXPECT_TRUE(steps(1.7e308, V::floating(-1.7e308), V::floating(1.7e308)));
  EXPECT_TRUE(steps(1e300, V::floating(INFINITY), V::floating(-INFINITY)));
  EXPECT_FALSE(steps(0, V::floating(-INFINITY), V::floating(-INFINITY)));
  // Subnormal differences: one step of the smallest double, not two.
  EXPECT_TRUE(steps(5e-324, V::floating(0), V::floating(-5e-324)));
  EXPECT_FALSE(steps(1e-323, V::floating(5e-324), V::floating(0)));
  // Integers as their nearest doubles: 2^53 + 1 reads as 2^53 (ties to even).
  EXPECT_FALSE(steps(1, V::integer(int64_t{1} << 53), V::integer((int64_t{1} << 53) + 1)));
  EXPECT_TRUE(steps(2, V::integer(int64_t{1} << 53), V::integer((int64_t{1} << 53) + 3)));
  EXPECT_TRUE(steps(2.7670116110564327e19, V::integer(INT64_MIN), V::unsigned_integer(UINT64_MAX)));
  EXPECT_FALSE(steps(2.767011611056433e19, V::integer(INT64_MIN), V::unsigned_integer(UINT64_MAX)));
  EXPECT_TRUE(steps(10, V::integer(-7), V::time(3)));
  EXPECT_FALSE(steps(10, V::integer(-7), V::boolean(true)));
}

TEST(NotifyDecision, EdgeFollowsTheValueBeingZeroOrNot) {
  auto fires = [](bool rising, double last, double now) {
    Attributes a;
    a.set(Attributes::edge, rising);
    NotifyState st;
    st.set_last_value(last);
    st.changed = true;
    return decide(a, st, dm::Value::floating(now), at(1)).send_now;
  };
  EXPECT_TRUE(fires(true, -0.0, 1));
  EXPECT_FALSE(fires(false, -0.0, 1));
  EXPECT_TRUE(fires(false, 1, -0.0));
  EXPECT_FALSE(fires(true, 0.0, -0.0));
  EXPECT_FALSE(fires(true, 2, 1));
  EXPECT_FALSE(fires(true, NAN, 1));
}

TEST(NotifyDecision, EpmaxTakesANaNForAChange) {
  Attributes a;
  a.set(Attributes::epmax, 3);
  NotifyState st;
  st.last_notify = at(100);
  st.set_last_value(NAN);
  EXPECT_TRUE(decide(a, st, dm::Value::floating(NAN), at(103)).send_now);  // NaN != NaN
  EXPECT_TRUE(decide(a, st, dm::Value::floating(1), at(103)).send_now);
  st.set_last_value(-0.0);
  EXPECT_FALSE(decide(a, st, dm::Value::floating(0.0), at(103)).send_now);  // -0 == +0
  st.set_last_value(7);
  EXPECT_FALSE(decide(a, st, dm::Value::integer(7), at(103)).send_now);
}

TEST(NotifyDecision, TheEarliestOfTheDueTimesIsTheNextCheck) {
  Attributes a;
  a.set(Attributes::pmin, 10);
  a.set(Attributes::pmax, 30);
  a.set(Attributes::epmax, 5);
  NotifyState st;
  st.last_notify = at(100);
  st.last_eval = at(100);
  st.changed = true;
  auto d = decide(a, st, dm::Value::integer(1), at(103));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, at(108));  // the epmax sample before pmin's end
  d = decide(a, st, dm::Value::integer(1), at(107));
  EXPECT_EQ(d.next_check, at(110));  // pmin's end before the next sample
  d = decide(a, st, dm::Value::integer(1), at(110));
  EXPECT_TRUE(d.send_now);
  EXPECT_EQ(d.next_check, kNever);
  // epmin holds the change back; pmax still forces a notification at its time.
  Attributes e;
  e.set(Attributes::epmin, 10);
  e.set(Attributes::pmax, 5);
  d = decide(e, st, dm::Value::integer(1), at(102));
  EXPECT_FALSE(d.send_now);
  EXPECT_FALSE(d.evaluated);
  EXPECT_EQ(d.next_check, at(105));
  d = decide(e, st, dm::Value::integer(1), at(105));
  EXPECT_TRUE(d.send_now);
  EXPECT_FALSE(d.evaluated);
  // Long periods: pmax of 2^32 - 1 seconds.
  Attributes l;
  l.set(Attributes::pmax, UINT32_MAX);
  st.changed = false;
  d = decide(l, st, dm::Value{}, at(100));
  EXPECT_FALSE(d.send_now);
  EXPECT_EQ(d.next_check, at(100 + int64_t{UINT32_MAX}));
}

}  // namespace
}  // namespace lwm2m::core
