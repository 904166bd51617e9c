// SPDX-License-Identifier: Apache-2.0
// LwM2M Firmware Update object (/5, object version 1.1), single instance /5/0.
//
// The image never sits in RAM: a server's Write of Package (/5/0/0) with Block1 reaches the
// object block by block as it arrives, and each block goes straight to the application's
// FirmwareSink (a flash partition, a file). A pull from Package URI (/5/0/1) feeds the sink
// the same way. State (/5/0/3) and Update Result (/5/0/5) follow the state machine of the
// LwM2M specification (Core, Appendix E.6):
//
//   Idle --(Package or Package URI written: download starts, Result 0)--> Downloading
//   Downloading --(whole image stored)--> Downloaded
//   Downloading --(download fails: Result 2, 3, 4, 5, 6, 7 or 9)--> Idle
//   Downloaded --(Update executed)--> Updating
//   Updating --(update_finished(success): Result 1)--> Idle
//   Updating --(update_finished(integrity/unsupported): Result 5 or 6)--> Idle
//   Updating --(update_finished(other failure): Result 8)--> Downloaded
//   any state but Updating --(empty Package or empty Package URI written)--> Idle, Result 0
//
// Update (/5/0/2) calls FirmwareSink::update(): start installing and return; report the
// outcome later with update_finished() (through posix::Runner::locked() when a runner
// drives the client). Changes of State and Update Result reach observing servers after the
// request that caused them committed.
//
//   struct FlashSink final : objects::FirmwareSink { ... };
//   FlashSink sink;
//   objects::FirmwareUpdateObject firmware{sink};
//   registry.add(firmware);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects {

/// State (/5/0/3).
enum class FirmwareState : uint8_t { idle = 0, downloading = 1, downloaded = 2, updating = 3 };

/// Update Result (/5/0/5).
enum class UpdateResult : uint8_t {
  initial = 0,               ///< nothing to report; also "ok" for the sink's calls
  success = 1,               ///< firmware updated successfully
  not_enough_storage = 2,    ///< not enough flash for the new package
  out_of_memory = 3,         ///< out of RAM during the download
  connection_lost = 4,       ///< connection lost during the download
  integrity_failure = 5,     ///< the downloaded package failed its integrity check
  unsupported_package = 6,   ///< unsupported package type
  invalid_uri = 7,           ///< Package URI could not be used
  update_failed = 8,         ///< the update itself failed
  unsupported_protocol = 9,  ///< Package URI names a scheme the client does not support
};

/// Where the image goes. Every call runs inside the client's request handling (on the
/// runner thread with its lock held): return promptly, and never call into the client.
/// A call answering other than UpdateResult::initial fails the download with that result.
class FirmwareSink {
 public:
  virtual ~FirmwareSink() = default;
  /// A new image begins; whatever an earlier one left is to be dropped.
  virtual UpdateResult open() noexcept = 0;
  /// The image's bytes at `offset`. Offsets come in order; after a lost connection a pull
  /// goes on from the last block it had, so a range may be written again.
  virtual UpdateResult write(uint32_t offset, ByteView bytes) noexcept = 0;
  /// The whole image (`size` bytes) arrived: check it and keep it for update().
  virtual UpdateResult finish(uint32_t size) noexcept = 0;
  /// Forget the image (reset, or a failed download).
  virtual void discard() noexcept = 0;
  /// Update (/5/0/2) was executed: start installing the image and return. The outcome is
  /// reported with FirmwareUpdateObject::update_finished().
  virtual UpdateResult update() noexcept = 0;
};

/// What a FirmwareUpdateObject offers: push, pull, and the package name and version it shows.
struct FirmwareUpdateConfig {
  bool push = true;  ///< Package (/5/0/0) accepted
  /// Package URI (/5/0/1) accepted: only with a core::PackageDownloader attached to the
  /// client (Client::set_downloader()), which fetches it.
  bool pull = false;
  bool coaps = true;  ///< coaps:// URIs (only with a DTLS channel factory in the runner)
  std::string_view package_name;     ///< /5/0/6; empty: absent
  std::string_view package_version;  ///< /5/0/7; empty: absent
};

const dm::ObjectDef& firmware_update_object_def() noexcept;

/// LwM2M Firmware Update object (/5/0): receives an image by push or pull, streams it to a
/// FirmwareSink, and runs the update when a server executes Update.
class FirmwareUpdateObject final : public dm::Object {
 public:
  /// Longest Package URI (/5/0/1) in bytes.
  static constexpr size_t kMaxUriLength = 255;

  /// An object writing images to `sink` (which must outlive it), offering what `config` says.
  explicit FirmwareUpdateObject(FirmwareSink& sink,
                                const FirmwareUpdateConfig& config = {}) noexcept;
  /// The Firmware Update object behind `object`, or null for another implementation of /5.
  static FirmwareUpdateObject* from(dm::Object* object) noexcept;

  /// State (/5/0/3) now.
  FirmwareState state() const noexcept { return state_; }
  /// Update Result (/5/0/5) now.
  UpdateResult result() const noexcept { return result_; }
  /// Package URI (/5/0/1) as last written (empty: none).
  std::string_view package_uri() const noexcept { return {uri_, uri_len_}; }
  /// Bytes of the image stored so far (the offset a resumed pull continues from).
  uint32_t received() const noexcept { return received_; }

  /// The outcome of the update FirmwareSink::update() started: success (Idle, Result 1),
  /// integrity_failure or unsupported_package (Idle: the image is dropped), anything else
  /// (Downloaded with Result 8: the image stays for another try). invalid_state outside
  /// Updating.
  Status update_finished(UpdateResult outcome) noexcept;
  /// The state after a restart, as the application stored it (e.g. Result 1 after the
  /// update rebooted the device into the new firmware).
  void restore(FirmwareState state, UpdateResult result) noexcept;

  // ---- the download of Package URI, driven by core::PackageDownloader ----
  /// The pull failed (connection lost, unsupported scheme...): Idle with `result`.
  void download_failed(UpdateResult result) noexcept;

  // ---- dm::Object ----
  size_t instance_count() const noexcept override { return 1; }
  dm::InstanceId instance_at(size_t) const noexcept override { return 0; }
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  size_t resource_instance_count(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  dm::ResourceInstanceId resource_instance_at(dm::InstanceId iid, dm::ResourceId rid,
                                              size_t index) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status write_block(dm::InstanceId iid, dm::ResourceId rid, uint32_t offset, ByteView bytes,
                     bool more) noexcept override;
  bool writes_blocks(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  void write_block_failed(dm::InstanceId iid, dm::ResourceId rid, Errc why) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;
  Status transaction_begin() noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  enum Notify : uint8_t { kNotifyState = 1, kNotifyResult = 2, kNotifyUri = 4 };
  struct Snapshot {
    FirmwareState state;
    UpdateResult result;
    uint32_t received;
    uint8_t uri_len;
  };

  /// Moves to `state` with `result`; the change is reported when the request ends (or at
  /// once outside a request).
  void enter(FirmwareState state, UpdateResult result) noexcept;
  void reset() noexcept;
  /// A sink call's outcome: on failure the image is dropped and the download fails.
  Status check(UpdateResult r) noexcept;
  Status start_download() noexcept;
  Status write_package(ByteView image) noexcept;
  Status write_uri(std::string_view uri) noexcept;
  Status pull_block(uint32_t offset, ByteView bytes, bool more) noexcept;
  void flush_notifications() noexcept;

  FirmwareSink& sink_;
  FirmwareUpdateConfig config_;
  FirmwareState state_ = FirmwareState::idle;
  UpdateResult result_ = UpdateResult::initial;
  uint32_t received_ = 0;
  bool pushing_ = false;  ///< the download in progress is a push (Package)
  bool in_transaction_ = false;
  bool failed_in_transaction_ = false;  ///< a sink failure: kept even when the request fails
  uint8_t pending_ = 0;                 ///< Notify bits to report when the request ends
  Snapshot saved_{};
  char uri_[kMaxUriLength] = {};
  uint8_t uri_len_ = 0;
};

}  // namespace lwm2m::objects
