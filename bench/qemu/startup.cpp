// SPDX-License-Identifier: Apache-2.0
// Bare-metal start of the replay image on QEMU's mps2-an386 (Cortex-M4): the vector table,
// the reset handler (FPU on, .data copied, .bss zeroed, the stack painted, constructors
// run, then image_main), fault handlers that say what happened, semihosting, and _sbrk with a
// high-water mark. Symbols come from mps2_an386.ld.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "board.hpp"
#include "cortex_m4_start.hpp"

extern "C" {
extern uint32_t __stack_bottom[], __stack_top[];
extern unsigned char __heap_start[], __heap_limit[];
void reset_handler();
void fault_handler();
void* _sbrk(ptrdiff_t increment);
}

namespace {

constexpr uint32_t kPaint = 0xC0FFEE55u;  // a word the program is unlikely to leave behind
// Semihosting operations and reasons (Arm "Semihosting for AArch32 and AArch64").
constexpr uint32_t kSysWrite0 = 0x04;
constexpr uint32_t kSysExit = 0x18;
constexpr uint32_t kApplicationExit = 0x20026;
constexpr uint32_t kRunTimeErrorUnknown = 0x20023;

uint32_t semihost(uint32_t op, const void* arg) noexcept {
  register uint32_t r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

unsigned char* g_brk = __heap_start;
size_t g_deepest = 0;  // the deepest stack use before the last repaint

// Paints the stack below the caller's frame, leaving 256 bytes for it; volatile so that the
// loop stays a loop (a call to memset would push its frame onto the words being painted).
[[gnu::always_inline]] inline void paint_below_frame() noexcept {
  volatile uint32_t* here = static_cast<uint32_t*>(__builtin_frame_address(0)) - 64;
  for (volatile uint32_t* p = __stack_bottom; p < here; ++p)
    *p = kPaint;
}

size_t painted_depth() noexcept {
  const uint32_t* p = __stack_bottom;
  while (p < __stack_top && *p == kPaint)
    ++p;
  return static_cast<size_t>(__stack_top - p) * 4;
}

}  // namespace

namespace board {

void print(const char* text) noexcept {
  (void)semihost(kSysWrite0, text);
}

void print_number(uint32_t value) noexcept {
  char digits[11];
  char* p = digits + sizeof digits;
  *--p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  print(p);
}

void exit(bool success) noexcept {
  (void)semihost(kSysExit, reinterpret_cast<const void*>(static_cast<uintptr_t>(
                               success ? kApplicationExit : kRunTimeErrorUnknown)));
  for (;;) {
  }
}

size_t data_bytes() noexcept {
  return static_cast<size_t>(__data_end - __data_start) * 4;
}
size_t bss_bytes() noexcept {
  return static_cast<size_t>(__bss_end - __bss_start) * 4;
}
size_t stack_size() noexcept {
  return static_cast<size_t>(__stack_top - __stack_bottom) * 4;
}
size_t stack_high_water() noexcept {
  const size_t d = painted_depth();
  return d > g_deepest ? d : g_deepest;
}
size_t stack_depth_since_repaint() noexcept {
  const size_t d = painted_depth();
  if (d > g_deepest) g_deepest = d;
  paint_below_frame();
  return d;
}
size_t sbrk_bytes() noexcept {
  return static_cast<size_t>(g_brk - __heap_start);
}

}  // namespace board

void* _sbrk(ptrdiff_t increment) {
  if (increment > __heap_limit - g_brk) return reinterpret_cast<void*>(-1);
  unsigned char* old = g_brk;
  g_brk += increment;
  return old;
}

// The device never ends, so the destructors of static objects never run: registering them
// would only keep newlib's atexit records in RAM.
void* __dso_handle = nullptr;
extern "C" int __cxa_atexit(void (*)(void*), void*, void*) {
  return 0;
}

void reset_handler() {
  cortex_m4::enable_fpu();
  cortex_m4::init_memory();
  paint_below_frame();
  cortex_m4::run_constructors();
  board::exit(image_main() == 0);
}

void fault_handler() {
  board::print("replay: processor fault (HardFault, MemManage, BusFault or UsageFault)\n");
  board::exit(false);
}

// Initial stack pointer, reset, NMI, HardFault, MemManage, BusFault, UsageFault; the rest
// (SVCall, PendSV, SysTick, interrupts) is never enabled by this image.
__attribute__((section(".vectors"), used)) const void* const g_vectors[] = {
    __stack_top,
    reinterpret_cast<const void*>(reset_handler),
    reinterpret_cast<const void*>(fault_handler),
    reinterpret_cast<const void*>(fault_handler),
    reinterpret_cast<const void*>(fault_handler),
    reinterpret_cast<const void*>(fault_handler),
    reinterpret_cast<const void*>(fault_handler),
};
