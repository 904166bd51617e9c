// SPDX-License-Identifier: Apache-2.0
// LwM2M Device object (/3, OMA LwM2M 1.1 Core Appendix E.4, object version 1.1), single
// instance /3/0; its descriptor is generated from the OMA definition
// (lwm2m/objects/ddf/object_3_v1_1.hpp).
//
// Identity strings belong to the application. Values that change come two ways: pushed by
// the application (set_battery_level, add_error_code...: each reports the change, so
// observers are notified), or pulled when a server reads them, from hooks the application
// gives (Clock for Current Time, Memory for Memory Free/Total). A resource with neither a
// pushed value nor a hook is absent (4.04). Reboot and Factory Reset are answered 2.04 and
// reported by the client core as events (Event::reboot, Event::factory_reset), so that the
// runner acts on them after the response went out. Error Code (/3/0/11) holds the codes the
// application added, "0" (no error) when none, until Reset Error Code (/3/0/12) clears them.
//
// Current Time (/3/0/13) is read from a Clock the application gives (objects are
// platform-free: they never read a clock themselves). A server's Write of /3/0/13 sets the
// time: it is kept as an offset from the clock, so reads advance from the written value.
// posix::Runner::start() gives the Device object in its client's registry the host's
// defaults for what it lacks (lwm2m/platform/device_defaults.hpp: the system clock, memory
// from /proc/meminfo, the local UTC offset and time zone), so a C++ application on POSIX
// (and the C facade) needs to do nothing; elsewhere (or to use an RTC) give hooks before the
// client starts:
//
//   struct Rtc final : objects::DeviceObject::Clock {
//     int64_t unix_seconds() noexcept override { return rtc_read(); }
//   } rtc;
//   device.set_clock(&rtc);
//
// Observing /3/0/13 with pmax gives a notification at every pmax carrying the time of that
// moment: the value is read when the notification is built. Nothing reports a change every
// second: that would need a timer waking the device each second whether or not anyone
// observes, for a value any server can compute from the last one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

/// The Device object's fixed identity: what /3/0 says about the device. Strings are viewed: they
/// must outlive the object.
struct DeviceInfo {
  std::string_view manufacturer;             ///< /3/0/0
  std::string_view model_number;             ///< /3/0/1
  std::string_view serial_number;            ///< /3/0/2
  std::string_view firmware_version;         ///< /3/0/3
  std::string_view device_type;              ///< /3/0/17
  std::string_view hardware_version;         ///< /3/0/18
  std::string_view software_version;         ///< /3/0/19
  std::string_view supported_binding = "U";  ///< /3/0/16, mandatory
};

const dm::ObjectDef& device_object_def() noexcept;

/// LwM2M Device object (/3/0): identity, power, memory, time and the Reboot and Factory Reset
/// executables.
class DeviceObject final : public dm::Object {
 public:
  /// Error codes (/3/0/11) kept at most.
  static constexpr size_t kMaxErrorCodes = 4;
  /// Power sources (/3/0/6) kept at most.
  static constexpr size_t kMaxPowerSources = 4;
  /// Largest Error Code (/3/0/11) the object defines: 1-8 the standard errors, 9-15
  /// reserved, 16-32 device-specific.
  static constexpr int kMaxErrorCode = 32;
  /// Largest Available Power Source (/3/0/6): 0 DC ... 7 solar.
  static constexpr int kMaxPowerSourceType = 7;

  /// Battery Status (/3/0/20) values.
  enum class BatteryStatus : int8_t {
    absent = -1,  ///< the resource is not there
    normal = 0,
    charging = 1,
    charge_complete = 2,
    damaged = 3,
    low = 4,
    not_installed = 5,
    unknown = 6,
  };

  /// Where Memory Free (/3/0/10) and Memory Total (/3/0/21) come from, read when a server
  /// reads them. A negative figure leaves the resource absent.
  class Memory {
   public:
    virtual ~Memory() = default;
    /// Free memory in KiB (negative: unknown).
    virtual int64_t free_kb() noexcept = 0;
    /// Total memory in KiB (negative: unknown).
    virtual int64_t total_kb() noexcept = 0;
  };

  /// The application's clock for Current Time (/3/0/13).
  class Clock {
   public:
    virtual ~Clock() = default;
    /// Seconds since the Unix epoch (1970-01-01T00:00:00Z), now.
    virtual int64_t unix_seconds() noexcept = 0;
  };

  /// A Device object describing the device as `info` says.
  explicit DeviceObject(const DeviceInfo& info) noexcept;
  /// The Device object behind `object` (from Registry::find(3)), or null when it is another
  /// implementation of object 3.
  static DeviceObject* from(dm::Object* object) noexcept;

  /// Current Time follows `clock` from now on (null: no clock, /3/0/13 reads the value last
  /// written, 0 before any). A time written earlier keeps running from where it was.
  void set_clock(Clock* clock) noexcept;
  /// True when Current Time follows a clock.
  bool has_clock() const noexcept { return clock_ != nullptr; }
  /// What /3/0/13 reads now.
  int64_t current_time() const noexcept;

  /// Memory figures follow `memory` from now on (null: the values set below, if any).
  void set_memory(Memory* memory) noexcept;
  /// True when the memory figures come from a Memory hook.
  bool has_memory() const noexcept { return memory_ != nullptr; }

  /// 0..100; a negative value removes the resource.
  void set_battery_level(int level) noexcept;
  /// Battery Status (/3/0/20); BatteryStatus::absent removes the resource.
  void set_battery_status(BatteryStatus status) noexcept;
  /// Available power sources (/3/0/6) with voltage in mV (/3/0/7), current in mA (/3/0/8).
  /// invalid_argument when `source` is not 0..7 (the object's range), no_space when
  /// kMaxPowerSources are there.
  Status add_power_source(int source, int voltage_mv, int current_ma) noexcept;
  /// New readings of the index-th power source added (not_found when there is none).
  Status update_power_source(size_t index, int voltage_mv, int current_ma) noexcept;
  /// Appends an error code (/3/0/11); 0 ("no error") is what the list holds when empty.
  /// invalid_argument when `code` is not 0..32 (the object's range), no_space when
  /// kMaxErrorCodes are there.
  Status add_error_code(int code) noexcept;
  /// Pushed memory figures, used when no Memory hook is given; negative: absent.
  void set_memory_free_kb(int kb) noexcept;
  /// Memory Total in KiB (negative: absent).
  void set_memory_total_kb(int kb) noexcept;
  /// UTC Offset (/3/0/14, e.g. "+01:00") and Timezone (/3/0/15, IANA name such as
  /// "Europe/Berlin"): the device's own values, which a server may overwrite. Empty: absent.
  /// invalid_argument when the text does not fit (8 and 32 bytes).
  Status set_utc_offset(std::string_view offset) noexcept;
  /// Timezone (/3/0/15); invalid_argument beyond 32 bytes.
  Status set_timezone(std::string_view zone) noexcept;
  /// UTC Offset as now set (by the application or a server).
  std::string_view utc_offset() const noexcept { return {utc_offset_, utc_offset_len_}; }
  /// Timezone as now set (by the application or a server).
  std::string_view timezone() const noexcept { return {timezone_, timezone_len_}; }
  /// Firmware Version (/3/0/3), e.g. after a firmware update; the text must outlive the
  /// object or the next call.
  void set_firmware_version(std::string_view version) noexcept;

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  uint32_t readable_resources(dm::InstanceId iid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId iid, dm::ResourceId rid,
                                              size_t index) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;

 private:
  /// DeviceInfo's strings, in its order (an array: the resource id picks one).
  std::array<std::string_view, 8> texts_;
  int64_t clock_now() const noexcept { return clock_ ? clock_->unix_seconds() : 0; }
  Result<dm::Value> read_memory(dm::ResourceId rid) const noexcept;

  void set_present(dm::ResourceId rid, bool present) noexcept;

  // The 4-byte members first, then the 8-byte one, then the bytes: no padding between them
  // (192 bytes on a 32-bit target, not 232). Those that start at zero are one run from
  // clock_ to timezone_len_, which the constructor clears at once.
  int memory_free_ = -1;
  int memory_total_ = -1;
  /// Bit `rid` set when resource rid is present (the ids are 0-22), kept by whatever
  /// changes a value it depends on: a Read of /3/0 asks for every resource.
  uint32_t present_ = 0;
  Clock* clock_ = nullptr;
  Memory* memory_ = nullptr;
  int64_t time_offset_ = 0;  ///< Current Time minus the clock's time (the clock reads 0 if none)
  /// Voltage (mV) and current (mA) of each power source, beside its type in power_type_.
  int power_[kMaxPowerSources][2] = {};
  bool time_written_ = false;
  uint8_t error_count_ = 0;
  uint8_t power_count_ = 0;
  // Bytes: the object's ranges (0..32, 0..7) are checked when they are added.
  uint8_t errors_[kMaxErrorCodes] = {};
  uint8_t power_type_[kMaxPowerSources] = {};
  char utc_offset_[8] = {};
  uint8_t utc_offset_len_ = 0;
  char timezone_[32] = {};
  uint8_t timezone_len_ = 0;
  int8_t battery_ = -1;  ///< 0..100 (set_battery_level() caps it), negative: absent
  int8_t battery_status_ = -1;
};

}  // namespace lwm2m::objects
