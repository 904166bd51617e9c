// SPDX-License-Identifier: Apache-2.0
#include "support/sim_link.hpp"

#include <algorithm>

namespace lwm2m::test {

void ScriptedPeer::receive(NodeId from, ByteView datagram, TimePoint now) {
  inbox_.push_back(Received{now, from, Bytes(datagram.begin(), datagram.end())});
  if (on_receive) on_receive(*this, inbox_.back());
}

bool ScriptedPeer::transmit(NodeId& to, Bytes& datagram) {
  if (outbox_.empty()) return false;
  to = outbox_.front().first;
  datagram = std::move(outbox_.front().second);
  outbox_.pop_front();
  return true;
}

SimNet::SimNet(uint64_t seed, TimePoint start) : rng_(seed), now_(start) {}

NodeId SimNet::add(SimNode& node) {
  nodes_.push_back(&node);
  return static_cast<NodeId>(nodes_.size() - 1);
}

void SimNet::set_link(const LinkParams& params) {
  default_link_ = params;
  links_.clear();
}

void SimNet::set_link(NodeId from, NodeId to, const LinkParams& params) {
  links_[{from, to}] = params;
}

const LinkParams& SimNet::link(NodeId from, NodeId to) const {
  auto it = links_.find({from, to});
  return it == links_.end() ? default_link_ : it->second;
}

bool SimNet::chance(uint32_t permille) {
  return permille > 0 && rng_.next_u32() % 1000 < permille;
}

Duration SimNet::draw_delay(const LinkParams& p) {
  Duration d = p.latency;
  if (p.jitter.count() > 0)
    d += Duration{
        static_cast<int64_t>(rng_.next_u32() % static_cast<uint64_t>(p.jitter.count() + 1))};
  if (chance(p.reorder_permille)) d += p.reorder_delay;
  return d;
}

void SimNet::schedule(TimePoint at, Pending p) {
  queue_.emplace(std::make_pair(at, sequence_++), std::move(p));
}

void SimNet::flush() {
  NodeId to = 0;
  Bytes bytes;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    while (nodes_[i]->transmit(to, bytes)) {
      const NodeId from = static_cast<NodeId>(i);
      WireRecord rec{now_, from, to, bytes, false, false, 0};
      const LinkParams& p = link(from, to);
      // The filter is consulted first so that a test's deterministic drop does not shift
      // the random stream of the other datagrams.
      if ((filter_ && filter_(rec)) || chance(p.drop_permille) || to >= nodes_.size()) {
        rec.dropped = true;
      } else {
        const size_t index = trace_base_ + trace_.size();
        schedule(now_ + draw_delay(p), Pending{from, to, index, bytes});
        if (chance(p.duplicate_permille)) {
          rec.duplicated = true;
          schedule(now_ + draw_delay(p), Pending{from, to, index, bytes});
        }
      }
      trace_.push_back(std::move(rec));
    }
  }
}

bool SimNet::step(TimePoint limit) {
  flush();
  TimePoint next = kNever;
  if (!queue_.empty()) next = queue_.begin()->first.first;
  for (SimNode* n : nodes_)
    next = std::min(next, n->deadline());
  if (next == kNever || next > limit) return false;
  if (next > now_) now_ = next;

  if (!queue_.empty() && queue_.begin()->first.first <= now_) {
    auto node = queue_.extract(queue_.begin());
    Pending& p = node.mapped();
    if (p.record >= trace_base_ && p.record - trace_base_ < trace_.size())
      ++trace_[p.record - trace_base_].delivered;
    nodes_[p.to]->receive(p.from, ByteView{p.bytes.data(), p.bytes.size()}, now_);
    return true;
  }
  for (SimNode* n : nodes_) {
    if (n->deadline() > now_) continue;
    n->timeout(now_);
    if (n->deadline() <= now_) {
      stalled_ = true;
      return false;
    }
  }
  return true;
}

bool SimNet::run_until(TimePoint t) {
  while (!stalled_ && step(t)) {
  }
  if (stalled_) return false;
  if (t != kNever && t > now_) now_ = t;
  flush();
  return true;
}

bool SimNet::run_until(const std::function<bool()>& done, TimePoint limit) {
  for (;;) {
    if (done()) {
      flush();
      return true;
    }
    if (stalled_ || !step(limit)) break;
  }
  flush();
  return done();
}

bool SimNet::run_until_idle(TimePoint limit) {
  auto idle = [&] {
    if (!queue_.empty()) return false;
    for (SimNode* n : nodes_)
      if (n->deadline() != kNever) return false;
    return true;
  };
  return run_until(
      [&] {
        flush();
        return idle();
      },
      limit);
}

std::vector<const WireRecord*> SimNet::sent_by(NodeId from) const {
  std::vector<const WireRecord*> out;
  for (const WireRecord& r : trace_)
    if (r.from == from) out.push_back(&r);
  return out;
}

std::vector<const WireRecord*> SimNet::sent(NodeId from, NodeId to) const {
  std::vector<const WireRecord*> out;
  for (const WireRecord& r : trace_)
    if (r.from == from && r.to == to) out.push_back(&r);
  return out;
}

void SimNet::clear_trace() {
  trace_base_ += trace_.size();
  trace_.clear();
}

}  // namespace lwm2m::test
