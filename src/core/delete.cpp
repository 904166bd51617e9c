// SPDX-License-Identifier: Apache-2.0
// Delete (1.1 Core §6.3.8): DELETE of an object instance (its Access Control instance
// goes with it).
#include "core/request.hpp"
#include "core/transaction.hpp"

namespace lwm2m::core {

// The route took the paths other than an instance (4.05) and resolved it (4.04).
void ops::remove(Request& r) noexcept {
  if (!r.client.allowed(r.account, r.path, kDelete)) return fail(r, Errc::unauthorized);
  Transaction tx(r.registry());
  if (Status st = tx.finish(tx.remove(r.path)); !st) return fail(r, st.error());
  if (LWM2M_WITH_ACCESS_CONTROL && r.client.acl_active())
    r.client.acl.remove_for(r.path.object(), r.path.instance());
  r.resp.set_code(coap::codes::deleted);
  r.client.apply_effects(r.account, tx.changes());
}

}  // namespace lwm2m::core
