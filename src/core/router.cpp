// SPDX-License-Identifier: Apache-2.0
// Requests from servers to operations: the route tables of the Device Management and
// Bootstrap interfaces (method, path depth, options), and the checks every request of an
// interface goes through before its operation runs.
#include "core/request.hpp"
#include "core/well_known.hpp"

namespace lwm2m::core {
namespace {

namespace codes = coap::codes;
constexpr auto kLinkFormat = static_cast<uint16_t>(codec::ContentFormat::link_format);

/// Uri-Path to a data-model path; `bs` tells a "/bs" (Bootstrap-Finish) target apart. Out
/// of line: its segment views are not on the stack while the operation runs.
[[gnu::noinline]] Result<dm::Path> target_path(const coap::Message& m, bool& is_bs) noexcept {
  std::string_view segs[dm::Path::kMaxDepth + 1];
  size_t n = m.strings(coap::OptionNumber::uri_path, segs);
  is_bs = n == 1 && segs[0] == "bs";
  if (is_bs) return dm::Path{};
  if (n > dm::Path::kMaxDepth) return Errc::not_found;
  auto p = dm::Path::from_segments({segs, n});
  if (!p) return Errc::not_found;  // not an LwM2M path: nothing lives there
  return *p;
}

// Order matters: the first matching row wins. A feature left out of the build
// (lwm2m/build_config.hpp) has no row, so its requests are answered 4.05 Method Not
// Allowed, except an Observe, which is read without registering an observation, as
// RFC 7641 §4.1 lets a server do; its operation is then not linked.
constexpr Route kDmRoutes[] = {
    {.method = codes::get, .min_depth = 1, .when = is(kAcceptLinks), .op = ops::discover},
#if LWM2M_WITH_OBSERVE
    // Observe reads first (ops::read): the same resolved target.
    {.method = codes::get,
     .min_depth = 1,
     .when = is(kObserve),
     .resolve = kResolvePath,
     .op = ops::observe},
#endif
    {.method = codes::get, .min_depth = 1, .resolve = kResolvePath, .op = ops::read},
#if LWM2M_WITH_COMPOSITE
#if LWM2M_WITH_OBSERVE
    {.method = codes::fetch, .max_depth = 0, .when = is(kObserve), .op = ops::observe_composite},
#endif
    {.method = codes::fetch, .max_depth = 0, .op = ops::read_composite},
#endif
#if LWM2M_WITH_OBSERVE
    {.method = codes::put, .when = is_not(kContentFormat), .op = ops::write_attributes},
#else
    {.method = codes::put, .when = is_not(kContentFormat), .op = ops::not_allowed},
#endif
    // A block of a streamed Write (firmware) is resolved as a whole Write is.
    {.method = codes::put, .min_depth = 2, .resolve = kResolveResource, .op = ops::write},
    {.method = codes::post,
     .min_depth = 1,
     .max_depth = 1,
     .resolve = kResolvePath,
     .op = ops::create},
    // POST on a resource: Execute, or a Partial Update when it is not executable (the
    // resolved resource says which: ops::execute).
    {.method = codes::post,
     .min_depth = 3,
     .max_depth = 3,
     .resolve = kResolvePath,
     .op = ops::execute},
    {.method = codes::post, .min_depth = 2, .resolve = kResolvePath, .op = ops::partial_update},
    {.method = codes::del,
     .min_depth = 2,
     .max_depth = 2,
     .resolve = kResolvePath,
     .op = ops::remove},
#if LWM2M_WITH_COMPOSITE
    {.method = codes::ipatch, .max_depth = 0, .op = ops::write_composite},
#endif
};

constexpr Route kNotAllowed{.method = codes::empty};

#if LWM2M_WITH_BOOTSTRAP
constexpr Route kBootstrapRoutes[] = {
    {.method = codes::post, .when = is(kBootstrapPath), .op = ops::bootstrap_finish},
    // "/bs" with another method is the root path to these, as any other "/".
    {.method = codes::put, .op = ops::bootstrap_write},
    {.method = codes::del, .op = ops::bootstrap_delete},
    {.method = codes::get, .when = is(kAcceptLinks), .op = ops::bootstrap_discover},
    {.method = codes::get, .op = ops::bootstrap_read},
};
#endif

}  // namespace

std::span<const Route> dm_routes() noexcept {
  return kDmRoutes;
}

std::span<const Route> bootstrap_routes() noexcept {
#if LWM2M_WITH_BOOTSTRAP
  return kBootstrapRoutes;
#else
  return {};  // no bootstrap account is ever made
#endif
}

const Route* route(std::span<const Route> table, Request& r) noexcept {
  const coap::Message& m = r.message();
  const size_t depth = r.path.depth();
  // The facts the rows ask about. Content-Format is looked up only for the method whose
  // rows ask.
  unsigned facts = (r.accept == kLinkFormat ? kAcceptLinks : 0) |
                   (r.in.observe_register ? kObserve : 0) | (r.bs_target ? kBootstrapPath : 0);
  if (m.code == codes::put && m.content_format()) facts |= kContentFormat;
  for (const Route& row : table) {
    if (row.method == m.code && depth >= row.min_depth && depth <= row.max_depth &&
        (facts & row.when.mask) == row.when.set) {
      if (row.resolve != kResolveNothing) {
        auto t = r.registry().resolve(
            row.resolve == kResolveResource && depth == 4 ? r.path.parent() : r.path);
        if (!t) return nullptr;  // the rows that resolve take no root: no other error
        r.target = *t;
      }
      return &row;
    }
  }
  return &kNotAllowed;
}

void ops::not_allowed(Request& r) noexcept {
  fail(r, Errc::method_not_allowed);
}

// Inlined into its one caller: one frame less under every operation.
[[gnu::always_inline]] inline void Client::Impl::serve(Account& a, const coap::IncomingRequest& in,
                                                       coap::Response& resp) noexcept {
  bool is_bs = false;
  auto path = target_path(in.message, is_bs);
  if (!path) return fail(resp, Errc::not_found);
  Request r{*this, a, in, resp, *path, is_bs, in.message.accept()};
  if (a.bootstrap) {
    // Any request from the bootstrap server shows the bootstrap is alive; one that comes
    // unasked starts a server-initiated bootstrap (which a build without bootstrap never
    // does: its answer is 4.05 from the empty table).
    if (LWM2M_WITH_BOOTSTRAP) bs.on_server_request(now_);
    return route(bootstrap_routes(), r)->op(r);
  }
  if (is_bs) return fail(resp, Errc::not_found);
  // The Security object (and OSCORE) belong to the bootstrap server alone (1.1 Core
  // §E.1); like Anjay we answer 4.01 rather than pretend the object is absent.
  if (path->depth() >= 1 && wk::hidden(path->object())) return fail(resp, Errc::unauthorized);
  // The route resolves the target in its own frame, gone before the operation runs.
  const Route* row = route(dm_routes(), r);
  if (!row) return fail(resp, Errc::not_found);
  row->op(r);
}

void Client::on_request(const coap::IncomingRequest& in, coap::Response& resp) noexcept {
  Impl& s = *impl_;
  Account* a = s.account_for_peer(in.peer);
  if (!a) {
    resp.set_code(codes::unauthorized);  // not a server we know
    return;
  }
  s.mark_uplink(*a, s.now_);
  s.serve(*a, in, resp);
  if (monitor_) monitor_->on_request_served(a->ssid, in.message, resp.code());
}

}  // namespace lwm2m::core
