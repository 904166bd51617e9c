// SPDX-License-Identifier: Apache-2.0
// The client role: our requests, from sending them to delivering their responses (with
// NSTART, the matching of responses by token, and the ACK of a CON response).
#include "coap/engine_core.hpp"
#include "lwm2m/config.hpp"

namespace lwm2m::coap::detail {

void EngineCore::on_response_message(PeerId peer, const Message& m, Tick now) noexcept {
  CacheEntry* victim = nullptr;
  if (m.type == Type::con) {
    if (CacheEntry* c = cache.find(peer, m.message_id, now, victim)) {
      ++stats.duplicates;
      queue_cache(*c);
      return;
    }
  }
  Exchange* match = nullptr;
  for (uint16_t i = 0; i < config.exchanges; ++i) {
    Exchange& e = exchanges[i];
    if (e.kind != Exchange::Kind::request || e.peer != peer || !(e.token == m.token)) continue;
    if (e.state == Exchange::State::wait_ack || e.state == Exchange::State::wait_response ||
        e.state == Exchange::State::observing) {
      match = &e;
      break;
    }
  }
  if (!match) {
    // Unknown token: reject (RFC 7252 §5.3.2; RFC 7641 §3.6 reactive cancellation).
    send_empty(peer, Type::rst, m.message_id);
    return;
  }
  if (m.type == Type::con) {
    CacheEntry* c = DedupCache::insert(victim, peer, m.message_id);
    if (c && cache.store_empty_ack(*c).ok()) {
      c->expires = now + exchange_lifetime;
      queue_cache(*c);
    } else {
      if (c) c->state = CacheEntry::State::free;
      send_empty(peer, Type::ack, m.message_id);
    }
  }
  bool was_waiting_ack = match->state == Exchange::State::wait_ack;
  deliver_response(index_of(*match), m, now);
  if (was_waiting_ack) promote_queued(peer, now);
}

void EngineCore::deliver_response(uint16_t index, const Message& m, Tick now) noexcept {
  Exchange& e = exchanges[index];
  RequestId id{index, e.generation};
  if (e.deregistering) {
    free_exchange(e);
    return;
  }
  // Built without block-wise transfers (LWM2M_WITH_BLOCKWISE 0), no block of a response
  // is asked for: the first one is the answer, and uploads go in one message.
  if (LWM2M_WITH_BLOCKWISE && e.parent != Exchange::kNone) {
    deliver_block_of_notification(e, m, now);
    return;
  }
  if (LWM2M_WITH_BLOCKWISE && !e.body.empty() && m.code == codes::continue_) {
    continue_block1(e, m, now);
    return;
  }

  bool final = true;
  std::optional<uint32_t> obs;  // only a build with Observe holds observations
  if (LWM2M_WITH_OBSERVE) obs = m.observe();
  if (LWM2M_WITH_OBSERVE && e.observe && obs && m.code.is_success()) {
    if (!accept_notification(e, *obs, now)) return;  // reordered, older than what we have
    final = false;
  }
  std::optional<BlockOption> b2;  // only a build with block-wise transfers follows one
  if (LWM2M_WITH_BLOCKWISE) b2 = m.block(OptionNumber::block2);
  bool follow = false;
  if (LWM2M_WITH_BLOCKWISE && final && b2 && b2->more && e.follow_block2 && m.code.is_success()) {
    final = false;
    follow = true;
  }
  // The first block of a notification: fetch the rest with plain GETs (RFC 7959 §2.6).
  const bool fetch_rest = LWM2M_WITH_BLOCKWISE && LWM2M_WITH_OBSERVE && !final && e.observe &&
                          e.follow_block2 && obs && m.code.is_success() && b2 && b2->more &&
                          b2->num == 0;
  ResponseHandler* h = e.handler;
  uint16_t gen = e.generation;
  if (final) free_exchange(e);
  if (h) h->on_response(id, m, final);
  // The handler may have cancelled the exchange or reused its slot: check the generation.
  if (fetch_rest && e.generation == gen && e.state == Exchange::State::observing)
    start_notification_fetch(index, *b2, now);
  if (!follow || e.generation != gen || e.state == Exchange::State::free) return;
  follow_block2(e, *b2, now);
}

Token EngineCore::fresh_token() noexcept {
  Token t;
  t.length = config.token_length;
  for (;;) {
    uint32_t r = 0;
    for (uint8_t i = 0; i < t.length; ++i, r >>= 8) {
      if (i % 4 == 0) r = rng.next_u32();
      t.bytes[i] = static_cast<uint8_t>(r);
    }
    bool clash = false;
    for (uint16_t i = 0; i < config.exchanges; ++i) {
      const Exchange& e = exchanges[i];
      if (e.state != Exchange::State::free && e.kind == Exchange::Kind::request && e.token == t)
        clash = true;
    }
    if (!clash || t.length == 0) return t;
  }
}

namespace {
// The request's own Observe, Block2, Block1 and Size1 as values (the first of each), into
// `v`, which is empty (a fresh exchange's).
void read_varying(const Message& m, VaryingOptions& v) noexcept {
  for (const Option& o : m.options()) {
    size_t s = VaryingOptions::slot_of(o.number);
    if (s == VaryingOptions::kCount) continue;
    auto slot = static_cast<VaryingOptions::Slot>(s);
    if (!v.has(slot)) v.set(slot, o.uint_value());
  }
}
}  // namespace

Result<RequestId> EngineCore::send_request(PeerId peer, const Message& request,
                                           ResponseHandler& on_response, Tick now,
                                           RequestOptions opts) noexcept {
  if (!request.code.is_request()) return Errc::invalid_argument;
  Exchange* e = alloc_exchange();
  if (!e) return Errc::no_space;
  e->kind = Exchange::Kind::request;
  e->type = opts.confirmable ? Type::con : Type::non;
  e->code = request.code;
  e->peer = peer;
  e->mid = next_mid();
  e->token = fresh_token();
  e->handler = &on_response;
  e->follow_block2 = opts.follow_block2;
  e->sequence = sequence++;
  // Without block-wise transfers and Observe nothing varies: no request is sent again.
  if (kVaryingRequests) read_varying(request, e->options);  // alloc_exchange() cleared them
  // Built without Observe (LWM2M_WITH_OBSERVE 0) the engine holds no observation: the
  // first response ends the exchange, and a later notification is answered RST.
  e->observe = LWM2M_WITH_OBSERVE && e->options.has(VaryingOptions::observe) &&
               e->options.get(VaryingOptions::observe) == 0;
  ByteView payload = request.payload;
  if (LWM2M_WITH_BLOCKWISE && payload.size() > config.block_size) {
    // Block1 upload: first block now, the rest as the server continues.
    e->body = payload;
    e->options.set(VaryingOptions::block1, BlockOption{0, true, config.block_szx}.encode());
    e->options.set(VaryingOptions::size1, static_cast<uint32_t>(payload.size()));
    payload = payload.first(config.block_size);
  }
  const RequestHead head{e->type, e->code, e->mid, e->token};
  auto n =
      write_first_request(request, head, &e->options, payload, {e->buf, config.max_message_size});
  if (!n) {
    free_exchange(*e);
    return n.status();
  }
  e->len = static_cast<uint16_t>(*n);
  RequestId id{index_of(*e), e->generation};
  e->state = Exchange::State::queued;
  if (e->type == Type::con) {
    promote_queued(peer, now);  // starts it unless NSTART exchanges are in flight
  } else {
    start_transmission(*e, now);
  }
  return id;
}

bool EngineCore::active(RequestId id) const noexcept {
  if (id.index >= config.exchanges) return false;
  const Exchange& e = exchanges[id.index];
  return e.generation == id.generation && e.state != Exchange::State::free && !e.deregistering;
}

void EngineCore::cancel(RequestId id, Tick now) noexcept {
  if (!active(id)) return;
  Exchange& e = exchanges[id.index];
  if (LWM2M_WITH_OBSERVE && e.state == Exchange::State::observing) {
    if (LWM2M_WITH_BLOCKWISE) drop_child(e, now);
    if (deregister(e, now).ok()) return;
  }
  end_exchange(e, now);
}

// Apart from cancel() so that a client that never observes links no deregistration.
void EngineCore::abandon(RequestId id, Tick now) noexcept {
  if (!active(id)) return;
  Exchange& e = exchanges[id.index];
  if (LWM2M_WITH_BLOCKWISE && e.state == Exchange::State::observing) drop_child(e, now);
  end_exchange(e, now);
}

void EngineCore::end_exchange(Exchange& e, Tick now) noexcept {
  const PeerId peer = e.peer;
  const bool was_in_flight = e.state == Exchange::State::wait_ack;
  free_exchange(e);
  if (was_in_flight) promote_queued(peer, now);
}

}  // namespace lwm2m::coap::detail
