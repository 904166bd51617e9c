// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/server.hpp"

#include <cstddef>
#include <iterator>

namespace lwm2m::objects {
namespace {

using dm::DataType;
using dm::Operations;
using dm::ResourceDef;

constexpr ResourceDef kResources[] = {
    {0, DataType::integer, Operations::read, false, true, "Short Server ID"},
    {1, DataType::integer, Operations::read_write, false, true, "Lifetime"},
    {2, DataType::integer, Operations::read_write, false, false, "Default Minimum Period"},
    {3, DataType::integer, Operations::read_write, false, false, "Default Maximum Period"},
    {4, DataType::none, Operations::execute, false, false, "Disable"},
    {5, DataType::integer, Operations::read_write, false, false, "Disable Timeout"},
    {6, DataType::boolean, Operations::read_write, false, true,
     "Notification Storing When Disabled or Offline"},
    {7, DataType::string, Operations::read_write, false, true, "Binding"},
    {8, DataType::none, Operations::execute, false, true, "Registration Update Trigger"},
    {9, DataType::none, Operations::execute, false, false, "Bootstrap-Request Trigger"},
    // Accepted from bootstrap servers and not kept: this client has one transport per
    // server and no APN or registration ordering.
    {10, DataType::objlnk, Operations::read_write, false, false, "APN Link"},
    {12, DataType::time, Operations::read, false, false, "Last Bootstrapped"},
    {13, DataType::unsigned_integer, Operations::read_write, false, false,
     "Registration Priority Order"},
    {14, DataType::unsigned_integer, Operations::read_write, false, false,
     "Initial Registration Delay Timer"},
    {15, DataType::boolean, Operations::read_write, false, false, "Registration Failure Block"},
    {16, DataType::boolean, Operations::read_write, false, false,
     "Bootstrap on Registration Failure"},
    {17, DataType::unsigned_integer, Operations::read_write, false, false,
     "Communication Retry Count"},
    {18, DataType::unsigned_integer, Operations::read_write, false, false,
     "Communication Retry Timer"},
    {19, DataType::unsigned_integer, Operations::read_write, false, false,
     "Communication Sequence Delay Timer"},
    {20, DataType::unsigned_integer, Operations::read_write, false, false,
     "Communication Sequence Retry Count"},
    {21, DataType::boolean, Operations::read_write, false, false, "Trigger"},
    {22, DataType::string, Operations::read_write, false, false, "Preferred Transport"},
    {23, DataType::boolean, Operations::read_write, false, false, "Mute Send"},
};

using detail::Field;
using S = ServerInstance;
constexpr size_t kBindingMax = LWM2M_SERVER_BINDING_MAX;

// Where each resource lives in a slot, by id (objects/slot_table.hpp).
constexpr Field kFields[] = {
    detail::field(Field::ssid, offsetof(S, config.short_server_id)),
    detail::field(Field::int32, offsetof(S, config.lifetime_s)),
    detail::field(Field::int32, offsetof(S, config.default_pmin_s), offsetof(S, has_pmin), true),
    detail::field(Field::int32, offsetof(S, config.default_pmax_s), offsetof(S, has_pmax), true),
    detail::field(Field::executable),  // Disable
    detail::field(Field::int32, offsetof(S, config.disable_timeout_s)),
    detail::field(Field::flag, offsetof(S, config.notification_storing)),
    detail::field(Field::binding, offsetof(S, binding), kBindingMax),
    detail::field(Field::executable),  // Registration Update Trigger
    detail::field(Field::executable),  // Bootstrap-Request Trigger
    detail::field(Field::ignored),
    detail::field(Field::ignored),  // not defined
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::flag, offsetof(S, config.bootstrap_on_failure)),
    detail::field(Field::uint32, offsetof(S, config.communication_retry_count)),
    detail::field(Field::uint32, offsetof(S, config.communication_retry_timer_s)),
    detail::field(Field::uint32, offsetof(S, config.sequence_delay_timer_s)),
    detail::field(Field::uint32, offsetof(S, config.sequence_retry_count)),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::flag, offsetof(S, config.mute_send)),
};
static_assert(detail::fields_match(kFields, kResources));
// ByteField's layout as the shared code reads it.
static_assert(offsetof(S, binding.size) - offsetof(S, binding) == detail::size_offset(kBindingMax));

// Instance `iid` as a Create makes it: the defaults, binding "U".
void init(void* slot) noexcept {
  S& s = *static_cast<S*>(slot);
  s.config = ServerConfig{};
  s.binding.data[0] = 'U';
  s.binding.size = 1;
}

constexpr detail::SlotObjectDef kDef{{1, "1.1", true, true, kResources, "LwM2M Server"},
                                     kFields,
                                     std::size(kFields),
                                     sizeof(S),
                                     // A Write-Replace keeps the Short Server ID.
                                     offsetof(S, config.short_server_id),
                                     init,
                                     detail::save_server_slot};

}  // namespace

bool binding_valid(std::string_view b) noexcept {
  if (b.empty()) return false;
  for (char c : b)
    if (c != 'U' && c != 'T' && c != 'S' && c != 'N' && c != 'Q') return false;
  return true;
}

bool binding_has_queue(std::string_view b) noexcept {
  return b.find('Q') != std::string_view::npos;
}

const dm::ObjectDef& server_object_def() noexcept {
  return kDef;
}

Status detail::save_server_slot(dm::Object& object, void* slot) noexcept {
  return static_cast<ServerObject&>(object).undo_.save(*static_cast<S*>(slot));
}

ServerObject::ServerObject(std::span<ServerInstance> storage) noexcept
    : SlotTableObject(kDef, storage.data(), storage.size()) {
  clear_slots();
}

const ServerInstance* ServerObject::find(uint16_t ssid) const noexcept {
  for (const ServerInstance& s : instances())
    if (s.id != dm::kInvalidId && s.config.short_server_id == ssid) return &s;
  return nullptr;
}

Result<dm::InstanceId> ServerObject::add(const ServerConfig& c, dm::InstanceId id) noexcept {
  if (!binding_valid(c.binding) || c.binding.size() > kBindingMax) return Errc::invalid_argument;
  auto slot = add_slot(id);
  if (!slot) return slot.status();
  ServerInstance& i = *static_cast<ServerInstance*>(*slot);
  (void)i.binding.assign(c.binding);
  i.config = c;
  i.config.binding = {};
  i.has_pmin = c.default_pmin_s != 0;
  i.has_pmax = c.default_pmax_s != 0;
  instances_changed();
  return id;
}

Status ServerObject::transaction_begin() noexcept {
  undo_.begin();
  return {};
}

void ServerObject::transaction_commit() noexcept {
  undo_.commit();
}

void ServerObject::transaction_rollback() noexcept {
  undo_.rollback();
}

}  // namespace lwm2m::objects
