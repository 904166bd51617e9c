// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/security.hpp"

#include "slot_ids.hpp"

namespace lwm2m::objects {

Status detail::assign_bytes(uint8_t* data, uint16_t& size, size_t capacity, ByteView v) noexcept {
  if (v.size() > capacity) return Errc::request_entity_too_large;
  for (size_t i = 0; i < v.size(); ++i)
    data[i] = v[i];
  for (size_t i = v.size(); i < size; ++i)
    data[i] = 0;  // the rest of a longer value it replaces (keys do not linger)
  size = static_cast<uint16_t>(v.size());
  return {};
}

namespace {

using dm::DataType;
using dm::Operations;
using dm::ResourceDef;

// The spec gives these resources no operations because only the bootstrap interface
// reaches them; the core refuses the object to management servers, so they are RW here.
constexpr ResourceDef kResources[] = {
    {0, DataType::string, Operations::read_write, false, true, "LWM2M Server URI"},
    {1, DataType::boolean, Operations::read_write, false, true, "Bootstrap-Server"},
    {2, DataType::integer, Operations::read_write, false, true, "Security Mode"},
    {3, DataType::opaque, Operations::read_write, false, true, "Public Key or Identity"},
    {4, DataType::opaque, Operations::read_write, false, true, "Server Public Key"},
    {5, DataType::opaque, Operations::read_write, false, true, "Secret Key"},
    // SMS and 1.1 TLS options: bootstrap servers (Leshan among them) write them with the
    // rest of the instance; they are accepted and not kept (no SMS binding, defaults for
    // matching type, SNI and certificate usage).
    {6, DataType::integer, Operations::read_write, false, false, "SMS Security Mode"},
    {7, DataType::opaque, Operations::read_write, false, false, "SMS Binding Key Parameters"},
    {8, DataType::opaque, Operations::read_write, false, false, "SMS Binding Secret Key(s)"},
    {9, DataType::string, Operations::read_write, false, false, "LwM2M Server SMS Number"},
    {10, DataType::integer, Operations::read_write, false, false, "Short Server ID"},
    {11, DataType::integer, Operations::read_write, false, false, "Client Hold Off Time"},
    {12, DataType::integer, Operations::read_write, false, false,
     "Bootstrap-Server Account Timeout"},
    {13, DataType::integer, Operations::read_write, false, false, "Matching Type"},
    {14, DataType::string, Operations::read_write, false, false, "SNI"},
    {15, DataType::integer, Operations::read_write, false, false, "Certificate Usage"},
};

constexpr dm::ObjectDef kDef{0, "1.1", true, true, kResources, "LWM2M Security"};

bool is_ignored(dm::ResourceId rid) noexcept {
  return (rid >= 6 && rid <= 9) || (rid >= 13 && rid <= 15);
}

Status to_u32(const dm::Value& v, uint32_t& out) noexcept {
  if (v.as_integer() < 0 || v.as_integer() > 0xFFFFFFFFll) return Errc::bad_request;
  out = static_cast<uint32_t>(v.as_integer());
  return {};
}

/// An empty slot; out of line, so the initialisation exists once rather than at each use.
[[gnu::noinline]] void clear(SecurityInstance& s) noexcept {
  s = SecurityInstance{};
  s.mode = SecurityMode::nosec;
}

}  // namespace

const dm::ObjectDef& security_object_def() noexcept {
  return kDef;
}

SecurityObject::SecurityObject(std::span<SecurityInstance> storage) noexcept
    : Object(kDef), storage_(storage) {
  for (SecurityInstance& s : storage_)
    clear(s);
}

SecurityInstance* SecurityObject::slot(dm::InstanceId iid) const noexcept {
  if (iid == dm::kInvalidId) return nullptr;
  for (SecurityInstance& s : storage_)
    if (s.id == iid) return &s;
  return nullptr;
}

const SecurityInstance* SecurityObject::instance(dm::InstanceId id) const noexcept {
  return slot(id);
}

const SecurityInstance* SecurityObject::find_server(uint16_t ssid) const noexcept {
  for (const SecurityInstance& s : storage_)
    if (s.id != dm::kInvalidId && !s.bootstrap && s.has_short_server_id &&
        s.short_server_id == ssid)
      return &s;
  return nullptr;
}

const SecurityInstance* SecurityObject::find_bootstrap() const noexcept {
  for (const SecurityInstance& s : storage_)
    if (s.id != dm::kInvalidId && s.bootstrap) return &s;
  return nullptr;
}

Result<dm::InstanceId> SecurityObject::add(const SecurityConfig& c, dm::InstanceId id) noexcept {
  if (id == dm::kInvalidId) {
    id = 0;
    while (slot(id))
      ++id;
  }
  if (Status s = create_instance(id); !s) return s;
  SecurityInstance& i = *slot(id);
  Status s = i.uri.assign(c.uri);
  if (s) s = i.identity.assign(c.identity);
  if (s) s = i.server_key.assign(c.server_key);
  if (s) s = i.secret_key.assign(c.secret_key);
  if (!s) {
    clear(i);
    return Errc::invalid_argument;
  }
  i.bootstrap = c.bootstrap;
  i.mode = c.mode;
  i.short_server_id = c.short_server_id;
  i.has_short_server_id = !c.bootstrap;
  i.client_hold_off_s = c.client_hold_off_s;
  i.bootstrap_timeout_s = c.bootstrap_timeout_s;
  instances_changed();
  return id;
}

size_t SecurityObject::instance_count() const noexcept {
  return SlotIds(storage_).used();
}

dm::InstanceId SecurityObject::instance_at(size_t index) const noexcept {
  return SlotIds(storage_).sorted_at(index);
}

bool SecurityObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  const SecurityInstance* s = slot(iid);
  if (!s || is_ignored(rid)) return false;
  if (rid == 10) return s->has_short_server_id;
  if (rid == 11 || rid == 12) return s->bootstrap;
  return true;
}

Result<dm::Value> SecurityObject::read(dm::InstanceId iid, dm::ResourceId rid,
                                       dm::ResourceInstanceId, MutableByteView) noexcept {
  const SecurityInstance* s = slot(iid);
  if (!s || !has_resource(iid, rid)) return Errc::not_found;
  switch (rid) {
    case 0:
      return dm::Value::string(s->uri.str());
    case 1:
      return dm::Value::boolean(s->bootstrap);
    case 2:
      return dm::Value::integer(static_cast<int64_t>(s->mode));
    case 3:
      return dm::Value::opaque(s->identity.view());
    case 4:
      return dm::Value::opaque(s->server_key.view());
    case 5:
      return dm::Value::opaque(s->secret_key.view());
    case 10:
      return dm::Value::integer(s->short_server_id);
    case 11:
      return dm::Value::integer(s->client_hold_off_s);
    case 12:
      return dm::Value::integer(s->bootstrap_timeout_s);
    default:
      return Errc::not_found;
  }
}

Status SecurityObject::write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                             const dm::Value& v) noexcept {
  SecurityInstance* s = slot(iid);
  if (!s) return Errc::not_found;
  if (is_ignored(rid)) return {};
  switch (rid) {
    case 0:
      return s->uri.assign(v.as_bytes());
    case 1:
      s->bootstrap = v.as_bool();
      return {};
    case 2:
      if (v.as_integer() < 0 || v.as_integer() > 4) return Errc::bad_request;
      s->mode = static_cast<SecurityMode>(v.as_integer());
      return {};
    case 3:
      return s->identity.assign(v.as_bytes());
    case 4:
      return s->server_key.assign(v.as_bytes());
    case 5:
      return s->secret_key.assign(v.as_bytes());
    case 10:
      if (v.as_integer() < 1 || v.as_integer() > 65534) return Errc::bad_request;
      s->short_server_id = static_cast<uint16_t>(v.as_integer());
      s->has_short_server_id = true;
      return {};
    case 11:
      return to_u32(v, s->client_hold_off_s);
    case 12:
      return to_u32(v, s->bootstrap_timeout_s);
    default:
      return Errc::not_found;
  }
}

Status SecurityObject::reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept {
  SecurityInstance* s = slot(iid);
  if (!s) return Errc::not_found;
  if (rid == 10) s->has_short_server_id = false;
  return {};
}

Status SecurityObject::create_instance(dm::InstanceId iid) noexcept {
  if (iid == dm::kInvalidId) return Errc::invalid_argument;
  if (slot(iid)) return Errc::already_exists;
  for (SecurityInstance& s : storage_) {
    if (s.id != dm::kInvalidId) continue;
    clear(s);
    s.id = iid;
    return {};
  }
  return Errc::no_space;
}

Status SecurityObject::delete_instance(dm::InstanceId iid) noexcept {
  SecurityInstance* s = slot(iid);
  if (!s) return Errc::not_found;
  clear(*s);
  return {};
}

Status SecurityObject::reset_instance(dm::InstanceId iid) noexcept {
  SecurityInstance* s = slot(iid);
  if (!s) return Errc::not_found;
  clear(*s);
  s->id = iid;
  return {};
}

}  // namespace lwm2m::objects
