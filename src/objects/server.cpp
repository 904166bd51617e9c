// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/server.hpp"

#include "slot_ids.hpp"

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

constexpr dm::ObjectDef kDef{1, "1.1", true, true, kResources, "LwM2M Server"};

bool is_ignored(dm::ResourceId rid) noexcept {
  return rid == 10 || (rid >= 12 && rid <= 15) || rid == 21 || rid == 22;
}

/// Integer or unsigned value as uint32 (the decoders type values as the descriptor says).
Status to_u32(const dm::Value& v, uint32_t& out) noexcept {
  if (v.type() == DataType::unsigned_integer) {
    if (v.as_unsigned() > 0xFFFFFFFFull) return Errc::bad_request;
    out = static_cast<uint32_t>(v.as_unsigned());
    return {};
  }
  if (v.as_integer() < 0 || v.as_integer() > 0xFFFFFFFFll) return Errc::bad_request;
  out = static_cast<uint32_t>(v.as_integer());
  return {};
}

/// An empty slot; out of line, so the initialisation exists once rather than at each use.
[[gnu::noinline]] void clear(ServerInstance& s) noexcept {
  s = ServerInstance{};
}

/// Instance `iid` as a Create makes it: the defaults, binding "U" (one copy for Create and
/// Write-Replace).
[[gnu::noinline]] void fresh(ServerInstance& s, dm::InstanceId iid) noexcept {
  clear(s);
  s.id = iid;
  (void)s.binding.assign(std::string_view("U"));
}

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

ServerObject::ServerObject(std::span<ServerInstance> storage) noexcept
    : Object(kDef), storage_(storage) {
  for (ServerInstance& s : storage_)
    clear(s);
}

ServerInstance* ServerObject::slot(dm::InstanceId iid) const noexcept {
  if (iid == dm::kInvalidId) return nullptr;
  for (ServerInstance& s : storage_)
    if (s.id == iid) return &s;
  return nullptr;
}

Result<ServerInstance*> ServerObject::slot_to_change(dm::InstanceId iid) noexcept {
  ServerInstance* s = slot(iid);
  if (!s) return Errc::not_found;
  if (Status st = undo_.save(*s); !st) return st;
  return s;
}

const ServerInstance* ServerObject::instance(dm::InstanceId id) const noexcept {
  return slot(id);
}

const ServerInstance* ServerObject::find(uint16_t ssid) const noexcept {
  for (const ServerInstance& s : storage_)
    if (s.id != dm::kInvalidId && s.config.short_server_id == ssid) return &s;
  return nullptr;
}

Result<dm::InstanceId> ServerObject::add(const ServerConfig& c, dm::InstanceId id) noexcept {
  if (id == dm::kInvalidId) {
    id = 0;
    while (slot(id))
      ++id;
  }
  if (!binding_valid(c.binding)) return Errc::invalid_argument;
  if (Status s = create_instance(id); !s) return s;
  ServerInstance& i = *slot(id);
  if (!i.binding.assign(c.binding)) {
    clear(i);
    return Errc::invalid_argument;
  }
  i.config = c;
  i.config.binding = {};
  i.has_pmin = c.default_pmin_s != 0;
  i.has_pmax = c.default_pmax_s != 0;
  instances_changed();
  return id;
}

size_t ServerObject::instance_count() const noexcept {
  return SlotIds(storage_).used();
}

dm::InstanceId ServerObject::instance_at(size_t index) const noexcept {
  return SlotIds(storage_).sorted_at(index);
}

bool ServerObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  const ServerInstance* s = slot(iid);
  if (!s || is_ignored(rid)) return false;
  if (rid == 2) return s->has_pmin;
  if (rid == 3) return s->has_pmax;
  return true;
}

Result<dm::Value> ServerObject::read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                                     MutableByteView) noexcept {
  const ServerInstance* s = slot(iid);
  if (!s || !has_resource(iid, rid)) return Errc::not_found;
  const ServerConfig& c = s->config;
  switch (rid) {
    case 0:
      return dm::Value::integer(c.short_server_id);
    case 1:
      return dm::Value::integer(c.lifetime_s);
    case 2:
      return dm::Value::integer(c.default_pmin_s);
    case 3:
      return dm::Value::integer(c.default_pmax_s);
    case 5:
      return dm::Value::integer(c.disable_timeout_s);
    case 6:
      return dm::Value::boolean(c.notification_storing);
    case 7:
      return dm::Value::string(s->binding.str());
    case 16:
      return dm::Value::boolean(c.bootstrap_on_failure);
    case 17:
      return dm::Value::unsigned_integer(c.communication_retry_count);
    case 18:
      return dm::Value::unsigned_integer(c.communication_retry_timer_s);
    case 19:
      return dm::Value::unsigned_integer(c.sequence_delay_timer_s);
    case 20:
      return dm::Value::unsigned_integer(c.sequence_retry_count);
    case 23:
      return dm::Value::boolean(c.mute_send);
    default:
      return Errc::method_not_allowed;
  }
}

Status ServerObject::write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                           const dm::Value& v) noexcept {
  if (is_ignored(rid)) return slot(iid) ? Status{} : Status{Errc::not_found};
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  ServerInstance* s = *changing;
  ServerConfig& c = s->config;
  uint32_t u = 0;
  switch (rid) {
    case 0:  // only the bootstrap interface gets here (the resource is read-only)
      if (Status st = to_u32(v, u); !st) return st;
      if (u < 1 || u > 65534) return Errc::bad_request;
      c.short_server_id = static_cast<uint16_t>(u);
      return {};
    case 1:
      return to_u32(v, c.lifetime_s);
    case 2:
      s->has_pmin = true;
      return to_u32(v, c.default_pmin_s);
    case 3:
      s->has_pmax = true;
      return to_u32(v, c.default_pmax_s);
    case 5:
      return to_u32(v, c.disable_timeout_s);
    case 6:
      c.notification_storing = v.as_bool();
      return {};
    case 7: {
      if (!binding_valid(v.as_string())) return Errc::bad_request;
      if (Status st = s->binding.assign(v.as_bytes()); !st) return Errc::bad_request;
      return {};
    }
    case 16:
      c.bootstrap_on_failure = v.as_bool();
      return {};
    case 17:
      return to_u32(v, c.communication_retry_count);
    case 18:
      return to_u32(v, c.communication_retry_timer_s);
    case 19:
      return to_u32(v, c.sequence_delay_timer_s);
    case 20:
      return to_u32(v, c.sequence_retry_count);
    case 23:
      c.mute_send = v.as_bool();
      return {};
    default:
      return Errc::method_not_allowed;
  }
}

Status ServerObject::reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  ServerInstance* s = *changing;
  if (rid == 2) s->has_pmin = false;
  if (rid == 3) s->has_pmax = false;
  return {};
}

Status ServerObject::execute(dm::InstanceId iid, dm::ResourceId rid, ByteView) noexcept {
  if (!slot(iid)) return Errc::not_found;
  // Disable (4), Registration Update Trigger (8), Bootstrap-Request Trigger (9): the
  // client core acts on them once the Execute has been answered.
  if (rid == 4 || rid == 8 || rid == 9) return {};
  return Errc::method_not_allowed;
}

Status ServerObject::create_instance(dm::InstanceId iid) noexcept {
  if (iid == dm::kInvalidId) return Errc::invalid_argument;
  if (slot(iid)) return Errc::already_exists;
  for (ServerInstance& s : storage_) {
    if (s.id != dm::kInvalidId) continue;
    if (Status st = undo_.save(s); !st) return st;
    fresh(s, iid);
    return {};
  }
  return Errc::no_space;
}

Status ServerObject::delete_instance(dm::InstanceId iid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  clear(**changing);
  return {};
}

Status ServerObject::reset_instance(dm::InstanceId iid) noexcept {
  auto changing = slot_to_change(iid);
  if (!changing) return changing.status();
  ServerInstance* s = *changing;
  const uint16_t ssid = s->config.short_server_id;
  fresh(*s, iid);
  s->config.short_server_id = ssid;
  return {};
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
