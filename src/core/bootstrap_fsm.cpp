// SPDX-License-Identifier: Apache-2.0
#include "core/bootstrap_fsm.hpp"

namespace lwm2m::core {

void BootstrapFsm::start(TimePoint now, Duration hold_off) noexcept {
  state_ = BootstrapState::hold_off;
  deadline_ = now + hold_off;
  attempts_ = 0;
  finish_pending_ = false;
  gave_up_ = false;
}

void BootstrapFsm::stop() noexcept {
  state_ = BootstrapState::idle;
  deadline_ = kNever;
  finish_pending_ = false;
}

BootstrapAction BootstrapFsm::poll(TimePoint now) noexcept {
  if (finish_pending_) {
    finish_pending_ = false;
    state_ = BootstrapState::idle;
    deadline_ = kNever;
    attempts_ = 0;
    return BootstrapAction::finished;
  }
  if (now < deadline_) return BootstrapAction::none;
  switch (state_) {
    case BootstrapState::hold_off:
      state_ = BootstrapState::requesting;
      deadline_ = kNever;
      ++attempts_;
      return BootstrapAction::send_request;
    case BootstrapState::in_progress:
      (void)on_failure(now);
      return BootstrapAction::timed_out;
    default:
      return BootstrapAction::none;
  }
}

void BootstrapFsm::on_request_response(bool ok, TimePoint now) noexcept {
  if (state_ != BootstrapState::requesting) return;
  if (!ok) {
    (void)on_failure(now);
    return;
  }
  state_ = BootstrapState::in_progress;
  deadline_ = now + Duration{timeout_ms_};
}

bool BootstrapFsm::on_failure(TimePoint now) noexcept {
  if (attempts_ >= max_attempts_) {
    state_ = BootstrapState::idle;
    deadline_ = kNever;
    gave_up_ = true;
    return true;
  }
  // retry, 2 * retry, 4 * retry... after the 1st, 2nd, 3rd failed attempt.
  const unsigned shift = attempts_ > 1 ? (attempts_ - 1u < 20u ? attempts_ - 1u : 20u) : 0u;
  state_ = BootstrapState::hold_off;
  deadline_ = now + Duration{int64_t{retry_ms_} * int64_t{1u << shift}};  // shift <= 20
  return false;
}

void BootstrapFsm::on_server_request(TimePoint now) noexcept {
  if (state_ == BootstrapState::hold_off) return;  // our own request is still to come
  state_ = BootstrapState::in_progress;
  deadline_ = now + Duration{timeout_ms_};
}

void BootstrapFsm::on_finish_accepted(TimePoint now) noexcept {
  finish_pending_ = true;
  deadline_ = now;
}

}  // namespace lwm2m::core
