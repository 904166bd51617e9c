// SPDX-License-Identifier: Apache-2.0
// A user's program built against the installed package only.
#include <lwm2m/config.hpp>
#include <lwm2m/dm/path.hpp>
#include <lwm2m/records.hpp>

int main() {
  auto p = lwm2m::dm::Path::parse("/3/0/1");
  if (!p.ok() || p->resource() != 1) return 1;
  // The shared record vocabulary is public: an application can hand records to Send.
  const lwm2m::Record records[] = {{*p, lwm2m::dm::Value::integer(LWM2M_SECURITY_URI_MAX), {}}};
  lwm2m::SpanSource source{records};
  lwm2m::Record r;
  return source.next(r).value() && r.value.as_integer() == LWM2M_SECURITY_URI_MAX ? 0 : 1;
}
