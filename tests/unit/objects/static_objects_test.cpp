// SPDX-License-Identifier: Apache-2.0
// Firmware keeps its objects in static storage. Those a device needs (Security, Server,
// Device, the random source) are trivially destructible, so such statics register no
// destructor to run at exit: dm::Object's and Random's destructors are protected and not
// virtual. Checked when this file compiles.
#include <type_traits>

#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/random.hpp"

namespace lwm2m {
namespace {

static_assert(std::is_trivially_destructible_v<objects::SecurityObject>);
static_assert(std::is_trivially_destructible_v<objects::ServerObject>);
static_assert(std::is_trivially_destructible_v<objects::DeviceObject>);
static_assert(std::is_trivially_destructible_v<XorShiftRandom>);
// Deleting through the interfaces does not compile (their destructors are protected).
static_assert(!std::is_destructible_v<dm::Object>);
static_assert(!std::is_destructible_v<Random>);

}  // namespace
}  // namespace lwm2m
