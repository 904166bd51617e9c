// SPDX-License-Identifier: Apache-2.0
// Client-initiated bootstrap (OMA LwM2M 1.1 Core §5.2.2, §6.1): when to send the
// Bootstrap-Request, how long to wait for Bootstrap-Finish, and how to retry. Pure logic,
// shaped like RegistrationFsm: inputs, poll(now) -> what to do now, deadline().
#pragma once

#include <cstdint>

#include "lwm2m/time.hpp"
#include "millis32.hpp"

namespace lwm2m::core {

/// The spec leaves bootstrap retries to the implementation: a doubling delay, as the 1.1
/// retry timers do for servers, and a bounded number of attempts.
struct BootstrapPolicy {
  Duration timeout{120000};  ///< from the request's 2.04 (or the server's last request)
  Duration retry{60000};     ///< first delay after a failure; doubles with each one
  uint8_t attempts = 5;      ///< requests before giving up
};

enum class BootstrapState : uint8_t {
  idle,         ///< not bootstrapping (never started, finished, stopped or given up)
  hold_off,     ///< a Bootstrap-Request is due at deadline()
  requesting,   ///< Bootstrap-Request in flight
  in_progress,  ///< the bootstrap server is writing; Bootstrap-Finish due by deadline()
};

enum class BootstrapAction : uint8_t {
  none,
  send_request,  ///< send the Bootstrap-Request now
  timed_out,     ///< no Bootstrap-Finish in time (a retry is scheduled unless given up)
  finished,      ///< Bootstrap-Finish was accepted and answered: register with the result
};

class BootstrapFsm {
 public:
  BootstrapFsm() noexcept = default;
  explicit BootstrapFsm(const BootstrapPolicy& p) noexcept { set_policy(p); }
  /// The periods are kept in 32 bits of milliseconds: one beyond 49 days counts as 49
  /// days (2^32 - 1 ms), a negative one as 0.
  void set_policy(const BootstrapPolicy& p) noexcept {
    timeout_ms_ = lwm2m::detail::saturated_ms(p.timeout);
    retry_ms_ = lwm2m::detail::saturated_ms(p.retry);
    max_attempts_ = p.attempts;
  }

  /// A new bootstrap (first start, Bootstrap-Request Trigger, registration fallback): the
  /// first request after the Client Hold Off Time (/0/x/11), with a fresh attempt count.
  void start(TimePoint now, Duration hold_off) noexcept;
  void stop() noexcept;

  /// What to do now (at most one action per call; call until none).
  BootstrapAction poll(TimePoint now) noexcept;

  /// The Bootstrap-Request was answered: 2.04 (`ok`) starts the wait for Finish.
  void on_request_response(bool ok, TimePoint now) noexcept;
  /// The request failed (error answer, no answer, could not be sent): retry later, or give
  /// up when the attempts are spent. True when given up.
  bool on_failure(TimePoint now) noexcept;
  /// A request from the bootstrap server arrived: it is alive (the wait for Finish starts
  /// again), or it starts a server-initiated bootstrap.
  void on_server_request(TimePoint now) noexcept;
  /// Bootstrap-Finish accepted; poll() says finished once the answer is out.
  void on_finish_accepted(TimePoint now) noexcept;

  BootstrapState state() const noexcept { return state_; }
  bool active() const noexcept { return state_ != BootstrapState::idle || finish_pending_; }
  TimePoint deadline() const noexcept { return deadline_; }
  /// Requests sent since the last start.
  uint8_t attempts() const noexcept { return attempts_; }
  /// True once the attempts were spent without success (until the next start).
  bool gave_up() const noexcept { return gave_up_; }

 private:
  // The policy's fields rather than a BootstrapPolicy (whose padding could not hold the
  // bytes after it), its periods in 32 bits, the bytes together: 24 B on a 32-bit target,
  // not 48 (in every client's Client::Impl, with or without a bootstrap server).
  TimePoint deadline_ = kNever;
  uint32_t timeout_ms_ = static_cast<uint32_t>(BootstrapPolicy{}.timeout.count());
  uint32_t retry_ms_ = static_cast<uint32_t>(BootstrapPolicy{}.retry.count());
  uint8_t max_attempts_ = BootstrapPolicy{}.attempts;
  BootstrapState state_ = BootstrapState::idle;
  uint8_t attempts_ = 0;
  bool finish_pending_ = false;
  bool gave_up_ = false;
};

}  // namespace lwm2m::core
