// SPDX-License-Identifier: Apache-2.0
// The host's values for the Device object (/3), for what the application did not give:
// Current Time from the system clock, Memory Free/Total from /proc/meminfo (Linux), UTC
// Offset and Timezone from the local time zone. posix::Runner::start() applies them to the
// Device object in its client's registry; call it yourself to drive a client another way.
#pragma once

#include "lwm2m/objects/device.hpp"

namespace lwm2m::posix {

/// The system clock (time(2)).
objects::DeviceObject::Clock& system_clock() noexcept;
/// Memory from /proc/meminfo: MemAvailable (MemFree on old kernels) and MemTotal, in KiB;
/// -1 (absent) where the file does not exist.
objects::DeviceObject::Memory& system_memory() noexcept;

/// Gives `device` the system clock and memory when it has no hook of its own, and the local
/// UTC offset ("+01:00") and time zone (TZ, else /etc/timezone) when it has none.
void apply_host_defaults(objects::DeviceObject& device) noexcept;

}  // namespace lwm2m::posix
