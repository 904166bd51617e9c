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
//   Downloaded --(Update executed, the sink defers it: Result 11)--> Downloaded
//   any state but Updating --(empty Package or empty Package URI written)--> Idle, Result 0
//   Downloading or Downloaded --(Cancel /5/0/10 executed)--> Idle, Result 10
//
// The descriptor is the OMA definition of version 1.1 (ddf/object_5_v1_1.hpp). Of its
// optional resources, PkgName and PkgVersion (6, 7) are present once the application names
// the package (config or set_package_info()), Last State Change Time (12) when it gives a
// clock; Cancel (10), Severity (11) and Maximum Defer Period (13) always are.
//
// Across restarts (FirmwareUpdateRecord, lwm2m/storage.hpp): State, Update Result, Package
// URI, package name and version, Severity, Maximum Defer Period and how much of a pulled
// image arrived are saved whenever one of them changes (and every few blocks of a pull).
// After a restart a pull in progress goes on from where it was (FirmwareSink::resume()), a
// downloaded image stays Downloaded, and an update in progress stays Updating until the
// application reports its outcome with update_finished() (e.g. success, once the device
// runs the new firmware: Update Result 1). A push cannot go on (the server drives it): it
// ends in Idle with Update Result 4 (connection lost).
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
#include "lwm2m/storage.hpp"

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
  cancelled = 10,            ///< Cancel (/5/0/10) was executed
  deferred = 11,             ///< the update was deferred (FirmwareSink::update() said so)
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
  /// reported with FirmwareUpdateObject::update_finished(). UpdateResult::deferred keeps
  /// the image Downloaded (e.g. a user postponed it); start it later with
  /// FirmwareUpdateObject::start_deferred_update().
  virtual UpdateResult update() noexcept = 0;
  /// After a restart during a pull: the first `offset` bytes of the image were stored
  /// before it. Return true to go on from there (keep them; the next write() is at or below
  /// `offset`), false to start over (open() follows). Default: start over.
  virtual bool resume(uint32_t /*offset*/) noexcept { return false; }
};

/// What a FirmwareUpdateObject offers: push, pull, and the package name and version it shows.
struct FirmwareUpdateConfig {
  bool push = true;  ///< Package (/5/0/0) accepted
  /// Package URI (/5/0/1) accepted: only with a core::PackageDownloader attached to the
  /// client (Client::set_downloader()), which fetches it.
  bool pull = false;
  bool coaps = true;  ///< coaps:// URIs (only with a DTLS channel factory in the runner)
  std::string_view package_name;     ///< /5/0/6 at first; empty: absent
  std::string_view package_version;  ///< /5/0/7 at first; empty: absent
  /// Seconds since 1970 for Last State Change Time (/5/0/12); null: the resource is absent.
  int64_t (*unix_time)(void* arg) noexcept = nullptr;
  void* unix_time_arg = nullptr;  ///< passed to unix_time
};

const dm::ObjectDef& firmware_update_object_def() noexcept;

/// LwM2M Firmware Update object (/5/0): receives an image by push or pull, streams it to a
/// FirmwareSink, and runs the update when a server executes Update.
class FirmwareUpdateObject final : public dm::Object {
 public:
  /// Longest Package URI (/5/0/1) in bytes.
  static constexpr size_t kMaxUriLength = 255;
  static constexpr size_t kMaxPackageInfo = 32;  ///< bytes of PkgName and of PkgVersion

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
  /// Severity (/5/0/11): 0 critical, 1 mandatory (the default), 2 optional.
  uint8_t severity() const noexcept { return severity_; }
  /// Maximum Defer Period (/5/0/13) in seconds; 0: the update may not be deferred.
  uint32_t max_defer_period() const noexcept { return max_defer_s_; }

  /// PkgName and PkgVersion (/5/0/6, /5/0/7) of the image, e.g. from its header once
  /// FirmwareSink::finish() checked it; each at most kMaxPackageInfo bytes (longer:
  /// invalid_argument, nothing changed). Empty leaves the resource absent.
  Status set_package_info(std::string_view name, std::string_view version) noexcept;
  /// /5/0/6 as the server reads it (empty: absent).
  std::string_view package_name() const noexcept { return {name_, name_len_}; }
  /// /5/0/7 as the server reads it (empty: absent).
  std::string_view package_version() const noexcept { return {version_, version_len_}; }

  /// The outcome of the update FirmwareSink::update() started: success (Idle, Result 1),
  /// integrity_failure or unsupported_package (Idle: the image is dropped), anything else
  /// (Downloaded with Result 8: the image stays for another try). invalid_state outside
  /// Updating.
  Status update_finished(UpdateResult outcome) noexcept;
  /// A deferred update (Downloaded with Result 11) starts now: Updating, and
  /// FirmwareSink::update() is called again. invalid_state otherwise.
  Status start_deferred_update() noexcept;
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
  uint32_t bytes_held(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;
  Status transaction_begin() noexcept override;
  void transaction_commit() noexcept override;
  void transaction_rollback() noexcept override;

 private:
  friend class FirmwareUpdateRecord;
  enum Notify : uint8_t {
    kNotifyState = 1,
    kNotifyResult = 2,
    kNotifyUri = 4,
    kNotifyTime = 8,
    kNotifySeverity = 16,
    kNotifyDefer = 32,
  };
  struct Snapshot {
    FirmwareState state;
    UpdateResult result;
    uint32_t received;
    uint8_t uri_len;
    uint8_t severity;
    uint32_t max_defer_s;
    int64_t last_change;
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
  Status cancel() noexcept;
  Status run_update() noexcept;
  void flush_notifications() noexcept;
  /// Where a restart left the download: go on, keep, or end it (FirmwareUpdateRecord).
  void resume_after_restart() noexcept;

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
  uint8_t severity_ = 1;
  uint32_t max_defer_s_ = 0;
  int64_t last_change_ = 0;  ///< Last State Change Time (0 before the first change)
  char name_[kMaxPackageInfo] = {};
  char version_[kMaxPackageInfo] = {};
  uint8_t name_len_ = 0;
  uint8_t version_len_ = 0;
};

/// The Firmware Update object's part of the saved state (lwm2m/storage.hpp), under record
/// id 5 (the object id, as the standard objects' records). Add it to the SavedState's
/// records; the client asks for a save whenever State, Update Result or Package URI change.
class FirmwareUpdateRecord final : public StateRecord {
 public:
  /// The record of `object`, which must outlive it.
  explicit FirmwareUpdateRecord(FirmwareUpdateObject& object) noexcept : object_(object) {}
  uint16_t record_id() const noexcept override { return 5; }
  Result<size_t> save(MutableByteView out) const noexcept override;
  Status check(ByteView data) const noexcept override;
  /// Takes the saved state and settles a download the restart interrupted (see the top of
  /// this file): may call FirmwareSink::resume(), open() or discard().
  void restore(ByteView data) noexcept override;

 private:
  FirmwareUpdateObject& object_;
};

}  // namespace lwm2m::objects
