// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/device_defaults.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace lwm2m::posix {
namespace {

struct SystemClock final : objects::DeviceObject::Clock {
  int64_t unix_seconds() noexcept override { return static_cast<int64_t>(std::time(nullptr)); }
};

// Reads one "Name:   12345 kB" line of /proc/meminfo; -1 when absent.
int64_t meminfo_kb(const char* name) noexcept {
  std::FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[128];
  int64_t kb = -1;
  const size_t len = std::strlen(name);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, name, len) == 0 && line[len] == ':') {
      kb = std::strtoll(line + len + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

struct ProcMeminfo final : objects::DeviceObject::Memory {
  int64_t free_kb() noexcept override {
    int64_t kb = meminfo_kb("MemAvailable");  // what a program can still get
    return kb >= 0 ? kb : meminfo_kb("MemFree");
  }
  int64_t total_kb() noexcept override { return meminfo_kb("MemTotal"); }
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
