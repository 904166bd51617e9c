// SPDX-License-Identifier: Apache-2.0
#include "support/alloc_counter.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local size_t g_allocations = 0;
thread_local size_t g_bytes = 0;

void* counted_nothrow(std::size_t size) noexcept {
  ++g_allocations;
  g_bytes += size;
  return std::malloc(size ? size : 1);
}

void* counted_alloc(std::size_t size) {
  if (void* p = counted_nothrow(size)) return p;
  throw std::bad_alloc();
}
}  // namespace

namespace lwm2m::test {
size_t thread_allocations() noexcept {
  return g_allocations;
}
size_t thread_allocated_bytes() noexcept {
  return g_bytes;
}
}  // namespace lwm2m::test

// The replaceable allocation functions. Aligned forms are left to the library: nothing in
// the core asks for over-aligned memory.
void* operator new(std::size_t size) {
  return counted_alloc(size);
}
void* operator new[](std::size_t size) {
  return counted_alloc(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_nothrow(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_nothrow(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
