// SPDX-License-Identifier: Apache-2.0
// Decoded records into the data model, shared by Write, Partial Update, Create and
// Bootstrap-Write: a checking pass over the whole payload, then the applying pass through
// a Transaction.
#pragma once

#include "codec/dispatch.hpp"
#include "core/transaction.hpp"
#include "lwm2m/dm/registry.hpp"

namespace lwm2m::core {

/// Writes decoded records into the data model. Runs twice over the same payload: once
/// to check everything (paths, permissions, types), then to apply, so that a bad record
/// never leaves a partial write behind (4.00 and nothing changed).
struct WritePlan {
  dm::Registry& reg;
  const dm::Path& base;
  bool bootstrap;  ///< Bootstrap-Write: any resource, instances created as needed
  bool replace;    ///< PUT: replace instances / multiple resources
  bool create;     ///< Create: the instance is new (the records' id, or the first free one)
};

/// Whether one record may be written under `plan` (path, descriptor, permission, type).
Status check_record(const WritePlan& plan, const codec::Record& r) noexcept;

/// Validation pass over one payload, then the apply pass through `tx`; the caller finishes
/// the transaction (commit, or rollback when anything failed). `created`: the new
/// instance's id for a Create. For a Write or Partial Update the caller has resolved the
/// base, an instance or below (records outside it are 4.00).
Status apply_write(Transaction& tx, dm::Registry& reg, codec::ContentFormat fmt, ByteView payload,
                   const WritePlan& plan, MutableByteView scratch,
                   dm::InstanceId* created = nullptr) noexcept;

}  // namespace lwm2m::core
