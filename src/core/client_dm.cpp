// core::Client: requests from servers. The Device Management interface (Read, Discover,
// Write, Write-Attributes, Execute, Create, Delete, Read/Write-Composite, Observe) and the
// Bootstrap interface (Write, Read, Discover, Delete, Finish), with the response codes of
// OMA LwM2M 1.1 Core §6 tables.
#include <cstring>
#include <utility>

#include "codec/dispatch.hpp"
#include "codec/number.hpp"
#include "core/client_impl.hpp"
#include "core/links.hpp"
#include "lwm2m/objects/access_control.hpp"

namespace lwm2m::core {
namespace {

using coap::Code;
namespace codes = coap::codes;

constexpr size_t kMaxFetchPaths = 8;

struct Request {
  const coap::IncomingRequest& in;
  coap::Response& resp;
  dm::Path path;
  Code method;
};

void fail(coap::Response& resp, Errc e) noexcept {
  resp.payload().clear();
  // Decoders report a format they cannot read as unsupported; on the wire that is 4.15.
  if (e == Errc::unsupported) e = Errc::unsupported_content_format;
  resp.set_code(coap::code_for(e));
}

/// Uri-Path to a data-model path; `bs` tells a "/bs" (Bootstrap-Finish) target apart.
Result<dm::Path> target_path(const coap::Message& m, bool& is_bs) noexcept {
  std::string_view segs[dm::Path::kMaxDepth + 1];
  size_t n = m.strings(coap::OptionNumber::uri_path, segs);
  is_bs = n == 1 && segs[0] == "bs";
  if (is_bs) return dm::Path{};
  if (n > dm::Path::kMaxDepth) return Errc::not_found;
  auto p = dm::Path::from_segments({segs, n});
  if (!p) return Errc::not_found;  // not an LwM2M path: nothing lives there
  return *p;
}

std::optional<codec::ContentFormat> content_format(const coap::Message& m) noexcept {
  auto cf = m.content_format();
  if (!cf) return std::nullopt;
  return static_cast<codec::ContentFormat>(*cf);
}

/// Execute arguments (1.1 Core §5.4.5): `0='text',1,2='x'`: one digit per argument,
/// optionally `='value'` with no quote inside; comma-separated. Empty is fine.
bool execute_arguments_valid(ByteView body) noexcept {
  std::string_view s = as_string(body);
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] < '0' || s[i] > '9') return false;
    ++i;
    if (i < s.size() && s[i] == '=') {
      if (++i >= s.size() || s[i] != '\'') return false;
      size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return false;
      i = end + 1;
    }
    if (i == s.size()) return true;
    if (s[i] != ',' || ++i == s.size()) return false;
  }
  return true;
}

/// Whether the path names one value (a single resource or one resource instance).
codec::Target describe(const dm::Registry& reg, const dm::Path& path) noexcept {
  codec::Target t;
  const dm::ResourceDef* def = path.depth() >= 3 ? reg.resource_def(path) : nullptr;
  if (def) {
    t.single_value = path.depth() == 4 || !def->multiple;
    t.type = def->type;
  }
  return t;
}

}  // namespace

// ---- dispatch ----

void Client::on_request(const coap::IncomingRequest& in, coap::Response& resp) noexcept {
  Impl& s = *impl_;
  Account* a = s.account_for_peer(in.peer);
  if (!a) {
    resp.set_code(codes::unauthorized);  // not a server we know
    return;
  }
  s.mark_uplink(*a, s.now_);
  if (a->bootstrap) {
    s.serve_bootstrap(*a, in, resp);
  } else {
    s.serve_dm(*a, in, resp);
  }
  if (monitor_) monitor_->on_request_served(a->ssid, in.message, resp.code());
}

void Client::on_observe_cancelled(coap::ObservationId id, uint32_t cookie, Errc) noexcept {
  Impl& s = *impl_;
  if (cookie >= config_.max_observations) return;
  Observation& o = s.observations[cookie];
  if (o.used && o.id == id) o = Observation{};
}

// ---- shared pieces ----

/// Reads `path` (or the composite `paths`) into the response in `fmt`.
Status encode_values(dm::Registry& reg, const dm::Path& base, std::span<const dm::Path> paths,
                     codec::ContentFormat fmt, codec::Sink& out, MutableByteView scratch,
                     bool composite) noexcept {
  static constexpr dm::ObjectId kHidden[] = {0, 21};  // Security and OSCORE: never readable
  if (composite) {
    dm::CompositeSource src(reg, paths, scratch);
    src.exclude_objects(kHidden);
    return codec::encode(fmt, dm::Path{}, src, out);
  }
  dm::TreeSource src(reg, base, scratch);
  return codec::encode(fmt, base, src, out);
}

namespace {

/// Writes decoded records into the data model. Runs twice over the same payload: once
/// to check everything (paths, permissions, types), then to apply, so that a bad record
/// never leaves a partial write behind (4.00 and nothing changed).
struct WritePlan {
  dm::Registry& reg;
  const dm::Path& base;
  bool bootstrap;  ///< Bootstrap-Write: any resource, instances created as needed
  bool replace;    ///< PUT: replace instances / multiple resources
  bool create;     ///< Create: the instance is new
  dm::InstanceId create_iid = dm::kInvalidId;
};

Status check_record(const WritePlan& plan, const codec::Record& r) noexcept {
  if (!plan.base.is_prefix_of(r.path) && !(plan.create && r.path.object() == plan.base.object()))
    return Errc::bad_request;
  // TLV yields a value-less record for an empty instance or an empty multiple resource.
  if (r.path.depth() == 2 && r.value.is_none()) return {};
  if (r.path.depth() < 3) return Errc::bad_request;
  const dm::ResourceDef* def = plan.reg.resource_def(r.path);
  if (!def) return Errc::not_found;
  if (r.value.is_none()) return r.path.depth() == 3 && def->multiple ? Errc::ok : Errc::bad_request;
  if (r.path.depth() == 4 && !def->multiple) return Errc::bad_request;
  if (!plan.bootstrap && !plan.create && !def->writable()) return Errc::method_not_allowed;
  if (def->executable()) return Errc::method_not_allowed;
  auto v = dm::convert(r.value, def->type);
  if (!v) return Errc::bad_request;
  return {};
}

}  // namespace

namespace {

/// Validation pass then apply pass over one payload.
Status apply_write(dm::Registry& reg, codec::ContentFormat fmt, ByteView payload,
                   const WritePlan& plan, MutableByteView scratch,
                   dm::InstanceId* created = nullptr) noexcept {
  codec::DecodeContext ctx{plan.base, &reg, scratch};
  codec::AnyDecoder dec;
  if (Status st = dec.open(fmt, payload, ctx); !st) return st;
  // Pass 1: check.
  size_t count = 0;
  dm::InstanceId new_iid = dm::kInvalidId;
  bool mixed_instances = false;
  for (;;) {
    codec::Record r;
    auto more = dec.next(r);
    if (!more) {
      Errc e = more.error();
      // A bootstrap server may write resources this client has not (4.04 on a resource
      // the object does not define is correct for a management server too).
      return e == Errc::malformed || e == Errc::truncated ? Errc::bad_request : e;
    }
    if (!*more) break;
    if (plan.create) {
      if (count == 0) {
        new_iid = r.path.instance();
      } else if (r.path.instance() != new_iid) {
        mixed_instances = true;
      }
      if (r.path.depth() < 2) return Errc::bad_request;
    }
    if (plan.bootstrap) {
      // Instances named by a Bootstrap-Write may not exist yet: check the descriptor only.
      if (r.path.depth() < 2 || !plan.base.is_prefix_of(r.path)) return Errc::bad_request;
      if (r.path.depth() >= 3) {
        const dm::ResourceDef* def = reg.resource_def(r.path);
        if (!def) return Errc::not_found;
        if (r.value.is_none() ? !(r.path.depth() == 3 && def->multiple)
                              : !dm::convert(r.value, def->type))
          return Errc::bad_request;
      } else if (!r.value.is_none()) {
        return Errc::bad_request;
      }
    } else if (plan.create) {
      codec::Record rr = r;
      if (Status st = check_record(plan, rr); !st) return st;
    } else {
      // The instance must exist; an optional resource absent so far may be written.
      if (!reg.resolve(dm::Path(r.path.object(), r.path.instance()))) return Errc::not_found;
      if (Status st = check_record(plan, r); !st) return st;
    }
    ++count;
  }
  if (mixed_instances) return Errc::bad_request;

  dm::Object* obj = reg.find(plan.base.object());
  if (!obj) return Errc::not_found;
  if (plan.create) {
    dm::InstanceId iid = plan.create_iid != dm::kInvalidId ? plan.create_iid : new_iid;
    if (iid == dm::kInvalidId) {
      iid = 0;
      while (obj->has_instance(iid))
        ++iid;
    } else if (obj->has_instance(iid)) {
      return Errc::bad_request;  // 1.1 Core §6.3.7: Create on an existing instance is 4.00
    }
    if (!obj->def().multiple && obj->instance_count() > 0) return Errc::bad_request;
    new_iid = iid;
    if (created) *created = iid;
  }

  // Pass 2: apply, in a transaction on the target object.
  if (Status st = obj->transaction_begin(); !st) return st;
  Status result;
  if (plan.create) result = obj->create_instance(new_iid);
  if (result && plan.replace && !plan.bootstrap && plan.base.depth() == 2)
    result = obj->reset_instance(plan.base.instance());
  if (result && plan.replace && plan.base.depth() == 3) {
    const dm::ResourceDef* def = reg.resource_def(plan.base);
    if (def && def->multiple)
      result = obj->reset_resource(plan.base.instance(), plan.base.resource());
  }
  if (result) {
    if (Status st = dec.open(fmt, payload, ctx); !st) result = st;
  }
  dm::Path last_multi;  // multiple resources reset once when a whole one is written
  bool have_last = false;
  while (result) {
    codec::Record r;
    auto more = dec.next(r);
    if (!more) {
      result = more.status();
      break;
    }
    if (!*more) break;
    dm::Path p = r.path;
    if (plan.create) {
      if (p.depth() == 4) {
        p = dm::Path(p.object(), new_iid, p.resource(), p.resource_instance());
      } else if (p.depth() == 3) {
        p = dm::Path(p.object(), new_iid, p.resource());
      } else {
        p = dm::Path(p.object(), new_iid);
      }
    }
    dm::Object* target = obj;
    if (p.object() != obj->id()) {
      target = reg.find(p.object());
      if (!target) {
        result = Errc::not_found;
        break;
      }
    }
    if (plan.bootstrap && !target->has_instance(p.instance())) {
      result = target->create_instance(p.instance());
      if (!result) break;
    }
    if (r.value.is_none()) {
      // An empty instance (already there or created above), or an emptied multiple resource.
      if (p.depth() == 3) result = target->reset_resource(p.instance(), p.resource());
      continue;
    }
    const dm::ResourceDef* def = reg.resource_def(p);
    if (def->multiple && p.depth() == 4 && (plan.replace || plan.bootstrap) &&
        plan.base.depth() <= 2) {
      dm::Path res = p.parent();
      if (!have_last || !(res == last_multi)) {
        (void)target->reset_resource(p.instance(), p.resource());
        last_multi = res;
        have_last = true;
      }
    }
    auto v = dm::convert(r.value, def->type);
    result = target->write(p.instance(), p.resource(),
                           p.depth() == 4 ? p.resource_instance() : dm::kInvalidId, *v);
  }
  if (result) result = obj->transaction_validate();
  if (result) {
    obj->transaction_commit();
  } else {
    obj->transaction_rollback();
    if (result.code() == Errc::malformed || result.code() == Errc::truncated)
      result = Errc::bad_request;
  }
  return result;
}

}  // namespace

// ---- Access Control ----

bool Client::Impl::acl_active() const noexcept {
  // 1.1 Core §7.3.2: access control applies when the client serves several servers; a
  // single server has every right.
  if (!c.acl_) return false;
  size_t servers = 0;
  for (const objects::SecurityInstance& sec : c.security_.instances())
    servers += sec.id != dm::kInvalidId && !sec.bootstrap;
  return servers > 1;
}

bool Client::Impl::allowed(const Account& a, const dm::Path& path, uint8_t need) const noexcept {
  if (!acl_active() || path.is_root()) return true;
  dm::ObjectId oid = path.object();
  if (oid == 2) {
    // ACL instances: readable by every server, changed only by their owner.
    if (need == objects::kAccessRead) return true;
    if (path.depth() < 2 || need != objects::kAccessWrite) return false;
    dm::Object* obj = c.registry_.find(2);
    auto owner = obj ? obj->read(path.instance(), 3, dm::kInvalidId, {})
                     : Result<dm::Value>(Errc::not_found);
    return owner && owner->as_integer() == a.ssid;
  }
  bool governed = false;
  if (path.depth() >= 2 && path.instance() != dm::kInvalidId)
    return (c.acl_->rights(a.ssid, oid, path.instance(), governed) & need) == need;
  if (need == objects::kAccessCreate)
    return (c.acl_->rights(a.ssid, oid, dm::kInvalidId, governed) & need) == need;
  // Object level (Read, Observe, Discover of /O): every instance must be readable.
  dm::Object* obj = c.registry_.find(oid);
  if (!obj) return true;
  for (size_t i = 0; i < obj->instance_count(); ++i)
    if ((c.acl_->rights(a.ssid, oid, obj->instance_at(i), governed) & need) != need) return false;
  return true;
}

// ---- Device Management and Service Enablement ----

void Client::Impl::serve_dm(Account& a, const coap::IncomingRequest& in,
                            coap::Response& resp) noexcept {
  dm::Registry& reg = c.registry_;
  MutableByteView scratch = this->scratch();
  const coap::Message& m = in.message;
  bool is_bs = false;
  auto path_r = target_path(m, is_bs);
  if (!path_r || is_bs) return fail(resp, Errc::not_found);
  dm::Path path = *path_r;
  // The Security object (and OSCORE) belong to the bootstrap server alone (1.1 Core
  // §E.1); like Anjay we answer 4.01 rather than pretend the object is absent.
  if (path.depth() >= 1 && (path.object() == 0 || path.object() == 21))
    return fail(resp, Errc::unauthorized);
  Code method = m.code;

  if (method == codes::get || method == codes::fetch) {
    bool composite = method == codes::fetch;
    dm::Path fetch_paths[kMaxFetchPaths];
    size_t fetch_count = 0;
    if (composite) {
      if (!path.is_root()) return fail(resp, Errc::method_not_allowed);
      auto cf = content_format(m);
      if (!cf) return fail(resp, Errc::bad_request);
      codec::DecodeContext ctx{dm::Path{}, nullptr, scratch};
      codec::AnyDecoder dec;
      if (Status st = dec.open(*cf, in.body, ctx); !st) return fail(resp, st.code());
      for (;;) {
        codec::Record r;
        auto more = dec.next(r);
        if (!more) return fail(resp, Errc::bad_request);
        if (!*more) break;
        if (fetch_count == kMaxFetchPaths) return fail(resp, Errc::request_entity_too_large);
        if (r.path.depth() >= 1 && (r.path.object() == 0 || r.path.object() == 21))
          return fail(resp, Errc::unauthorized);
        if (!allowed(a, r.path, objects::kAccessRead)) return fail(resp, Errc::unauthorized);
        fetch_paths[fetch_count++] = r.path;
      }
    } else if (m.accept() == static_cast<uint16_t>(codec::ContentFormat::link_format)) {
      if (!path.is_root() && reg.resolve(path) && !allowed(a, path, objects::kAccessRead))
        return fail(resp, Errc::unauthorized);
      return serve_discover(a, path, resp);
    } else {
      if (path.is_root()) return fail(resp, Errc::method_not_allowed);
      auto t = reg.resolve(path);
      if (!t) return fail(resp, t.error());
      if (!allowed(a, path, objects::kAccessRead)) return fail(resp, Errc::unauthorized);
      if (t->resource && !t->resource->readable()) return fail(resp, Errc::method_not_allowed);
    }
    auto fmt = codec::choose_format(
        m.accept(), composite ? codec::Operation::composite : codec::Operation::read,
        describe(reg, path), version(a));
    if (!fmt) return fail(resp, fmt.error());
    Status st = encode_values(reg, path, {fetch_paths, fetch_count}, *fmt, resp.payload(), scratch,
                              composite);
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::content);
    (void)resp.set_content_format(static_cast<uint16_t>(*fmt));
    if (in.observe_register) {
      Observation* o = add_observation(static_cast<uint8_t>(index_of(a)));
      if (o) {
        auto id = resp.accept_observe(static_cast<uint32_t>(o - observations.get()));
        if (!id) {
          *o = Observation{};
          return;
        }
        o->id = *id;
        o->composite = composite;
        o->format = *fmt;
        if (composite) {
          if (fetch_count > kMaxCompositePaths) {
            c.engine_.cancel_observation(*id);
            *o = Observation{};
            return;
          }
          for (size_t i = 0; i < fetch_count; ++i)
            o->paths[i] = fetch_paths[i];
          o->path_count = static_cast<uint8_t>(fetch_count);
        } else {
          o->paths[0] = path;
          o->path_count = 1;
        }
        o->state.last_notify = now_;
        o->state.last_eval = now_;  // the first answer is an evaluation too (epmin)
        o->state.last_value = composite ? std::nullopt : numeric(current_value(path));
        o->dirty = any_dirty = true;  // schedules pmax
      }
    }
    return;
  }

  if (method == codes::put) {
    if (!m.content_format()) {
      // Write-Attributes: PUT with Uri-Query and no payload.
      if (!m.has(coap::OptionNumber::uri_query)) return fail(resp, Errc::bad_request);
      if (path.is_root()) return fail(resp, Errc::method_not_allowed);
      if (auto t = reg.resolve(path); !t) return fail(resp, t.error());
      if (!allowed(a, path, objects::kAccessRead)) return fail(resp, Errc::unauthorized);
      if (Status st = write_attributes(a.ssid, path, m); !st) return fail(resp, st.code());
      resp.set_code(codes::changed);
      return;
    }
    if (path.depth() < 2) return fail(resp, Errc::method_not_allowed);
    if (auto t = reg.resolve(path.depth() == 4 ? path.parent() : path); !t)
      return fail(resp, t.error());
    if (!allowed(a, path, objects::kAccessWrite)) return fail(resp, Errc::unauthorized);
    WritePlan plan{reg, path, false, true, false};
    Status st = apply_write(reg, *content_format(m), in.body, plan, scratch);
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::changed);
    return;
  }

  if (method == codes::post) {
    if (path.is_root()) return fail(resp, Errc::method_not_allowed);
    if (path.depth() == 1) {
      // Create.
      dm::Object* obj = reg.find(path.object());
      if (!obj) return fail(resp, Errc::not_found);
      if (!allowed(a, dm::Path(path.object(), dm::kInvalidId), objects::kAccessCreate))
        return fail(resp, Errc::unauthorized);
      auto cf = content_format(m);
      if (!cf) return fail(resp, Errc::bad_request);
      WritePlan plan{reg, path, false, false, true};
      dm::InstanceId iid = dm::kInvalidId;
      Status st = apply_write(reg, *cf, in.body, plan, scratch, &iid);
      if (!st) return fail(resp, st.code());
      // Option values are views and the engine encodes the response after we return:
      // the segments live in the client (a stack buffer would be gone by then).
      char* loc_o = create_location[0];
      char* loc_i = create_location[1];
      size_t no = codec::number::format_uint(path.object(), create_location[0]);
      size_t ni = codec::number::format_uint(iid, create_location[1]);
      (void)resp.message().add_string(coap::OptionNumber::location_path, {loc_o, no});
      (void)resp.message().add_string(coap::OptionNumber::location_path, {loc_i, ni});
      resp.set_code(codes::created);
      // 1.1 Core §7.3.2: the creating server owns the new instance.
      if (acl_active()) (void)c.acl_->add(path.object(), iid, a.ssid);
      for (size_t i = 1; i < account_count; ++i)
        if (accounts[i].used) {
          accounts[i].objects_changed = true;
          accounts[i].fsm.request_update(now_);
        }
      return;
    }
    auto t = reg.resolve(path);
    if (!t) return fail(resp, t.error());
    if (path.depth() == 3 && t->resource->executable()) {
      if (!allowed(a, path, objects::kAccessExecute)) return fail(resp, Errc::unauthorized);
      if (!execute_arguments_valid(in.body)) return fail(resp, Errc::bad_request);
      Status st = t->object->execute(path.instance(), path.resource(), in.body);
      if (!st) return fail(resp, st.code());
      resp.set_code(codes::changed);
      if (path.object() == 3 && path.instance() == 0 && path.resource() == 4) reboot_pending = true;
      if (path.object() == 3 && path.instance() == 0 && path.resource() == 5)
        factory_reset_pending = true;
      return;
    }
    if (path.depth() == 4 || (path.depth() == 3 && !t->resource->multiple))
      return fail(resp, Errc::method_not_allowed);
    // Partial update of an instance, or (1.1) of a multiple resource's instances.
    if (!allowed(a, path, objects::kAccessWrite)) return fail(resp, Errc::unauthorized);
    auto cf = content_format(m);
    if (!cf) return fail(resp, Errc::bad_request);
    WritePlan plan{reg, path, false, false, false};
    Status st = apply_write(reg, *cf, in.body, plan, scratch);
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::changed);
    return;
  }

  if (method == codes::del) {
    if (path.depth() != 2) return fail(resp, Errc::method_not_allowed);
    auto t = reg.resolve(path);
    if (!t) return fail(resp, t.error());
    if (!allowed(a, path, objects::kAccessDelete)) return fail(resp, Errc::unauthorized);
    Status st = t->object->delete_instance(path.instance());
    if (st && acl_active()) c.acl_->remove_for(path.object(), path.instance());
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::deleted);
    for (size_t i = 1; i < account_count; ++i)
      if (accounts[i].used) {
        accounts[i].objects_changed = true;
        accounts[i].fsm.request_update(now_);
      }
    return;
  }

  if (method == codes::ipatch) {
    // Write-Composite: absolute names, any objects.
    if (!path.is_root()) return fail(resp, Errc::method_not_allowed);
    auto cf = content_format(m);
    if (!cf) return fail(resp, Errc::bad_request);
    codec::DecodeContext ctx{dm::Path{}, &reg, scratch};
    codec::AnyDecoder dec;
    if (Status st = dec.open(*cf, in.body, ctx); !st) return fail(resp, st.code());
    WritePlan plan{reg, dm::Path{}, false, false, false};
    for (;;) {
      codec::Record r;
      auto more = dec.next(r);
      if (!more) return fail(resp, Errc::bad_request);
      if (!*more) break;
      if (r.path.object() == 0 || r.path.object() == 21) return fail(resp, Errc::unauthorized);
      if (r.path.depth() < 3 || !reg.resolve(dm::Path(r.path.object(), r.path.instance())))
        return fail(resp, Errc::not_found);
      if (!allowed(a, r.path, objects::kAccessWrite)) return fail(resp, Errc::unauthorized);
      if (Status st = check_record(plan, r); !st) return fail(resp, st.code());
    }
    (void)dec.open(*cf, in.body, ctx);
    for (;;) {
      codec::Record r;
      auto more = dec.next(r);
      if (!more || !*more) break;
      const dm::ResourceDef* def = reg.resource_def(r.path);
      auto v = dm::convert(r.value, def->type);
      dm::Object* obj = reg.find(r.path.object());
      Status st = obj->write(r.path.instance(), r.path.resource(),
                             r.path.depth() == 4 ? r.path.resource_instance() : dm::kInvalidId, *v);
      if (!st) return fail(resp, st.code());
    }
    resp.set_code(codes::changed);
    return;
  }

  fail(resp, Errc::method_not_allowed);
}

// ---- Discover ----

void Client::Impl::serve_discover(Account& a, const dm::Path& path, coap::Response& resp) noexcept {
  if (path.is_root()) return fail(resp, Errc::method_not_allowed);
  // Attributes on each link are those this server wrote (they are kept per server).
  struct Lookup final : AttributeLookup {
    const Impl& impl;
    uint16_t ssid;
    Lookup(const Impl& i, uint16_t s) noexcept : impl(i), ssid(s) {}
    void write_attributes(const dm::Path& p, codec::Sink& out) const noexcept override {
      if (const AttributeEntry* e = impl.find_attributes(ssid, p))
        write_link_attributes(e->attrs, out);
    }
  } lookup(*this, a.ssid);
  Status st = write_discover(c.registry_, path, &lookup, resp.payload());
  if (!st) return fail(resp, st.code());
  resp.set_code(codes::content);
  (void)resp.set_content_format(static_cast<uint16_t>(codec::ContentFormat::link_format));
}

// ---- Bootstrap interface ----

void Client::Impl::serve_bootstrap(Account&, const coap::IncomingRequest& in,
                                   coap::Response& resp) noexcept {
  dm::Registry& reg = c.registry_;
  MutableByteView scratch = this->scratch();
  const coap::Message& m = in.message;
  bool is_bs = false;
  auto path_r = target_path(m, is_bs);
  if (!path_r) return fail(resp, Errc::not_found);
  dm::Path path = *path_r;
  Code method = m.code;
  // Any request from the bootstrap server shows the bootstrap is alive; one that comes
  // unasked starts a server-initiated bootstrap.
  if (bs_state != BootstrapState::hold_off) {
    bs_state = BootstrapState::in_progress;
    bs_deadline = now_ + c.config_.bootstrap_timeout;
  }

  if (method == codes::post && is_bs) {
    // Bootstrap-Finish: the configuration must let us register somewhere (1.1 Core
    // §6.1.7.8 answers 4.06 otherwise).
    bool usable = false;
    for (const objects::SecurityInstance& sec : c.security_.instances())
      if (sec.id != dm::kInvalidId && !sec.bootstrap && sec.has_short_server_id &&
          c.server_.find(sec.short_server_id))
        usable = true;
    if (!usable) return fail(resp, Errc::not_acceptable);
    resp.set_code(codes::changed);
    bs_finish_accepted = true;
    return;
  }

  if (method == codes::put) {
    if (path.depth() < 1) return fail(resp, Errc::method_not_allowed);
    auto cf = content_format(m);
    if (!cf) return fail(resp, Errc::bad_request);
    if (!reg.find(path.object())) return fail(resp, Errc::not_found);
    WritePlan plan{reg, path, true, true, false};
    Status st = apply_write(reg, *cf, in.body, plan, scratch);
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::changed);
    return;
  }

  if (method == codes::del) {
    // Bootstrap-Delete: everything below the path except our bootstrap account.
    if (path.depth() > 2) return fail(resp, Errc::bad_request);
    const objects::SecurityInstance* keep = c.security_.find_bootstrap();
    dm::InstanceId keep_iid = keep ? keep->id : dm::kInvalidId;
    for (dm::Object* obj : reg.objects()) {
      if (path.depth() >= 1 && obj->id() != path.object()) continue;
      for (size_t i = obj->instance_count(); i-- > 0;) {
        dm::InstanceId iid = obj->instance_at(i);
        if (path.depth() == 2 && iid != path.instance()) continue;
        if (obj->id() == 0 && iid == keep_iid) continue;
        // Objects that cannot lose instances (Device) stay as they are.
        (void)obj->delete_instance(iid);
      }
    }
    resp.set_code(codes::deleted);
    return;
  }

  if (method == codes::get) {
    if (m.accept() == static_cast<uint16_t>(codec::ContentFormat::link_format)) {
      // Bootstrap-Discover (1.1 Core §5.2.7.3): "</>;lwm2m=1.1", then objects and
      // instances, with "ssid"/"uri" on Security and Server instances.
      Status st = write_bootstrap_discover(reg, path, c.config_.version, scratch, resp.payload());
      if (!st) return fail(resp, st.code());
      resp.set_code(codes::content);
      (void)resp.set_content_format(static_cast<uint16_t>(codec::ContentFormat::link_format));
      return;
    }
    // Bootstrap-Read (1.1): Server and Access Control objects only.
    if (path.depth() < 1 || (path.object() != 1 && path.object() != 2))
      return fail(resp, Errc::bad_request);
    auto t = reg.resolve(path);
    if (!t) return fail(resp, t.error());
    auto fmt = codec::choose_format(m.accept(), codec::Operation::read, describe(reg, path),
                                    c.config_.version);
    if (!fmt) return fail(resp, fmt.error());
    Status st = encode_values(reg, path, {}, *fmt, resp.payload(), scratch, false);
    if (!st) return fail(resp, st.code());
    resp.set_code(codes::content);
    (void)resp.set_content_format(static_cast<uint16_t>(*fmt));
    return;
  }

  fail(resp, Errc::method_not_allowed);
}

}  // namespace lwm2m::core
