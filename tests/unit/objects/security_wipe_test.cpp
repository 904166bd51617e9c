// SPDX-License-Identifier: Apache-2.0
// The Security object keeps keys in fixed storage: a key replaced by a shorter one or an
// instance deleted leaves none of the old key's bytes there.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "lwm2m/objects/security.hpp"

namespace lwm2m {
namespace {

using Bytes = std::vector<uint8_t>;

bool holds(ByteView hay, const Bytes& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

TEST(SecurityWipe, ASecurityInstanceDeletedOrGivenAShorterKeyLeavesNoOldKeyByte) {
  std::array<objects::SecurityInstance, 2> slots{};
  objects::SecurityObject security(slots);
  const std::string old_key = "0123456789-old-secret";
  objects::SecurityConfig sc;
  sc.uri = "coaps://127.0.0.1:5684";
  sc.mode = objects::SecurityMode::psk;
  sc.identity = as_bytes(std::string_view("node"));
  sc.secret_key = as_bytes(std::string_view(old_key));
  sc.short_server_id = 1;
  ASSERT_TRUE(security.add(sc, 0).ok());
  const auto memory = [&] {
    return ByteView(reinterpret_cast<const uint8_t*>(slots.data()), sizeof slots);
  };
  const Bytes old_bytes(old_key.begin(), old_key.end());
  const Bytes old_tail(old_key.end() - 8, old_key.end());
  ASSERT_TRUE(holds(memory(), old_bytes));

  // A shorter key written over it (as a bootstrap server does): the old tail is gone too.
  ASSERT_TRUE(security.write(0, 5, dm::kInvalidId, dm::Value::opaque(as_bytes("short"))).ok());
  EXPECT_FALSE(holds(memory(), old_tail)) << "the end of the old key lingers";

  ASSERT_TRUE(security.delete_instance(0).ok());
  EXPECT_FALSE(holds(memory(), Bytes{'s', 'h', 'o', 'r', 't'}));
  EXPECT_FALSE(holds(memory(), old_tail));
}

}  // namespace
}  // namespace lwm2m
