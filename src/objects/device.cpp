// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/device.hpp"

#include <bit>
#include <cstddef>
#include <cstring>

#include "lwm2m/objects/ddf/object_3_v1_1.hpp"

namespace lwm2m::objects {
namespace {

constexpr const dm::ObjectDef& kDef = ddf::device_v1_1::kObject;

// Where resource `rid`'s string is in DeviceInfo: /3/0/0-3, 17-19, then 16.
constexpr size_t text_index(dm::ResourceId rid) noexcept {
  return rid < 4 ? rid : rid == 16 ? 7 : rid - 13u;
}
static_assert(sizeof(DeviceInfo) == 8 * sizeof(std::string_view) &&
              offsetof(DeviceInfo, device_type) == text_index(17) * sizeof(std::string_view) &&
              offsetof(DeviceInfo, supported_binding) == text_index(16) * sizeof(std::string_view));

// present_ is indexed by id and readable_resources() by index in the descriptor: the same.
static_assert([] {
  for (size_t i = 0; i < kDef.resources.size(); ++i)
    if (kDef.resources[i].id != i) return false;
  return kDef.resources.size() <= 32;
}());

// The resources a server may read (not the executable ones), as bits.
constexpr uint32_t kReadable = [] {
  uint32_t bits = 0;
  for (const dm::ResourceDef& r : kDef.resources)
    if (r.readable()) bits |= 1u << r.id;
  return bits;
}();

// Absent until the application gives a value: power sources (6-8), battery (9, 20) and
// memory (10, 21); ExtDevInfo (22) always, as no other object describes this device.
constexpr uint32_t kAbsentAtFirst = 7u << 6 | 1u << 9 | 1u << 10 | 1u << 20 | 1u << 21 | 1u << 22;

Status copy_text(const dm::Value& v, char* dst, size_t cap, uint8_t& len) noexcept {
  std::string_view s = v.as_string();
  if (s.size() > cap) return Errc::bad_request;
  if (!s.empty()) std::memcpy(dst, s.data(), s.size());
  len = static_cast<uint8_t>(s.size());
  return {};
}

}  // namespace

const dm::ObjectDef& device_object_def() noexcept {
  return kDef;
}

DeviceObject::DeviceObject(const DeviceInfo& info) noexcept
    : Object(kDef), texts_(std::bit_cast<decltype(texts_)>(info)) {
  uint32_t absent = kAbsentAtFirst;
  for (unsigned i = 0; i < 7; ++i)  // not Supported Binding (16): mandatory, present even empty
    if (texts_[i].empty()) absent |= 1u << (i + i / 4 * 13);  // 0-3, 17-19
  present_ = ~absent;
}

void DeviceObject::set_present(dm::ResourceId rid, bool present) noexcept {
  present_ = (present_ & ~(1u << rid)) | uint32_t{present} << rid;
}

DeviceObject* DeviceObject::from(dm::Object* object) noexcept {
  // Every DeviceObject, and only it, is built on kDef: no RTTI needed.
  return object && &object->def() == &kDef ? static_cast<DeviceObject*>(object) : nullptr;
}

void DeviceObject::set_clock(Clock* clock) noexcept {
  const int64_t now = current_time();
  clock_ = clock;
  if (time_written_) time_offset_ = now - clock_now();
}

int64_t DeviceObject::current_time() const noexcept {
  return clock_now() + time_offset_;
}

void DeviceObject::set_battery_level(int level) noexcept {
  battery_ = static_cast<int8_t>(level > 100 ? 100 : level < 0 ? -1 : level);
  set_present(9, battery_ >= 0);
  changed(0, 9);
}

void DeviceObject::set_battery_status(BatteryStatus status) noexcept {
  battery_status_ = static_cast<int8_t>(status);
  set_present(20, battery_status_ >= 0);
  changed(0, 20);
}

void DeviceObject::set_memory(Memory* memory) noexcept {
  memory_ = memory;
  set_present(10, memory || memory_free_ >= 0);
  set_present(21, memory || memory_total_ >= 0);
}

void DeviceObject::set_firmware_version(std::string_view version) noexcept {
  texts_[3] = version;
  set_present(3, !version.empty());
  changed(0, 3);
}

void DeviceObject::set_memory_free_kb(int kb) noexcept {
  memory_free_ = kb;
  set_present(10, memory_ || kb >= 0);
  changed(0, 10);
}

void DeviceObject::set_memory_total_kb(int kb) noexcept {
  memory_total_ = kb;
  set_present(21, memory_ || kb >= 0);
  changed(0, 21);
}

Status DeviceObject::set_utc_offset(std::string_view offset) noexcept {
  Status st =
      copy_text(dm::Value::string(offset), utc_offset_, sizeof utc_offset_, utc_offset_len_);
  if (st) changed(0, 14);
  return st.ok() ? st : Status(Errc::invalid_argument);
}

Status DeviceObject::set_timezone(std::string_view zone) noexcept {
  Status st = copy_text(dm::Value::string(zone), timezone_, sizeof timezone_, timezone_len_);
  if (st) changed(0, 15);
  return st.ok() ? st : Status(Errc::invalid_argument);
}

Status DeviceObject::update_power_source(size_t index, int voltage_mv, int current_ma) noexcept {
  if (index >= power_count_) return Errc::not_found;
  power_[index][0] = voltage_mv;
  power_[index][1] = current_ma;
  changed(0, 7);
  changed(0, 8);
  return {};
}

Status DeviceObject::add_power_source(int source, int voltage_mv, int current_ma) noexcept {
  if (source < 0 || source > kMaxPowerSourceType) return Errc::invalid_argument;
  if (power_count_ == kMaxPowerSources) return Errc::no_space;
  power_type_[power_count_] = static_cast<uint8_t>(source);
  power_[power_count_][0] = voltage_mv;
  power_[power_count_][1] = current_ma;
  ++power_count_;
  set_present(6, true);
  set_present(7, true);
  set_present(8, true);
  changed(0, 6);
  return {};
}

Status DeviceObject::add_error_code(int code) noexcept {
  if (code < 0 || code > kMaxErrorCode) return Errc::invalid_argument;
  if (error_count_ == kMaxErrorCodes) return Errc::no_space;
  errors_[error_count_++] = static_cast<uint8_t>(code);
  changed(0, 11);
  return {};
}

bool DeviceObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  return iid == 0 && (rid >= 32 || (present_ >> rid & 1) != 0);
}

uint32_t DeviceObject::readable_resources(dm::InstanceId iid) const noexcept {
  return iid == 0 ? present_ & kReadable : 0;  // the ids are the indices in the descriptor
}

size_t DeviceObject::resource_instance_count(dm::InstanceId, dm::ResourceId rid) const noexcept {
  if (rid == 11) return error_count_ ? error_count_ : 1;  // "0: no error" when empty
  if (rid >= 6 && rid <= 8) return power_count_;
  return 0;
}

dm::ResourceInstanceId DeviceObject::resource_instance_at(dm::InstanceId, dm::ResourceId,
                                                          size_t index) const noexcept {
  return static_cast<dm::ResourceInstanceId>(index);
}

Result<dm::Value> DeviceObject::read(dm::InstanceId iid, dm::ResourceId rid,
                                     dm::ResourceInstanceId riid, MutableByteView) noexcept {
  if (iid != 0 || (present_ >> rid & 1) == 0) return Errc::not_found;  // rid <= 22: checked
  switch (rid) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 16:
    case 17:
    case 18:
    case 19:
      return dm::Value::string(texts_[text_index(rid)]);
    case 6:
    case 7:
    case 8:
      if (riid >= power_count_) return Errc::not_found;
      return dm::Value::integer(rid == 6 ? power_type_[riid] : power_[riid][rid - 7]);
    case 9:
      return dm::Value::integer(battery_);
    case 10:
    case 21:
      return read_memory(rid);
    case 20:
      return dm::Value::integer(battery_status_);
    case 11:
      if (riid >= resource_instance_count(0, 11)) return Errc::not_found;
      return dm::Value::integer(error_count_ ? errors_[riid] : 0);
    case 13:
      return dm::Value::time(current_time());
    case 14:
      return dm::Value::string({utc_offset_, utc_offset_len_});
    case 15:
      return dm::Value::string({timezone_, timezone_len_});
    default:
      return Errc::method_not_allowed;
  }
}

Result<dm::Value> DeviceObject::read_memory(dm::ResourceId rid) const noexcept {
  int64_t kb = rid == 10 ? memory_free_ : memory_total_;
  if (memory_) kb = rid == 10 ? memory_->free_kb() : memory_->total_kb();
  if (kb < 0) return Errc::not_found;  // the hook does not know
  return dm::Value::integer(kb);
}

Status DeviceObject::write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                           const dm::Value& v) noexcept {
  if (iid != 0) return Errc::not_found;
  switch (rid) {
    case 13:
      // An offset from the clock, so that the written time keeps running.
      time_offset_ = v.as_time() - clock_now();
      time_written_ = true;
      return {};
    case 14:
      return copy_text(v, utc_offset_, sizeof utc_offset_, utc_offset_len_);
    case 15:
      return copy_text(v, timezone_, sizeof timezone_, timezone_len_);
    default:
      return Errc::method_not_allowed;
  }
}

Status DeviceObject::execute(dm::InstanceId iid, dm::ResourceId rid, ByteView) noexcept {
  if (iid != 0) return Errc::not_found;
  switch (rid) {
    case 4:
    case 5:
      return {};  // the core calls the handler once the 2.04 is out (see Client)
    case 12:
      error_count_ = 0;
      changed(0, 11);
      return {};
    default:
      return Errc::method_not_allowed;
  }
}

}  // namespace lwm2m::objects
