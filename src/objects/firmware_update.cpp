// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/objects/firmware_update.hpp"

#include <cstring>

#include "lwm2m/objects/ddf/object_5_v1_1.hpp"

namespace lwm2m::objects {
namespace {

namespace def = ddf::firmware_update_v1_1;
constexpr dm::ResourceId kPackage = def::rid::kPackage, kPackageUri = def::rid::kPackageURI,
                         kUpdate = def::rid::kUpdate, kState = def::rid::kState,
                         kResult = def::rid::kUpdateResult, kPkgName = def::rid::kPkgName,
                         kPkgVersion = def::rid::kPkgVersion,
                         kProtocols = def::rid::kFirmwareUpdateProtocolSupport,
                         kDelivery = def::rid::kFirmwareUpdateDeliveryMethod,
                         kCancel = def::rid::kCancel, kSeverity = def::rid::kSeverity,
                         kLastChange = def::rid::kLastStateChangeTime,
                         kMaxDefer = def::rid::kMaximumDeferPeriod;

// Protocol Support (/5/0/8) values.
constexpr int64_t kCoap = 0, kCoaps = 1;

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// A URI with a scheme and something after "//" (RFC 3986 §3: scheme ":" "//" authority).
bool well_formed(std::string_view uri) noexcept {
  const size_t colon = uri.find("://");
  if (colon == 0 || colon == std::string_view::npos || colon + 3 >= uri.size()) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
      return false;
  }
  return true;
}

}  // namespace

const dm::ObjectDef& firmware_update_object_def() noexcept {
  return def::kObject;
}

FirmwareUpdateObject::FirmwareUpdateObject(FirmwareSink& sink,
                                           const FirmwareUpdateConfig& config) noexcept
    : Object(firmware_update_object_def()), sink_(sink), config_(config) {
  (void)set_package_info(config.package_name, config.package_version);
}

Status FirmwareUpdateObject::set_package_info(std::string_view name,
                                              std::string_view version) noexcept {
  if (name.size() > kMaxPackageInfo || version.size() > kMaxPackageInfo)
    return Errc::invalid_argument;
  // An empty view may have no data pointer, which memcpy must not be given.
  if (!name.empty()) std::memcpy(name_, name.data(), name.size());
  name_len_ = static_cast<uint8_t>(name.size());
  if (!version.empty()) std::memcpy(version_, version.data(), version.size());
  version_len_ = static_cast<uint8_t>(version.size());
  return {};
}

FirmwareUpdateObject* FirmwareUpdateObject::from(dm::Object* object) noexcept {
  // Every FirmwareUpdateObject, and only it, is built on this descriptor: no RTTI needed.
  return object && &object->def() == &firmware_update_object_def()
             ? static_cast<FirmwareUpdateObject*>(object)
             : nullptr;
}

// ---- the state machine ----

void FirmwareUpdateObject::enter(FirmwareState state, UpdateResult result) noexcept {
  if (state != state_) {
    pending_ |= kNotifyState;
    // Last State Change Time is updated before the state changes (its description).
    if (config_.unix_time) {
      last_change_ = config_.unix_time(config_.unix_time_arg);
      pending_ |= kNotifyTime;
    }
  }
  if (result != result_) pending_ |= kNotifyResult;
  state_ = state;
  result_ = result;
  if (!in_transaction_) flush_notifications();
}

void FirmwareUpdateObject::flush_notifications() noexcept {
  // State before Update Result: an observer of both sees the state change first.
  if (pending_ & kNotifyState) changed(0, kState);
  if (pending_ & kNotifyResult) changed(0, kResult);
  if (pending_ & kNotifyUri) changed(0, kPackageUri);
  if (pending_ & kNotifyTime) changed(0, kLastChange);
  if (pending_ & kNotifySeverity) changed(0, kSeverity);
  if (pending_ & kNotifyDefer) changed(0, kMaxDefer);
  pending_ = 0;
}

void FirmwareUpdateObject::reset() noexcept {
  if (state_ != FirmwareState::idle) sink_.discard();
  received_ = 0;
  pushing_ = false;
  if (uri_len_ != 0) pending_ |= kNotifyUri;
  uri_len_ = 0;
  enter(FirmwareState::idle, UpdateResult::initial);
}

Status FirmwareUpdateObject::check(UpdateResult r) noexcept {
  if (r == UpdateResult::initial) return {};
  download_failed(r);
  failed_in_transaction_ = in_transaction_;
  // The server learns why from Update Result; the code says the write did not go through.
  return r == UpdateResult::not_enough_storage ? Errc::request_entity_too_large
                                               : Errc::internal_error;
}

void FirmwareUpdateObject::download_failed(UpdateResult result) noexcept {
  if (state_ != FirmwareState::downloading) return;
  sink_.discard();
  received_ = 0;
  pushing_ = false;
  enter(FirmwareState::idle, result);
}

Status FirmwareUpdateObject::start_download() noexcept {
  received_ = 0;
  enter(FirmwareState::downloading, UpdateResult::initial);
  return check(sink_.open());
}

Status FirmwareUpdateObject::update_finished(UpdateResult outcome) noexcept {
  if (state_ != FirmwareState::updating) return Errc::invalid_state;
  switch (outcome) {
    case UpdateResult::success:
      received_ = 0;
      enter(FirmwareState::idle, UpdateResult::success);
      break;
    case UpdateResult::integrity_failure:
    case UpdateResult::unsupported_package:
      sink_.discard();
      received_ = 0;
      enter(FirmwareState::idle, outcome);
      break;
    default:
      enter(FirmwareState::downloaded, UpdateResult::update_failed);
      break;
  }
  return {};
}

void FirmwareUpdateObject::restore(FirmwareState state, UpdateResult result) noexcept {
  enter(state, result);
}

Status FirmwareUpdateObject::start_deferred_update() noexcept {
  if (state_ != FirmwareState::downloaded || result_ != UpdateResult::deferred)
    return Errc::invalid_state;
  return run_update();
}

Status FirmwareUpdateObject::run_update() noexcept {
  enter(FirmwareState::updating, UpdateResult::initial);
  const UpdateResult r = sink_.update();
  if (r == UpdateResult::deferred)
    enter(FirmwareState::downloaded, UpdateResult::deferred);
  else if (r != UpdateResult::initial)
    (void)update_finished(r);
  return {};
}

// Cancel (/5/0/10): only before the update began (its description: 4.05 while installing
// or once installed).
Status FirmwareUpdateObject::cancel() noexcept {
  if (state_ != FirmwareState::downloading && state_ != FirmwareState::downloaded)
    return Errc::method_not_allowed;
  sink_.discard();
  received_ = 0;
  pushing_ = false;
  if (uri_len_ != 0) pending_ |= kNotifyUri;
  uri_len_ = 0;  // a pull in progress stops at its next block
  enter(FirmwareState::idle, UpdateResult::cancelled);
  return {};
}

// After a restart: a pull goes on where the sink says it can, a push cannot (its server
// drives it and saw the client go), Downloaded and Updating stay as they were.
void FirmwareUpdateObject::resume_after_restart() noexcept {
  if (state_ != FirmwareState::downloading) return;
  if (pushing_ || uri_len_ == 0) {
    sink_.discard();
    received_ = 0;
    pushing_ = false;
    state_ = FirmwareState::idle;
    result_ = UpdateResult::connection_lost;
    return;
  }
  if (received_ != 0 && sink_.resume(received_)) return;
  received_ = 0;
  if (UpdateResult r = sink_.open(); r != UpdateResult::initial) {
    sink_.discard();
    state_ = FirmwareState::idle;
    result_ = r;
  }
}

uint32_t FirmwareUpdateObject::bytes_held(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  return iid == 0 && rid == kPackageUri && state_ == FirmwareState::downloading && !pushing_
             ? received_
             : 0;
}

// ---- Package (/5/0/0): push ----

Status FirmwareUpdateObject::write_package(ByteView image) noexcept {
  if (image.empty() || (image.size() == 1 && image[0] == 0)) {
    // An empty Package (or the single '\0' the 1.0 text names) cancels and resets.
    if (state_ == FirmwareState::updating) return Errc::method_not_allowed;
    reset();
    return {};
  }
  return write_block(0, kPackage, 0, image, false);
}

bool FirmwareUpdateObject::writes_blocks(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  return iid == 0 && rid == kPackage && config_.push;
}

Status FirmwareUpdateObject::write_block(dm::InstanceId iid, dm::ResourceId rid, uint32_t offset,
                                         ByteView bytes, bool more) noexcept {
  if (iid == 0 && rid == kPackageUri) return pull_block(offset, bytes, more);
  if (iid != 0 || rid != kPackage || !config_.push) return Errc::method_not_allowed;
  if (offset == 0) {
    // A new push: from Idle, or a server starting its push over.
    if (state_ == FirmwareState::downloading && !pushing_) return Errc::method_not_allowed;
    if (state_ != FirmwareState::idle && state_ != FirmwareState::downloading)
      return Errc::method_not_allowed;
    if (state_ == FirmwareState::downloading) sink_.discard();
    pushing_ = true;
    if (Status st = start_download(); !st) return st;
  } else if (state_ != FirmwareState::downloading || !pushing_ || offset != received_) {
    return Errc::request_entity_incomplete;
  }
  if (!bytes.empty()) {
    if (Status st = check(sink_.write(offset, bytes)); !st) return st;
  }
  received_ = offset + static_cast<uint32_t>(bytes.size());
  if (more) return {};
  if (Status st = check(sink_.finish(received_)); !st) return st;
  pushing_ = false;
  enter(FirmwareState::downloaded, UpdateResult::initial);
  return {};
}

// ---- Package URI (/5/0/1): pull ----

// A block of the image at Package URI, from the client's downloader. After a lost
// connection the download goes on from the last block it had: an offset at or before
// what was received is taken again.
Status FirmwareUpdateObject::pull_block(uint32_t offset, ByteView bytes, bool more) noexcept {
  if (state_ != FirmwareState::downloading || pushing_ || uri_len_ == 0)
    return Errc::method_not_allowed;
  if (offset > received_) return Errc::request_entity_incomplete;
  if (!bytes.empty()) {
    if (Status st = check(sink_.write(offset, bytes)); !st) return st;
  }
  if (offset + bytes.size() > received_) received_ = offset + static_cast<uint32_t>(bytes.size());
  if (more) return {};
  if (Status st = check(sink_.finish(received_)); !st) return st;
  enter(FirmwareState::downloaded, UpdateResult::initial);
  return {};
}

void FirmwareUpdateObject::write_block_failed(dm::InstanceId iid, dm::ResourceId rid,
                                              Errc why) noexcept {
  if (iid != 0 || rid != kPackageUri) return;
  switch (why) {
    case Errc::unsupported:
      download_failed(UpdateResult::unsupported_protocol);
      break;
    case Errc::not_found:
    case Errc::bad_request:
    case Errc::malformed:
      download_failed(UpdateResult::invalid_uri);
      break;
    default:
      download_failed(UpdateResult::connection_lost);
      break;
  }
}

Status FirmwareUpdateObject::write_uri(std::string_view uri) noexcept {
  if (uri.empty()) {
    if (state_ == FirmwareState::updating) return Errc::method_not_allowed;
    reset();
    return {};
  }
  if (!config_.pull) return Errc::method_not_allowed;
  if (state_ != FirmwareState::idle) return Errc::method_not_allowed;
  if (uri.size() > kMaxUriLength) {
    enter(FirmwareState::idle, UpdateResult::invalid_uri);
    failed_in_transaction_ = in_transaction_;
    return Errc::bad_request;
  }
  if (!uri.empty()) std::memcpy(uri_, uri.data(), uri.size());
  uri_len_ = static_cast<uint8_t>(uri.size());
  pending_ |= kNotifyUri;
  pushing_ = false;
  // The spec has the download start, and fail with the reason in Update Result: the
  // write itself succeeds.
  if (!well_formed(uri)) {
    enter(FirmwareState::idle, UpdateResult::invalid_uri);
    return {};
  }
  const bool coap = starts_with(uri, "coap://");
  const bool coaps = starts_with(uri, "coaps://") && config_.coaps;
  if (!coap && !coaps) {
    enter(FirmwareState::idle, UpdateResult::unsupported_protocol);
    return {};
  }
  received_ = 0;
  enter(FirmwareState::downloading, UpdateResult::initial);
  return check(sink_.open());
}

// ---- dm::Object ----

bool FirmwareUpdateObject::has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept {
  if (iid != 0) return false;
  if (rid == kPkgName) return name_len_ != 0;
  if (rid == kPkgVersion) return version_len_ != 0;
  if (rid == kLastChange) return config_.unix_time != nullptr;
  for (const dm::ResourceDef& r : def::kResources)
    if (r.id == rid) return true;
  return false;
}

size_t FirmwareUpdateObject::resource_instance_count(dm::InstanceId,
                                                     dm::ResourceId rid) const noexcept {
  if (rid != kProtocols || !config_.pull) return 0;
  return config_.coaps ? 2 : 1;
}

dm::ResourceInstanceId FirmwareUpdateObject::resource_instance_at(dm::InstanceId, dm::ResourceId,
                                                                  size_t index) const noexcept {
  return static_cast<dm::ResourceInstanceId>(index);
}

Result<dm::Value> FirmwareUpdateObject::read(dm::InstanceId iid, dm::ResourceId rid,
                                             dm::ResourceInstanceId riid,
                                             MutableByteView) noexcept {
  if (!has_resource(iid, rid)) return Errc::not_found;
  switch (rid) {
    case kPackageUri:
      return dm::Value::string(package_uri());
    case kState:
      return dm::Value::integer(static_cast<int64_t>(state_));
    case kResult:
      return dm::Value::integer(static_cast<int64_t>(result_));
    case kPkgName:
      return dm::Value::string(package_name());
    case kPkgVersion:
      return dm::Value::string(package_version());
    case kSeverity:
      return dm::Value::integer(severity_);
    case kLastChange:
      return dm::Value::time(last_change_);
    case kMaxDefer:
      return dm::Value::unsigned_integer(max_defer_s_);
    case kProtocols:
      if (riid >= resource_instance_count(iid, rid)) return Errc::not_found;
      return dm::Value::integer(riid == 0 ? kCoap : kCoaps);
    case kDelivery:
      // 0: pull only, 1: push only, 2: both.
      return dm::Value::integer(config_.push && config_.pull ? 2 : config_.push ? 1 : 0);
    default:
      return Errc::method_not_allowed;
  }
}

Status FirmwareUpdateObject::write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId,
                                   const dm::Value& value) noexcept {
  if (iid != 0) return Errc::not_found;
  if (rid == kPackage) {
    if (!config_.push && !value.as_bytes().empty()) return Errc::method_not_allowed;
    return write_package(value.as_bytes());
  }
  if (rid == kPackageUri) return write_uri(value.as_string());
  if (rid == kSeverity) {
    if (value.as_integer() < 0 || value.as_integer() > 2) return Errc::bad_request;
    severity_ = static_cast<uint8_t>(value.as_integer());
    pending_ |= kNotifySeverity;
    return {};
  }
  if (rid == kMaxDefer) {
    if (value.as_unsigned() > UINT32_MAX) return Errc::bad_request;
    max_defer_s_ = static_cast<uint32_t>(value.as_unsigned());
    pending_ |= kNotifyDefer;
    return {};
  }
  return Errc::method_not_allowed;
}

Status FirmwareUpdateObject::execute(dm::InstanceId iid, dm::ResourceId rid, ByteView) noexcept {
  if (iid != 0) return Errc::not_found;
  if (rid == kCancel) return cancel();
  if (rid != kUpdate) return Errc::method_not_allowed;
  // Update is executable only in Downloaded (the resource's description).
  if (state_ != FirmwareState::downloaded) return Errc::method_not_allowed;
  return run_update();
}

Status FirmwareUpdateObject::transaction_begin() noexcept {
  saved_ = Snapshot{state_, result_, received_, uri_len_, severity_, max_defer_s_, last_change_};
  in_transaction_ = true;
  failed_in_transaction_ = false;
  return {};
}

void FirmwareUpdateObject::transaction_commit() noexcept {
  in_transaction_ = false;
  flush_notifications();
}

void FirmwareUpdateObject::transaction_rollback() noexcept {
  in_transaction_ = false;
  // A failed sink is a fact, not a change of the request: the result stays. Otherwise the
  // request changed nothing; a URI it wrote is dropped (the old one is not kept twice).
  if (!failed_in_transaction_) {
    if (saved_.state == FirmwareState::idle && state_ == FirmwareState::downloading)
      sink_.discard();
    if (uri_len_ != saved_.uri_len || (pending_ & kNotifyUri)) uri_len_ = 0;
    state_ = saved_.state;
    result_ = saved_.result;
    received_ = saved_.received;
    severity_ = saved_.severity;
    max_defer_s_ = saved_.max_defer_s;
    last_change_ = saved_.last_change;
    pending_ &= kNotifyUri;  // the write's other changes are undone: nothing to report
  }
  flush_notifications();
}

}  // namespace lwm2m::objects
