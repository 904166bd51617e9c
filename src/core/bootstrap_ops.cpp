// SPDX-License-Identifier: Apache-2.0
// The Bootstrap interface as the bootstrap server uses it (1.1 Core §6.1.7): Write,
// Delete, Discover, Read and Finish. Bootstrap writes change objects through one
// Transaction each and have no effects of their own: Bootstrap-Finish registers anew
// with whatever was written.
#include "core/links.hpp"
#include "core/request.hpp"
#include "core/well_known.hpp"
#include "core/write_plan.hpp"

namespace lwm2m::core {

void ops::bootstrap_finish(Request& r) noexcept {
  // The configuration must let us register somewhere (1.1 Core §6.1.7.8 answers 4.06
  // otherwise).
  if (!r.client.reader.any_usable_server()) return fail(r, Errc::not_acceptable);
  r.resp.set_code(coap::codes::changed);
  r.client.bs.on_finish_accepted(r.client.now_);
}

void ops::bootstrap_write(Request& r) noexcept {
  if (r.path.depth() < 1) return fail(r, Errc::method_not_allowed);
  auto cf = content_format(r.message());
  if (!cf) return fail(r, Errc::bad_request);
  dm::Registry& reg = r.registry();
  if (!reg.find(r.path.object())) return fail(r, Errc::not_found);
  WritePlan plan{reg, r.path, true, true, false};
  Transaction tx(reg);
  Status st = tx.finish(apply_write(tx, reg, *cf, r.in.body, plan, r.client.scratch()));
  if (!st) return fail(r, st.error());
  r.resp.set_code(coap::codes::changed);
}

void ops::bootstrap_delete(Request& r) noexcept {
  // Everything below the path except our bootstrap account.
  if (r.path.depth() > 2) return fail(r, Errc::bad_request);
  const std::optional<SecurityEntry> keep = r.client.reader.bootstrap_security();
  const dm::InstanceId keep_iid = keep ? keep->iid : dm::kInvalidId;
  dm::Registry& reg = r.registry();
  for (dm::Object* obj : reg.objects()) {
    if (r.path.depth() >= 1 && obj->id() != r.path.object()) continue;
    Transaction tx(reg);  // one per object: each is emptied as a whole or not at all
    for (size_t i = obj->instance_count(); i-- > 0;) {
      const dm::InstanceId iid = obj->instance_at(i);
      if (r.path.depth() == 2 && iid != r.path.instance()) continue;
      if (obj->id() == wk::kSecurity && iid == keep_iid) continue;
      // Objects that cannot lose instances (Device) stay as they are.
      (void)tx.remove(dm::Path(obj->id(), iid));
    }
    (void)tx.finish({});
  }
  r.resp.set_code(coap::codes::deleted);
}

void ops::bootstrap_discover(Request& r) noexcept {
  // "</>;lwm2m=1.1", then objects and instances, with "ssid"/"uri" on Security and
  // Server instances (1.1 Core §5.2.7.3).
  Status st = write_bootstrap_discover(r.registry(), r.path, r.client.config.version,
                                       r.client.scratch(), r.resp.payload());
  if (!st) return fail(r, st.error());
  r.resp.set_code(coap::codes::content);
  (void)r.resp.set_content_format(static_cast<uint16_t>(codec::ContentFormat::link_format));
}

void ops::bootstrap_read(Request& r) noexcept {
  // 1.1: the Server and Access Control objects only.
  if (r.path.depth() < 1 ||
      (r.path.object() != wk::kServer && r.path.object() != wk::kAccessControl))
    return fail(r, Errc::bad_request);
  if (auto t = r.registry().resolve(r.path); !t) return fail(r, t.error());
  (void)answer_values(r, {}, false);
}

}  // namespace lwm2m::core
