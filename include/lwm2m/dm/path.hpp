// SPDX-License-Identifier: Apache-2.0
// LwM2M paths: /, /O, /O/I, /O/I/R, /O/I/R/RI with 16-bit ids (65535 is reserved).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/status.hpp"

namespace lwm2m::dm {

using ObjectId = uint16_t;
using InstanceId = uint16_t;
using ResourceId = uint16_t;
using ResourceInstanceId = uint16_t;

/// 65535 is reserved by the spec and means "absent" here.
inline constexpr uint16_t kInvalidId = 0xFFFF;

/// An instance id as a slot of an object's storage keeps it: reads and assigns like an
/// InstanceId, and a zero-filled slot reads kInvalidId (unused). Slot arrays then need no
/// initial values, so a static array of them costs RAM only, no flash.
class SlotId {
 public:
  /// An unused slot: reads kInvalidId.
  constexpr SlotId() noexcept = default;
  /// Holds `id` (kInvalidId: unused).
  constexpr SlotId(InstanceId id) noexcept : stored_(static_cast<uint16_t>(id + 1u)) {}
  /// The id held, kInvalidId when the slot is unused.
  constexpr operator InstanceId() const noexcept { return static_cast<uint16_t>(stored_ - 1u); }

 private:
  uint16_t stored_ = 0;  ///< id + 1 modulo 2^16: 0 is kInvalidId
};

/// An LwM2M path: the root "/", an object "/3", an instance "/3/0", a resource "/3/0/1" or a
/// resource instance "/3/0/7/1".
class Path {
 public:
  /// Levels of the deepest path (object, instance, resource, resource instance).
  static constexpr size_t kMaxDepth = 4;
  /// Longest text form: "/65534/65534/65534/65534".
  static constexpr size_t kMaxTextLength = 24;

  constexpr Path() noexcept = default;  // the root path "/"
  /// The object path /o.
  constexpr explicit Path(ObjectId o) noexcept
      : ids_{o, kInvalidId, kInvalidId, kInvalidId}, depth_(1) {}
  /// The instance path /o/i.
  constexpr Path(ObjectId o, InstanceId i) noexcept
      : ids_{o, i, kInvalidId, kInvalidId}, depth_(2) {}
  /// The resource path /o/i/r.
  constexpr Path(ObjectId o, InstanceId i, ResourceId r) noexcept
      : ids_{o, i, r, kInvalidId}, depth_(3) {}
  /// The resource instance path /o/i/r/ri.
  constexpr Path(ObjectId o, InstanceId i, ResourceId r, ResourceInstanceId ri) noexcept
      : ids_{o, i, r, ri}, depth_(4) {}

  /// Parses "/3/0/1" (leading slash required, no trailing slash except the root "/").
  /// Rejects ids above 65534, empty segments and more than four levels.
  static Result<Path> parse(std::string_view text) noexcept;
  /// Builds a path from CoAP Uri-Path segments (each a decimal id). Zero segments = root.
  /// A single empty segment is accepted as the root too (some peers send Uri-Path "").
  static Result<Path> from_segments(std::span<const std::string_view> segments) noexcept;

  /// Number of ids: 0 for the root, 4 for a resource instance.
  constexpr size_t depth() const noexcept { return depth_; }
  /// True for "/".
  constexpr bool is_root() const noexcept { return depth_ == 0; }
  /// True when the path names an object (depth >= 1).
  constexpr bool has_object() const noexcept { return depth_ >= 1; }
  /// True when the path names an instance (depth >= 2).
  constexpr bool has_instance() const noexcept { return depth_ >= 2; }
  /// True when the path names a resource (depth >= 3).
  constexpr bool has_resource() const noexcept { return depth_ >= 3; }
  /// True when the path names a resource instance (depth 4).
  constexpr bool has_resource_instance() const noexcept { return depth_ >= 4; }

  /// The object id (when has_object()).
  constexpr ObjectId object() const noexcept { return ids_[0]; }
  /// The instance id (when has_instance()).
  constexpr InstanceId instance() const noexcept { return ids_[1]; }
  /// The resource id (when has_resource()).
  constexpr ResourceId resource() const noexcept { return ids_[2]; }
  /// The resource instance id (when has_resource_instance()).
  constexpr ResourceInstanceId resource_instance() const noexcept { return ids_[3]; }
  /// Id at level 0..3; kInvalidId above depth().
  constexpr uint16_t id(size_t level) const noexcept {
    return level < kMaxDepth ? ids_[level] : kInvalidId;
  }

  /// The path one level deeper; invalid_argument when already at depth 4 or id is 65535.
  Result<Path> child(uint16_t id) const noexcept;
  /// The path one level up (root stays root).
  constexpr Path parent() const noexcept {
    Path p = *this;
    if (p.depth_ > 0) p.ids_[--p.depth_] = kInvalidId;
    return p;
  }
  /// True when this path equals `other` or is an ancestor of it.
  constexpr bool is_prefix_of(const Path& other) const noexcept {
    if (depth_ > other.depth_) return false;
    for (size_t i = 0; i < depth_; ++i)
      if (ids_[i] != other.ids_[i]) return false;
    return true;
  }

  /// Writes the text form ("/" for the root) and returns its length, or 0 if `out` is too
  /// small (kMaxTextLength always suffices).
  size_t format(std::span<char> out) const noexcept;

  /// Same depth and ids.
  friend constexpr bool operator==(const Path& a, const Path& b) noexcept {
    return a.depth_ == b.depth_ && a.ids_ == b.ids_;
  }
  /// Depth-first order: a parent sorts before its children, siblings by id.
  friend constexpr std::strong_ordering operator<=>(const Path& a, const Path& b) noexcept {
    const size_t n = a.depth_ < b.depth_ ? a.depth_ : b.depth_;
    for (size_t i = 0; i < n; ++i)
      if (a.ids_[i] != b.ids_[i]) return a.ids_[i] <=> b.ids_[i];
    return a.depth_ <=> b.depth_;
  }

 private:
  std::array<uint16_t, kMaxDepth> ids_{kInvalidId, kInvalidId, kInvalidId, kInvalidId};
  uint8_t depth_ = 0;
};

}  // namespace lwm2m::dm
