// SPDX-License-Identifier: Apache-2.0
#include "core/write_plan.hpp"

#include <new>

#include "lwm2m/config.hpp"

namespace lwm2m::core {
namespace {
// A build without bootstrap never makes a Bootstrap-Write plan: its branches compile out.
bool bootstrap_write(const WritePlan& plan) noexcept {
  return LWM2M_WITH_BOOTSTRAP && plan.bootstrap;
}
}  // namespace

Status check_record(const WritePlan& plan, const codec::Record& r) noexcept {
  // A Bootstrap-Write may write any resource, and creates the instances it names.
  const bool bootstrap = bootstrap_write(plan);
  if (!plan.base.is_prefix_of(r.path) && !(plan.create && r.path.object() == plan.base.object()))
    return Errc::bad_request;
  // TLV yields a value-less record for an empty instance or an empty multiple resource.
  if (r.path.depth() == 2 && r.value.is_none()) return {};
  if (r.path.depth() < 3) return Errc::bad_request;
  const dm::ResourceDef* def = plan.reg.resource_def(r.path);
  if (!def) return Errc::not_found;
  if (r.value.is_none()) return r.path.depth() == 3 && def->multiple ? Errc::ok : Errc::bad_request;
  if (r.path.depth() == 4 && !def->multiple) return Errc::bad_request;
  if (!bootstrap && !plan.create && !def->writable()) return Errc::method_not_allowed;
  // An executable resource takes no value: to a bootstrap server that is a bad value.
  if (def->executable()) return bootstrap ? Errc::bad_request : Errc::method_not_allowed;
  auto v = codec::as_declared(r.value, def->type);
  if (!v) return Errc::bad_request;
  return {};
}

namespace {

// A build whose union of decoders is larger than the TLV decoder gives a TLV Write (the
// deepest request path) a frame with the TLV decoder alone.
constexpr bool kTlvApart = codec::AnyDecoder::kStorage > sizeof(codec::TlvDecoder);

// The payload's decoder, for both passes: the TLV decoder in the caller's frame, or the
// union of every decoder.
struct Decoding {
  codec::ContentFormat fmt;
  ByteView payload;
  const codec::DecodeContext& ctx;
  codec::TlvDecoder* tlv;  // null: `any`
  codec::AnyDecoder* any;

  Status open() noexcept {
    if (kTlvApart && tlv) {
      new (tlv) codec::TlvDecoder(payload, ctx);  // trivially destructible: reused as is
      return {};
    }
    return any->open(fmt, payload, ctx);
  }
  Result<bool> next(codec::Record& r) noexcept {
    return kTlvApart && tlv ? tlv->next(r) : any->next(r);
  }
};

Status apply_records(Transaction& tx, dm::Registry& reg, Decoding& dec, const WritePlan& plan,
                     dm::InstanceId* created) noexcept {
  dm::InstanceId new_iid = dm::kInvalidId;
  bool mixed_instances = false;
  bool first = true;
  const bool bootstrap = bootstrap_write(plan);
  dm::Object* obj = nullptr;
  dm::Path last_multi;  // multiple resources reset once when a whole one is written
  codec::Record r;      // both passes' (each decoder sets every field of it)
  Status result;
  // Pass 0 checks every record, pass 1 applies them: one decoding loop, run twice.
  for (int pass = 0; pass < 2 && result; ++pass) {
    if (pass == 1) {
      if (mixed_instances) return Errc::bad_request;
      obj = reg.find(plan.base.object());
      if (!obj) return Errc::not_found;
      if (plan.create) {
        dm::InstanceId iid = new_iid;
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
        result = tx.create(dm::Path(obj->id(), new_iid));
      }
      if (result && plan.replace && !bootstrap && plan.base.depth() == 2)
        result = tx.reset_instance(plan.base);
      if (result && plan.replace && plan.base.depth() == 3) {
        const dm::ResourceDef* def = reg.resource_def(plan.base);
        if (def && def->multiple) result = tx.reset_resource(plan.base);
      }
      if (!result) break;
    }
    result = dec.open();
    while (result) {
      auto more = dec.next(r);
      if (!more) {
        // A bootstrap server may write resources this client has not (4.04 on a resource
        // the object does not define is correct for a management server too).
        result = more.status();
        break;
      }
      if (!*more) break;
      if (pass == 0) {
        if (plan.create) {
          // Every record in the one new instance: the first record's, or, when its
          // resources come without one (kInvalidId), one chosen below.
          if (first) {
            new_iid = r.path.instance();
            first = false;
          } else if (r.path.instance() != new_iid) {
            mixed_instances = true;
          }
          if (r.path.depth() < 2) return Errc::bad_request;
        }
        // The records' instance exists: a Write's or Partial Update's target (an instance
        // or below it) was resolved by its route, and a record outside it is 4.00 here;
        // a Create's and a Bootstrap-Write's instances are made. An optional resource
        // absent so far may be written.
        result = check_record(plan, r);
        continue;
      }
      dm::Path p = r.path;
      if (plan.create) {
        // The record's path in the new instance (depth 2 to 4): the deepest form, cut back
        // to the record's depth (the ids below a path's depth are kInvalidId in every form).
        p = dm::Path(r.path.object(), new_iid, r.path.resource(), r.path.resource_instance());
        while (p.depth() > r.path.depth())
          p = p.parent();
      }
      if (bootstrap && !obj->has_instance(p.instance())) {
        result = tx.create(dm::Path(p.object(), p.instance()));
        if (!result) break;
      }
      if (r.value.is_none()) {
        // An empty instance (already there or created above), or an emptied multiple resource.
        if (p.depth() == 3) result = tx.reset_resource(p);
        continue;
      }
      const dm::ResourceDef* def = reg.resource_def(p);
      if (def->multiple && p.depth() == 4 && (plan.replace || bootstrap) &&
          plan.base.depth() <= 2) {
        dm::Path res = p.parent();
        if (!(res == last_multi)) {  // the root at first: never a resource
          (void)tx.reset_resource(res);
          last_multi = res;
        }
      }
      auto v = codec::as_declared(r.value, def->type);
      result = tx.write(p, *v);
    }
  }
  if (result.error() == Errc::malformed || result.error() == Errc::truncated)
    result = Errc::bad_request;
  return result;
}

// Each decoder's bytes in a frame of their own, under the passes' frame: 60 for TLV where
// the union takes 168 in a build with SenML CBOR. The decoder's address goes into the
// caller's Decoding, which apply_write() no longer reads once this frame is gone; GCC's
// -Wdangling-pointer sees only the store (a Decoding of each frame's own, or clearing the
// address, costs 40 or 8 B more of the deepest stack).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
[[gnu::noinline]] Status apply_tlv(Transaction& tx, dm::Registry& reg, Decoding& d,
                                   const WritePlan& plan, dm::InstanceId* created) noexcept {
  alignas(codec::TlvDecoder) unsigned char slot[sizeof(codec::TlvDecoder)];
  d.tlv = reinterpret_cast<codec::TlvDecoder*>(slot);
  return apply_records(tx, reg, d, plan, created);
}

[[gnu::noinline]] Status apply_any(Transaction& tx, dm::Registry& reg, Decoding& d,
                                   const WritePlan& plan, dm::InstanceId* created) noexcept {
  codec::AnyDecoder any;
  d.any = &any;
  return apply_records(tx, reg, d, plan, created);
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

}  // namespace

Status apply_write(Transaction& tx, dm::Registry& reg, codec::ContentFormat fmt, ByteView payload,
                   const WritePlan& plan, MutableByteView scratch,
                   dm::InstanceId* created) noexcept {
  const codec::DecodeContext ctx{plan.base, &reg, scratch};
  Decoding d{fmt, payload, ctx, nullptr, nullptr};
  if constexpr (kTlvApart) {
    if (fmt == codec::ContentFormat::lwm2m_tlv) return apply_tlv(tx, reg, d, plan, created);
    return apply_any(tx, reg, d, plan, created);
  } else {
    codec::AnyDecoder any;  // as small as the TLV decoder: one frame is enough
    d.any = &any;
    return apply_records(tx, reg, d, plan, created);
  }
}

}  // namespace lwm2m::core
