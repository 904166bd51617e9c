// SPDX-License-Identifier: Apache-2.0
// The proxy's fault model: seeded (the same faults on every run), each rate close to what
// was asked over many datagrams, directions independent, corruption flipping exactly one bit.
#include "fault_model.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lwm2m::test {
namespace {

struct Counts {
  int dropped = 0, duplicated = 0, delayed = 0, reordered = 0, corrupted = 0;
};

Counts run(FaultModel& m, Direction d, int n) {
  Counts c;
  for (int i = 0; i < n; ++i) {
    const Verdict v = m.decide(d, 100);
    c.dropped += v.drop;
    c.duplicated += v.copies == 2;
    c.delayed += v.delay.count() > 0;
    c.reordered += v.reorder;
    c.corrupted += v.corrupt;
  }
  return c;
}

TEST(FaultModel, SameSeedGivesTheSameFaults) {
  const FaultRates r{.drop = 0.3, .duplicate = 0.1, .delay = 0.1, .reorder = 0.1, .corrupt = 0.1};
  FaultModel a(42, r, r), b(42, r, r), c(43, r, r);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const Verdict va = a.decide(Direction::to_server, 64);
    const Verdict vb = b.decide(Direction::to_server, 64);
    const Verdict vc = c.decide(Direction::to_server, 64);
    ASSERT_EQ(va.drop, vb.drop);
    ASSERT_EQ(va.copies, vb.copies);
    ASSERT_EQ(va.delay, vb.delay);
    ASSERT_EQ(va.reorder, vb.reorder);
    ASSERT_EQ(va.corrupt_at, vb.corrupt_at);
    ASSERT_EQ(va.corrupt_mask, vb.corrupt_mask);
    differs |= va.drop != vc.drop;
  }
  EXPECT_TRUE(differs) << "another seed gives other faults";
}

TEST(FaultModel, RatesAreMetOverManyDatagrams) {
  const FaultRates r{.drop = 0.3, .duplicate = 0.2, .delay = 0.1, .reorder = 0.05, .corrupt = 0.05};
  FaultModel m(7, r, {});
  const int n = 20000;
  const Counts c = run(m, Direction::to_server, n);
  // A dropped datagram has no other fault: the others apply to the 70 % that pass.
  EXPECT_NEAR(c.dropped / double(n), 0.3, 0.015);
  EXPECT_NEAR(c.duplicated / double(n), 0.2 * 0.7, 0.015);
  EXPECT_NEAR(c.delayed / double(n), 0.1 * 0.7, 0.01);
  EXPECT_NEAR(c.reordered / double(n), 0.05 * 0.7, 0.01);
  EXPECT_NEAR(c.corrupted / double(n), 0.05 * 0.7, 0.01);
}

TEST(FaultModel, DirectionsHaveTheirOwnRates) {
  FaultModel m(1, FaultRates{.drop = 1.0}, FaultRates{});
  const Counts up = run(m, Direction::to_server, 100);
  const Counts down = run(m, Direction::to_client, 100);
  EXPECT_EQ(up.dropped, 100);
  EXPECT_EQ(down.dropped, 0);
  EXPECT_EQ(down.duplicated + down.delayed + down.reordered + down.corrupted, 0);
}

TEST(FaultModel, DelaysStayWithinTheirBounds) {
  FaultRates r{.delay = 1.0};
  r.delay_min = Duration{50};
  r.delay_max = Duration{80};
  FaultModel m(3, r, {});
  for (int i = 0; i < 500; ++i) {
    const Verdict v = m.decide(Direction::to_server, 10);
    ASSERT_GE(v.delay, Duration{50});
    ASSERT_LE(v.delay, Duration{80});
  }
}

TEST(FaultModel, CorruptionFlipsOneBitInsideTheDatagram) {
  FaultModel m(9, FaultRates{.corrupt = 1.0}, {});
  for (size_t size : {1u, 2u, 17u, 1200u}) {
    const Verdict v = m.decide(Direction::to_server, size);
    ASSERT_TRUE(v.corrupt);
    ASSERT_LT(v.corrupt_at, size);
    std::vector<uint8_t> bytes(size, 0x5A), before = bytes;
    FaultModel::corrupt(v, bytes.data(), bytes.size());
    int bits = 0;
    for (size_t i = 0; i < size; ++i)
      bits += __builtin_popcount(static_cast<unsigned>(bytes[i] ^ before[i]));
    EXPECT_EQ(bits, 1);
  }
}

TEST(FaultModel, NoRatesNoFaults) {
  FaultModel m(5);
  const Counts c = run(m, Direction::to_client, 1000);
  EXPECT_EQ(c.dropped + c.duplicated + c.delayed + c.reordered + c.corrupted, 0);
}

}  // namespace
}  // namespace lwm2m::test
