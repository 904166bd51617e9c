// SPDX-License-Identifier: Apache-2.0
// Observe (RFC 7641): relations we serve (registration, notifications with their sequence
// numbers, cancellation) and observations we hold (freshness, deregistration).
#include "coap/observe.hpp"

#include <cstring>

#include "coap/engine_core.hpp"
#include "lwm2m/build_config.hpp"

namespace lwm2m::coap::detail {

bool observe_fresh(uint32_t v1, uint32_t v2, Tick t1, Tick t2) noexcept {
  constexpr uint32_t half = 1u << 23;
  return (v1 < v2 && v2 - v1 < half) || (v1 > v2 && v1 - v2 > half) || t2 > t1 + 128000u;
}

// ---------------------------------------------------------------------------------------
// Server role

// A build without Observe (LWM2M_WITH_OBSERVE 0) serves no relation: none is accepted, so
// there is none to look up or end, and that code is not linked.
Result<ObservationId> EngineCore::accept_observe(uint32_t cookie) noexcept {
  if (!LWM2M_WITH_OBSERVE) return Errc::unsupported;
  for (uint16_t i = 0; i < config.observations; ++i) {
    ServedObservation& o = observations[i];
    if (o.active) continue;
    o.active = true;
    o.peer = current_peer;
    o.token = current_token;
    o.cookie = cookie;
    o.seq = 0;
    o.exchange = kNoExchange;
    o.last_mid_valid = false;
    o.last_con = TimePoint{};
    return ObservationId{i, o.generation};
  }
  return Errc::no_space;
}

void EngineCore::end_observation(uint16_t index, Errc why, bool tell) noexcept {
  if (!LWM2M_WITH_OBSERVE) return;
  ServedObservation& o = observations[index];
  if (!o.active) return;
  ObservationId id{index, o.generation};
  uint32_t cookie = o.cookie;
  if (o.exchange != kNoExchange) {
    Exchange& e = exchanges[o.exchange];
    o.exchange = kNoExchange;
    free_exchange(e);
  }
  o.active = false;
  o.generation = static_cast<uint16_t>(o.generation + 1);
  if (tell && handler) handler->on_observe_cancelled(id, cookie, why);
}

// A GET/FETCH with Observe on a token that has a relation replaces or ends it (§3.6, §4.1).
void EngineCore::end_observations_of(PeerId peer, const Token& token) noexcept {
  if (!LWM2M_WITH_OBSERVE) return;
  for (uint16_t i = 0; i < config.observations; ++i) {
    ServedObservation& o = observations[i];
    if (o.active && o.peer == peer && o.token == token) end_observation(i, Errc::cancelled, true);
  }
}

bool EngineCore::observing(ObservationId id) const noexcept {
  return LWM2M_WITH_OBSERVE && id.index < config.observations && observations[id.index].active &&
         observations[id.index].generation == id.generation;
}

size_t EngineCore::observation_count() const noexcept {
  size_t n = 0;
  for (uint16_t i = 0; i < config.observations; ++i)
    n += observations[i].active ? 1 : 0;
  return n;
}

Status EngineCore::notify(ObservationId id, bool con, TimePoint now, ResponseFiller& f) noexcept {
  if (filling) return Errc::invalid_state;  // see the re-entry rules in engine.hpp
  if (!observing(id)) return Errc::invalid_state;
  ServedObservation& o = observations[id.index];
  // §4.5: at least one CON notification every 24 hours (see ConTime).
  if (!con && o.last_con.over_a_day_before(now)) con = true;
  Exchange* e = nullptr;
  bool replacing = false;
  if (o.exchange != kNoExchange) {
    // One CON notification in flight per relation: the new state replaces it and goes
    // out with the next retransmission (§4.5.2). It is built in scratch, which holds the
    // datagram being handled when the driver received it there.
    if (input_in_scratch()) return Errc::invalid_state;
    e = &exchanges[o.exchange];
    replacing = true;
    con = true;
  } else {
    e = alloc_exchange();
    if (!e) return Errc::no_space;
  }
  const uint32_t seq = (o.seq + 1) & 0xFFFFFF;
  o.seq = seq;
  ResponseMessage resp;
  resp.type = con ? Type::con : Type::non;
  resp.message_id = next_mid();
  resp.token = o.token;
  ResponsePlan plan;
  plan.filler = &f;
  plan.observe = seq;  // on 2.xx only: an error carries no Observe (§3.2, §4.2)
  plan.has_observe = true;
  ResponseOutcome outcome;
  // A replaced notification keeps its bytes until the new ones are known good (the filler
  // may even end the relation and free its exchange): the new ones are built in scratch.
  uint8_t* out = replacing ? scratch : e->buf;
  auto n = build_response(plan, resp, {out, config.max_message_size}, outcome);
  if (!n) {
    if (!replacing) free_exchange(*e);
    return n.status();
  }
  if (!observing(id)) {
    // The filler ended the relation: nothing goes out.
    if (!replacing) free_exchange(*e);
    return Errc::invalid_state;
  }
  if (replacing) std::memcpy(e->buf, scratch, *n);
  e->len = static_cast<uint16_t>(*n);
  e->kind = Exchange::Kind::notification;
  e->observation = id.index;
  e->observation_generation = o.generation;
  e->peer = o.peer;
  e->mid = resp.message_id;
  e->token = o.token;
  e->type = resp.type;
  o.last_mid = resp.message_id;
  o.last_mid_valid = true;
  const bool ends = !resp.code.is_success();
  if (!replacing) {
    start_transmission(*e, tick(now));
    if (con) o.exchange = index_of(*e);
  }
  if (con) o.last_con = now;
  if (ends) {
    // An error notification ends the relation (§4.2); let it be delivered.
    o.exchange = kNoExchange;
    o.active = false;
    o.generation = static_cast<uint16_t>(o.generation + 1);
  }
  return Errc::ok;
}

// ---------------------------------------------------------------------------------------
// Client role

bool EngineCore::accept_notification(Exchange& e, uint32_t observe, Tick now) noexcept {
  const uint32_t seq = observe & 0xFFFFFF;
  if (e.got_notification && !observe_fresh(e.last_observe, seq, e.last_notification, now))
    return false;
  e.got_notification = true;
  e.last_observe = seq;
  e.last_notification = now;
  e.state = Exchange::State::observing;
  e.deadline = kNeverTick;
  return true;
}

// Proactive deregistration (§3.6): the same request with Observe 1; its answer is
// swallowed.
Status EngineCore::deregister(Exchange& e, Tick now) noexcept {
  e.deregistering = true;
  e.handler = nullptr;
  VaryingOptions options = e.options;
  options.clear(VaryingOptions::block2);
  options.set(VaryingOptions::observe, 1);
  LWM2M_TRY(rebuild_request(e, options, nullptr));  // the same payload
  e.type = Type::con;
  start_transmission(e, now);
  return Errc::ok;
}

}  // namespace lwm2m::coap::detail
