// SPDX-License-Identifier: Apache-2.0
// Registration state of one LwM2M server account (OMA LwM2M 1.1 Core §6.2): when to send
// Register, Update and De-register, and how to retry. Pure logic: it sends nothing itself,
// it answers "what should go out now" and "when is the next thing due".
#pragma once

#include <algorithm>
#include <cstdint>

#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::core {

/// Server object resources 16-20 (LwM2M 1.1) with the spec's defaults.
struct RetryPolicy {
  // Seconds, as the Server object gives them (4 bytes where a Duration takes 8): every
  // server account keeps one.
  uint32_t communication_retry_timer_s = 60;  ///< /1/x/18: doubled per attempt
  uint32_t sequence_delay_timer_s = 86400;    ///< /1/x/19: pause between sequences
  uint32_t communication_retry_count = 5;     ///< /1/x/17: attempts in one sequence
  uint32_t sequence_retry_count = 1;          ///< /1/x/20: sequences before giving up
  bool bootstrap_on_failure = true;           ///< /1/x/16
};

enum class RegistrationState : uint8_t {
  idle,         ///< not started, or stopped
  waiting,      ///< a Register is due at deadline() (first attempt or a retry)
  registering,  ///< Register in flight
  registered,
  updating,       ///< Update in flight
  deregistering,  ///< De-register in flight
  failed,         ///< every retry sequence failed; fall back to bootstrap if allowed
};

const char* to_string(RegistrationState s) noexcept;

enum class RegistrationAction : uint8_t { none, send_register, send_update, send_deregister };

class RegistrationFsm {
 public:
  RegistrationFsm() noexcept = default;
  explicit RegistrationFsm(RetryPolicy policy) noexcept : policy_(policy) {}

  void set_policy(const RetryPolicy& p) noexcept { policy_ = p; }
  /// Lifetime in seconds (/1/x/1); 0 means "no expiry" (LwM2M 1.2), no periodic Update.
  void set_lifetime(uint32_t seconds) noexcept { lifetime_s_ = seconds; }
  /// Time we allow for one exchange to complete (CoAP MAX_TRANSMIT_WAIT): the Update is
  /// sent early enough to finish before the registration would expire.
  void set_transmit_wait(Duration d) noexcept {
    transmit_wait_ms_ = static_cast<uint32_t>(std::clamp<int64_t>(d.count(), 0, UINT32_MAX));
  }

  void start(TimePoint now) noexcept;
  /// Ask for an Update now (registration trigger /1/x/8, lifetime or binding or object list
  /// changed). Before a Register is sent, nothing to do: it will carry everything; while
  /// one is in flight, the Update follows its success.
  void request_update(TimePoint now) noexcept;
  /// Ask for De-register (shutdown, Disable). Goes idle without traffic when not registered.
  void request_deregister(TimePoint now) noexcept;

  /// What to send now (at most one action per call; call until none).
  RegistrationAction poll(TimePoint now) noexcept;

  /// Outcome of the request sent for the last action; on_timeout() when no answer came.
  void on_register_response(bool success, TimePoint now) noexcept;
  /// `not_found` is 4.04: the server forgot us and a full Register is due (ETS int-105).
  void on_update_response(bool success, bool not_found, TimePoint now) noexcept;
  void on_deregister_done(TimePoint now) noexcept;
  void on_timeout(TimePoint now) noexcept;

  RegistrationState state() const noexcept { return state_; }
  bool registered() const noexcept {
    return state_ == RegistrationState::registered || state_ == RegistrationState::updating;
  }
  /// When poll() next has something to do; kNever when nothing is scheduled.
  TimePoint deadline() const noexcept { return deadline_; }
  /// Attempts made in the current sequence and sequences started, for diagnostics.
  uint32_t attempt() const noexcept { return attempt_; }
  uint32_t sequence() const noexcept { return sequence_; }

 private:
  /// Registered: the next Update is due now (one was asked for) or before the lifetime ends.
  void schedule_update(TimePoint now) noexcept;
  void register_failed(TimePoint now) noexcept;
  /// State `s` with nothing scheduled.
  void settle(RegistrationState s) noexcept;
  bool deregister_instead() noexcept;

  // In falling order of alignment (no padding): every server account keeps one.
  TimePoint deadline_ = kNever;
  RetryPolicy policy_;
  uint32_t transmit_wait_ms_ = 93000;
  uint32_t lifetime_s_ = 86400;
  uint32_t attempt_ = 0;   // failed attempts in the current sequence
  uint32_t sequence_ = 0;  // sequences that have fully failed
  RegistrationState state_ = RegistrationState::idle;
  bool update_pending_ = false;
  bool deregister_pending_ = false;
};

}  // namespace lwm2m::core
