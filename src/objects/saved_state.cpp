// SPDX-License-Identifier: Apache-2.0
// The saved layout of the Security, Server and Access Control objects, in one place.
// Each record: layout version (u8), instance count (u8), then each instance in ascending
// id order, its fields little-endian; byte fields as length (u16) and bytes. check() and
// restore() share one parser: check() decodes into a scratch instance and keeps nothing,
// restore() (after check() passed) decodes into the slots.
#include "lwm2m/objects/saved_state.hpp"

namespace lwm2m::objects {
namespace {

constexpr uint8_t kLayout = 1;

class Writer {
 public:
  explicit Writer(MutableByteView out) noexcept : out_(out) {}
  void u8(uint8_t v) noexcept {
    if (pos_ < out_.size()) out_[pos_] = v;
    ++pos_;  // counts on past the end: done() reports it
  }
  void u16(uint16_t v) noexcept {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
      u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void bytes(ByteView b) noexcept {
    u16(static_cast<uint16_t>(b.size()));
    for (uint8_t c : b)
      u8(c);
  }
  Result<size_t> done() const noexcept {
    if (pos_ > out_.size()) return Errc::buffer_too_small;
    return pos_;
  }

 private:
  MutableByteView out_;
  size_t pos_ = 0;
};

class Reader {
 public:
  explicit Reader(ByteView in) noexcept : in_(in) {}
  uint8_t u8() noexcept {
    if (pos_ >= in_.size()) {
      ok_ = false;
      return 0;
    }
    return in_[pos_++];
  }
  uint16_t u16() noexcept {
    const uint8_t lo = u8();
    return static_cast<uint16_t>(lo | (u8() << 8));
  }
  uint32_t u32() noexcept {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= uint32_t{u8()} << (8 * i);
    return v;
  }
  /// A length-prefixed field into `f`: refused when longer than this build's field.
  template <size_t N>
  void field(ByteField<N>& f) noexcept {
    const uint16_t n = u16();
    if (!ok_ || n > N || n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    ok_ = f.assign(in_.subspan(pos_, n)).ok();
    pos_ += n;
  }
  void fail() noexcept { ok_ = false; }
  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return ok_ && pos_ == in_.size(); }

 private:
  ByteView in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

/// Writes the layout byte, the count and every used slot in ascending id order
/// (`put(writer, slot)`).
template <class Slot, class Put>
Result<size_t> save_all(const dm::Object& object, std::span<const Slot> slots, MutableByteView out,
                        Put&& put) noexcept {
  Writer w(out);
  w.u8(kLayout);
  const size_t count = object.instance_count();
  if (count > 255) return Errc::no_space;
  w.u8(static_cast<uint8_t>(count));
  for (size_t i = 0; i < count; ++i) {
    const dm::InstanceId iid = object.instance_at(i);
    for (const Slot& s : slots)
      if (s.id == iid) put(w, s);
  }
  return w.done();
}

/// Decodes a record (`get(reader, slot)` per instance) into `slots` when `apply`, else into
/// a scratch instance. Ids must ascend (no duplicates) and fit the slots.
template <class Slot, class Get>
Status parse_all(ByteView data, std::span<Slot> slots, bool apply, Get&& get) noexcept {
  Reader r(data);
  if (r.u8() != kLayout) return Errc::unsupported;
  const size_t count = r.u8();
  if (!r.ok() || count > slots.size()) return Errc::no_space;
  if (apply)
    for (Slot& s : slots)
      s = Slot{};
  uint32_t previous = 0;  // ids + 1: the first id may be 0
  for (size_t i = 0; i < count; ++i) {
    Slot scratch{};
    Slot& slot = apply ? slots[i] : scratch;
    get(r, slot);
    if (slot.id == dm::kInvalidId || slot.id + 1u <= previous) r.fail();
    if (!r.ok()) return Errc::malformed;
    previous = slot.id + 1u;
  }
  return r.at_end() ? Status{} : Status{Errc::malformed};
}

// ---- Security (0) ----

void put_security(Writer& w, const SecurityInstance& s) noexcept {
  w.u16(s.id);
  w.u8(static_cast<uint8_t>((s.bootstrap ? 1 : 0) | (s.has_short_server_id ? 2 : 0)));
  w.u8(static_cast<uint8_t>(s.mode));
  w.u16(s.short_server_id);
  w.u32(s.client_hold_off_s);
  w.u32(s.bootstrap_timeout_s);
  w.bytes(s.uri.view());
  w.bytes(s.identity.view());
  w.bytes(s.server_key.view());
  w.bytes(s.secret_key.view());
}

void get_security(Reader& r, SecurityInstance& s) noexcept {
  s.id = r.u16();
  const uint8_t flags = r.u8();
  const uint8_t mode = r.u8();
  if (mode > 4 || flags > 3) r.fail();  // the Security Mode resource's range
  s.bootstrap = flags & 1;
  s.has_short_server_id = flags & 2;
  s.mode = static_cast<SecurityMode>(mode);
  s.short_server_id = r.u16();
  s.client_hold_off_s = r.u32();
  s.bootstrap_timeout_s = r.u32();
  r.field(s.uri);
  r.field(s.identity);
  r.field(s.server_key);
  r.field(s.secret_key);
}

// ---- Server (1) ----

void put_server(Writer& w, const ServerInstance& s) noexcept {
  const ServerConfig& c = s.config;
  w.u16(s.id);
  w.u16(c.short_server_id);
  for (uint32_t v : {c.lifetime_s, c.default_pmin_s, c.default_pmax_s, c.disable_timeout_s,
                     c.communication_retry_count, c.communication_retry_timer_s,
                     c.sequence_delay_timer_s, c.sequence_retry_count})
    w.u32(v);
  w.u8(static_cast<uint8_t>((c.notification_storing ? 1 : 0) | (c.bootstrap_on_failure ? 2 : 0) |
                            (c.mute_send ? 4 : 0) | (s.has_pmin ? 8 : 0) | (s.has_pmax ? 16 : 0)));
  w.bytes(s.binding.view());
}

void get_server(Reader& r, ServerInstance& s) noexcept {
  ServerConfig& c = s.config;
  s.id = r.u16();
  c.short_server_id = r.u16();
  for (uint32_t* v : {&c.lifetime_s, &c.default_pmin_s, &c.default_pmax_s, &c.disable_timeout_s,
                      &c.communication_retry_count, &c.communication_retry_timer_s,
                      &c.sequence_delay_timer_s, &c.sequence_retry_count})
    *v = r.u32();
  const uint8_t flags = r.u8();
  if (flags > 31) r.fail();
  c.notification_storing = flags & 1;
  c.bootstrap_on_failure = flags & 2;
  c.mute_send = flags & 4;
  s.has_pmin = flags & 8;
  s.has_pmax = flags & 16;
  r.field(s.binding);
  c.binding = {};  // the binding lives in s.binding, as ServerObject::add leaves it
  if (r.ok() && !binding_valid(s.binding.str())) r.fail();
}

// ---- Access Control (2) ----

void put_acl(Writer& w, const AclInstance& a) noexcept {
  w.u16(a.id);
  w.u16(a.object_id);
  w.u16(a.object_instance_id);
  w.u16(a.owner);
  w.u8(a.entry_count);
  for (uint8_t i = 0; i < a.entry_count; ++i) {
    w.u16(a.entry_ssid[i]);
    w.u8(a.entry_rights[i]);
  }
}

void get_acl(Reader& r, AclInstance& a) noexcept {
  a.id = r.u16();
  a.object_id = r.u16();
  a.object_instance_id = r.u16();
  a.owner = r.u16();
  a.entry_count = r.u8();
  if (a.entry_count > AclInstance::kMaxEntries) {
    r.fail();
    a.entry_count = 0;
    return;
  }
  for (uint8_t i = 0; i < a.entry_count; ++i) {
    a.entry_ssid[i] = r.u16();
    a.entry_rights[i] = r.u8();
    if (a.entry_rights[i] > kAccessAll) r.fail();
  }
}

}  // namespace

Result<size_t> SecurityRecord::save(MutableByteView out) const noexcept {
  return save_all(object_, std::span<const SecurityInstance>(object_.storage()), out, put_security);
}
Status SecurityRecord::check(ByteView data) const noexcept {
  return parse_all(data, object_.storage(), false, get_security);
}
void SecurityRecord::restore(ByteView data) noexcept {
  (void)parse_all(data, object_.storage(), true, get_security);
  object_.instances_changed();
}

Result<size_t> ServerRecord::save(MutableByteView out) const noexcept {
  return save_all(object_, std::span<const ServerInstance>(object_.storage()), out, put_server);
}
Status ServerRecord::check(ByteView data) const noexcept {
  return parse_all(data, object_.storage(), false, get_server);
}
void ServerRecord::restore(ByteView data) noexcept {
  (void)parse_all(data, object_.storage(), true, get_server);
  object_.instances_changed();
}

Result<size_t> AccessControlRecord::save(MutableByteView out) const noexcept {
  return save_all(object_, std::span<const AclInstance>(object_.storage_), out, put_acl);
}
Status AccessControlRecord::check(ByteView data) const noexcept {
  return parse_all(data, object_.storage_, false, get_acl);
}
void AccessControlRecord::restore(ByteView data) noexcept {
  (void)parse_all(data, object_.storage_, true, get_acl);
  object_.instances_changed();
}

}  // namespace lwm2m::objects
