// SPDX-License-Identifier: Apache-2.0
// Read (1.1 Core §6.3.1): GET on an object, instance, resource or resource instance,
// answered in the format the server accepts (or the client's preferred one).
#include "core/request.hpp"

namespace lwm2m::core {

// The route took the root (4.05) and an absent target (4.04) already.
void ops::read(Request& r) noexcept {
  if (!r.client.allowed(r.account, r.path, kRead)) return fail(r, Errc::unauthorized);
  if (r.target.resource && !r.target.resource->readable()) return fail(r, Errc::method_not_allowed);
  (void)answer_values(r, {}, false);
}

}  // namespace lwm2m::core
