// SPDX-License-Identifier: Apache-2.0
// The pull of a firmware package (lwm2m/core/download.hpp): Block2 GETs one block at a time
// on the download peer, each block into the object's Package URI resource through a
// Transaction (the object reports its State changes when each block's transaction ends).
#include "lwm2m/core/download.hpp"

#include <cstring>

#include "core/client_impl.hpp"
#include "core/transaction.hpp"
#include "core/well_known.hpp"
#include "lwm2m/uri.hpp"

namespace lwm2m::core {
namespace {

constexpr uint8_t wish(LinkCommand::Kind k) noexcept {
  return static_cast<uint8_t>(static_cast<uint8_t>(k) + 1);
}

}  // namespace

void PackageDownloader::uri_written(Client& client, uint8_t account, const dm::Path& resource,
                                    TimePoint now) noexcept {
  client_ = &client;
  if (active_) {
    client.engine_.cancel(request_, now);
    active_ = false;
  }
  dm::Object* obj = client.registry_.find(resource.object());
  if (!obj) return;
  begin(*obj, account, resource, now);
}

void PackageDownloader::resume(Client& client, TimePoint now) noexcept {
  client_ = &client;
  if (active_) return;
  dm::Object* obj = client.registry_.find(wk::kFirmwareUpdate);
  if (!obj) return;
  // coaps:// goes with the credentials of the first management server: which server wrote
  // the URI before the restart is not known.
  uint8_t account = 0;
  for (size_t i = 1; i < client.impl_->account_count && account == 0; ++i)
    if (client.impl_->accounts[i].used) account = static_cast<uint8_t>(i);
  for (size_t i = 0; i < obj->instance_count() && !active_; ++i) {
    const dm::InstanceId iid = obj->instance_at(i);
    auto state = obj->read(iid, wk::firmware::kState, dm::kInvalidId, {});
    if (state && state->as_integer() == 1)
      begin(*obj, account, dm::Path(wk::kFirmwareUpdate, iid, wk::firmware::kPackageUri), now);
  }
}

void PackageDownloader::begin(dm::Object& obj, uint8_t account, const dm::Path& resource,
                              TimePoint now) noexcept {
  Client& client = *client_;
  // The object decides whether a download starts: it is then in Downloading (State 1).
  auto state = obj.read(resource.instance(), wk::firmware::kState, dm::kInvalidId, {});
  auto uri = obj.read(resource.instance(), resource.resource(), dm::kInvalidId, {});
  if (!state || !uri || state->as_integer() != 1 || uri->as_string().empty() ||
      uri->as_string().size() > kMaxUri) {
    finish_link();
    return;
  }
  std::memcpy(uri_, uri->as_string().data(), uri->as_string().size());
  uri_len_ = static_cast<uint8_t>(uri->as_string().size());
  auto parsed = parse_server_uri({uri_, uri_len_});
  if (!parsed) {
    // 9 for a scheme we do not speak, 7 for anything else wrong with it.
    obj.write_block_failed(
        resource.instance(), resource.resource(),
        parsed.error() == Errc::unsupported ? Errc::unsupported : Errc::bad_request);
    return;
  }
  resource_ = resource;
  account_ = account;
  active_ = true;
  attempts_ = 0;
  const uint16_t engine_block = client.engine_.config().block_size;
  szx_ = coap::BlockOption::szx_for(block_size_ != 0 && block_size_ < engine_block ? block_size_
                                                                                   : engine_block);
  // From the block that holds the first byte the object does not have yet.
  num_ = obj.bytes_held(resource.instance(), resource.resource()) /
         static_cast<uint32_t>(coap::BlockOption{0, false, szx_}.size());
  since_save_ = 0;
  link_wish_ = wish(LinkCommand::Kind::connect);
  request_block(now);
}

std::optional<PeerSecurity> PackageDownloader::security(const Client& client) const noexcept {
  if (uri_len_ == 0) return std::nullopt;
  PeerSecurity s;
  // coaps:// goes with the credentials of the server that asked for the download.
  if (account_ < client.impl_->account_count && client.impl_->accounts[account_].used) {
    if (auto a = client.impl_->reader.peer(client.impl_->accounts[account_].security_iid)) s = *a;
  }
  s.uri = {uri_, uri_len_};
  s.bootstrap = false;
  return s;
}

void PackageDownloader::request_block(TimePoint now) noexcept {
  auto uri = parse_server_uri({uri_, uri_len_});
  coap::Message m;
  m.code = coap::codes::get;
  if (!uri || (!uri->path.empty() && !m.add_path(coap::OptionNumber::uri_path, uri->path).ok()) ||
      !m.add_uint(coap::OptionNumber::block2, coap::BlockOption{num_, false, szx_}.encode()).ok()) {
    fail(Errc::bad_request);
    return;
  }
  coap::RequestOptions opts;
  opts.follow_block2 = false;  // one block at a time, each written before the next
  auto id = client_->engine_.send_request(client_->download_peer(), m, *this, now, opts);
  if (!id) {
    fail(Errc::internal_error);
    return;
  }
  request_ = *id;
}

void PackageDownloader::finish_link() noexcept {
  if (uri_len_ != 0) link_wish_ = wish(LinkCommand::Kind::disconnect);
}

void PackageDownloader::fail(Errc why) noexcept {
  active_ = false;
  finish_link();
  if (dm::Object* obj = client_->registry_.find(resource_.object()))
    obj->write_block_failed(resource_.instance(), resource_.resource(), why);
}

void PackageDownloader::on_response(coap::RequestId id, const coap::Message& m, bool) noexcept {
  if (!active_ || !(id == request_)) return;
  const TimePoint now = client_->impl_->now_;
  if (!(m.code == coap::codes::content)) {
    fail(m.code == coap::codes::not_found ? Errc::not_found : Errc::bad_request);
    return;
  }
  auto b2 = m.block(coap::OptionNumber::block2);
  const uint32_t offset = b2 ? b2->offset() : 0;
  const bool more = b2 && b2->more;
  Transaction tx(client_->registry_);
  Status st = tx.finish(tx.write_block(resource_, offset, m.payload, more));
  attempts_ = 0;
  // The object's progress is saved now and then: a restart resumes near where it was.
  since_save_ += static_cast<uint32_t>(m.payload.size());
  if (st && more && since_save_ >= kSaveEvery) {
    since_save_ = 0;
    client_->impl_->want_state(StateCommand::save);
  }
  if (!st || !more) {
    // The object set Update Result on a failure; a finished image is Downloaded.
    active_ = false;
    finish_link();
    return;
  }
  // The server may answer in smaller blocks than asked for: go on at its size (RFC 7959 §2.4).
  szx_ = b2->szx;
  num_ = static_cast<uint32_t>((offset + m.payload.size()) / b2->size());
  request_block(now);
}

void PackageDownloader::on_error(coap::RequestId id, Errc) noexcept {
  if (!active_ || !(id == request_)) return;
  if (++attempts_ >= kMaxAttempts) {
    fail(Errc::timeout);
    return;
  }
  // Lost: a new connection (socket or DTLS session), then the same block again.
  ++resumed_;
  link_wish_ = wish(LinkCommand::Kind::connect);
  request_block(client_->impl_->now_);
}

}  // namespace lwm2m::core
