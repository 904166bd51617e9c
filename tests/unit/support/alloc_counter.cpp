#include "support/alloc_counter.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local size_t g_allocations = 0;

void* counted_alloc(std::size_t size) {
  ++g_allocations;
  if (size == 0) size = 1;
  void* p = std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

namespace lwm2m::test {
size_t thread_allocations() noexcept {
  return g_allocations;
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
  ++g_allocations;
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(size ? size : 1);
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
