// SPDX-License-Identifier: Apache-2.0
// Write-Attributes (1.1 Core §6.3.5): PUT with Uri-Query and no payload. The attributes
// are kept per server (observe.cpp holds them and decides notifications with them).
#include "core/request.hpp"

namespace lwm2m::core {

void ops::write_attributes(Request& r) noexcept {
  const coap::Message& m = r.message();
  if (!m.has(coap::OptionNumber::uri_query)) return fail(r, Errc::bad_request);
  if (r.path.is_root()) return fail(r, Errc::method_not_allowed);
  if (auto t = r.registry().resolve(r.path); !t) return fail(r, t.error());
  if (!r.client.allowed(r.account, r.path, kRead)) return fail(r, Errc::unauthorized);
  std::string_view query[12];
  const size_t n = m.strings(coap::OptionNumber::uri_query, query);
  if (n > 12) return fail(r, Errc::bad_request);
  if (Status st = r.client.observe.write_attributes(r.account.ssid, r.path, {query, n}); !st)
    return fail(r, st.error());
  r.resp.set_code(coap::codes::changed);
}

}  // namespace lwm2m::core
