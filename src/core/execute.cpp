// SPDX-License-Identifier: Apache-2.0
// Execute (1.1 Core §6.3.6): POST on an executable resource, with optional arguments.
// What the core itself does for Server and Device resources (Disable, Update Trigger,
// Reboot...) comes from the effects table once the handler succeeded.
#include "core/request.hpp"

namespace lwm2m::core {
namespace {

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

}  // namespace

// The route resolved the target (4.04), a resource: when it is not executable, the POST
// is a Partial Update of it.
void ops::execute(Request& r) noexcept {
  if (!r.target.resource->executable()) return partial_update(r);
  if (!r.client.allowed(r.account, r.path, kExecute)) return fail(r, Errc::unauthorized);
  if (!execute_arguments_valid(r.in.body)) return fail(r, Errc::bad_request);
  if (Status st = r.target.object->execute(r.path.instance(), r.path.resource(), r.in.body); !st)
    return fail(r, st.error());
  r.resp.set_code(coap::codes::changed);
  ChangeList executed;
  executed.add(Change(Change::Kind::executed, r.path));
  r.client.apply_effects(r.account, executed);
}

}  // namespace lwm2m::core
