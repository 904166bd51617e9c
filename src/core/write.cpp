// SPDX-License-Identifier: Apache-2.0
// Write (1.1 Core §6.3.4): PUT replaces an instance, a resource or a resource instance;
// POST on an instance (or, 1.1, a multiple resource) updates part of it. All of the
// payload is written in one transaction, or nothing is.
#include "core/request.hpp"
#include "core/write_plan.hpp"

namespace lwm2m::core {
namespace {

void apply(Request& r, codec::ContentFormat fmt, bool replace) noexcept {
  dm::Registry& reg = r.registry();
  WritePlan plan{reg, r.path, false, replace, false};
  Transaction tx(reg);
  Status st = tx.finish(apply_write(tx, reg, fmt, r.in.body, plan, r.client.scratch()));
  if (!st) return fail(r, st.code());
  r.resp.set_code(coap::codes::changed);
  r.client.apply_effects(r.account, tx.changes());
}

}  // namespace

void ops::write(Request& r) noexcept {
  if (r.path.depth() < 2) return fail(r, Errc::method_not_allowed);
  if (auto t = r.registry().resolve(r.path.depth() == 4 ? r.path.parent() : r.path); !t)
    return fail(r, t.error());
  if (!r.client.allowed(r.account, r.path, kWrite)) return fail(r, Errc::unauthorized);
  apply(r, *content_format(r.message()), true);
}

void ops::partial_update(Request& r) noexcept {
  auto t = r.registry().resolve(r.path);
  if (!t) return fail(r, t.error());
  if (r.path.depth() == 4 || (r.path.depth() == 3 && !t->resource->multiple))
    return fail(r, Errc::method_not_allowed);
  if (!r.client.allowed(r.account, r.path, kWrite)) return fail(r, Errc::unauthorized);
  auto cf = content_format(r.message());
  if (!cf) return fail(r, Errc::bad_request);
  apply(r, *cf, false);
}

}  // namespace lwm2m::core
