// SPDX-License-Identifier: Apache-2.0
// Create (1.1 Core §6.3.7): POST on an object makes a new instance from the payload,
// answered 2.01 with its Location-Path. The creating server owns the instance under
// Access Control.
#include <cstring>

#include "codec/number.hpp"
#include "core/request.hpp"
#include "core/write_plan.hpp"

namespace lwm2m::core {

// The route took the paths other than an object (4.05) and resolved it (4.04).
void ops::create(Request& r) noexcept {
  dm::Registry& reg = r.registry();
  if (!r.client.allowed(r.account, dm::Path(r.path.object(), dm::kInvalidId), kCreate))
    return fail(r, Errc::unauthorized);
  auto cf = content_format(r.message());
  if (!cf) return fail(r, Errc::bad_request);
  WritePlan plan{reg, r.path, false, false, true};
  dm::InstanceId iid = dm::kInvalidId;
  Transaction tx(reg);
  Status st = tx.finish(apply_write(tx, reg, *cf, r.in.body, plan, r.client.scratch(), &iid));
  if (!st) return fail(r, st.error());
  // Option values are views and the engine encodes the response after we return:
  // the segments live in the client (a stack buffer would be gone by then).
  auto& loc = r.client.create_location;
  const uint16_t ids[2] = {r.path.object(), iid};
  for (size_t k = 0; k < 2; ++k) {
    char digits[codec::number::kMaxChars];
    const size_t n = codec::number::format_uint(ids[k], digits);  // 65535: 5 digits
    std::memcpy(loc[k], digits, n);
    (void)r.resp.message().add_string(coap::OptionNumber::location_path, {loc[k], n});
  }
  r.resp.set_code(coap::codes::created);
  // 1.1 Core §7.3.2: the creating server owns the new instance.
  if (LWM2M_WITH_ACCESS_CONTROL && r.client.acl_active())
    (void)r.client.acl.add_owned(r.path.object(), iid, r.account.ssid);
  r.client.apply_effects(r.account, tx.changes());
}

}  // namespace lwm2m::core
