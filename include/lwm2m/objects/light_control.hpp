// SPDX-License-Identifier: Apache-2.0
// IPSO Light Control (3311) and On/Off Switch (3342), descriptors generated from the OMA
// definitions. The application owns the instance storage.
//
// Light Control: On/Off (5850), Dimmer (5851, 0..100), On time (5852, seconds the light has
// been on; a write of 0 restarts it), Cumulative active power (5805) and Power factor (5820)
// when the application reports them, Colour (5706), Sensor Units (5701, of the colour, when
// given) and Application Type (5750). A server's changes reach the application through
// Listener::on_light_changed once the request committed (never halfway through one).
//
// On/Off Switch: Digital Input State (5500), Digital Input Counter (5501, rising edges), On
// time and Off time (5852/5854, seconds in the current state; a write of 0 restarts them),
// Application Type (5750) and Timestamp (5518, of the last change).
//
// Times come from a DeviceObject::Clock the application gives (set_clock); without one, On
// time and Off time read 0 and Timestamp is absent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/dm/object.hpp"
#include "lwm2m/objects/device.hpp"

namespace lwm2m::objects {

const dm::ObjectDef& light_control_object_def() noexcept;
const dm::ObjectDef& on_off_switch_object_def() noexcept;

/// Text a server may write (Colour, Application Type): up to 31 bytes.
struct ShortText {
  char text[31] = {};  ///< the bytes (the first `len` are used)
  uint8_t len = 0;     ///< bytes in use
  /// The text.
  std::string_view view() const noexcept { return {text, len}; }
  /// Replaces the text; false (and no change) when `s` is longer than 31 bytes.
  bool assign(std::string_view s) noexcept;
  /// Same text.
  friend bool operator==(const ShortText& a, const ShortText& b) noexcept {
    return a.view() == b.view();
  }
};

/// One Light Control instance (3311/x) in storage the application provides.
struct LightControlInstance {
  /// What a server can write, kept twice (live and saved) so that a failed request rolls back.
  struct Writable {
    bool on = false;             ///< 5850 On/Off
    int8_t dimmer = 100;         ///< 5851 Dimmer, 0..100 %
    int64_t on_since = 0;        ///< clock time the On time counts from
    ShortText colour;            ///< 5706 Colour
    ShortText application_type;  ///< 5750 Application Type
    /// Same values.
    friend bool operator==(const Writable&, const Writable&) noexcept = default;
  };
  dm::InstanceId id = dm::kInvalidId;  ///< kInvalidId: slot unused
  std::string_view units;              ///< of the colour (5701); empty: absent
  double power_wh = -1;                ///< 5805; negative: absent
  double power_factor = -1;            ///< 5820; negative: absent
  Writable live;                       ///< what a server can write, as it is now
  Writable saved;                      ///< the same as of the last commit (for rollback)
};

/// One On/Off Switch instance (3342/x) in storage the application provides.
struct OnOffSwitchInstance {
  dm::InstanceId id = dm::kInvalidId;  ///< kInvalidId: slot unused
  bool state = false;                  ///< 5500 Digital Input State
  int64_t counter = 0;                 ///< 5501 Digital Input Counter (rising edges)
  int64_t since = 0;                   ///< clock time of the last change (or of a write of 0)
  int64_t timestamp = -1;              ///< of the last change; negative: absent
  ShortText application_type;          ///< 5750, as it is now
  ShortText saved_application_type;    ///< 5750 as of the last commit (for rollback)
};

/// IPSO Light Control object (3311): lights a server can switch, dim and colour.
class LightControlObject final : public dm::Object {
 public:
  /// Told when a server changes a light, so that the application can act on it.
  class Listener {
   public:
    virtual ~Listener() = default;
    /// A server changed On/Off, Dimmer, Colour or Application Type of `iid`.
    virtual void on_light_changed(const LightControlInstance& light) noexcept = 0;
  };

  /// Instances live in `storage` (one slot per possible instance).
  explicit LightControlObject(std::span<LightControlInstance> storage) noexcept;
  /// The clock On Time (5852) counts with; null: On Time stays 0.
  void set_clock(DeviceObject::Clock* clock) noexcept { clock_ = clock; }
  /// Who is told of a server's changes; null: nobody.
  void set_listener(Listener* listener) noexcept { listener_ = listener; }

  /// A new instance, off, dimmer 100. already_exists, no_space, invalid_argument.
  Status add(dm::InstanceId iid, std::string_view units = {}, std::string_view colour = {},
             std::string_view application_type = {}) noexcept;
  /// The application switched the light (or dimmed it: dimmer 0..100, negative: unchanged).
  Status set(dm::InstanceId iid, bool on, int dimmer = -1) noexcept;
  /// Cumulative active power in Wh and power factor (negative: absent).
  Status set_power(dm::InstanceId iid, double wh, double factor) noexcept;
  /// The instance with this id, or null.
  const LightControlInstance* instance(dm::InstanceId iid) const noexcept;

  size_t instance_count() const noexcept override { return count_; }
  dm::InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  LightControlInstance* find(dm::InstanceId iid) const noexcept;
  int64_t now() const noexcept { return clock_ ? clock_->unix_seconds() : 0; }

  std::span<LightControlInstance> storage_;
  size_t count_ = 0;
  DeviceObject::Clock* clock_ = nullptr;
  Listener* listener_ = nullptr;
};

/// IPSO On/Off Switch object (3342): digital inputs the application reports.
class OnOffSwitchObject final : public dm::Object {
 public:
  /// Instances live in `storage` (one slot per possible instance).
  explicit OnOffSwitchObject(std::span<OnOffSwitchInstance> storage) noexcept;
  /// The clock the On Time and Off Time (5852/5854) count with; null: they stay 0.
  void set_clock(DeviceObject::Clock* clock) noexcept { clock_ = clock; }

  /// A new instance, off; already_exists, no_space, invalid_argument (application type over 31
  /// bytes).
  Status add(dm::InstanceId iid, std::string_view application_type = {}) noexcept;
  /// The input's new state; a rising edge counts (5501).
  Status set_state(dm::InstanceId iid, bool on) noexcept;
  /// The instance with this id, or null.
  const OnOffSwitchInstance* instance(dm::InstanceId iid) const noexcept;

  size_t instance_count() const noexcept override { return count_; }
  dm::InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  OnOffSwitchInstance* find(dm::InstanceId iid) const noexcept;
  int64_t now() const noexcept { return clock_ ? clock_->unix_seconds() : 0; }

  std::span<OnOffSwitchInstance> storage_;
  size_t count_ = 0;
  DeviceObject::Clock* clock_ = nullptr;
};

}  // namespace lwm2m::objects
