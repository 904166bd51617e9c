// SPDX-License-Identifier: Apache-2.0
// The standard objects' saved state: every field survives a round trip, and a record this
// build cannot take changes nothing in any object.
#include "lwm2m/objects/saved_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lwm2m::objects {
namespace {

struct Objects {
  SecurityInstance sec_slots[3];
  ServerInstance srv_slots[2];
  AclInstance acl_slots[3];
  SecurityObject security{sec_slots};
  ServerObject server{srv_slots};
  AccessControlObject acl{acl_slots};
  SecurityRecord sec_record{security};
  ServerRecord srv_record{server};
  AccessControlRecord acl_record{acl};
  StateRecord* records[3] = {&sec_record, &srv_record, &acl_record};

  std::vector<uint8_t> save() {
    std::vector<uint8_t> out(4096);
    auto n = state_format::encode(records, out);
    EXPECT_TRUE(n.ok());
    out.resize(n.ok() ? *n : 0);
    return out;
  }
};

const uint8_t kIdentity[] = {'n', 'o', 'd', 'e'};
const uint8_t kKey[] = {1, 2, 3, 0, 255};

/// A bootstrapped configuration: a bootstrap account, a PSK server, its Server instance
/// with every field off its default, and an ACL instance.
void configure(Objects& o) {
  SecurityConfig bs;
  bs.uri = "coap://bs.example:5783";
  bs.bootstrap = true;
  bs.client_hold_off_s = 3;
  bs.bootstrap_timeout_s = 77;
  ASSERT_TRUE(o.security.add(bs, 0).ok());
  SecurityConfig s;
  s.uri = "coaps://[::1]:5684";
  s.mode = SecurityMode::psk;
  s.identity = kIdentity;
  s.secret_key = kKey;
  s.server_key = {kKey, 2};
  s.short_server_id = 42;
  ASSERT_TRUE(o.security.add(s, 5).ok());
  ServerConfig c;
  c.short_server_id = 42;
  c.lifetime_s = 123;
  c.binding = "UQ";
  c.default_pmin_s = 4;
  c.default_pmax_s = 0;
  c.notification_storing = false;
  c.disable_timeout_s = 9;
  c.bootstrap_on_failure = false;
  c.communication_retry_count = 7;
  c.communication_retry_timer_s = 8;
  c.sequence_delay_timer_s = 10;
  c.sequence_retry_count = 11;
  c.mute_send = true;
  ASSERT_TRUE(o.server.add(c, 3).ok());
  auto a = o.acl.add(3303, 0, 42);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(o.acl.grant(*a, 0, kAccessRead).ok());
  ASSERT_TRUE(o.acl.grant(*a, 42, kAccessAll).ok());
}

TEST(SavedObjects, EveryFieldSurvivesARoundTrip) {
  Objects before;
  configure(before);
  const std::vector<uint8_t> blob = before.save();

  Objects after;
  SecurityConfig factory;  // replaced by the restore
  factory.uri = "coap://factory:5683";
  factory.short_server_id = 1;
  ASSERT_TRUE(after.security.add(factory, 1).ok());
  ASSERT_EQ(state_format::decode(after.records, blob), RestoreResult::restored);

  EXPECT_EQ(after.security.instance_count(), 2u);
  EXPECT_EQ(after.security.instance(1), nullptr);
  const SecurityInstance* bs = after.security.find_bootstrap();
  ASSERT_NE(bs, nullptr);
  EXPECT_EQ(bs->id, 0);
  EXPECT_EQ(bs->uri.str(), "coap://bs.example:5783");
  EXPECT_EQ(bs->client_hold_off_s, 3u);
  EXPECT_EQ(bs->bootstrap_timeout_s, 77u);
  EXPECT_FALSE(bs->has_short_server_id);
  const SecurityInstance* s = after.security.find_server(42);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, 5);
  EXPECT_EQ(s->uri.str(), "coaps://[::1]:5684");
  EXPECT_EQ(s->mode, SecurityMode::psk);
  EXPECT_EQ(std::vector<uint8_t>(s->identity.view().begin(), s->identity.view().end()),
            std::vector<uint8_t>(std::begin(kIdentity), std::end(kIdentity)));
  EXPECT_EQ(std::vector<uint8_t>(s->secret_key.view().begin(), s->secret_key.view().end()),
            std::vector<uint8_t>(std::begin(kKey), std::end(kKey)));
  EXPECT_EQ(s->server_key.size, 2);

  const ServerInstance* srv = after.server.find(42);
  ASSERT_NE(srv, nullptr);
  EXPECT_EQ(srv->id, 3);
  EXPECT_EQ(srv->binding.str(), "UQ");
  EXPECT_EQ(srv->config.lifetime_s, 123u);
  EXPECT_EQ(srv->config.default_pmin_s, 4u);
  EXPECT_TRUE(srv->has_pmin);
  EXPECT_FALSE(srv->has_pmax);
  EXPECT_FALSE(srv->config.notification_storing);
  EXPECT_EQ(srv->config.disable_timeout_s, 9u);
  EXPECT_FALSE(srv->config.bootstrap_on_failure);
  EXPECT_EQ(srv->config.communication_retry_count, 7u);
  EXPECT_EQ(srv->config.communication_retry_timer_s, 8u);
  EXPECT_EQ(srv->config.sequence_delay_timer_s, 10u);
  EXPECT_EQ(srv->config.sequence_retry_count, 11u);
  EXPECT_TRUE(srv->config.mute_send);

  bool governed = false;
  EXPECT_EQ(after.acl.rights(42, 3303, 0, governed), kAccessAll);
  EXPECT_TRUE(governed);
  EXPECT_EQ(after.acl.rights(7, 3303, 0, governed), kAccessRead);
  const AclInstance* a = after.acl.find(3303, 0);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->owner, 42);
  EXPECT_EQ(a->entry_count, 2);

  // Saved again, the restored objects give the same bytes.
  EXPECT_EQ(after.save(), blob);
}

TEST(SavedObjects, AnEmptyConfigurationRoundTrips) {
  Objects empty;
  const std::vector<uint8_t> blob = empty.save();
  Objects after;
  configure(after);
  ASSERT_EQ(state_format::decode(after.records, blob), RestoreResult::restored);
  EXPECT_EQ(after.security.instance_count(), 0u);
  EXPECT_EQ(after.server.instance_count(), 0u);
  EXPECT_EQ(after.acl.instance_count(), 0u);
}

/// Restoring `blob` into configured objects fails and leaves all three as they were.
void expect_untouched_by(const std::vector<uint8_t>& blob) {
  Objects o;
  configure(o);
  const std::vector<uint8_t> before = o.save();
  EXPECT_EQ(state_format::decode(o.records, blob), RestoreResult::bad_record);
  EXPECT_EQ(o.save(), before);
}

TEST(SavedObjects, MoreInstancesThanSlotsRestoreNothing) {
  // Saved by a build with more Server slots: the Security record (first in the blob) would
  // fit, the Server record does not.
  SecurityInstance sec_slots[3];
  ServerInstance srv_slots[3];
  SecurityObject security{sec_slots};
  ServerObject server{srv_slots};
  SecurityConfig s;
  s.uri = "coap://new:5683";
  s.short_server_id = 9;
  ASSERT_TRUE(security.add(s).ok());
  for (uint16_t ssid = 1; ssid <= 3; ++ssid) {
    ServerConfig c;
    c.short_server_id = ssid;
    ASSERT_TRUE(server.add(c).ok());
  }
  SecurityRecord sr{security};
  ServerRecord vr{server};
  StateRecord* records[] = {&sr, &vr};
  std::vector<uint8_t> blob(4096);
  auto n = state_format::encode(records, blob);
  ASSERT_TRUE(n.ok());
  blob.resize(*n);
  expect_untouched_by(blob);
}

TEST(SavedObjects, ALongerFieldThanThisBuildHoldsRestoresNothing) {
  // Hand-made Security record: layout 1, one instance whose URI is one byte too long.
  std::vector<uint8_t> rec = {1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const size_t n = LWM2M_SECURITY_URI_MAX + 1;
  rec.push_back(static_cast<uint8_t>(n));
  rec.push_back(static_cast<uint8_t>(n >> 8));
  rec.insert(rec.end(), n, 'u');
  for (int i = 0; i < 3; ++i)
    rec.insert(rec.end(), {0, 0});
  std::vector<uint8_t> blob = {'L', 'W', 'M', '2', 1, 0, 0, 0};
  const size_t len = 6 + rec.size();
  for (int i = 0; i < 4; ++i)
    blob.push_back(static_cast<uint8_t>(len >> (8 * i)));
  blob.insert(blob.end(), {0, 0});  // record id 0
  for (int i = 0; i < 4; ++i)
    blob.push_back(static_cast<uint8_t>(rec.size() >> (8 * i)));
  blob.insert(blob.end(), rec.begin(), rec.end());
  const uint32_t crc = state_format::crc32(blob);
  for (int i = 0; i < 4; ++i)
    blob.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  expect_untouched_by(blob);

  // The same record with a URI that fits is taken: the test above failed for the length.
  const size_t fits = n - 1;
  rec.erase(rec.begin() + 18, rec.begin() + 19);
  rec[16] = static_cast<uint8_t>(fits);
  rec[17] = static_cast<uint8_t>(fits >> 8);
  Objects o;
  EXPECT_TRUE(o.sec_record.check(rec).ok());
}

TEST(SavedObjects, ANewerRecordLayoutOrBadValuesRestoreNothing) {
  Objects src;
  configure(src);
  std::vector<uint8_t> out(4096);
  auto n = src.sec_record.save(out);
  ASSERT_TRUE(n.ok());
  std::vector<uint8_t> rec(out.begin(), out.begin() + static_cast<ptrdiff_t>(*n));
  Objects o;
  EXPECT_TRUE(o.sec_record.check(rec).ok());
  std::vector<uint8_t> newer = rec;
  newer[0] = 2;
  EXPECT_EQ(o.sec_record.check(newer), Errc::unsupported);
  std::vector<uint8_t> mode = rec;
  mode[5] = 9;  // first instance's Security Mode: out of range
  EXPECT_FALSE(o.sec_record.check(mode).ok());
  std::vector<uint8_t> shorter(rec.begin(), rec.end() - 1);
  EXPECT_FALSE(o.sec_record.check(shorter).ok());
  std::vector<uint8_t> longer = rec;
  longer.push_back(0);
  EXPECT_FALSE(o.sec_record.check(longer).ok());

  auto m = src.srv_record.save(out);
  ASSERT_TRUE(m.ok());
  std::vector<uint8_t> srv(out.begin(), out.begin() + static_cast<ptrdiff_t>(*m));
  EXPECT_TRUE(o.srv_record.check(srv).ok());
  std::vector<uint8_t> binding = srv;
  binding[binding.size() - 1] = 'X';  // "UX": not a binding
  EXPECT_FALSE(o.srv_record.check(binding).ok());
}

TEST(SavedObjects, RepeatedInstanceIdsRestoreNothing) {
  // Two ACL instances, the second given the first one's id.
  Objects src;
  auto a = src.acl.add(3303, 0, 1);
  auto b = src.acl.add(3303, 1, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<uint8_t> out(256);
  auto n = src.acl_record.save(out);
  ASSERT_TRUE(n.ok());
  std::vector<uint8_t> rec(out.begin(), out.begin() + static_cast<ptrdiff_t>(*n));
  Objects o;
  EXPECT_TRUE(o.acl_record.check(rec).ok());
  // Each instance: id, object, instance, owner (u16 each), entry count: 9 bytes.
  rec[2 + 9] = rec[2];
  rec[2 + 9 + 1] = rec[3];
  EXPECT_EQ(o.acl_record.check(rec), Errc::malformed);
}

}  // namespace
}  // namespace lwm2m::objects
