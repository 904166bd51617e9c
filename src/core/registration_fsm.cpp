// SPDX-License-Identifier: Apache-2.0
#include "registration_fsm.hpp"

namespace lwm2m::core {

const char* to_string(RegistrationState s) noexcept {
  switch (s) {
    case RegistrationState::idle:
      return "idle";
    case RegistrationState::waiting:
      return "waiting";
    case RegistrationState::registering:
      return "registering";
    case RegistrationState::registered:
      return "registered";
    case RegistrationState::updating:
      return "updating";
    case RegistrationState::deregistering:
      return "deregistering";
    case RegistrationState::failed:
      return "failed";
  }
  return "unknown";
}

void RegistrationFsm::start(TimePoint now) noexcept {
  state_ = RegistrationState::waiting;
  deadline_ = now;
  attempt_ = 0;
  sequence_ = 0;
  update_pending_ = false;
  deregister_pending_ = false;
}

// Out of line: one copy of the 64-bit kNever's stores for the five ways to an end.
[[gnu::noinline]] void RegistrationFsm::settle(RegistrationState s) noexcept {
  state_ = s;
  deadline_ = kNever;
}

void RegistrationFsm::request_update(TimePoint now) noexcept {
  if (state_ == RegistrationState::registered) {
    update_pending_ = true;
    deadline_ = now;
  } else if (state_ == RegistrationState::updating || state_ == RegistrationState::registering) {
    // Sent once the exchange in flight completes: a Register already on its way carries
    // the old values (a new instance would otherwise wait for the next periodic Update).
    update_pending_ = true;
  }
}

void RegistrationFsm::request_deregister(TimePoint now) noexcept {
  switch (state_) {
    case RegistrationState::registered:
      deregister_pending_ = true;
      deadline_ = now;
      break;
    case RegistrationState::registering:
    case RegistrationState::updating:
      deregister_pending_ = true;
      break;
    case RegistrationState::deregistering:
      break;
    default:
      settle(RegistrationState::idle);
  }
}

RegistrationAction RegistrationFsm::poll(TimePoint now) noexcept {
  if (now < deadline_) return RegistrationAction::none;
  switch (state_) {
    case RegistrationState::waiting:
      settle(RegistrationState::registering);
      update_pending_ = false;  // the Register carries everything
      return RegistrationAction::send_register;
    case RegistrationState::registered:
      if (deregister_pending_) {
        deregister_pending_ = false;
        settle(RegistrationState::deregistering);
        return RegistrationAction::send_deregister;
      }
      update_pending_ = false;
      settle(RegistrationState::updating);
      return RegistrationAction::send_update;
    default:
      return RegistrationAction::none;
  }
}

void RegistrationFsm::schedule_update(TimePoint now) noexcept {
  state_ = RegistrationState::registered;
  if (update_pending_ || deregister_pending_) {
    deadline_ = now;
    return;
  }
  if (lifetime_s_ == 0) {
    deadline_ = kNever;
    return;
  }
  // Update at max(lifetime/2, lifetime - MAX_TRANSMIT_WAIT): late enough not to chatter
  // for long lifetimes, early enough that a retransmitted Update still lands in time.
  const Duration lifetime{int64_t{lifetime_s_} * 1000};
  Duration lead = lifetime - Duration{transmit_wait_ms_};
  if (lead < lifetime / 2) lead = lifetime / 2;
  deadline_ = now + lead;
}

/// A De-register asked for while a Register or an Update was in flight: the answer that
/// came ends the registration instead.
bool RegistrationFsm::deregister_instead() noexcept {
  if (!deregister_pending_) return false;
  deregister_pending_ = false;
  settle(RegistrationState::idle);
  return true;
}

void RegistrationFsm::register_failed(TimePoint now) noexcept {
  if (deregister_instead()) return;
  ++attempt_;
  if (attempt_ < policy_.communication_retry_count) {
    // Exponential back-off: timer * 2^(attempt-1) (Server object resource 18).
    const uint32_t shift = attempt_ - 1 < 20 ? attempt_ - 1 : 20;
    state_ = RegistrationState::waiting;
    deadline_ = now + Duration{int64_t{policy_.communication_retry_timer_s} * 1000} *
                          int64_t{1u << shift};  // 32-bit shift
    return;
  }
  attempt_ = 0;
  ++sequence_;
  if (sequence_ < policy_.sequence_retry_count) {
    state_ = RegistrationState::waiting;
    deadline_ = now + Duration{int64_t{policy_.sequence_delay_timer_s} * 1000};
    return;
  }
  settle(RegistrationState::failed);
}

void RegistrationFsm::on_register_response(bool success, TimePoint now) noexcept {
  if (state_ != RegistrationState::registering) return;
  if (!success) {
    register_failed(now);
    return;
  }
  attempt_ = 0;
  sequence_ = 0;
  schedule_update(now);
}

void RegistrationFsm::on_update_response(bool success, bool not_found, TimePoint now) noexcept {
  if (state_ != RegistrationState::updating) return;
  if (success) {
    schedule_update(now);
    return;
  }
  (void)not_found;
  // 4.04 means the server has no registration for us (ETS int-105); any other failure
  // leaves us unsure, so a fresh Register is the safe way back in both cases.
  if (deregister_instead()) return;
  state_ = RegistrationState::waiting;
  deadline_ = now;
  attempt_ = 0;
}

void RegistrationFsm::on_deregister_done(TimePoint) noexcept {
  if (state_ == RegistrationState::deregistering) settle(RegistrationState::idle);
}

void RegistrationFsm::on_timeout(TimePoint now) noexcept {
  switch (state_) {
    case RegistrationState::registering:
      on_register_response(false, now);
      break;
    case RegistrationState::updating:
      on_update_response(false, false, now);
      break;
    case RegistrationState::deregistering:
      on_deregister_done(now);
      break;
    default:
      break;
  }
}

}  // namespace lwm2m::core
