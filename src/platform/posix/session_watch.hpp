// SPDX-License-Identifier: Apache-2.0
// When a DTLS session has stopped working although nothing said so: a server that
// restarted drops the records of the session it lost without a word, and a NAT that
// forgot the device's binding gives it another address the server cannot match. The runner
// asks before each datagram it puts into a session; a pure function of what was sent,
// what came back and when, so that it is tested with simulated time.
#pragma once

#include <cstdint>

#include "lwm2m/bytes.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::posix {

class SessionWatch {
 public:
  enum class Verdict : uint8_t {
    keep,
    idle,        ///< nothing either way for longer than the NAT timeout
    unanswered,  ///< a request due for its n-th retransmission, nothing heard since it left
  };

  /// A new session is up (the handshake is traffic both ways).
  void established(TimePoint now) noexcept {
    last_traffic_ = last_heard_ = now;
    watching_ = false;
  }
  /// Application data came out of the session.
  void heard(TimePoint now) noexcept { last_traffic_ = last_heard_ = now; }

  /// Before `datagram` (a CoAP message) goes into the session. `refresh_after`: the
  /// retransmission at which an unanswered request condemns the session (0: never);
  /// `nat_timeout`: the idle time that does (0: never; not with a Connection ID).
  Verdict before_send(ByteView datagram, TimePoint now, uint8_t refresh_after, Duration nat_timeout,
                      bool connection_id) noexcept {
    if (nat_timeout > Duration{0} && !connection_id && now - last_traffic_ > nat_timeout) {
      idle_for_ = now - last_traffic_;
      return Verdict::idle;
    }
    last_traffic_ = now;
    // CoAP: version 1 and type CON (0) in the first byte, the message ID in bytes 2-3.
    if (datagram.size() < 4 || (datagram[0] >> 4) != 4) return Verdict::keep;
    const uint16_t mid = static_cast<uint16_t>(datagram[2] << 8 | datagram[3]);
    const bool answered = last_heard_ >= since_;
    if (watching_ && !answered && mid != mid_) return Verdict::keep;  // the older one first
    if (!watching_ || answered || mid != mid_) {
      watching_ = true;
      mid_ = mid;
      since_ = now;
      retransmissions_ = 0;
      return Verdict::keep;
    }
    ++retransmissions_;
    if (refresh_after == 0 || retransmissions_ < refresh_after) return Verdict::keep;
    watching_ = false;
    return Verdict::unanswered;
  }

  /// For the log line of a verdict: how long the session was idle, or how long the request
  /// went unanswered and how many retransmissions it had.
  Duration idle_for() const noexcept { return idle_for_; }
  Duration unanswered_for(TimePoint now) const noexcept { return now - since_; }
  uint8_t retransmissions() const noexcept { return retransmissions_; }

 private:
  TimePoint last_traffic_{};
  TimePoint last_heard_{};
  bool watching_ = false;
  uint16_t mid_ = 0;
  TimePoint since_{};
  uint8_t retransmissions_ = 0;
  Duration idle_for_{0};
};

}  // namespace lwm2m::posix
