// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/ddf/object_3342_v1_1.hpp"
#include "lwm2m/objects/light_control.hpp"
#include "sorted_instances.hpp"

namespace lwm2m::objects {
namespace {
namespace rid = ddf::on_off_switch_v1_1::rid;
}  // namespace

const dm::ObjectDef& on_off_switch_object_def() noexcept {
  return ddf::on_off_switch_v1_1::kObject;
}

OnOffSwitchObject::OnOffSwitchObject(std::span<OnOffSwitchInstance> storage) noexcept
    : Object(ddf::on_off_switch_v1_1::kObject), storage_(storage) {
  for (OnOffSwitchInstance& i : storage_)
    i = OnOffSwitchInstance{};
}

OnOffSwitchInstance* OnOffSwitchObject::find(dm::InstanceId iid) const noexcept {
  return find_instance(storage_.first(count_), iid);
}

const OnOffSwitchInstance* OnOffSwitchObject::instance(dm::InstanceId iid) const noexcept {
  return find(iid);
}

dm::InstanceId OnOffSwitchObject::instance_at(size_t index) const noexcept {
  return index < count_ ? storage_[index].id : dm::kInvalidId;
}

Status OnOffSwitchObject::add(dm::InstanceId iid, std::string_view application_type) noexcept {
  OnOffSwitchInstance n;
  n.id = iid;
  n.since = now();
  if (!n.application_type.assign(application_type)) return Errc::invalid_argument;
  n.saved_application_type = n.application_type;
  Status st = insert_instance(storage_, count_, n);
  if (st) instances_changed();
  return st;
}

Status OnOffSwitchObject::set_state(dm::InstanceId iid, bool on) noexcept {
  OnOffSwitchInstance* i = find(iid);
  if (!i) return Errc::not_found;
  if (on == i->state) return {};
  i->state = on;
  i->since = now();
  changed(iid, rid::kDigitalInputState);
  if (on) {
    ++i->counter;
    changed(iid, rid::kDigitalInputCounter);
  }
  if (clock_) {
    i->timestamp = i->since;
    changed(iid, rid::kTimestamp);
  }
  return {};
}

bool OnOffSwitchObject::has_resource(dm::InstanceId iid, dm::ResourceId r) const noexcept {
  const OnOffSwitchInstance* i = find(iid);
  if (!i) return false;
  if (r == rid::kTimestamp) return i->timestamp >= 0;
  return r != rid::kFractionalTimestamp;
}

Result<dm::Value> OnOffSwitchObject::read(dm::InstanceId iid, dm::ResourceId r,
                                          dm::ResourceInstanceId, MutableByteView) noexcept {
  if (!has_resource(iid, r)) return Errc::not_found;
  const OnOffSwitchInstance& i = *find(iid);
  switch (r) {
    case rid::kDigitalInputState:
      return dm::Value::boolean(i.state);
    case rid::kDigitalInputCounter:
      return dm::Value::integer(i.counter);
    case rid::kOnTime:
      return dm::Value::integer(i.state ? now() - i.since : 0);
    case rid::kOffTime:
      return dm::Value::integer(i.state ? 0 : now() - i.since);
    case rid::kApplicationType:
      return dm::Value::string(i.application_type.view());
    case rid::kTimestamp:
      return dm::Value::time(i.timestamp);
    default:
      return Errc::method_not_allowed;
  }
}

Status OnOffSwitchObject::write(dm::InstanceId iid, dm::ResourceId r, dm::ResourceInstanceId,
                                const dm::Value& v) noexcept {
  OnOffSwitchInstance* i = find(iid);
  if (!i) return Errc::not_found;
  switch (r) {
    case rid::kOnTime:
    case rid::kOffTime:
      if (v.as_integer() != 0) return Errc::bad_request;  // only a reset to 0 is defined
      i->since = now();
      return {};
    case rid::kApplicationType:
      return i->application_type.assign(v.as_string()) ? Status{} : Status{Errc::bad_request};
    default:
      return Errc::method_not_allowed;
  }
}

void OnOffSwitchObject::transaction_commit() noexcept {
  for (OnOffSwitchInstance& i : storage_.first(count_)) {
    if (i.application_type == i.saved_application_type) continue;
    i.saved_application_type = i.application_type;
    changed(i.id, rid::kApplicationType);
  }
}

void OnOffSwitchObject::transaction_rollback() noexcept {
  for (OnOffSwitchInstance& i : storage_.first(count_))
    i.application_type = i.saved_application_type;
}

}  // namespace lwm2m::objects
