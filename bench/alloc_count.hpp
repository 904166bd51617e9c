// Heap allocations counted by the bench binary (alloc_count.cpp replaces the global
// operator new): how many and how many bytes were asked for by this thread. Requested
// bytes only; the allocator's own overhead per block is not included.
#pragma once

#include <cstddef>

namespace lwm2m::bench {

struct AllocStats {
  size_t count = 0;
  size_t bytes = 0;
};

AllocStats thread_allocations() noexcept;

class AllocScope {
 public:
  AllocScope() noexcept : start_(thread_allocations()) {}
  size_t count() const noexcept { return thread_allocations().count - start_.count; }
  size_t bytes() const noexcept { return thread_allocations().bytes - start_.bytes; }

 private:
  AllocStats start_;
};

}  // namespace lwm2m::bench
