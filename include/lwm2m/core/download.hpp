// SPDX-License-Identifier: Apache-2.0
// The pull of a firmware package: when a server writes Package URI (/5/x/1) and the object
// enters Downloading, the downloader fetches the URI (coap:// or coaps://) with Block2, one
// block at a time, and hands each block to the object (dm::Object::write_block() on the
// Package URI resource) as it arrives: the image is never held whole. A block whose request
// timed out is asked for again (after a new connection: the runner opens a fresh socket or
// DTLS session), so a lost connection resumes from the last block instead of starting over.
//
// Sans-I/O like the client: it sends through the client's engine on an extra peer that the
// client's driver opens (Client::poll_link() names it, Client::peer_security() gives its
// URI and, for coaps://, the credentials of the server that wrote the URI). Attach it
// before the client starts:
//
//   core::PackageDownloader downloader;
//   client.set_downloader(&downloader);
//
// A client without one leaves a written Package URI to the object alone (an object that
// offers pull needs a downloader).
#pragma once

#include <cstdint>
#include <optional>

#include "lwm2m/coap/engine.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/security.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::core {

class Client;

/// Fetches a firmware package from the Package URI a server wrote, block by block, into the
/// Firmware Update object (attach with Client::set_downloader()).
class PackageDownloader : private coap::ResponseHandler {
 public:
  /// How often one block is asked for again after its exchange failed before the download
  /// fails with Update Result 4 (connection lost).
  static constexpr uint8_t kMaxAttempts = 10;

  PackageDownloader() noexcept = default;
  ~PackageDownloader() = default;
  PackageDownloader(const PackageDownloader&) = delete;
  PackageDownloader& operator=(const PackageDownloader&) = delete;

  /// True while a download is in progress.
  bool active() const noexcept { return active_; }
  /// Blocks asked for again after a failed exchange, since construction.
  uint32_t resumed() const noexcept { return resumed_; }

 private:
  friend class Client;
  static constexpr size_t kMaxUri = 255;

  /// A server (account index `account`) wrote `resource` (/5/x/1): start, restart or stop.
  virtual void uri_written(Client& client, uint8_t account, const dm::Path& resource,
                           TimePoint now) noexcept;
  /// The URI and credentials of the download peer.
  virtual std::optional<PeerSecurity> security(const Client& client) const noexcept;
  /// The connect/disconnect the driver is to act on for the download peer (0: none).
  uint8_t take_link_wish() noexcept {
    const uint8_t w = link_wish_;
    link_wish_ = 0;
    return w;
  }

  void request_block(TimePoint now) noexcept;
  void fail(Errc why) noexcept;
  void finish_link() noexcept;
  void on_response(coap::RequestId id, const coap::Message& response, bool final) noexcept override;
  void on_error(coap::RequestId id, Errc error) noexcept override;

  Client* client_ = nullptr;
  bool active_ = false;
  uint8_t account_ = 0;
  uint8_t link_wish_ = 0;  ///< LinkCommand::Kind + 1, or 0
  uint8_t szx_ = 6;
  uint8_t attempts_ = 0;
  uint32_t num_ = 0;
  uint32_t resumed_ = 0;
  dm::Path resource_;
  coap::RequestId request_{};
  char uri_[kMaxUri] = {};
  uint8_t uri_len_ = 0;
};

}  // namespace lwm2m::core
