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
  char text[31] = {};
  uint8_t len = 0;
  std::string_view view() const noexcept { return {text, len}; }
  bool assign(std::string_view s) noexcept;
  friend bool operator==(const ShortText& a, const ShortText& b) noexcept {
    return a.view() == b.view();
  }
};

struct LightControlInstance {
  struct Writable {  // what a server can write, kept twice for rollback
    bool on = false;
    int8_t dimmer = 100;
    int64_t on_since = 0;  ///< clock time the On time counts from
    ShortText colour;
    ShortText application_type;
    friend bool operator==(const Writable&, const Writable&) noexcept = default;
  };
  dm::InstanceId id = dm::kInvalidId;  ///< kInvalidId: slot unused
  std::string_view units;              ///< of the colour (5701); empty: absent
  double power_wh = -1;                ///< 5805; negative: absent
  double power_factor = -1;            ///< 5820; negative: absent
  Writable live, saved;
};

struct OnOffSwitchInstance {
  dm::InstanceId id = dm::kInvalidId;
  bool state = false;
  int64_t counter = 0;
  int64_t since = 0;       ///< clock time of the last change (or of a write of 0)
  int64_t timestamp = -1;  ///< of the last change; negative: absent
  ShortText application_type, saved_application_type;
};

class LightControlObject final : public dm::Object {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    /// A server changed On/Off, Dimmer, Colour or Application Type of `iid`.
    virtual void on_light_changed(const LightControlInstance& light) noexcept = 0;
  };

  explicit LightControlObject(std::span<LightControlInstance> storage) noexcept;
  void set_clock(DeviceObject::Clock* clock) noexcept { clock_ = clock; }
  void set_listener(Listener* listener) noexcept { listener_ = listener; }

  /// A new instance, off, dimmer 100. already_exists, no_space, invalid_argument.
  Status add(dm::InstanceId iid, std::string_view units = {}, std::string_view colour = {},
             std::string_view application_type = {}) noexcept;
  /// The application switched the light (or dimmed it: dimmer 0..100, negative: unchanged).
  Status set(dm::InstanceId iid, bool on, int dimmer = -1) noexcept;
  /// Cumulative active power in Wh and power factor (negative: absent).
  Status set_power(dm::InstanceId iid, double wh, double factor) noexcept;
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

class OnOffSwitchObject final : public dm::Object {
 public:
  explicit OnOffSwitchObject(std::span<OnOffSwitchInstance> storage) noexcept;
  void set_clock(DeviceObject::Clock* clock) noexcept { clock_ = clock; }

  Status add(dm::InstanceId iid, std::string_view application_type = {}) noexcept;
  /// The input's new state; a rising edge counts (5501).
  Status set_state(dm::InstanceId iid, bool on) noexcept;
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
