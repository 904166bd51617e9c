// SPDX-License-Identifier: Apache-2.0
// The objects and resources the core itself acts on, named once (OMA LwM2M 1.1 Core
// Appendix E, and the OSCORE object of 1.1 Transport). Everything else is data to the core.
#pragma once

#include "lwm2m/dm/path.hpp"

namespace lwm2m::core::wk {

inline constexpr dm::ObjectId kSecurity = 0;
inline constexpr dm::ObjectId kServer = 1;
inline constexpr dm::ObjectId kAccessControl = 2;
inline constexpr dm::ObjectId kDevice = 3;
inline constexpr dm::ObjectId kFirmwareUpdate = 5;
inline constexpr dm::ObjectId kOscore = 21;

/// Objects that belong to the bootstrap server alone: a management server can neither
/// read, write nor discover them (1.1 Core §E.1), and Read-Composite / Send leave them out.
inline constexpr dm::ObjectId kHidden[] = {kSecurity, kOscore};
constexpr bool hidden(dm::ObjectId id) noexcept {
  return id == kSecurity || id == kOscore;
}

/// Security object (/0) resources.
namespace security {
inline constexpr dm::ResourceId kUri = 0;
inline constexpr dm::ResourceId kBootstrap = 1;
inline constexpr dm::ResourceId kMode = 2;
inline constexpr dm::ResourceId kIdentity = 3;
inline constexpr dm::ResourceId kServerKey = 4;
inline constexpr dm::ResourceId kSecretKey = 5;
inline constexpr dm::ResourceId kShortServerId = 10;
inline constexpr dm::ResourceId kHoldOff = 11;
}  // namespace security

/// Server object (/1) resources.
namespace server {
inline constexpr dm::ResourceId kShortServerId = 0;
inline constexpr dm::ResourceId kLifetime = 1;
inline constexpr dm::ResourceId kDefaultPmin = 2;
inline constexpr dm::ResourceId kDefaultPmax = 3;
inline constexpr dm::ResourceId kDisable = 4;
inline constexpr dm::ResourceId kDisableTimeout = 5;
inline constexpr dm::ResourceId kNotificationStoring = 6;
inline constexpr dm::ResourceId kBinding = 7;
inline constexpr dm::ResourceId kUpdateTrigger = 8;
inline constexpr dm::ResourceId kBootstrapTrigger = 9;
inline constexpr dm::ResourceId kBootstrapOnFailure = 16;
inline constexpr dm::ResourceId kRetryCount = 17;
inline constexpr dm::ResourceId kRetryTimer = 18;
inline constexpr dm::ResourceId kSequenceDelay = 19;
inline constexpr dm::ResourceId kSequenceRetryCount = 20;
inline constexpr dm::ResourceId kMuteSend = 23;
}  // namespace server

/// Access Control object (/2) resources.
namespace acl {
inline constexpr dm::ResourceId kOwner = 3;
}  // namespace acl

/// Device object (/3) resources.
namespace device {
inline constexpr dm::ResourceId kReboot = 4;
inline constexpr dm::ResourceId kFactoryReset = 5;
}  // namespace device

/// Firmware Update object (/5) resources.
namespace firmware {
inline constexpr dm::ResourceId kPackageUri = 1;
inline constexpr dm::ResourceId kState = 3;
}  // namespace firmware

}  // namespace lwm2m::core::wk
