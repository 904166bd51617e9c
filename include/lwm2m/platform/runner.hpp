// SPDX-License-Identifier: Apache-2.0
// The runner: the thread that drives a core::Client over real sockets, what the C facade's
// lwm2m_client_run() starts. It waits for datagrams no longer than min_refresh (RIOT's
// LWM2M_CLIENT_MIN_REFRESH_TIME) or the client's next deadline, dispatches each datagram to
// the connection of its remote endpoint, resolves server host names (getaddrinfo unless
// RunnerConfig::resolver says otherwise), wraps coaps:// peers in a SecureChannel (DTLS),
// and turns the client's events into actions (reboot after a delay, logs).
//
// Threads. While the runner runs, the client and its objects belong to the runner thread;
// before start() and after stop() they belong to the caller.
//  - The runner's lock guards the client, its objects and the connections. The runner
//    thread holds it for each step: handling the datagrams one wake-up read (a few at
//    most) or a timer, then draining the client's outputs. Object handlers (dm::Object)
//    and the ClientMonitor run inside those calls, so on the runner thread with the lock
//    held; so do the SecureChannelFactory and the channels it makes (they read the
//    Security instances). None of these may call the runner: locked(), value_changed()
//    and connections() would wait for their own thread.
//  - The lock is never held while a host name is resolved or a hook runs, so another thread
//    waits for it at most one step (never for DNS or for an application's hook).
//  - Host names are resolved by the Resolver on a thread of its own (started by the first
//    host name), without the lock; the runner goes on serving the other servers meanwhile
//    and drops an answer that comes after the client closed or reopened that connection.
//    Numeric addresses never go through the resolver.
//  - The hooks (log, event, reboot) run on the runner thread without the lock, after the
//    step that produced them, in the order it produced them: every log line in order, each
//    event after its log line (the line saying why start() failed comes on its caller). A hook may
//    call locked(), value_changed(), connections(), running() and stop() (from a hook, stop() asks
//    the thread to end and does not join).
//  - Other threads (and the hooks) reach the client and its objects only through
//    locked(f): f runs on the calling thread with the lock held, so the runner thread is
//    outside the client meanwhile; afterwards the runner wakes and acts on what f changed
//    (a value change, a Send, a stop) at once.
//  - The set_* functions are called before start(); start() and stop() from one
//    controlling thread (or stop() from a hook).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/platform/secure_channel.hpp"
#include "lwm2m/platform/udp.hpp"
#include "lwm2m/storage.hpp"

namespace lwm2m::posix {

/// The security layer's interface (lwm2m/platform/secure_channel.hpp), also reachable by
/// these names in the runner's namespace.
using SecureChannel = lwm2m::SecureChannel;
using SecureChannelFactory = lwm2m::SecureChannelFactory;

/// Resolves a host name (never a numeric literal) to at most `out.size()` addresses, as
/// posix::resolve() does: how many it wrote, or an error (not_found). Called on the runner's
/// resolver thread; it may block as long as it likes, but holds up Runner::stop().
using Resolver = std::function<Result<size_t>(std::string_view host, uint16_t port,
                                              std::span<SocketAddress> out)>;

/// How a posix::Runner drives its client: socket, buffers, delays and what happens after giving up.
struct RunnerConfig {
  uint16_t local_port = 5683;  ///< RIOT's CONFIG_LWM2M_LOCAL_PORT; 0 = ephemeral
  /// LWM2M_CLIENT_RCV_BUFFER_SIZE; at least 2048 once a SecureChannelFactory is set
  /// (ciphertext and handshake flights).
  size_t receive_buffer = 200;
  Duration min_refresh{1000};   ///< LWM2M_CLIENT_MIN_REFRESH_TIME
  Duration reboot_delay{5000};  ///< LWM2M_CLIENT_REBOOT_TIME
  bool ipv4_only = false;       ///< resolve host names to IPv4 addresses only
  Resolver resolver;            ///< empty: posix::resolve (getaddrinfo)
  /// When every retry sequence failed and nothing is left to try (core::Client::gave_up):
  /// false stops the runner (running() turns false, gave_up() true) so that the
  /// application can exit and let a supervisor restart it; true starts over after
  /// `keep_trying_delay`.
  bool keep_trying = false;
  Duration keep_trying_delay{60000};  ///< wait before starting over when keep_trying is set
  /// Datagrams from endpoints that are not a connected server are dropped unanswered. The
  /// first is logged with its address; while more keep coming, one line per interval
  /// counts those dropped without a line, so a flood cannot fill the log.
  Duration stranger_log_interval{10000};
  /// A server that restarted has lost the DTLS session and drops its records without a
  /// word, so a request over it would wait out every CoAP retransmission (about a minute).
  /// When a request over a DTLS session is due for this retransmission and nothing came
  /// from the server since it was first sent, the runner replaces the session (a new
  /// handshake) and sends the retransmission in the new one. 0: never.
  uint8_t dtls_refresh_after_retransmissions = 2;
  /// NAT idle timeout: a DTLS session without a Connection ID that carried nothing either
  /// way for longer than this is replaced (a new handshake) before the next datagram goes
  /// out, since a NAT may have given the device another address meanwhile, from which the
  /// server cannot recognise the session. Set it just below the NAT's UDP binding timeout
  /// (often 30 s to a few minutes); a session with a Connection ID (RFC 9146) survives an
  /// address change and is kept. 0 (default): never.
  Duration nat_timeout{0};
};

/// The runner's view of one server connection (what the C facade's connection list shows).
struct ConnectionInfo {
  coap::PeerId peer;                                ///< the client's peer id
  uint16_t ssid;                                    ///< Short Server ID; 0 for the bootstrap server
  SocketAddress remote;                             ///< the server's address
  bool secure;                                      ///< DTLS
  std::chrono::system_clock::time_point last_send;  ///< when the last datagram went to it
};

/// What a log hook takes: the lines about state changes (connections, registration,
/// failures and what happens next), or those and one line per request served. A line the
/// hook does not take is never formatted.
enum class LogDetail : uint8_t {
  state,     ///< state changes only
  requests,  ///< state changes and a line per request served
};

class NameResolver;
class SessionWatch;

/// Drives a core::Client on a POSIX system: a UDP socket (and DTLS sessions), a thread, the timers
/// and name resolution. Other threads reach the client through locked().
class Runner final : private core::ClientMonitor {
 public:
  /// Receives each log line (NUL-terminated, without newline).
  using LogHook = std::function<void(const char* line)>;

  /// A runner for `client`, which must outlive it; nothing starts before start().
  Runner(core::Client& client, const RunnerConfig& config);
  ~Runner() override;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// DTLS for coaps:// servers; without it such servers fail with a clear reason.
  void set_secure_channel_factory(SecureChannelFactory f) { factory_ = std::move(f); }
  /// Called `reboot_delay` after an Execute on /3/0/4 was answered (runner thread, without
  /// the lock). Default: stop the runner cleanly (De-register) and remember it
  /// (reboot_requested()).
  void set_reboot_hook(std::function<void()> hook) { reboot_hook_ = std::move(hook); }
  /// One line per state change and, with LogDetail::requests, per request served, in order
  /// (runner thread, without the lock). Default: stderr, every line.
  void set_log(LogHook log, LogDetail detail = LogDetail::requests) {
    log_ = std::move(log);
    log_detail_ = detail;
  }
  /// Every client event, after the runner acted on it and after its log line (runner
  /// thread, without the lock).
  void set_event_hook(std::function<void(const core::Event&)> hook) {
    event_hook_ = std::move(hook);
  }

  /// Persistence (lwm2m/storage.hpp): start() restores `state` before the client starts,
  /// and the runner saves or discards it when the client asks (Client::poll_state), before
  /// the answer that caused it leaves; one log line per outcome. `state` outlives the
  /// runner. Set before start().
  void set_saved_state(SavedState* state) { saved_ = state; }
  /// Restores the saved state now rather than in start() (once), for an application that
  /// needs the restored objects first (e.g. to load their credentials). Before start(), from
  /// the controlling thread, which also gets the log line saying what was found.
  RestoreResult restore_saved_state();

  /// Opens the socket, starts the client (under the lock) and the thread that drives it.
  Status start();
  /// De-registers (waiting up to `grace` for the servers' answers), stops and joins.
  void stop(Duration grace = Duration{5000});
  /// True from start() until the runner stopped (stop(), a reboot, giving up).
  bool running() const noexcept { return running_; }
  /// True after the runner stopped for a server's Reboot (/3/0/4).
  bool reboot_requested() const noexcept { return reboot_requested_; }
  /// The runner stopped because every attempt failed (RunnerConfig::keep_trying is false).
  bool gave_up() const noexcept { return gave_up_; }
  /// The UDP port the socket is bound to (0 before start()).
  uint16_t local_port() const noexcept { return socket_.local_port(); }
  /// The UDP socket's descriptor (-1 when closed) and the runner thread's handle, for the C
  /// facade's lwm2m_client_data_t (RIOT's `sock` and `pid`).
  int socket_fd() const noexcept { return socket_.fd(); }
  /// The runner thread's native handle (for the C facade's `pid`).
  std::thread::native_handle_type native_thread() { return thread_.native_handle(); }

  /// Runs `f(client)` on this thread under the runner's lock and wakes the runner. Never from
  /// an object handler, a ClientMonitor or a secure channel (they hold the lock already).
  template <class F>
  auto locked(F&& f) {
    struct Waker {
      Runner& r;
      ~Waker() { r.wake(); }
    } waker{*this};
    std::lock_guard<std::mutex> guard(mutex_);
    return f(client_);
  }
  /// A value changed (the observation machinery picks it up at once); locked() inside.
  void value_changed(const dm::Path& path);
  /// The open connections (not those still resolving their host name); takes the lock.
  std::vector<ConnectionInfo> connections() const;

 private:
  struct Connection {
    bool used = false;
    uint16_t ssid = 0;
    SocketAddress remote;
    bool secure = false;
    /// Null on a secure connection whose session failed: the next datagram the client
    /// sends there starts a new one (nothing is ever sent or accepted in clear).
    std::unique_ptr<SecureChannel> channel;
    bool session_up = false;  ///< the channel was connected at the last look (for the log)
    /// Plaintext datagrams waiting for the handshake, oldest first (bounded: CoAP
    /// retransmits what a full queue drops).
    std::vector<std::vector<uint8_t>> held;
    /// When the last datagram went to it, on the runner's clock (connections() gives it as
    /// wall-clock time; kNever: none yet). Taken from the step's time, not read per datagram.
    TimePoint last_send = kNever;
    /// Waiting for the resolver's answer with this ticket (`used` is still false: no
    /// address yet); datagrams for it are held meanwhile.
    bool resolving = false;
    uint32_t ticket = 0;
  };
  /// What a step produced for the hooks, dispatched in order once the lock is released.
  struct Output {
    enum class Kind : uint8_t { line, event, reboot } kind;
    core::Event event{};
    uint32_t begin = 0;  ///< a line: its place in outbox_text_
    uint32_t size = 0;
  };

  void run();
  void step(TimePoint now);
  /// The part of a step that a received datagram needs at once (connections, events,
  /// state, its answer); the rest waits for the step at the end of its batch.
  void answer_step(TimePoint now);
  void open_connection(coap::PeerId peer, uint16_t ssid, TimePoint now);
  void take_answers(TimePoint now);
  void connect(coap::PeerId peer, Connection& c, std::span<const SocketAddress> found,
               std::string_view host, TimePoint now);
  bool open_channel(coap::PeerId peer, Connection& c, TimePoint now);
  void hold(Connection& c, ByteView datagram);
  void send_ciphertext(Connection& c);
  /// Before `datagram` goes into `c`'s session: replaces the session when it looks dead.
  void check_session(coap::PeerId peer, Connection& c, ByteView datagram, TimePoint now);
  void replace_session(Connection& c, const char* why, TimePoint now);
  void flush(TimePoint now);
  void send_plaintext(Connection& c, ByteView datagram, TimePoint now);
  void send_queued();
  void receive_batch();
  void drive_channels(TimePoint now);
  void deliver(const SocketAddress& from, ByteView datagram, TimePoint now);
  void deliver_plaintext(coap::PeerId peer, ByteView message, TimePoint now);
  void note_stranger(const SocketAddress& from, TimePoint now);
  void fold_stranger_log(TimePoint now);
  void wake();
  void log(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void dispatch();
  void carry_out(core::StateCommand command);
  void log_event(const core::Event& e, TimePoint now);
  void check_given_up(TimePoint now);
  bool check_security(const Connection& c, coap::PeerId peer, std::string_view uri_text,
                      TimePoint now);
  void on_request_served(uint16_t ssid, const coap::Message& request,
                         coap::Code result) noexcept override;
  TimePoint now() const;

  core::Client& client_;
  RunnerConfig config_;
  UdpSocket socket_;
  /// Datagrams in and out, one system call per batch (recvmmsg/sendmmsg where there are).
  DatagramBatch rx_;
  DatagramBatch tx_;
  std::vector<Connection> conns_;
  /// A DTLS channel was ever opened: until then no connection has one to drive, and the
  /// per-datagram step skips the look at each of them.
  bool channels_made_ = false;
  /// Per connection (same index): whether its DTLS session still works.
  std::vector<SessionWatch> watches_;
  std::vector<coap::PeerId> closing_;  ///< disconnected by the client, closed after a flush
  std::unique_ptr<NameResolver> resolver_;
  uint32_t tickets_ = 0;
  /// Touched by the runner thread only (and by start() before the thread exists), so with
  /// or without the lock; kept between steps so that a step allocates nothing.
  std::vector<Output> outbox_;
  std::string outbox_text_;
  mutable std::mutex mutex_;
  std::thread thread_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> reboot_requested_{false};
  std::atomic<bool> gave_up_{false};
  TimePoint reboot_at_ = kNever;
  TimePoint restart_at_ = kNever;  ///< keep_trying: when to start over
  /// The stranger log's window: open since the last line, counting what it did not log.
  bool stranger_window_ = false;
  TimePoint stranger_window_start_{};
  uint64_t strangers_unlogged_ = 0;
  TimePoint stop_deadline_ = kNever;
  SavedState* saved_ = nullptr;
  bool restored_ = false;  ///< restore_saved_state() ran (start() does not repeat it)
  SecureChannelFactory factory_;
  std::function<void()> reboot_hook_;
  std::function<void(const core::Event&)> event_hook_;
  LogHook log_;
  LogDetail log_detail_ = LogDetail::requests;
};

}  // namespace lwm2m::posix
