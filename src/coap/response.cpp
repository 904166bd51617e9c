// SPDX-License-Identifier: Apache-2.0
// Response building in the server role: the handler (or a filler) writes the whole
// representation through a windowed sink, and the response carries the Block2 block the
// peer asked for (RFC 7959 §2.4), Observe when a relation stands (RFC 7641 §4.2), and
// the Block1 echo of a reassembled body (RFC 7959 §2.3).
#include "coap/response.hpp"

#include <cstring>

#include "coap/engine_core.hpp"
#include "lwm2m/config.hpp"

namespace lwm2m::coap::detail {

namespace {

// Options the engine adds last, whatever the handler wrote, then the encoding.
Result<size_t> finish(const ResponsePlan& plan, MessageBase& resp, MutableByteView out) noexcept {
  // Echoes of a reassembled body and notification numbers exist only in builds with
  // block-wise transfers and with Observe.
  if (LWM2M_WITH_BLOCKWISE && plan.has_block1_echo)
    LWM2M_TRY(resp.add_uint(OptionNumber::block1, plan.block1_echo));
  if (LWM2M_WITH_OBSERVE && plan.has_observe && resp.code.is_success())
    LWM2M_TRY(resp.add_uint(OptionNumber::observe, plan.observe));
  return encode(resp, out);
}

}  // namespace

Result<size_t> EngineCore::build_response(const ResponsePlan& plan, MessageBase& resp,
                                          MutableByteView out, ResponseOutcome& outcome) noexcept {
  resp.code = codes::content;
  resp.clear_options();
  resp.payload = {};
  const Message* request = plan.filler ? nullptr : &plan.request->message;

  // Block2 window: the peer's block size if smaller than ours (RFC 7959 §2.4).
  uint8_t szx = config.block_szx;
  uint32_t offset = 0;
  bool block2_requested = false;
  // Without block-wise transfers a request with Block2 was refused 4.02 before it came here.
  if (LWM2M_WITH_BLOCKWISE && request && request->has(OptionNumber::block2)) {
    auto b2 = request->block(OptionNumber::block2);
    if (!b2) {
      resp.code = codes::bad_request;
      return finish(plan, resp, out);
    }
    block2_requested = true;
    offset = b2->offset();
    if (b2->szx < szx) szx = b2->szx;
  }
  const uint32_t size = 1u << (szx + 4);
  offset -= offset % size;
  // The payload block is written at the end of `out` (a whole message): the options are
  // known only once the handler returns.
  Sink sink({out.data() + out.size() - size, size}, offset);
  Response r(resp, sink);
  r.engine_ = this;
  r.can_observe_ = plan.allow_observe;
  r.can_defer_ = plan.allow_defer;
  if (request) {
    current_peer = plan.request->peer;
    current_type = request->type;
    current_token = request->token;
  }
  filling = true;
  if (plan.filler) {
    plan.filler->fill(r);
  } else if (handler) {
    handler->on_request(*plan.request, r);
  } else {
    resp.code = codes::not_found;
  }
  filling = false;
  // The handler may have ended the relation it accepted (cancel_observation()). Without
  // Observe none is ever accepted.
  if (!LWM2M_WITH_OBSERVE) r.observation_ = {};
  if (r.observation_.valid() && !observing(r.observation_)) r.observation_ = {};
  outcome.observation = r.observation_;
  outcome.deferred = r.deferred_;
  if (r.deferred_.valid()) {
    if (r.observation_.valid()) end_observation(r.observation_.index, Errc::cancelled, false);
    return size_t{0};
  }
  if (r.observation_.valid()) {
    if (!resp.code.is_success()) {
      // An error ends the relation (RFC 7641 §4.2).
      end_observation(r.observation_.index, Errc::cancelled, false);
      outcome.observation = {};
    } else {
      resp.remove(OptionNumber::observe);
      LWM2M_TRY(resp.add_uint(OptionNumber::observe, observations[r.observation_.index].seq));
    }
  }
  const size_t total = sink.total();
  if (!LWM2M_WITH_BLOCKWISE && sink.overflowed()) {
    // Built without block-wise transfers: a representation larger than one block cannot
    // be sent (a request asking for a block was already refused 4.02).
    resp.clear_options();
    resp.code = codes::internal_server_error;
    return finish(plan, resp, out);
  }
  if (block2_requested || sink.overflowed()) {
    if (offset > 0 && offset >= total) {
      // The block asked for lies beyond the representation.
      resp.clear_options();
      resp.code = codes::bad_option;
      return finish(plan, resp, out);
    }
    resp.remove(OptionNumber::block2);
    LWM2M_TRY(resp.add_uint(OptionNumber::block2,
                            BlockOption{offset / size, sink.overflowed(), szx}.encode()));
    if (request && request->has(OptionNumber::size2))
      LWM2M_TRY(resp.add_uint(OptionNumber::size2, static_cast<uint32_t>(total)));
  }
  // The block goes to the very end of `out`, where the encoder leaves it in place until
  // the options in front of it are written.
  const ByteView window = sink.window();
  uint8_t* const at = out.data() + out.size() - window.size();
  if (!window.empty()) std::memmove(at, window.data(), window.size());  // no payload: may be null
  resp.payload = {at, window.size()};
  return finish(plan, resp, out);
}

// A response without handler: a rejection, a Block1 Continue, or an internal error.
void EngineCore::finish_simple(CacheEntry& c, uint8_t* out, MessageBase& resp, Code code,
                               const SimpleOptions& extra) noexcept {
  resp.code = code;
  resp.clear_options();
  resp.payload = {};
  // Max-Age and Size1 come from Block1 reassembly only.
  if (LWM2M_WITH_BLOCKWISE && extra.max_age)
    (void)resp.add_uint(OptionNumber::max_age, *extra.max_age);
  if (extra.block1) (void)resp.add_uint(OptionNumber::block1, extra.block1->encode());
  if (LWM2M_WITH_BLOCKWISE && extra.size1) (void)resp.add_uint(OptionNumber::size1, *extra.size1);
  auto n = encode(resp, {out, config.max_message_size});
  cache.commit(c, n ? *n : 0);
  c.state = CacheEntry::State::ready;
  queue_cache(c);
}

// ---------------------------------------------------------------------------------------
// Separate responses (RFC 7252 §5.2.2)

Result<DeferredId> EngineCore::defer() noexcept {
  for (uint16_t i = 0; i < config.deferred; ++i) {
    Deferred& d = deferred[i];
    if (d.active) continue;
    d.active = true;
    d.peer = current_peer;
    d.token = current_token;
    d.request_type = current_type;
    return DeferredId{i, d.generation};
  }
  return Errc::no_space;
}

Status EngineCore::respond_deferred(DeferredId id, TimePoint now, ResponseFiller& f) noexcept {
  if (filling) return Errc::invalid_state;  // see the re-entry rules in engine.hpp
  if (id.index >= config.deferred) return Errc::invalid_state;
  Deferred& d = deferred[id.index];
  if (!d.active || d.generation != id.generation) return Errc::invalid_state;
  Exchange* e = alloc_exchange();
  if (!e) return Errc::no_space;
  ResponseMessage resp;
  resp.type = d.request_type == Type::con ? Type::con : Type::non;
  resp.message_id = next_mid();
  resp.token = d.token;
  ResponsePlan plan;
  plan.filler = &f;
  ResponseOutcome outcome;
  auto n = build_response(plan, resp, {e->buf, config.max_message_size}, outcome);
  if (!n) {
    free_exchange(*e);
    return n.status();
  }
  e->len = static_cast<uint16_t>(*n);
  e->kind = Exchange::Kind::separate_response;
  e->peer = d.peer;
  e->mid = resp.message_id;
  e->token = d.token;
  e->type = resp.type;
  d.active = false;
  d.generation = static_cast<uint16_t>(d.generation + 1);
  start_transmission(*e, tick(now));
  return Errc::ok;
}

}  // namespace lwm2m::coap::detail
