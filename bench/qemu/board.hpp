// SPDX-License-Identifier: Apache-2.0
// What the replay image gets from its bare-metal board support (startup.cpp): console
// output and exit through Arm semihosting, and the memory figures read from the linker's
// symbols, the painted stack and the allocators.
#pragma once

#include <cstddef>
#include <cstdint>

/// The program, called by the reset handler once memory is set up (C++ forbids calling
/// main); its result 0 ends the emulation with success.
int image_main() noexcept;

namespace board {

/// Writes text to the host's console (semihosting SYS_WRITE0).
void print(const char* text) noexcept;
void print_number(uint32_t value) noexcept;
/// Ends the emulation; QEMU exits with 0 when `success`, 1 otherwise (SYS_EXIT).
[[noreturn]] void exit(bool success) noexcept;

/// Bytes of .data and .bss, as placed by the linker script.
size_t data_bytes() noexcept;
size_t bss_bytes() noexcept;
/// Deepest stack use since reset: the painted words no longer intact.
size_t stack_high_water() noexcept;
/// Deepest stack use since the last call (or reset), then paints the stack again below
/// the caller's frame: the depth of one step of the replay.
size_t stack_depth_since_repaint() noexcept;
size_t stack_size() noexcept;
/// What _sbrk handed out (malloc's heap; 0 when nothing called malloc).
size_t sbrk_bytes() noexcept;

}  // namespace board
