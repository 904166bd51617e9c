// SPDX-License-Identifier: Apache-2.0
// What survives a restart: the configuration a bootstrap server (or a management server)
// wrote into Security, Server and Access Control, and whatever else an application adds
// (e.g. a firmware update in progress).
//
// Three parts, none of which touches a file by itself:
//  - Storage: named blobs, each replaced atomically (posix::DirectoryStorage keeps them as
//    files in a directory; a microcontroller would use a flash page pair);
//  - StateRecord: one part of the state, saved and restored by whoever owns it
//    (objects::SecurityRecord, ServerRecord, AccessControlRecord for the standard objects);
//  - SavedState: the records as one versioned, checksummed blob in a Storage. A damaged,
//    truncated or newer-format blob is reported and changes nothing: restore is all or
//    nothing.
//
// When to save and when to discard comes from the client core (core::Client::poll_state);
// the driver (posix::Runner, or the application's own loop) calls SavedState.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m {

/// Named blobs that outlive the process.
class Storage {
 public:
  virtual ~Storage() = default;
  /// Replaces blob `name` with `data`: after a crash or power loss at any moment a later
  /// load() finds the old blob or the new one, never a mix of both.
  virtual Status store(std::string_view name, ByteView data) noexcept = 0;
  /// Reads blob `name` into `out` and returns its size: not_found when there is none,
  /// buffer_too_small when it is larger than `out`, internal_error when it cannot be read.
  virtual Result<size_t> load(std::string_view name, MutableByteView out) noexcept = 0;
  /// Removes blob `name` (ok when there is none).
  virtual Status remove(std::string_view name) noexcept = 0;
  /// Where the blobs live, for log lines (a directory, a flash region).
  virtual std::string_view location() const noexcept = 0;
  /// What the last failed call ran into, for log lines (e.g. "fsync: No space left on
  /// device"); empty when nothing more is known.
  virtual std::string_view error_detail() const noexcept { return {}; }
};

/// One part of the saved state. Its bytes are its own business (keep a version byte in
/// them, so that a later layout can still read or refuse an older one).
class StateRecord {
 public:
  virtual ~StateRecord() = default;
  /// The record's key in the saved state (the standard objects use their object id; take
  /// ids from 1000 up for your own records).
  virtual uint16_t record_id() const noexcept = 0;
  /// Writes the current state into `out`: the size written, or buffer_too_small.
  virtual Result<size_t> save(MutableByteView out) const noexcept = 0;
  /// Whether restore(data) can take `data`: every check restore() needs, changing nothing.
  virtual Status check(ByteView data) const noexcept = 0;
  /// Replaces the current state with `data`, which check() accepted (so it cannot fail).
  virtual void restore(ByteView data) noexcept = 0;
};

/// What restore() found. Everything but `restored` and `absent` means the blob was not
/// used and the state is as it was before the call.
enum class RestoreResult : uint8_t {
  restored,
  absent,             ///< nothing saved (first start, or discarded)
  unreadable,         ///< the storage failed to read it
  too_large,          ///< larger than the buffer given to SavedState
  truncated,          ///< shorter than its header says
  not_a_state_file,   ///< wrong magic number
  newer_format,       ///< written by a newer version of the library
  checksum_mismatch,  ///< damaged
  bad_record,         ///< well formed, but a record does not fit this build (or is damaged)
};
/// Words for a log line: why the saved state is not used, e.g. "checksum mismatch (the
/// file is damaged)".
const char* to_string(RestoreResult r) noexcept;

/// The format of the saved state, kept here so that it has one definition:
///   "LWM2" magic (4 bytes), format version (u16), reserved (u16), payload length (u32),
///   payload: records, each id (u16), length (u32), bytes;
///   CRC-32 (IEEE 802.3) of everything before it (u32).
/// Integers are little-endian.
namespace state_format {
/// Format version written in the header; a newer one is not read.
inline constexpr uint16_t kVersion = 1;
/// Bytes before the payload: magic, version, reserved, payload length.
inline constexpr size_t kHeaderSize = 12;
/// Bytes before each record's data: its id and length.
inline constexpr size_t kRecordHeaderSize = 6;
/// Bytes of the CRC-32 after the payload.
inline constexpr size_t kTrailerSize = 4;

/// The records as one blob in `out`: its size, or buffer_too_small.
Result<size_t> encode(std::span<StateRecord* const> records, MutableByteView out) noexcept;
/// Checks the blob and every record it holds for `records`, then restores them all, or
/// none. Records in the blob that nobody in `records` claims are skipped; records in
/// `records` that the blob does not hold keep their state.
RestoreResult decode(std::span<StateRecord* const> records, ByteView blob) noexcept;
/// CRC-32 (IEEE 802.3, reflected, as zlib computes it).
uint32_t crc32(ByteView data, uint32_t crc = 0) noexcept;
}  // namespace state_format

/// The records of a client saved as one blob (`name`) in a Storage, through `buffer`
/// (which must hold the whole blob: a few hundred bytes per Security instance).
class SavedState {
 public:
  /// The blob's name when none is given ("lwm2m-state.bin").
  static constexpr std::string_view kDefaultName = "lwm2m-state.bin";

  /// Keeps `records` in the blob `name` of `storage`; `buffer` must hold the whole blob (every
  /// record at once). All three must outlive this object.
  SavedState(Storage& storage, std::span<StateRecord* const> records, MutableByteView buffer,
             std::string_view name = kDefaultName) noexcept
      : storage_(storage), records_(records), buffer_(buffer), name_(name) {}

  /// Loads and restores every record, or none (see RestoreResult).
  RestoreResult restore() noexcept;
  /// Saves every record (replacing the previous blob atomically).
  Status save() noexcept;
  /// Removes the blob: the next start uses the factory configuration.
  Status discard() noexcept;

  /// Where the blob is kept.
  Storage& storage() const noexcept { return storage_; }
  /// The blob's name in storage().
  std::string_view name() const noexcept { return name_; }

 private:
  Storage& storage_;
  std::span<StateRecord* const> records_;
  MutableByteView buffer_;
  std::string_view name_;
};

}  // namespace lwm2m
