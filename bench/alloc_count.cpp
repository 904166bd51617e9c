#include "alloc_count.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local lwm2m::bench::AllocStats g_stats;

void* counted(std::size_t size) noexcept {
  ++g_stats.count;
  g_stats.bytes += size;
  return std::malloc(size ? size : 1);
}
}  // namespace

namespace lwm2m::bench {
AllocStats thread_allocations() noexcept {
  return g_stats;
}
}  // namespace lwm2m::bench

void* operator new(std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
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
