// SPDX-License-Identifier: Apache-2.0
#include "core/effects.hpp"

#include "core/well_known.hpp"

namespace lwm2m::core {
namespace {

using K = Change::Kind;
namespace srv = wk::server;
namespace dev = wk::device;

constexpr EffectRule kRules[] = {
    {K::written, Action::registration_changed, wk::kServer, srv::kLifetime},
    {K::written, Action::registration_changed, wk::kServer, srv::kBinding},
    {K::written, Action::default_periods, wk::kServer, srv::kDefaultPmin},
    {K::written, Action::default_periods, wk::kServer, srv::kDefaultPmax},
    {K::executed, Action::disable, wk::kServer, srv::kDisable},
    {K::executed, Action::update_trigger, wk::kServer, srv::kUpdateTrigger},
    {K::executed, Action::bootstrap_trigger, wk::kServer, srv::kBootstrapTrigger},
    {K::executed, Action::reboot, wk::kDevice, dev::kReboot},
    {K::executed, Action::factory_reset, wk::kDevice, dev::kFactoryReset},
    {K::created, Action::accounts_changed, wk::kSecurity, kAnyResource},
    {K::deleted, Action::accounts_changed, wk::kSecurity, kAnyResource},
    {K::created, Action::accounts_changed, wk::kServer, kAnyResource},
    {K::deleted, Action::accounts_changed, wk::kServer, kAnyResource},
    {K::created, Action::objects_changed, kAnyObject, kAnyResource},
    {K::deleted, Action::objects_changed, kAnyObject, kAnyResource},
    {K::written, Action::package_uri, wk::kFirmwareUpdate, wk::firmware::kPackageUri},
};

}  // namespace

std::span<const EffectRule> effect_rules() noexcept {
  return kRules;
}

bool has_effect(const Change& change) noexcept {
  bool any = false;
  for_each_effect(change, [&](Action) { any = true; });
  return any;
}

void ChangeList::add(const Change& c) noexcept {
  if (!has_effect(c)) return;
  for (size_t i = 0; i < count_; ++i)
    if (items_[i] == c) return;
  if (count_ == kMax) {
    overflowed_ = true;
    return;
  }
  items_[count_++] = c;
}

}  // namespace lwm2m::core
