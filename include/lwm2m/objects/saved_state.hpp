// SPDX-License-Identifier: Apache-2.0
// The standard objects' part of the saved state (lwm2m/storage.hpp): what a bootstrap
// server or a management server wrote into Security (0), Server (1) and Access Control (2),
// one StateRecord each, keyed by the object id. Restore replaces every instance of the
// object; a record that names more instances than the object has slots, or a value longer
// than this build's fields (LWM2M_SECURITY_*_MAX), is refused by check() as a whole.
//
//   objects::SecurityRecord sec_record{security};
//   objects::ServerRecord srv_record{server};
//   StateRecord* records[] = {&sec_record, &srv_record};
//   SavedState state{storage, records, buffer};
#pragma once

#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/storage.hpp"

namespace lwm2m::objects {

/// The Security object (/0) as a record of the saved state.
class SecurityRecord final : public StateRecord {
 public:
  /// A record of `object`, which must outlive it.
  explicit SecurityRecord(SecurityObject& object) noexcept : object_(object) {}
  uint16_t record_id() const noexcept override { return 0; }
  Result<size_t> save(MutableByteView out) const noexcept override;
  Status check(ByteView data) const noexcept override;
  void restore(ByteView data) noexcept override;

 private:
  SecurityObject& object_;
};

/// The Server object (/1) as a record of the saved state.
class ServerRecord final : public StateRecord {
 public:
  /// A record of `object`, which must outlive it.
  explicit ServerRecord(ServerObject& object) noexcept : object_(object) {}
  uint16_t record_id() const noexcept override { return 1; }
  Result<size_t> save(MutableByteView out) const noexcept override;
  Status check(ByteView data) const noexcept override;
  void restore(ByteView data) noexcept override;

 private:
  ServerObject& object_;
};

/// The Access Control object (/2) as a record of the saved state.
class AccessControlRecord final : public StateRecord {
 public:
  /// A record of `object`, which must outlive it.
  explicit AccessControlRecord(AccessControlObject& object) noexcept : object_(object) {}
  uint16_t record_id() const noexcept override { return 2; }
  Result<size_t> save(MutableByteView out) const noexcept override;
  Status check(ByteView data) const noexcept override;
  void restore(ByteView data) noexcept override;

 private:
  AccessControlObject& object_;
};

}  // namespace lwm2m::objects
