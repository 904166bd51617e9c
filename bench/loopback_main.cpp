// SPDX-License-Identifier: Apache-2.0
// lwm2m_loopback: Read /3/0 served by posix::Runner on 127.0.0.1 next to the machine's UDP
// ceiling (an echo responder driven by the same generator, 8 requests in flight), in one
// run: the two take turns (--rounds slices each) so that both see the same load. bench/run repeats
// it; bench/callgrind-read.sh runs it under callgrind with a fixed number of responses.
//
//   lwm2m_loopback [--mode both|runner|echo] [--seconds S] [--rounds R] [--responses N]
//                  [--in-flight K] [--log-requests] [--retransmit-ms MS]
//
// Prints one line per measurement (key=value), and the ratio when both ran.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "harness.hpp"

namespace {

using lwm2m::bench::LoadStats;
using lwm2m::bench::LoopbackOptions;

void print(const char* what, const LoadStats& s) {
  std::printf(
      "%-6s responses=%zu seconds=%.3f rate=%.0f responder_us=%.2f generator_us=%.2f "
      "timeouts=%zu wrong=%zu\n",
      what, s.responses, s.seconds, s.rate(), s.responder_us(), s.generator_us(), s.timeouts,
      s.wrong);
}

int usage(const char* why) {
  std::fprintf(stderr,
               "lwm2m_loopback: %s\n"
               "usage: lwm2m_loopback [--mode both|runner|echo] [--seconds S] [--rounds R]\n"
               "                      [--responses N] [--in-flight K] [--log-requests]\n"
               "                      [--retransmit-ms MS]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  LoopbackOptions o;
  std::string_view mode = "both";
  int rounds = 4;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--log-requests") {
      o.log_requests = true;
    } else if (a == "--mode" && has_value) {
      mode = argv[++i];
    } else if (a == "--seconds" && has_value) {
      o.duration = std::chrono::milliseconds(static_cast<long>(std::atof(argv[++i]) * 1000));
    } else if (a == "--responses" && has_value) {
      o.max_responses = std::strtoul(argv[++i], nullptr, 10);
      o.duration = std::chrono::hours(1);
    } else if (a == "--rounds" && has_value) {
      rounds = std::atoi(argv[++i]);
    } else if (a == "--in-flight" && has_value) {
      o.in_flight = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--retransmit-ms" && has_value) {
      o.retransmit = lwm2m::Duration{std::atol(argv[++i])};
    } else {
      return usage("unknown flag or missing value (see usage)");
    }
  }
  if (mode != "both" && mode != "runner" && mode != "echo")
    return usage("--mode takes both, runner or echo");
  if (o.in_flight == 0 || o.in_flight > 64) return usage("--in-flight takes 1 to 64");
  if (rounds < 1) return usage("--rounds takes 1 or more");
  std::optional<LoadStats> echo, runner;
  if (mode == "both") {
    const auto both = lwm2m::bench::measure_side_by_side(o, rounds);
    if (!both) {
      std::fprintf(stderr, "lwm2m_loopback: no socket, or the runner did not register\n");
      return 1;
    }
    echo = both->echo;
    runner = both->runner;
  } else if (mode == "echo") {
    echo = lwm2m::bench::measure_echo(o);
  } else {
    runner = lwm2m::bench::measure_runner(o);
  }
  if (!echo && !runner) {
    std::fprintf(stderr, "lwm2m_loopback: no socket, or the runner did not register\n");
    return 1;
  }
  if (echo) print("echo", *echo);
  if (runner) print("runner", *runner);
  if (echo && runner && echo->rate() > 0)
    std::printf("ratio  %.3f\n", runner->rate() / echo->rate());
  const bool wrong = (echo && echo->wrong) || (runner && runner->wrong);
  if (wrong) std::fprintf(stderr, "lwm2m_loopback: unexpected answers (see wrong=)\n");
  return wrong ? 1 : 0;
}
