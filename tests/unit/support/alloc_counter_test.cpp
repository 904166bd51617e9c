// SPDX-License-Identifier: Apache-2.0
#include "support/alloc_counter.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace lwm2m::test {
namespace {

// The counter itself must see allocations, or every "0 allocations" test is vacuous.
TEST(AllocCounter, SeesAllocations) {
  AllocationScope scope;
  auto p = std::make_unique<int>(7);
  EXPECT_EQ(*p, 7);
  EXPECT_EQ(scope.count(), 1u);
}

}  // namespace
}  // namespace lwm2m::test
