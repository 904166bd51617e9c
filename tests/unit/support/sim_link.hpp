// SPDX-License-Identifier: Apache-2.0
// A deterministic simulated network for sans-I/O endpoints: a virtual clock, directed links
// with seeded drop / duplicate / reorder / delay, and a run loop that drains each node's
// output, delivers datagrams when they are due and calls each node's timeout handler at
// its deadline. Nothing here reads a real clock or sleeps; the same seed gives the same run.
//
// Addressing: a node's NodeId is what the other nodes use as their PeerId for it. An
// endpoint that transmits a datagram to peer 2 reaches node 2, and node 2 sees it as coming
// from the sender's NodeId.
//
// Typical use:
//   SimNet net(/*seed=*/7);
//   SansIoNode client_node(client_engine);   // anything with handle_datagram(),
//   SansIoNode server_node(server_engine);   // poll_transmit(), next_deadline(),
//   NodeId c = net.add(client_node);         // handle_timeout()
//   NodeId s = net.add(server_node);
//   net.set_link({.drop_permille = 300});
//   ... client_engine.send_request(s, msg, handler, net.now());
//   net.run_until([&] { return done; }, net.now() + std::chrono::seconds(300));
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "lwm2m/bytes.hpp"
#include "lwm2m/random.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::test {

using NodeId = uint16_t;
using Bytes = std::vector<uint8_t>;

/// One endpoint on the simulated network.
class SimNode {
 public:
  virtual ~SimNode() = default;
  /// A datagram arrives.
  virtual void receive(NodeId from, ByteView datagram, TimePoint now) = 0;
  /// Next datagram to send, copied into `datagram`; false when there is none.
  virtual bool transmit(NodeId& to, Bytes& datagram) = 0;
  /// When timeout() has work at the latest; kNever when idle.
  virtual TimePoint deadline() const = 0;
  virtual void timeout(TimePoint now) = 0;
};

/// Adapts any sans-I/O endpoint with the coap::Engine calling convention. An endpoint with
/// receive_buffer() (coap::Engine, core::Client) gets every datagram that fits there, as a
/// driver without a receive buffer of its own would hand it over.
template <class Endpoint>
class SansIoNode final : public SimNode {
 public:
  explicit SansIoNode(Endpoint& endpoint) : endpoint_(endpoint) {}
  void receive(NodeId from, ByteView datagram, TimePoint now) override {
    if constexpr (requires { endpoint_.receive_buffer(); }) {
      MutableByteView b = endpoint_.receive_buffer();
      if (datagram.size() <= b.size()) {
        std::copy(datagram.begin(), datagram.end(), b.begin());
        datagram = {b.data(), datagram.size()};
      }
    }
    endpoint_.handle_datagram(from, datagram, now);
  }
  bool transmit(NodeId& to, Bytes& datagram) override {
    auto d = endpoint_.poll_transmit();
    if (!d) return false;
    to = static_cast<NodeId>(d->peer);
    datagram.assign(d->bytes.begin(), d->bytes.end());
    return true;
  }
  TimePoint deadline() const override { return endpoint_.next_deadline(); }
  void timeout(TimePoint now) override { endpoint_.handle_timeout(now); }

 private:
  Endpoint& endpoint_;
};

/// A hand-driven peer: records what it receives and sends what the test queues.
class ScriptedPeer final : public SimNode {
 public:
  struct Received {
    TimePoint at;
    NodeId from;
    Bytes bytes;
  };

  /// Queues a datagram; it leaves at the current simulated time on the next run step
  /// (or SimNet::flush()).
  void send(NodeId to, Bytes datagram) { outbox_.emplace_back(to, std::move(datagram)); }
  /// Everything received so far, oldest first. Stable references (a deque).
  const std::deque<Received>& inbox() const { return inbox_; }
  size_t received_count() const { return inbox_.size(); }
  void clear_inbox() { inbox_.clear(); }
  /// Called for each datagram after it is appended to inbox(); may call send().
  std::function<void(ScriptedPeer&, const Received&)> on_receive;

  void receive(NodeId from, ByteView datagram, TimePoint now) override;
  bool transmit(NodeId& to, Bytes& datagram) override;
  TimePoint deadline() const override { return kNever; }
  void timeout(TimePoint) override {}

 private:
  std::deque<Received> inbox_;
  std::deque<std::pair<NodeId, Bytes>> outbox_;
};

/// Impairments of one direction of a link. Probabilities are in thousandths.
struct LinkParams {
  uint32_t drop_permille = 0;
  uint32_t duplicate_permille = 0;  ///< a second copy, with its own delay
  uint32_t reorder_permille = 0;    ///< held back by reorder_delay, so later ones overtake
  Duration latency{0};              ///< fixed one-way delay
  Duration jitter{0};               ///< extra delay, uniform in [0, jitter]
  Duration reorder_delay{1000};
};

/// One datagram as it left a node.
struct WireRecord {
  TimePoint sent;
  NodeId from = 0;
  NodeId to = 0;
  Bytes bytes;
  bool dropped = false;  ///< lost on the link (random or by the filter)
  bool duplicated = false;
  uint8_t delivered = 0;  ///< copies delivered so far
};

class SimNet {
 public:
  explicit SimNet(uint64_t seed = 1, TimePoint start = from_millis(0));
  SimNet(const SimNet&) = delete;
  SimNet& operator=(const SimNet&) = delete;

  /// Adds a node; ids are 0, 1, 2... in the order of the calls. The node must outlive the
  /// network's use of it.
  NodeId add(SimNode& node);
  /// Impairments of every link (both directions), including ones set before.
  void set_link(const LinkParams& params);
  /// Impairments of the direction from -> to only.
  void set_link(NodeId from, NodeId to, const LinkParams& params);
  /// Deterministic tampering, checked before the random impairments: return true to drop.
  void set_filter(std::function<bool(const WireRecord&)> drop) { filter_ = std::move(drop); }

  TimePoint now() const { return now_; }

  /// Processes every event up to and including time t, then sets the clock to t.
  /// Returns false if a node stalled (see stalled()).
  bool run_until(TimePoint t);
  bool run_for(Duration d) { return run_until(now_ + d); }
  /// Processes events until done() holds (checked before each event) or the clock would
  /// pass `limit`. Returns done(). The clock stays at the time of the last event.
  bool run_until(const std::function<bool()>& done, TimePoint limit);
  /// Runs until nothing is in flight and every node's deadline is kNever, or `limit`.
  /// Returns true when idle.
  bool run_until_idle(TimePoint limit);
  /// Sends every node's pending output at the current time.
  void flush();

  /// Every datagram sent so far, in sending order.
  const std::vector<WireRecord>& trace() const { return trace_; }
  /// The datagrams one node sent (optionally only those to `to`).
  std::vector<const WireRecord*> sent_by(NodeId from) const;
  std::vector<const WireRecord*> sent(NodeId from, NodeId to) const;
  void clear_trace();
  size_t in_flight() const { return queue_.size(); }
  /// A node's deadline stayed at or before now after its timeout() ran: the run loop
  /// stops instead of spinning.
  bool stalled() const { return stalled_; }

 private:
  struct Pending {
    NodeId from;
    NodeId to;
    size_t record;  // index into trace_, or SIZE_MAX after clear_trace()
    Bytes bytes;
  };
  const LinkParams& link(NodeId from, NodeId to) const;
  Duration draw_delay(const LinkParams& p);
  bool chance(uint32_t permille);
  void schedule(TimePoint at, Pending p);
  /// One event (a delivery or the due timeouts) at or before `limit`; false if none.
  bool step(TimePoint limit);

  XorShiftRandom rng_;
  TimePoint now_;
  std::vector<SimNode*> nodes_;
  LinkParams default_link_;
  std::map<std::pair<NodeId, NodeId>, LinkParams> links_;
  std::function<bool(const WireRecord&)> filter_;
  std::map<std::pair<TimePoint, uint64_t>, Pending> queue_;
  uint64_t sequence_ = 0;
  std::vector<WireRecord> trace_;
  size_t trace_base_ = 0;  // records before this index were cleared
  bool stalled_ = false;
};

}  // namespace lwm2m::test
