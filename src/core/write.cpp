// SPDX-License-Identifier: Apache-2.0
// Write (1.1 Core §6.3.4): PUT replaces an instance, a resource or a resource instance;
// POST on an instance (or, 1.1, a multiple resource) updates part of it. All of the
// payload is written in one transaction, or nothing is.
#include "core/request.hpp"
#include "core/write_plan.hpp"

namespace lwm2m::core {
namespace {

// One block of a Write streamed to the object (a firmware image): each block is its own
// transaction, answered 2.31 Continue until the last one.
void write_block(Request& r) noexcept {
  if (!r.client.allowed(r.account, r.path, kWrite)) return fail(r, Errc::unauthorized);
  const coap::BlockOption b = *r.in.block1;
  Transaction tx(r.registry());
  Status st = tx.finish(tx.write_block(r.path, b.offset(), r.in.body, b.more));
  if (!st) return fail(r, st.error());
  r.resp.set_code(b.more ? coap::codes::continue_ : coap::codes::changed);
}

void apply(Request& r, codec::ContentFormat fmt, bool replace) noexcept {
  dm::Registry& reg = r.registry();
  WritePlan plan{reg, r.path, false, replace, false};
  Transaction tx(reg);
  Status st = tx.finish(apply_write(tx, reg, fmt, r.in.body, plan, r.client.scratch()));
  if (!st) return fail(r, st.error());
  r.resp.set_code(coap::codes::changed);
  r.client.apply_effects(r.account, tx.changes());
}

}  // namespace

// The route took the paths above an instance (4.05) and resolved the target, up to its
// resource (4.04): the instance must exist, a resource instance may be new.
void ops::write(Request& r) noexcept {
  if (LWM2M_WITH_FIRMWARE_UPDATE && r.in.block1) return write_block(r);
  if (!r.client.allowed(r.account, r.path, kWrite)) return fail(r, Errc::unauthorized);
  apply(r, *content_format(r.message()), true);
}

// The route resolved the target (4.04).
void ops::partial_update(Request& r) noexcept {
  if (r.path.depth() == 4 || (r.path.depth() == 3 && !r.target.resource->multiple))
    return fail(r, Errc::method_not_allowed);
  if (!r.client.allowed(r.account, r.path, kWrite)) return fail(r, Errc::unauthorized);
  auto cf = content_format(r.message());
  if (!cf) return fail(r, Errc::bad_request);
  apply(r, *cf, false);
}

// A PUT of an opaque resource whose object takes blocks as they come (Block1 is not
// reassembled for it, RFC 7959 §2.5 leaves that to the server).
// Left out of the build (LWM2M_WITH_FIRMWARE_UPDATE 0), every Block1 body is reassembled.
bool Client::streams_block1(coap::PeerId peer, const coap::Message& m) noexcept {
  if (!LWM2M_WITH_FIRMWARE_UPDATE || !(m.code == coap::codes::put) ||
      m.content_format() != static_cast<uint16_t>(codec::ContentFormat::octet_stream))
    return false;
  const Account* a = impl_->account_for_peer(peer);
  if (!a || a->bootstrap) return false;
  std::string_view segs[dm::Path::kMaxDepth];
  if (m.strings(coap::OptionNumber::uri_path, segs) != 3) return false;
  auto p = dm::Path::from_segments({segs, 3});
  if (!p) return false;
  auto t = registry_.resolve(*p);
  return t && t->resource->type == dm::DataType::opaque &&
         t->object->writes_blocks(p->instance(), p->resource());
}

}  // namespace lwm2m::core
