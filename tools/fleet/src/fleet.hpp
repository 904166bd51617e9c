// SPDX-License-Identifier: Apache-2.0
// The fleet: many core::Client instances driven by one thread and one epoll loop, each with
// its own UDP socket, sharing one core::Workspace (only one of them handles an input at a
// time). Registrations and de-registrations are paced (--rate); a signal starts the
// de-registration of every client. With --psk-key each client runs its own DTLS session
// (SecureLink) over its socket, driven from the same loop.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <queue>
#include <string>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/platform/udp.hpp"
#include "lwm2m/random.hpp"
#include "model.hpp"
#include "options.hpp"
#include "secure_link.hpp"

namespace lwm2m::fleet {

/// The client settings of every device: small tables and messages (192 bytes, Block2 in
/// 128-byte blocks), enough for Register, Read, Write, Observe (two at once) and Update;
/// the transmit and event queues hold what one input produces (the fleet drains them after
/// every datagram and timer).
core::ClientConfig device_config() noexcept;

/// The clients keep the responses they cache for retransmitted requests (RFC 7252 §4.5) in
/// one store: a short answer (a value, an ACK) takes 32-64 bytes there, so 32 bytes per
/// client keep the latest answers of about half the clients, and answers of a burst of
/// requests to every client for as long as the burst's second half takes to arrive.
constexpr size_t kResponseBytesPerClient = 32;
constexpr size_t kResponseStoreMin = 16 * 1024;
/// The store's size for a fleet of `clients`.
size_t response_store_bytes(size_t clients) noexcept;
/// The exchange buffers the clients share (coap::MessagePool): a client holds one while a
/// request of its own (Register, Update, De-register), a CON notification or a separate
/// response is in flight. Every client when registrations are not paced (`rate` 0, or a
/// small fleet), else one second of paced registrations, at least kMessagesMin. Paced
/// registrations and de-registrations wait while none is free; an Update or notification
/// that finds none fails as when its exchange slot is busy (and is retried).
constexpr size_t kMessagesMin = 256;
size_t shared_messages(size_t clients, double rate) noexcept;

/// One simulated device: its objects, client and socket. Its client draws tokens, message
/// ids and retransmission jitter from `rng`, which the fleet's clients share (one thread
/// drives them all).
struct Device {
  Device(const Shared& shared, std::string_view endpoint, const core::ClientConfig& config,
         Random& rng) noexcept;
  Model model;
  core::Client client;
  posix::UdpSocket socket;
  TimePoint due = kNever;  ///< the deadline the timer heap holds for this device
  coap::PeerId peer = 1;   ///< the client's name for the server (from its connect command)
  bool started = false;
  bool registered = false;
  bool ever_registered = false;
  bool stop_requested = false;
};

/// The devices of a fleet in the order they are made, in blocks of kBlock made in place:
/// a device never moves (its client points into its model), and a block holds many of
/// them, so a device costs its size and no allocator header or index entry of its own.
class Devices {
 public:
  static constexpr size_t kBlock = 32;
  Devices() = default;
  Devices(const Devices&) = delete;
  Devices& operator=(const Devices&) = delete;
  ~Devices();

  template <class... Args>
  Device& emplace_back(Args&&... args) {
    if (size_ == blocks_.size() * kBlock)
      blocks_.push_back(std::allocator<Device>().allocate(kBlock));
    Device* d = new (slot(size_)) Device(std::forward<Args>(args)...);
    ++size_;
    return *d;
  }
  Device& operator[](size_t i) noexcept { return *slot(i); }
  const Device& operator[](size_t i) const noexcept { return *slot(i); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  Device* slot(size_t i) const noexcept { return blocks_[i / kBlock] + i % kBlock; }
  std::vector<Device*> blocks_;
  size_t size_ = 0;
};

/// Counts requests served by every client (one monitor for the whole fleet).
class ServedCounter final : public core::ClientMonitor {
 public:
  void on_request_served(uint16_t, const coap::Message&, coap::Code) noexcept override { ++served; }
  uint64_t served = 0;
};

class Fleet {
 public:
  explicit Fleet(const Options& options);
  /// Runs until every client is de-registered after a signal; the exit status.
  int run();

 private:
  bool prepare();
  void create_devices();
  Device& make_device(size_t k);
  bool buffers_exhausted() const;
  void start_due(TimePoint now);
  void stop_due(TimePoint now);
  void fire_timers(TimePoint now);
  void change_values(TimePoint now);
  void receive(uint32_t index, TimePoint now);
  void flush(uint32_t index, TimePoint now);
  void progress(TimePoint now, bool final);
  void begin_stop(TimePoint now);
  bool all_stopped() const;
  TimePoint next_wake(TimePoint now) const;
  void note_memory();
  int summary(TimePoint now);
  // DTLS (fleet_dtls.cpp): one SecureLink per device, in links_[index]
  bool open_session(uint32_t index, TimePoint now);
  void send_secure(uint32_t index, ByteView datagram, TimePoint now);
  void receive_secure(uint32_t index, ByteView datagram, TimePoint now);
  void secure_timeout(uint32_t index, TimePoint now);
  void drive_session(uint32_t index, TimePoint now);
  void session_failed(uint32_t index, Errc error, const char* reason, TimePoint now);
  void send_ciphertext(uint32_t index);
  void drop_session(uint32_t index);
  TimePoint session_deadline(uint32_t index) const;
  std::string dtls_progress() const;

  Options opt_;
  Slice slice_;
  Shared shared_;
  posix::SocketAddress server_;
  core::ClientConfig config_;
  core::Workspace workspace_;
  std::string names_;             ///< every endpoint name, back to back (the clients view them)
  XorShiftRandom rng_;            ///< every client's random source
  Devices devices_;               ///< the clients started so far, in endpoint order
  std::deque<SecureLink> links_;  ///< with --psk-key: each device's DTLS, same order
  size_t name_end_ = 0;
  ServedCounter served_;
  int epoll_ = -1;
  int signals_ = -1;
  std::chrono::steady_clock::time_point origin_;
  using Timer = std::pair<int64_t, uint32_t>;  ///< (due in ms, device index)
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;

  size_t next_start_ = 0, next_stop_ = 0, next_change_ = 0;
  TimePoint start_origin_{}, stop_origin_{}, change_origin_{};
  bool stopping_ = false;
  TimePoint stop_deadline_ = kNever;
  size_t registered_ = 0, ever_registered_ = 0, deregistered_ = 0;
  size_t failed_ = 0, attempt_failures_ = 0, socket_failures_ = 0;
  size_t changes_ = 0;
  // DTLS: sessions up now, handshakes (or sessions) that failed, clients refused (once or
  // more)
  size_t sessions_ = 0, session_failures_ = 0, refused_ = 0;
  bool session_info_said_ = false;
  uint64_t served_at_last_progress_ = 0;
  TimePoint last_progress_{};
  bool tty_ = false;
  // --report-memory: resident bytes at two numbers of registered clients
  size_t memory_low_count_ = 0, memory_low_rss_ = 0, memory_high_count_ = 0, memory_high_rss_ = 0;
};

}  // namespace lwm2m::fleet
