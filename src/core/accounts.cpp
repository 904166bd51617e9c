// SPDX-License-Identifier: Apache-2.0
#include "core/accounts.hpp"

#include <cstddef>
#include <cstring>

#include "core/well_known.hpp"

namespace lwm2m::core {
namespace {

namespace sec = wk::security;
namespace srv = wk::server;

std::optional<dm::Value> read_value(dm::Object& o, dm::InstanceId iid,
                                    dm::ResourceId rid) noexcept {
  if (!o.has_resource(iid, rid)) return std::nullopt;
  auto v = o.read(iid, rid, dm::kInvalidId, {});
  if (!v) return std::nullopt;
  return *v;
}

/// Integer-like resources as a number, whichever integer type the object reports (an
/// unsigned or a time value has the bits of an integer: one case for the three).
std::optional<int64_t> read_int(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid) noexcept {
  auto v = read_value(o, iid, rid);
  if (!v) return std::nullopt;
  switch (v->type()) {
    case dm::DataType::integer:
    case dm::DataType::unsigned_integer:
    case dm::DataType::time:
      return v->as_integer();
    case dm::DataType::boolean:
      return v->as_bool() ? 1 : 0;
    default:
      return std::nullopt;
  }
}

uint32_t read_u32(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid,
                  uint32_t fallback) noexcept {
  auto v = read_int(o, iid, rid);
  if (!v || *v < 0 || *v > 0xFFFFFFFFll) return fallback;
  return static_cast<uint32_t>(*v);
}

bool read_bool(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid, bool fallback) noexcept {
  auto v = read_int(o, iid, rid);
  return v ? *v != 0 : fallback;
}

ByteView read_bytes(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid) noexcept {
  auto v = read_value(o, iid, rid);
  if (!v || (v->type() != dm::DataType::string && v->type() != dm::DataType::opaque)) return {};
  return v->as_bytes();
}

SecurityEntry security_entry(dm::Object& o, dm::InstanceId iid) noexcept {
  SecurityEntry e;
  e.iid = iid;
  e.bootstrap = read_bool(o, iid, sec::kBootstrap, false);
  if (auto ssid = read_int(o, iid, sec::kShortServerId); ssid && *ssid > 0 && *ssid < 65535)
    e.ssid = static_cast<uint16_t>(*ssid);
  // Only a bootstrap reads its hold-off time: a build without bootstrap reads no more.
  if (LWM2M_WITH_BOOTSTRAP) e.hold_off_s = read_u32(o, iid, sec::kHoldOff, 0);
  return e;
}

AccountsReader::DefaultPeriods periods(dm::Object& o, dm::InstanceId iid) noexcept {
  AccountsReader::DefaultPeriods d;
  if (auto v = read_int(o, iid, srv::kDefaultPmin); v && *v >= 0)
    d.pmin = static_cast<uint32_t>(*v);
  // A default maximum period of 0 means none (1.1 Core §E.2).
  if (auto v = read_int(o, iid, srv::kDefaultPmax); v && *v > 0) d.pmax = static_cast<uint32_t>(*v);
  return d;
}

/// A Server instance's number or flag resource and the ServerEntry member it is read into:
/// one loop over rows instead of a call per resource. A resource that is missing, of
/// another type or out of its member's range leaves the member's default.
struct ServerField {
  enum Kind : uint8_t { u16, u32, flag };
  uint8_t rid;
  uint8_t offset;  ///< of the member in ServerEntry
  Kind kind;
};
#define LWM2M_FIELD(rid, member, kind)                                          \
  ServerField {                                                                 \
    rid, static_cast<uint8_t>(offsetof(ServerEntry, member)), ServerField::kind \
  }
constexpr ServerField kServerFields[] = {
    LWM2M_FIELD(srv::kShortServerId, ssid, u16),
    LWM2M_FIELD(srv::kLifetime, lifetime_s, u32),
    LWM2M_FIELD(srv::kDisableTimeout, disable_timeout_s, u32),
// What only notifications and Send read: not read in a build without them.
#if LWM2M_WITH_OBSERVE
    LWM2M_FIELD(srv::kNotificationStoring, notification_storing, flag),
#endif
#if LWM2M_WITH_SEND
    LWM2M_FIELD(srv::kMuteSend, mute_send, flag),
#endif
    LWM2M_FIELD(srv::kBootstrapOnFailure, retry.bootstrap_on_failure, flag),
    LWM2M_FIELD(srv::kRetryCount, retry.communication_retry_count, u32),
    LWM2M_FIELD(srv::kRetryTimer, retry.communication_retry_timer_s, u32),
    LWM2M_FIELD(srv::kSequenceDelay, retry.sequence_delay_timer_s, u32),
    LWM2M_FIELD(srv::kSequenceRetryCount, retry.sequence_retry_count, u32),
};
#undef LWM2M_FIELD

/// Reads instance `iid` into `e`, a default ServerEntry.
void read_server(dm::Object& o, dm::InstanceId iid, ServerEntry& e) noexcept {
  e.iid = iid;
  auto* const base = reinterpret_cast<unsigned char*>(&e);
  for (const ServerField& f : kServerFields) {
    const std::optional<int64_t> v = read_int(o, iid, f.rid);
    if (!v) continue;
    if (f.kind == ServerField::flag) {
      const bool b = *v != 0;
      std::memcpy(base + f.offset, &b, sizeof b);
    } else if (*v >= 0 && *v <= 0xFFFFFFFFll) {
      // The Short Server ID keeps its low 16 bits, as it always did (the object's range
      // is 1-65534).
      const auto u32 = static_cast<uint32_t>(*v);
      const auto u16 = static_cast<uint16_t>(u32);
      if (f.kind == ServerField::u16) {
        std::memcpy(base + f.offset, &u16, sizeof u16);
      } else {
        std::memcpy(base + f.offset, &u32, sizeof u32);
      }
    }
  }
  ByteView b = read_bytes(o, iid, srv::kBinding);
  if (b.empty() || b.size() > sizeof e.binding_buf) b = as_bytes(std::string_view("U"));
  std::memcpy(e.binding_buf, b.data(), b.size());
  e.binding_len = static_cast<uint8_t>(b.size());
}

}  // namespace

dm::Object* AccountsReader::security_object() const noexcept {
  return registry_.find(wk::kSecurity);
}

dm::Object* AccountsReader::server_object() const noexcept {
  return registry_.find(wk::kServer);
}

size_t AccountsReader::security_count() const noexcept {
  dm::Object* o = security_object();
  return o ? o->instance_count() : 0;
}

SecurityEntry AccountsReader::security_at(size_t index) const noexcept {
  dm::Object& o = *security_object();
  return security_entry(o, o.instance_at(index));
}

std::optional<SecurityEntry> AccountsReader::security(dm::InstanceId iid) const noexcept {
  dm::Object* o = security_object();
  if (!o || !o->has_instance(iid)) return std::nullopt;
  return security_entry(*o, iid);
}

std::optional<SecurityEntry> AccountsReader::find_security(bool bootstrap,
                                                           uint16_t ssid) const noexcept {
  for (size_t i = 0; i < security_count(); ++i)
    if (SecurityEntry e = security_at(i); e.bootstrap == bootstrap && (bootstrap || e.ssid == ssid))
      return e;
  return std::nullopt;
}

std::optional<SecurityEntry> AccountsReader::bootstrap_security() const noexcept {
  return find_security(true, 0);
}

std::optional<SecurityEntry> AccountsReader::security_for(uint16_t ssid) const noexcept {
  return find_security(false, ssid);
}

std::optional<PeerSecurity> AccountsReader::peer(dm::InstanceId security_iid) const noexcept {
  auto e = security(security_iid);
  if (!e) return std::nullopt;
  dm::Object& o = *security_object();
  PeerSecurity p;
  p.security_iid = security_iid;
  p.bootstrap = e->bootstrap;
  p.ssid = e->bootstrap ? 0 : e->ssid.value_or(0);
  p.uri = as_string(read_bytes(o, security_iid, sec::kUri));
  p.mode = static_cast<SecurityMode>(
      read_u32(o, security_iid, sec::kMode, static_cast<uint32_t>(SecurityMode::nosec)));
  p.identity = read_bytes(o, security_iid, sec::kIdentity);
  p.server_public_key = read_bytes(o, security_iid, sec::kServerKey);
  p.secret_key = read_bytes(o, security_iid, sec::kSecretKey);
  return p;
}

dm::InstanceId AccountsReader::server_iid(uint16_t ssid) const noexcept {
  dm::Object* o = server_object();
  for (size_t i = 0; o && i < o->instance_count(); ++i) {
    const dm::InstanceId iid = o->instance_at(i);
    if (read_u32(*o, iid, srv::kShortServerId, 0) == ssid) return iid;
  }
  return dm::kInvalidId;
}

std::optional<ServerEntry> AccountsReader::server(uint16_t ssid) const noexcept {
  return server_instance(server_iid(ssid));  // none for kInvalidId: no instance has it
}

AccountsReader::DefaultPeriods AccountsReader::default_periods(uint16_t ssid) const noexcept {
  const dm::InstanceId iid = server_iid(ssid);
  if (iid == dm::kInvalidId) return {};
  return periods(*server_object(), iid);
}

std::optional<ServerEntry> AccountsReader::server_instance(dm::InstanceId iid) const noexcept {
  std::optional<ServerEntry> out;  // read in place, not copied out of a local
  dm::Object* o = server_object();
  if (o && o->has_instance(iid)) read_server(*o, iid, out.emplace());
  return out;
}

bool AccountsReader::any_usable_server() const noexcept {
  for (size_t i = 0; i < security_count(); ++i) {
    SecurityEntry e = security_at(i);
    if (!e.bootstrap && e.ssid && server(*e.ssid)) return true;
  }
  return false;
}

size_t AccountsReader::management_servers() const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < security_count(); ++i)
    n += !security_at(i).bootstrap;
  return n;
}

}  // namespace lwm2m::core
