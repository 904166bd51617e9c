// SPDX-License-Identifier: Apache-2.0
// A block-wise Write (RFC 7959 Block1) driven block by block from the server side, for
// pushes larger than libcoap's own Block1 handling covers: a 4.13 answer carrying a Block1
// option (RFC 7959 §2.9.3) makes the push start over at the block size the client names,
// as a server does against a client with a small receive buffer.
#pragma once

#include <cstdint>
#include <string>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {

struct Block1Push {
  Response last;            ///< the answer to the last block (or the failure)
  uint32_t requests = 0;    ///< blocks sent, 4.13-answered ones included
  uint32_t block_size = 0;  ///< the size the push ended with
  uint32_t fallbacks = 0;   ///< 4.13 answers that lowered the block size
};

/// PUT of `payload` to `path` in blocks of `block_size` bytes (16..1024), each waited for
/// up to `per_block`. Ends at the first answer other than 2.31 (or 4.13 with a smaller
/// Block1 size).
Block1Push push_block1(Server& server, const std::string& endpoint, const std::string& path,
                       const Bytes& payload, ContentFormat content_format,
                       uint32_t block_size = 1024, Duration per_block = Duration{10000});

}  // namespace lwm2m::testserver
