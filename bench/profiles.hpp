// SPDX-License-Identifier: Apache-2.0
// Client configurations the benchmarks measure, in one place so that the footprint image
// (bench/footprint/main.cpp) and the host benches (bench/client_bench.cpp) agree.
#pragma once

#include "lwm2m/core/client.hpp"

namespace lwm2m::bench {

/// 256-byte messages (Block2 in 128-byte blocks), no Block1 reassembly, two exchanges and
/// two dedup entries whose answers share 392 bytes (one answer of any size beside the
/// room to build the next, or several short ones), one management server, four events
/// kept for the driver, room for one empty ACK or RST (the driver polls after every
/// input) and no separate responses (the client always answers at once).
constexpr core::ClientConfig small_profile() noexcept {
  core::ClientConfig c;
  c.max_servers = 1;
  c.max_observations = 4;
  c.max_attributes = 4;
  c.uplink_buffer = 192;
  c.scratch = 128;
  c.stored_notifications = 2;
  c.stored_bytes = 64;
  c.max_events = 4;  // the driver polls events after every input
  c.coap.max_message_size = 256;
  c.coap.block_size = 128;
  c.coap.exchanges = 2;
  c.coap.dedup_entries = 2;
  c.coap.response_bytes = coap::ResponseStore::min_size(256) + 128;
  c.coap.observations = 4;
  c.coap.deferred = 0;        // the client never defers an answer
  c.coap.empty_messages = 1;  // each input queues one at most; the driver polls after each
  c.coap.block1_buffer = 0;
  return c;
}

/// The least that still registers and answers Read /3/0 in TLV: 192-byte messages
/// (Block2 in 128-byte blocks), one exchange, one dedup entry, two observations, one
/// stored notification.
constexpr core::ClientConfig tiny_profile() noexcept {
  core::ClientConfig c = small_profile();
  c.max_observations = 2;
  c.max_attributes = 1;
  c.uplink_buffer = 128;
  c.scratch = 64;
  c.stored_notifications = 1;
  c.stored_bytes = 32;
  c.coap.max_message_size = 192;
  c.coap.exchanges = 1;
  c.coap.dedup_entries = 1;
  c.coap.response_bytes = 0;  // one answer of any size
  c.coap.observations = 2;
  return c;
}

}  // namespace lwm2m::bench
