// SPDX-License-Identifier: Apache-2.0
// Content negotiation (OMA LwM2M 1.1 Core §6.3, Transport §5.5): which format answers a
// request, given its Accept option, the operation and what the target names.
#pragma once

#include <cstdint>
#include <optional>

#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

enum class LwM2MVersion : uint8_t { v1_0, v1_1, v1_2 };

enum class Operation : uint8_t {
  read,       ///< Read and Observe of one path
  composite,  ///< Read-Composite, Observe-Composite, Send
  discover,
};

/// What the request targets, as far as the choice of format cares.
struct Target {
  /// The path names one value: a single resource, or one resource instance.
  bool single_value = false;
  /// The declared type of that value (single_value only).
  dm::DataType type = dm::DataType::none;
};

/// Whether this build can write the format.
bool can_encode(ContentFormat f) noexcept;
/// Whether this build can read the format.
bool can_decode(ContentFormat f) noexcept;

/// The format to answer with, or Errc::not_acceptable (4.06). Without Accept the spec lets
/// the client choose: plain text for one value (octet-stream for opaque), otherwise TLV
/// for a 1.0 server (the only multi-value format 1.0 mandates) and SenML CBOR for 1.1+
/// (what Leshan and Anjay-based servers prefer), LwM2M CBOR when SenML CBOR is absent.
Result<ContentFormat> choose_format(std::optional<uint16_t> accept, Operation op,
                                    const Target& target, LwM2MVersion version) noexcept;

}  // namespace lwm2m::codec
