// SPDX-License-Identifier: Apache-2.0
// LwM2M Device object (/3, OMA LwM2M 1.1 Core Appendix E.4), single instance /3/0.
// Identity strings belong to the application; dynamic values (battery, error codes) are set
// through calls that also trigger observations. Reboot and Factory Reset are answered 2.04
// and reported by the client core as events (Event::reboot, Event::factory_reset), so that
// the runner acts on them after the response went out.
//
// Current Time (/3/0/13) is read from a Clock the application gives (objects are
// platform-free: they never read a clock themselves). A server's Write of /3/0/13 sets the
// time: it is kept as an offset from the clock, so reads advance from the written value.
// posix::Runner::start() gives the Device object in its client's registry the system clock
// when it has none, so a C++ application on POSIX (and the C facade) needs to do nothing;
// elsewhere (or to use an RTC) call set_clock() before the client starts:
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

#include <cstdint>
#include <string_view>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

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

class DeviceObject final : public dm::Object {
 public:
  static constexpr size_t kMaxErrorCodes = 4;
  static constexpr size_t kMaxPowerSources = 4;

  /// The application's clock for Current Time (/3/0/13).
  class Clock {
   public:
    virtual ~Clock() = default;
    /// Seconds since the Unix epoch (1970-01-01T00:00:00Z), now.
    virtual int64_t unix_seconds() noexcept = 0;
  };

  explicit DeviceObject(const DeviceInfo& info) noexcept;
  /// The Device object behind `object` (from Registry::find(3)), or null when it is another
  /// implementation of object 3.
  static DeviceObject* from(dm::Object* object) noexcept;

  /// Current Time follows `clock` from now on (null: no clock, /3/0/13 reads the value last
  /// written, 0 before any). A time written earlier keeps running from where it was.
  void set_clock(Clock* clock) noexcept;
  bool has_clock() const noexcept { return clock_ != nullptr; }
  /// What /3/0/13 reads now.
  int64_t current_time() const noexcept;

  /// 0..100; a negative value removes the resource.
  void set_battery_level(int level) noexcept;
  /// Available power sources (/3/0/6) with voltage in mV (/3/0/7), current in mA (/3/0/8).
  Status add_power_source(int source, int voltage_mv, int current_ma) noexcept;
  /// Appends an error code (/3/0/11); 0 ("no error") is what the list holds when empty.
  Status add_error_code(int code) noexcept;
  void set_memory_free_kb(int kb) noexcept;
  /// Firmware Version (/3/0/3), e.g. after a firmware update; the text must outlive the
  /// object or the next call.
  void set_firmware_version(std::string_view version) noexcept;

  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId iid, dm::ResourceId rid,
                                              size_t index) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;

 private:
  DeviceInfo info_;
  int64_t clock_now() const noexcept { return clock_ ? clock_->unix_seconds() : 0; }

  Clock* clock_ = nullptr;
  int battery_ = -1;
  int memory_free_ = -1;
  int64_t time_offset_ = 0;  ///< Current Time minus the clock's time (the clock reads 0 if none)
  bool time_written_ = false;
  int errors_[kMaxErrorCodes] = {};
  uint8_t error_count_ = 0;
  int power_[kMaxPowerSources][3] = {};
  uint8_t power_count_ = 0;
  char utc_offset_[8] = {};
  uint8_t utc_offset_len_ = 0;
  char timezone_[32] = {};
  uint8_t timezone_len_ = 0;
};

}  // namespace lwm2m::objects
