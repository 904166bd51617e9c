// SPDX-License-Identifier: Apache-2.0
// The Firmware Update object's descriptor (OMA object 5, version 1.1: resources 0-9), kept
// apart from the object's code so that a descriptor generated from the OMA DDF can take
// its place.
#include "lwm2m/objects/firmware_update.hpp"

namespace lwm2m::objects {
namespace {

using dm::DataType;
using dm::Operations;
using dm::ResourceDef;

constexpr ResourceDef kResources[] = {
    {0, DataType::opaque, Operations::write, false, true, "Package"},
    {1, DataType::string, Operations::read_write, false, true, "Package URI"},
    {2, DataType::none, Operations::execute, false, true, "Update"},
    {3, DataType::integer, Operations::read, false, true, "State"},
    {5, DataType::integer, Operations::read, false, true, "Update Result"},
    {6, DataType::string, Operations::read, false, false, "PkgName"},
    {7, DataType::string, Operations::read, false, false, "PkgVersion"},
    {8, DataType::integer, Operations::read, true, false, "Firmware Update Protocol Support"},
    {9, DataType::integer, Operations::read, false, true, "Firmware Update Delivery Method"},
};

constexpr dm::ObjectDef kDef{5, "1.1", false, false, kResources, "Firmware Update"};

}  // namespace

const dm::ObjectDef& firmware_update_object_def() noexcept {
  return kDef;
}

}  // namespace lwm2m::objects
