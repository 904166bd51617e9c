// SPDX-License-Identifier: Apache-2.0
// What the core does when a server changed the data model: one table from a path pattern
// to a core action. Effects are found in what a request changed and acted on only after
// the request's transaction committed (or its Execute succeeded), never from inside an
// object's handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lwm2m/dm/path.hpp"

namespace lwm2m::core {

/// One change a request made to the data model: a resource written or executed, or an
/// instance created or deleted (`resource` is then kInvalidId). Trivial, so that a list of
/// them costs no initialisation.
struct Change {
  enum class Kind : uint8_t { written, created, deleted, executed };
  Change() noexcept = default;
  Change(Kind k, const dm::Path& p) noexcept
      : kind(k), object(p.object()), instance(p.instance()), resource(p.resource()) {}
  Kind kind;
  dm::ObjectId object;
  dm::InstanceId instance;
  dm::ResourceId resource;
  friend bool operator==(const Change&, const Change&) noexcept = default;
};

enum class Action : uint8_t {
  registration_changed,  ///< lifetime or binding (queue mode is in the binding): Update
  default_periods,       ///< default pmin/pmax: notifications are re-evaluated
  disable,               ///< De-register, register again after the Disable Timeout
  update_trigger,        ///< Registration Update Trigger
  bootstrap_trigger,     ///< Bootstrap-Request Trigger
  reboot,
  factory_reset,
  accounts_changed,  ///< a Security or Server instance came or went
  objects_changed,   ///< an instance came or went: the registration lists the new set
  package_uri,       ///< Firmware Update's Package URI: the downloader starts or stops
};

inline constexpr dm::ObjectId kAnyObject = dm::kInvalidId;
inline constexpr dm::ResourceId kAnyResource = dm::kInvalidId;

/// The two one-byte fields first: a row takes 6 bytes, not 8.
struct EffectRule {
  Change::Kind kind;
  Action action;
  dm::ObjectId object;      ///< kAnyObject: every object
  dm::ResourceId resource;  ///< kAnyResource for instance changes
};
static_assert(sizeof(EffectRule) == 6);

/// The table itself (effects.cpp).
std::span<const EffectRule> effect_rules() noexcept;

/// Calls `fn(Action)` for every rule `change` matches, in table order.
template <class Fn>
void for_each_effect(const Change& change, Fn&& fn) noexcept {
  for (const EffectRule& r : effect_rules()) {
    if (r.kind != change.kind) continue;
    if (r.object != kAnyObject && r.object != change.object) continue;
    if (r.resource != kAnyResource && r.resource != change.resource) continue;
    fn(r.action);
  }
}

/// Whether the core acts on `change` at all (only those are kept).
bool has_effect(const Change& change) noexcept;

/// The changes of one request that have an effect, in order. Bounded: when more arrive
/// than fit, `overflowed()` tells the core to act as if every account's registration
/// parameters and objects changed.
class ChangeList {
 public:
  /// A Write of a whole Server instance changes 4 resources the core acts on: 8 cover two
  /// (the list lives on the stack of the request that makes it).
  static constexpr size_t kMax = 8;
  void add(const Change& c) noexcept;
  void clear() noexcept {
    count_ = 0;
    overflowed_ = false;
    configuration_ = false;
  }
  /// Security, Server or Access Control changed (whether or not the core acts on it): the
  /// configuration is saved after the commit.
  void note_configuration() noexcept { configuration_ = true; }
  bool configuration_changed() const noexcept { return configuration_; }
  std::span<const Change> items() const noexcept { return {items_, count_}; }
  bool overflowed() const noexcept { return overflowed_; }

 private:
  Change items_[kMax];
  size_t count_ = 0;
  bool overflowed_ = false;
  bool configuration_ = false;
};

}  // namespace lwm2m::core
