// SPDX-License-Identifier: Apache-2.0
// Counts heap allocations made by this thread, to prove that a code path allocates
// nothing. The unit-test binary replaces the global operator new (alloc_counter.cpp), so
// every test file shares one counter; never define another operator new in tests. The
// bench binary links the same file.
//
//   lwm2m::test::AllocationScope scope;
//   ... code under test ...
//   EXPECT_EQ(scope.count(), 0u);
#pragma once

#include <cstddef>

namespace lwm2m::test {

/// Allocations (operator new, all forms) made by the calling thread since it started.
size_t thread_allocations() noexcept;
/// Bytes those allocations asked for (the allocator's own overhead not included).
size_t thread_allocated_bytes() noexcept;

class AllocationScope {
 public:
  AllocationScope() noexcept
      : start_(thread_allocations()), start_bytes_(thread_allocated_bytes()) {}
  size_t count() const noexcept { return thread_allocations() - start_; }
  size_t bytes() const noexcept { return thread_allocated_bytes() - start_bytes_; }

 private:
  size_t start_;
  size_t start_bytes_;
};

}  // namespace lwm2m::test
