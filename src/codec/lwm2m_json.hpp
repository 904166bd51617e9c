// SPDX-License-Identifier: Apache-2.0
// LwM2M JSON (Content-Format 11543, application/vnd.oma.lwm2m+json; OMA LwM2M 1.0
// §6.4.4, kept in 1.1 §7.4.5):
//
//   {"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"6/0","v":1},...]}
//
// "bn" (base name) is prepended to each entry's "n" (name) by string concatenation; "bt"
// (base time) is added to each entry's "t". Values: "v" (number: integer, unsigned, float
// and time), "sv" (string; opaque as base64 with padding, RFC 4648 §4; core links as
// text), "bv" (boolean), "ov" (object link "ObjectId:InstanceId").
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/decoder.hpp"
#include "codec/json.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// Encodes the records of `src` (resources and resource instances at or below `base`) as
/// one document. The base name is the base path, with a trailing '/' when names follow:
///   base /3/0               {"bn":"/3/0/","e":[{"n":"0",...},{"n":"6/0",...}]}
///   base /                  {"bn":"/","e":[{"n":"3/0/0",...}]}
///   base /3/0/0 (single)    {"bn":"/3/0/0","e":[{"sv":"..."}]}
///   base /3/0/6 (multiple)  {"bn":"/3/0/6/","e":[{"n":"0",...},...]}
/// (at a resource base the first record decides, by one tell()/next()/seek() look-ahead).
/// A record's time is written as its "t"; "bt" is never written.
/// Errors: invalid_argument for a record outside `base` or above resource level, or a
/// value JSON cannot carry (none, NaN, infinity, invalid UTF-8); errors of the source.
Status encode_lwm2m_json(const dm::Path& base, RecordSource& src, Sink& out) noexcept;

/// Pull decoder. Needs ctx.types: "v" does not say integer, unsigned, float or time, nor
/// "sv" string, opaque or core link.
///
/// Names: bn + n (either may be absent); a name starting with '/' is absolute, any other
/// is relative to ctx.base. Each record must name a resource or resource instance at or
/// below ctx.base. "bn", "bt" and "e" may come in any order; unknown members are ignored;
/// each entry needs exactly one value member. Record time = bt + t when either is present.
///
/// The whole document is checked on the first next() (grammar and top-level members), so
/// a grammar error never comes after records were yielded; entries are then read one by
/// one. Errors: malformed/truncated (JSON grammar, members of the wrong JSON type,
/// duplicate members, no or several values in an entry, no "e"), bad_request (a name that
/// is not a path at or below the base, a value that does not fit the resource's type,
/// bad base64 or object link text), errors of the resolver, buffer_too_small when
/// ctx.scratch cannot hold an unescaped string or decoded opaque value (a payload-sized
/// scratch always suffices).
class Lwm2mJsonDecoder final : public Decoder {
 public:
  Lwm2mJsonDecoder(ByteView payload, const DecodeContext& ctx) noexcept : in_(payload), ctx_(ctx) {}
  Result<bool> next(Record& out) noexcept override;

 private:
  Status start() noexcept;
  Result<bool> entry(Record& out) noexcept;
  Result<bool> fail(Errc e) noexcept {
    error_ = e;
    return e;
  }

  /// Longest base name kept (unescaped): longer ones cannot be a path prefix anyway.
  static constexpr size_t kMaxName = 48;

  json::Reader in_;  // over the whole payload; inside "e" once start() checked it
  DecodeContext ctx_;
  double bt_ = 0;
  char bn_[kMaxName] = {};
  uint8_t bn_len_ = 0;
  bool has_bt_ = false;
  Errc error_ = Errc::ok;
};

}  // namespace lwm2m::codec
