// SPDX-License-Identifier: Apache-2.0
// A request from a server as the operations see it, the route table that picks the
// operation for it, and the pieces the operations share. Each operation lives in its own
// file (read.cpp, discover.cpp, write.cpp, ...) and answers through Request::resp.
#pragma once

#include <optional>
#include <span>

#include "codec/dispatch.hpp"
#include "core/client_impl.hpp"

namespace lwm2m::core {

/// One request from a server: who asked, for what, and where the answer goes.
struct Request {
  Client::Impl& client;
  Account& account;
  const coap::IncomingRequest& in;
  coap::Response& resp;
  dm::Path path;           ///< Uri-Path as a data-model path (the root for "/bs")
  bool bs_target = false;  ///< Uri-Path is "/bs" (Bootstrap-Finish)
  /// The Accept option, looked up once: the route and the answer's format both need it.
  std::optional<uint16_t> accept;
  /// The target's object (and resource, at depth 3 or 4), resolved before the operation
  /// runs when its route asks (Route::resolve); empty otherwise.
  dm::Registry::Target target{};

  const coap::Message& message() const noexcept { return in.message; }
  dm::Registry& registry() const noexcept { return client.registry(); }
};

using Operation = void (*)(Request&) noexcept;

/// Answers an error: no payload, the CoAP code of `e`.
void fail(coap::Response& resp, Errc e) noexcept;
inline void fail(Request& r, Errc e) noexcept {
  fail(r.resp, e);
}
std::optional<codec::ContentFormat> content_format(const coap::Message& m) noexcept;
/// Whether the path names one value (a single resource or one resource instance), and
/// its type: what format negotiation needs.
codec::Target describe(const dm::Registry& reg, const dm::Path& path) noexcept;
/// Reads the target (or, for a composite, `paths`) into a 2.05 in the format the server
/// accepts; the format, or nothing when the answer is an error.
std::optional<codec::ContentFormat> answer_values(Request& r, std::span<const dm::Path> paths,
                                                  bool composite) noexcept;

namespace ops {
// Device Management and Information Reporting interfaces.
void read(Request&) noexcept;               // read.cpp
void observe(Request&) noexcept;            // observe.cpp
void discover(Request&) noexcept;           // discover.cpp
void read_composite(Request&) noexcept;     // composite.cpp
void observe_composite(Request&) noexcept;  // composite.cpp
void write_composite(Request&) noexcept;    // composite.cpp
void write(Request&) noexcept;              // write.cpp
void partial_update(Request&) noexcept;     // write.cpp
void write_attributes(Request&) noexcept;   // write_attributes.cpp
void execute(Request&) noexcept;            // execute.cpp
void create(Request&) noexcept;             // create.cpp
void remove(Request&) noexcept;             // delete.cpp
void not_allowed(Request&) noexcept;        // router.cpp: 4.05
// Bootstrap interface (bootstrap_ops.cpp).
void bootstrap_finish(Request&) noexcept;
void bootstrap_write(Request&) noexcept;
void bootstrap_delete(Request&) noexcept;
void bootstrap_discover(Request&) noexcept;
void bootstrap_read(Request&) noexcept;
}  // namespace ops

/// The properties of a request a route may ask for, one bit each.
enum Fact : uint8_t {
  kAcceptLinks = 1,    ///< Accept: application/link-format
  kObserve = 2,        ///< Observe: 0 (register)
  kContentFormat = 4,  ///< a Content-Format (a payload to decode)
  kBootstrapPath = 8,  ///< Uri-Path "/bs"
};

/// Which facts a route asks about (`mask`) and which of those must hold (`set`).
struct When {
  uint8_t mask = 0, set = 0;
};
constexpr When is(Fact f) noexcept {
  return {f, f};
}
constexpr When is_not(Fact f) noexcept {
  return {f, 0};
}

/// What a route resolves before its operation runs, answering 4.04 when it does not exist:
/// one look-up for the operations that all begin with it.
enum Resolve : uint8_t {
  kResolveNothing = 0,
  kResolvePath,      ///< the request's path
  kResolveResource,  ///< the path cut to its resource (a Write may add a resource instance)
};

/// One row of a route table: the first row whose conditions all hold picks the operation.
/// The rows' depths say which paths an operation takes: any other is 4.05 Method Not
/// Allowed (no row matches), with nothing looked up.
struct Route {
  coap::Code method;
  uint8_t min_depth = 0, max_depth = dm::Path::kMaxDepth;
  When when{};
  Resolve resolve = kResolveNothing;
  Operation op = ops::not_allowed;
};

/// The routes of the Device Management interface and of the Bootstrap interface.
std::span<const Route> dm_routes() noexcept;
std::span<const Route> bootstrap_routes() noexcept;
/// The row for `r` (one that answers 4.05 when no row matches), its target resolved into
/// `r.target` when the row asks; null when that target does not exist (4.04).
const Route* route(std::span<const Route> table, Request& r) noexcept;

}  // namespace lwm2m::core
