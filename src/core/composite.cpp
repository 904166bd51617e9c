// SPDX-License-Identifier: Apache-2.0
// Read-Composite, Observe-Composite (FETCH /) and Write-Composite (iPATCH /) of LwM2M 1.1
// (Core §6.3.2, §6.3.4, §6.4.1): several paths, named in the payload, in one request.
#include "core/request.hpp"
#include "core/transaction.hpp"
#include "core/well_known.hpp"
#include "core/write_plan.hpp"

namespace lwm2m::core {
namespace {

constexpr size_t kMaxFetchPaths = 8;

/// The paths a FETCH names (its payload: SenML or LwM2M CBOR records without values);
/// nothing when the request was answered with an error.
std::optional<size_t> fetch_paths(Request& r, dm::Path (&out)[kMaxFetchPaths]) noexcept {
  auto cf = content_format(r.message());
  if (!cf) {
    fail(r, Errc::bad_request);
    return std::nullopt;
  }
  codec::DecodeContext ctx{dm::Path{}, nullptr, r.client.scratch()};
  codec::AnyDecoder dec;
  if (Status st = dec.open(*cf, r.in.body, ctx); !st) {
    fail(r, st.error());
    return std::nullopt;
  }
  size_t count = 0;
  for (;;) {
    codec::Record rec;
    auto more = dec.next(rec);
    Errc e = Errc::ok;
    if (!more) e = Errc::bad_request;
    if (more && !*more) return count;
    if (e == Errc::ok && count == kMaxFetchPaths) e = Errc::request_entity_too_large;
    if (e == Errc::ok && rec.path.depth() >= 1 && wk::hidden(rec.path.object()))
      e = Errc::unauthorized;
    if (e == Errc::ok && !r.client.allowed(r.account, rec.path, kRead)) e = Errc::unauthorized;
    if (e != Errc::ok) {
      fail(r, e);
      return std::nullopt;
    }
    out[count++] = rec.path;
  }
}

/// One record of a Write-Composite: an absolute name, an existing instance, the right.
Status check_composite_record(Request& r, const WritePlan& plan,
                              const codec::Record& rec) noexcept {
  if (wk::hidden(rec.path.object())) return Errc::unauthorized;
  if (rec.path.depth() < 3 ||
      !r.registry().resolve(dm::Path(rec.path.object(), rec.path.instance())))
    return Errc::not_found;
  if (!r.client.allowed(r.account, rec.path, kWrite)) return Errc::unauthorized;
  return check_record(plan, rec);
}

/// Checks every record of a Write-Composite before anything is written (one exit: the
/// decoder is closed in one place).
Status check_composite(Request& r, codec::ContentFormat cf) noexcept {
  dm::Registry& reg = r.registry();
  codec::DecodeContext ctx{dm::Path{}, &reg, r.client.scratch()};
  codec::AnyDecoder dec;
  const dm::Path root;
  WritePlan plan{reg, root, false, false, false};
  Status st = dec.open(cf, r.in.body, ctx);
  while (st) {
    codec::Record rec;
    auto more = dec.next(rec);
    if (!more) st = Errc::bad_request;
    if (!more || !*more) break;
    st = check_composite_record(r, plan, rec);
  }
  return st;
}

}  // namespace

void ops::read_composite(Request& r) noexcept {
  dm::Path paths[kMaxFetchPaths];
  auto count = fetch_paths(r, paths);
  if (!count) return;
  (void)answer_values(r, {paths, *count}, true);
}

void ops::observe_composite(Request& r) noexcept {
  dm::Path paths[kMaxFetchPaths];
  auto count = fetch_paths(r, paths);
  if (!count) return;
  auto fmt = answer_values(r, {paths, *count}, true);
  if (fmt) r.client.start_observation(r, {paths, *count}, true, *fmt);
}

void ops::write_composite(Request& r) noexcept {
  auto cf = content_format(r.message());
  if (!cf) return fail(r, Errc::bad_request);
  if (Status st = check_composite(r, *cf); !st) return fail(r, st.error());
  dm::Registry& reg = r.registry();
  codec::DecodeContext ctx{dm::Path{}, &reg, r.client.scratch()};
  codec::AnyDecoder dec;
  Transaction tx(reg);
  Status st = dec.open(*cf, r.in.body, ctx);
  while (st) {
    codec::Record rec;
    auto more = dec.next(rec);
    if (!more) st = Errc::bad_request;
    if (!more || !*more) break;
    const dm::ResourceDef* def = reg.resource_def(rec.path);
    st = tx.write(rec.path, *dm::convert(rec.value, def->type));
  }
  if (st = tx.finish(st); !st) return fail(r, st.error());
  r.resp.set_code(coap::codes::changed);
  r.client.apply_effects(r.account, tx.changes());
}

}  // namespace lwm2m::core
