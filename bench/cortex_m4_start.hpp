// SPDX-License-Identifier: Apache-2.0
// What a Cortex-M4 device's reset handler does before its program, shared by the bare-metal
// images (bench/footprint, bench/qemu). The symbols come from each image's linker script.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" {
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace cortex_m4 {

// The images use the hard-float ABI: the FPU needs full access (CPACR CP10, CP11) before
// the first floating-point instruction.
inline void enable_fpu() noexcept {
  volatile uint32_t& cpacr = *reinterpret_cast<volatile uint32_t*>(0xE000ED88u);
  cpacr = cpacr | (0xFu << 20);
  asm volatile("dsb\n\tisb" ::: "memory");
}

// .data copied from its load address in flash, .bss zeroed.
inline void init_memory() noexcept {
  std::memcpy(__data_start, __data_load, static_cast<size_t>(__data_end - __data_start) * 4);
  std::memset(__bss_start, 0, static_cast<size_t>(__bss_end - __bss_start) * 4);
}

inline void run_constructors() noexcept {
  for (void (**f)() = __init_array_start; f < __init_array_end; ++f)
    (*f)();
}

}  // namespace cortex_m4
