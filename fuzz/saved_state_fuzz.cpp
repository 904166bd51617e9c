// SPDX-License-Identifier: Apache-2.0
// Fuzzes restoring a saved state into the Security, Server and Access Control objects. The
// input is wrapped into a blob with a valid header and checksum (so that the records are
// reached, not just the checksum), and also decoded as it is. Whatever is restored must
// save again into a blob that restores to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "lwm2m/objects/saved_state.hpp"

using namespace lwm2m;

namespace {

struct Objects {
  objects::SecurityInstance sec_slots[3];
  objects::ServerInstance srv_slots[2];
  objects::AclInstance acl_slots[3];
  objects::SecurityObject security{sec_slots};
  objects::ServerObject server{srv_slots};
  objects::AccessControlObject acl{acl_slots};
  objects::SecurityRecord sec_record{security};
  objects::ServerRecord srv_record{server};
  objects::AccessControlRecord acl_record{acl};
  StateRecord* records[3] = {&sec_record, &srv_record, &acl_record};

  std::vector<uint8_t> save() {
    std::vector<uint8_t> out(8192);
    auto n = state_format::encode(records, out);
    if (!n) std::abort();  // three slots of each always fit
    out.resize(*n);
    return out;
  }
};

std::vector<uint8_t> wrap(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b = {'L', 'W', 'M', '2', 1, 0, 0, 0};
  for (int i = 0; i < 4; ++i)
    b.push_back(static_cast<uint8_t>(size >> (8 * i)));
  b.insert(b.end(), data, data + size);
  const uint32_t crc = state_format::crc32(b);
  for (int i = 0; i < 4; ++i)
    b.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  return b;
}

void restore_and_compare(ByteView blob) {
  Objects o;
  if (state_format::decode(o.records, blob) != RestoreResult::restored) return;
  const std::vector<uint8_t> saved = o.save();
  Objects again;
  if (state_format::decode(again.records, saved) != RestoreResult::restored) std::abort();
  if (again.save() != saved) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  restore_and_compare({data, size});
  const std::vector<uint8_t> wrapped = wrap(data, size);
  restore_and_compare(wrapped);
  return 0;
}
