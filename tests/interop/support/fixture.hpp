// SPDX-License-Identifier: Apache-2.0
// Pieces shared by the interop tests: deterministic test bodies, a libcoap process run while
// our engine is driven, and failure reports that show both sides of the conversation.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/libcoap.hpp"
#include "support/subprocess.hpp"
#include "support/udp_driver.hpp"

namespace lwm2m::interop {

/// `n` pseudo-random bytes covering all 256 values (0xFF included, which must never be
/// mistaken for a payload marker), the same for the same seed.
std::string test_body(size_t n, uint32_t seed);

/// Counts how many of libcoap's logged PDUs match type, code and direction.
size_t count_pdus(const std::vector<LibcoapPdu>& pdus, bool received, std::string_view type,
                  std::string_view code);

/// The outcome of one libcoap program run.
struct ProgramRun {
  std::optional<int> exit_code;  ///< nullopt: it had to be killed
  std::string log;               ///< stdout (-v 7 log)
  std::string errors;            ///< stderr (libcoap prints error responses here)
  std::string output;            ///< what coap-client wrote with -o
  std::vector<LibcoapPdu> pdus;  ///< parsed from `log`
};

/// Formats a ProgramRun for a failure message.
std::string report(const ProgramRun& run);

}  // namespace lwm2m::interop
