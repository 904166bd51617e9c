// SPDX-License-Identifier: Apache-2.0
// The Firmware Update object's saved layout (FirmwareUpdateRecord), little-endian:
//   layout (u8) = 1, State (u8), Update Result (u8), flags (u8: 1 = a push was in progress),
//   bytes received (u32), Severity (u8), Maximum Defer Period (u32),
//   Last State Change Time (i64), then Package URI, PkgName and PkgVersion, each as
//   length (u8) and bytes.
#include <cstring>

#include "lwm2m/objects/firmware_update.hpp"

namespace lwm2m::objects {
namespace {

constexpr uint8_t kLayout = 1;
constexpr size_t kFixed = 1 + 1 + 1 + 1 + 4 + 1 + 4 + 8;
constexpr uint8_t kPushing = 1;

void put(uint8_t*& p, uint64_t v, int bytes) noexcept {
  for (int i = 0; i < bytes; ++i)
    *p++ = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t get(const uint8_t*& p, int bytes) noexcept {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= uint64_t{*p++} << (8 * i);
  return v;
}

/// The fields of a record, checked (`ok` false when it is not one this build can take).
struct Parsed {
  bool ok = false;
  uint8_t state = 0, result = 0, flags = 0, severity = 1;
  uint32_t received = 0, max_defer = 0;
  int64_t last_change = 0;
  std::string_view uri, name, version;
};

Parsed parse(ByteView data) noexcept {
  Parsed r;
  if (data.size() < kFixed || data[0] != kLayout) return r;
  const uint8_t* p = data.data() + 1;
  r.state = static_cast<uint8_t>(get(p, 1));
  r.result = static_cast<uint8_t>(get(p, 1));
  r.flags = static_cast<uint8_t>(get(p, 1));
  r.received = static_cast<uint32_t>(get(p, 4));
  r.severity = static_cast<uint8_t>(get(p, 1));
  r.max_defer = static_cast<uint32_t>(get(p, 4));
  r.last_change = static_cast<int64_t>(get(p, 8));
  const uint8_t* end = data.data() + data.size();
  std::string_view* texts[] = {&r.uri, &r.name, &r.version};
  const size_t limits[] = {FirmwareUpdateObject::kMaxUriLength,
                           FirmwareUpdateObject::kMaxPackageInfo,
                           FirmwareUpdateObject::kMaxPackageInfo};
  for (size_t i = 0; i < 3; ++i) {
    if (p == end) return r;
    const size_t n = *p++;
    if (n > limits[i] || n > static_cast<size_t>(end - p)) return r;
    *texts[i] = {reinterpret_cast<const char*>(p), n};
    p += n;
  }
  // Values the resources' ranges (0..3, 0..11, 0..2) allow, nothing left over.
  r.ok = p == end && r.state <= 3 && r.result <= 11 && r.severity <= 2 && r.flags <= kPushing;
  return r;
}

}  // namespace

Result<size_t> FirmwareUpdateRecord::save(MutableByteView out) const noexcept {
  const FirmwareUpdateObject& o = object_;
  const size_t size = kFixed + 3 + o.uri_len_ + o.name_len_ + o.version_len_;
  if (out.size() < size) return Errc::buffer_too_small;
  uint8_t* p = out.data();
  put(p, kLayout, 1);
  put(p, static_cast<uint8_t>(o.state_), 1);
  put(p, static_cast<uint8_t>(o.result_), 1);
  put(p, o.pushing_ ? kPushing : 0, 1);
  put(p, o.received_, 4);
  put(p, o.severity_, 1);
  put(p, o.max_defer_s_, 4);
  put(p, static_cast<uint64_t>(o.last_change_), 8);
  for (std::string_view s : {o.package_uri(), o.package_name(), o.package_version()}) {
    put(p, s.size(), 1);
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  return size;
}

Status FirmwareUpdateRecord::check(ByteView data) const noexcept {
  return parse(data).ok ? Status{} : Status{Errc::malformed};
}

void FirmwareUpdateRecord::restore(ByteView data) noexcept {
  const Parsed r = parse(data);
  if (!r.ok) return;  // check() refused it first
  FirmwareUpdateObject& o = object_;
  o.state_ = static_cast<FirmwareState>(r.state);
  o.result_ = static_cast<UpdateResult>(r.result);
  o.pushing_ = (r.flags & kPushing) != 0;
  o.received_ = r.received;
  o.severity_ = r.severity;
  o.max_defer_s_ = r.max_defer;
  o.last_change_ = r.last_change;
  if (!r.uri.empty()) std::memcpy(o.uri_, r.uri.data(), r.uri.size());
  o.uri_len_ = static_cast<uint8_t>(r.uri.size());
  (void)o.set_package_info(r.name, r.version);
  o.resume_after_restart();
}

}  // namespace lwm2m::objects
