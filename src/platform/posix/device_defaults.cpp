// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/device_defaults.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace lwm2m::posix {
namespace {

struct SystemClock final : objects::DeviceObject::Clock {
  int64_t unix_seconds() noexcept override { return static_cast<int64_t>(std::time(nullptr)); }
};

struct Meminfo {
  int64_t total_kb = -1;
  int64_t free_kb = -1;
  int64_t available_kb = -1;
};

// The value of a "Name:   12345 kB" line of `text`; -1 when absent.
int64_t field_kb(const char* text, const char* name) noexcept {
  const size_t len = std::strlen(name);
  for (const char* line = text; *line; ++line) {
    if (std::strncmp(line, name, len) == 0 && line[len] == ':')
      return std::strtoll(line + len + 1, nullptr, 10);
    line = std::strchr(line, '\n');
    if (!line) break;
  }
  return -1;
}

// One read of /proc/meminfo into a stack buffer: no FILE, nothing allocated.
Meminfo read_meminfo() noexcept {
  Meminfo m;
  const int fd = ::open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return m;
  char text[4096];
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return m;
  text[n] = '\0';
  m.total_kb = field_kb(text, "MemTotal");
  m.free_kb = field_kb(text, "MemFree");
  m.available_kb = field_kb(text, "MemAvailable");
  return m;
}

// At most one read a second per thread: a server reading /3/0 often should not cost a
// file open and a kernel-side report each time, and memory figures move slowly anyway.
const Meminfo& meminfo() noexcept {
  thread_local Meminfo cached;
  thread_local bool have = false;
  thread_local int64_t read_at_ms = 0;
  timespec ts{};
#ifdef CLOCK_MONOTONIC_COARSE
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // no system call, tick resolution
#else
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
  const int64_t ms = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
  if (!have || ms - read_at_ms >= 1000) {
    cached = read_meminfo();
    have = true;
    read_at_ms = ms;
  }
  return cached;
}

struct ProcMeminfo final : objects::DeviceObject::Memory {
  int64_t free_kb() noexcept override {
    const Meminfo& m = meminfo();
    return m.available_kb >= 0 ? m.available_kb : m.free_kb;  // what a program can still get
  }
  int64_t total_kb() noexcept override { return meminfo().total_kb; }
};

SystemClock g_clock;
ProcMeminfo g_memory;

// "+HH:MM" from the local time zone's offset now.
void local_utc_offset(char (&out)[8]) noexcept {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  long minutes = local.tm_gmtoff / 60;
  char sign = minutes < 0 ? '-' : '+';
  if (minutes < 0) minutes = -minutes;
  std::snprintf(out, sizeof out, "%c%02ld:%02ld", sign, (minutes / 60) % 100, minutes % 60);
}

// An IANA name from TZ (":Europe/Berlin" or "Europe/Berlin"), else /etc/timezone.
bool local_timezone(char (&out)[64]) noexcept {
  const char* tz = std::getenv("TZ");
  if (tz && *tz == ':') ++tz;
  if (tz && *tz && std::strchr(tz, '/')) {
    std::snprintf(out, sizeof out, "%s", tz);
    return true;
  }
  std::FILE* f = std::fopen("/etc/timezone", "r");
  if (!f) return false;
  bool ok = std::fgets(out, sizeof out, f) != nullptr;
  std::fclose(f);
  if (!ok) return false;
  out[std::strcspn(out, "\r\n")] = '\0';
  return out[0] != '\0';
}

}  // namespace

objects::DeviceObject::Clock& system_clock() noexcept {
  return g_clock;
}

objects::DeviceObject::Memory& system_memory() noexcept {
  return g_memory;
}

void apply_host_defaults(objects::DeviceObject& device) noexcept {
  if (!device.has_clock()) device.set_clock(&g_clock);
  if (!device.has_memory()) device.set_memory(&g_memory);
  if (device.utc_offset().empty()) {
    char offset[8];
    local_utc_offset(offset);
    (void)device.set_utc_offset(offset);
  }
  char zone[64];
  if (device.timezone().empty() && local_timezone(zone))
    (void)device.set_timezone(zone);  // a name too long for the resource stays absent
}

}  // namespace lwm2m::posix
