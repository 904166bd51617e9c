// SPDX-License-Identifier: Apache-2.0
// lwm2m-fleet's command line: parsed into Options, or refused with the flag named and the
// fix proposed (UsageError).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lwm2m::fleet {

/// A bad command line: `flag` is what was wrong, `fix` what to write instead.
struct UsageError : std::runtime_error {
  UsageError(const std::string& flag, const std::string& fix)
      : std::runtime_error(flag + ": " + fix) {}
};

struct Options {
  size_t count = 1;  ///< the whole fleet, over every shard
  std::string server = "coap://127.0.0.1:5683";
  std::string prefix = "fleet";
  double rate = 100;  ///< registrations (and de-registrations) per second; 0: no limit
  uint32_t lifetime = 300;
  size_t shard_index = 0, shard_count = 1;
  /// Seconds between two readings of each client's temperature (a reading in the same tenth changes
  /// nothing).
  uint32_t change_period = 10;
  bool report_memory = false;
  bool help = false;
  /// --psk-key: DTLS 1.2 with this pre-shared key; each client's PSK identity is its
  /// endpoint name (PREFIX-i). Empty: CoAP over UDP (NoSec).
  std::vector<uint8_t> psk_key;
  bool dtls() const { return !psk_key.empty(); }
};

/// Parses argv[1..]; throws UsageError.
Options parse_options(const std::vector<std::string>& args);

/// The endpoints shard `index` of `shards` runs: [first, end) of 0..count-1, slices that
/// differ by one client at most and cover the range exactly once.
struct Slice {
  size_t first = 0, end = 0;
  size_t size() const { return end - first; }
};
Slice shard_slice(size_t count, size_t index, size_t shards);

/// The --help text.
std::string usage();

}  // namespace lwm2m::fleet
