// SPDX-License-Identifier: Apache-2.0
#include "core/effects.hpp"

#include "core/well_known.hpp"

namespace lwm2m::core {
namespace {

using K = Change::Kind;
namespace srv = wk::server;
namespace dev = wk::device;

constexpr EffectRule kRules[] = {
    {K::written, wk::kServer, srv::kLifetime, Action::registration_changed},
    {K::written, wk::kServer, srv::kBinding, Action::registration_changed},
    {K::written, wk::kServer, srv::kDefaultPmin, Action::default_periods},
    {K::written, wk::kServer, srv::kDefaultPmax, Action::default_periods},
    {K::executed, wk::kServer, srv::kDisable, Action::disable},
    {K::executed, wk::kServer, srv::kUpdateTrigger, Action::update_trigger},
    {K::executed, wk::kServer, srv::kBootstrapTrigger, Action::bootstrap_trigger},
    {K::executed, wk::kDevice, dev::kReboot, Action::reboot},
    {K::executed, wk::kDevice, dev::kFactoryReset, Action::factory_reset},
    {K::created, wk::kSecurity, kAnyResource, Action::accounts_changed},
    {K::deleted, wk::kSecurity, kAnyResource, Action::accounts_changed},
    {K::created, wk::kServer, kAnyResource, Action::accounts_changed},
    {K::deleted, wk::kServer, kAnyResource, Action::accounts_changed},
    {K::created, kAnyObject, kAnyResource, Action::objects_changed},
    {K::deleted, kAnyObject, kAnyResource, Action::objects_changed},
    {K::written, wk::kFirmwareUpdate, wk::firmware::kPackageUri, Action::package_uri},
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
