// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/security.hpp"

#include <cstddef>
#include <iterator>

namespace lwm2m::objects {

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

using detail::Field;
using S = SecurityInstance;
constexpr size_t kUriMax = LWM2M_SECURITY_URI_MAX;
constexpr size_t kIdentityMax = LWM2M_SECURITY_IDENTITY_MAX;
constexpr size_t kServerKeyMax = LWM2M_SECURITY_SERVER_KEY_MAX;
constexpr size_t kSecretMax = LWM2M_SECURITY_SECRET_MAX;

// Where each resource lives in a slot, by id (objects/slot_table.hpp).
constexpr Field kFields[] = {
    detail::field(Field::text, offsetof(S, uri), kUriMax),
    detail::field(Field::flag, offsetof(S, bootstrap)),
    detail::field(Field::mode, offsetof(S, mode)),
    detail::field(Field::bytes, offsetof(S, identity), kIdentityMax),
    detail::field(Field::bytes, offsetof(S, server_key), kServerKeyMax),
    detail::field(Field::bytes, offsetof(S, secret_key), kSecretMax),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    // Present once written (factory configuration gives it to management servers' accounts).
    detail::field(Field::ssid, offsetof(S, short_server_id), offsetof(S, has_short_server_id),
                  true),
    // Bootstrap server only.
    detail::field(Field::int32, offsetof(S, client_hold_off_s), offsetof(S, bootstrap)),
    detail::field(Field::int32, offsetof(S, bootstrap_timeout_s), offsetof(S, bootstrap)),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
    detail::field(Field::ignored),
};
static_assert(detail::fields_match(kFields, kResources));
// ByteField's layout as the shared code reads it.
static_assert(
    offsetof(S, uri.size) - offsetof(S, uri) == detail::size_offset(kUriMax) &&
    offsetof(S, identity.size) - offsetof(S, identity) == detail::size_offset(kIdentityMax) &&
    offsetof(S, server_key.size) - offsetof(S, server_key) == detail::size_offset(kServerKeyMax) &&
    offsetof(S, secret_key.size) - offsetof(S, secret_key) == detail::size_offset(kSecretMax));

// A new instance: every field zero but the mode, NoSec.
void init(void* slot) noexcept {
  static_cast<S*>(slot)->mode = SecurityMode::nosec;
}

constexpr detail::SlotObjectDef kDef{{0, "1.1", true, true, kResources, "LWM2M Security"},
                                     kFields,
                                     std::size(kFields),
                                     sizeof(S),
                                     0,
                                     init,
                                     nullptr};

}  // namespace

const dm::ObjectDef& security_object_def() noexcept {
  return kDef;
}

SecurityObject::SecurityObject(std::span<SecurityInstance> storage) noexcept
    : SlotTableObject(kDef, storage.data(), storage.size()) {
  clear_slots();
}

const SecurityInstance* SecurityObject::find_server(uint16_t ssid) const noexcept {
  for (const SecurityInstance& s : instances())
    if (s.id != dm::kInvalidId && !s.bootstrap && s.has_short_server_id &&
        s.short_server_id == ssid)
      return &s;
  return nullptr;
}

const SecurityInstance* SecurityObject::find_bootstrap() const noexcept {
  for (const SecurityInstance& s : instances())
    if (s.id != dm::kInvalidId && s.bootstrap) return &s;
  return nullptr;
}

Result<dm::InstanceId> SecurityObject::add(const SecurityConfig& c, dm::InstanceId id) noexcept {
  if (c.uri.size() > kUriMax || c.identity.size() > kIdentityMax ||
      c.server_key.size() > kServerKeyMax || c.secret_key.size() > kSecretMax)
    return Errc::invalid_argument;
  auto slot = add_slot(id);
  if (!slot) return slot.status();
  SecurityInstance& i = *static_cast<SecurityInstance*>(*slot);
  (void)i.uri.assign(c.uri);
  (void)i.identity.assign(c.identity);
  (void)i.server_key.assign(c.server_key);
  (void)i.secret_key.assign(c.secret_key);
  i.bootstrap = c.bootstrap;
  i.mode = c.mode;
  i.short_server_id = c.short_server_id;
  i.has_short_server_id = !c.bootstrap;
  i.client_hold_off_s = c.client_hold_off_s;
  i.bootstrap_timeout_s = c.bootstrap_timeout_s;
  instances_changed();
  return id;
}

}  // namespace lwm2m::objects
