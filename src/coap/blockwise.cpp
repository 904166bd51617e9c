// SPDX-License-Identifier: Apache-2.0
// Block-wise transfers (RFC 7959): Block1 reassembly in the server role; in the client
// role, the next Block1 block of an upload, the next Block2 block of a response, and the
// fetch of the remaining blocks of a notification (§2.6).
#include "coap/blockwise.hpp"

#include <cstring>

#include "coap/engine_core.hpp"

namespace lwm2m::coap::detail {

// ---------------------------------------------------------------------------------------
// Server role: Block1 reassembly (§2.5)

namespace {

uint32_t hash_bytes(uint32_t h, ByteView b) noexcept {
  for (uint8_t c : b)
    h = (h ^ c) * 16777619u;  // FNV-1a
  return h;
}

// Identifies a Block1 transfer: method and target URI (RFC 7959 §2.5 matches by endpoint
// and request URI, since the token may change between blocks).
uint32_t request_key(const Message& m) noexcept {
  uint32_t h = 2166136261u ^ m.code.raw;
  for (const Option& o : m.options()) {
    if (o.number == static_cast<uint16_t>(OptionNumber::uri_path) ||
        o.number == static_cast<uint16_t>(OptionNumber::uri_query)) {
      uint8_t n = static_cast<uint8_t>(o.number);
      h = hash_bytes(h, {&n, 1});
      h = hash_bytes(h, o.value());
    }
  }
  return h;
}

}  // namespace

Code Block1Reassembly::accept(PeerId peer, const Message& m, Tick now, Tick lifetime) noexcept {
  auto b1 = m.block(OptionNumber::block1);
  if (!b1) return codes::bad_request;
  if (active_ && expires_ <= now) active_ = false;
  auto size1 = m.uint_option(OptionNumber::size1);
  if ((size1 && *size1 > capacity_) || capacity_ == 0) {
    active_ = false;
    return codes::request_entity_too_large;
  }
  if (b1->more && m.payload.size() != b1->size()) return codes::bad_request;
  const uint32_t key = request_key(m);
  const uint32_t offset = b1->offset();
  if (offset == 0) {
    // The same request starting over takes the buffer back; another one waits its turn.
    if (active_ && (peer_ != peer || key_ != key)) return codes::service_unavailable;
    active_ = true;
    peer_ = peer;
    key_ = key;
    received_ = 0;
  } else if (!active_ || peer_ != peer || key_ != key || offset != received_) {
    return codes::request_entity_incomplete;
  }
  if (size_t{offset} + m.payload.size() > capacity_) {
    active_ = false;
    return codes::request_entity_too_large;
  }
  if (!m.payload.empty()) std::memcpy(buf_ + offset, m.payload.data(), m.payload.size());
  received_ = offset + static_cast<uint32_t>(m.payload.size());
  expires_ = now + lifetime;
  block_ = *b1;
  if (b1->more) return codes::continue_;
  active_ = false;
  return Code{};
}

uint32_t Block1Reassembly::busy_seconds(Tick now) const noexcept {
  if (!active_ || expires_ <= now) return 0;
  // At most EXCHANGE_LIFETIME (247 s, kMaxPeriod at most) away.
  return (expires_ - now + 999u) / 1000u;
}

std::optional<BlockOption> block1_that_fits(const Message& m, OversizedDatagram d) noexcept {
  const uint32_t overhead = d.size - static_cast<uint32_t>(m.payload.size());
  auto sent = m.block(OptionNumber::block1);
  uint8_t szx = sent && sent->szx > 0 ? static_cast<uint8_t>(sent->szx - 1) : 6;
  while (overhead + (16u << szx) > d.limit) {
    if (szx == 0) return std::nullopt;
    --szx;
  }
  return BlockOption{0, false, szx};
}

// ---------------------------------------------------------------------------------------
// Client role

Status EngineCore::rebuild_request(Exchange& e, const VaryingOptions& options,
                                   const ByteView* payload) noexcept {
  // The header keeps the type the exchange's first datagram was written with; a child
  // fetch has a token of its own.
  const uint16_t mid = next_mid();
  auto n = rewrite_request({e.buf, config.max_message_size}, e.len, mid, e.token, options, payload);
  if (!n) return n.status();
  e.len = static_cast<uint16_t>(*n);
  e.mid = mid;
  e.options = options;
  return Errc::ok;
}

// The next block of a response, asked for with the request's own options (§2.4). Later
// blocks of an observed resource are fetched with plain GETs, without Observe.
Status EngineCore::build_block2_request(Exchange& e, BlockOption block) noexcept {
  VaryingOptions next = e.options;
  next.clear(VaryingOptions::observe);
  next.clear(VaryingOptions::block1);
  next.clear(VaryingOptions::size1);
  next.set(VaryingOptions::block2, block.encode());
  // A FETCH body selects what the response holds, so it goes with every block request;
  // one that needed Block1 itself cannot be repeated from here and is left out.
  const ByteView none;
  return rebuild_request(e, next, e.code == codes::fetch && e.body.empty() ? nullptr : &none);
}

// The server wants the next block of our upload (§2.5). It goes on right after what we
// sent, in the server's block size, which may be smaller than ours ("1:0/1/128" answered
// with "1:0/1/32" goes on at "1:4/1/32"). A larger size than we offered is a protocol
// error.
void EngineCore::continue_block1(Exchange& e, const Message& m, Tick now) noexcept {
  auto theirs = m.block(OptionNumber::block1);
  const bool uploading = e.options.has(VaryingOptions::block1);
  auto ours = BlockOption::decode(uploading ? e.options.get(VaryingOptions::block1) : 0);
  if (!theirs || !uploading || !ours || theirs->szx > ours->szx ||
      theirs->num * theirs->size() > ours->offset()) {
    fail_exchange(e, Errc::malformed);
    return;
  }
  const uint32_t next_offset = ours->offset() + ours->size();
  if (next_offset >= e.body.size()) {
    fail_exchange(e, Errc::malformed);
    return;
  }
  BlockOption next{next_offset / theirs->size(), false, theirs->szx};
  const size_t n =
      e.body.size() - next_offset < next.size() ? e.body.size() - next_offset : next.size();
  next.more = next_offset + n < e.body.size();
  VaryingOptions options = e.options;
  options.clear(VaryingOptions::block2);
  options.clear(VaryingOptions::size1);
  options.set(VaryingOptions::block1, next.encode());
  const ByteView block = e.body.subspan(next_offset, n);
  if (!rebuild_request(e, options, &block).ok()) {
    fail_exchange(e, Errc::internal_error);
    return;
  }
  start_transmission(e, now);
}

void EngineCore::follow_block2(Exchange& e, BlockOption received, Tick now) noexcept {
  if (!build_block2_request(e, BlockOption{received.num + 1, false, received.szx}).ok()) {
    fail_exchange(e, Errc::internal_error);
    return;
  }
  start_transmission(e, now);
}

// Starts (or restarts, for a newer notification) the fetch of blocks 1.. of the
// notification whose first block just arrived on observation `index`.
void EngineCore::start_notification_fetch(uint16_t index, BlockOption first, Tick now) noexcept {
  Exchange& o = exchanges[index];
  drop_child(o, now);  // superseded by the newer notification
  Exchange* c = alloc_exchange();
  if (!c) return;  // no slot: the handler has the first block and its M bit
  std::memcpy(c->buf, o.buf, o.len);
  c->len = o.len;
  c->options = o.options;
  c->code = o.code;
  c->kind = Exchange::Kind::request;
  c->type = Type::con;
  c->peer = o.peer;
  c->handler = o.handler;
  c->follow_block2 = true;
  c->parent = index;
  c->parent_generation = o.generation;
  c->sequence = sequence++;
  c->token = fresh_token();
  if (!build_block2_request(*c, BlockOption{first.num + 1, false, first.szx}).ok()) {
    free_exchange(*c);
    return;
  }
  o.child = index_of(*c);
  c->state = Exchange::State::queued;
  promote_queued(c->peer, now);
}

void EngineCore::drop_child(Exchange& o, Tick now) noexcept {
  if (o.child == Exchange::kNone) return;
  Exchange& c = exchanges[o.child];
  o.child = Exchange::kNone;
  if (c.parent != index_of(o) || c.parent_generation != o.generation ||
      c.state == Exchange::State::free)
    return;
  end_exchange(c, now);
}

// A response to a child fetch: handed to the observation's handler under its RequestId,
// never final (the observation goes on); the next block is asked for while M is set.
void EngineCore::deliver_block_of_notification(Exchange& e, const Message& m, Tick now) noexcept {
  Exchange& o = exchanges[e.parent];
  if (o.generation != e.parent_generation || o.state != Exchange::State::observing ||
      o.deregistering) {
    free_exchange(e);  // the observation ended meanwhile
    return;
  }
  const RequestId id{e.parent, o.generation};
  auto b2 = m.block(OptionNumber::block2);
  const bool more = m.code.is_success() && b2 && b2->more;
  ResponseHandler* h = o.handler;
  const uint16_t gen = e.generation;
  if (!more) {
    o.child = Exchange::kNone;
    free_exchange(e);
  }
  if (h) h->on_response(id, m, false);
  if (!more || e.generation != gen || e.state == Exchange::State::free) return;
  if (!build_block2_request(e, BlockOption{b2->num + 1, false, b2->szx}).ok()) {
    o.child = Exchange::kNone;
    free_exchange(e);
    return;
  }
  start_transmission(e, now);
}

}  // namespace lwm2m::coap::detail
