// SPDX-License-Identifier: Apache-2.0
// The Firmware Update object's state machine (State /5/0/3, Update Result /5/0/5) as the
// LwM2M specification orders it, the image streamed block by block to the sink, and the
// notifications a server observing State and Update Result would get.
#include "lwm2m/objects/firmware_update.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwm2m/dm/registry.hpp"

namespace lwm2m::objects {
namespace {

struct RecordingSink final : FirmwareSink {
  std::vector<uint8_t> image;
  std::vector<std::string> calls;
  UpdateResult fail_open = UpdateResult::initial;
  UpdateResult fail_write = UpdateResult::initial;
  UpdateResult fail_finish = UpdateResult::initial;
  UpdateResult update_answer = UpdateResult::initial;

  UpdateResult open() noexcept override {
    calls.push_back("open");
    image.clear();
    return fail_open;
  }
  UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    calls.push_back("write " + std::to_string(offset) + "+" + std::to_string(bytes.size()));
    if (fail_write != UpdateResult::initial) return fail_write;
    image.resize(offset);
    image.insert(image.end(), bytes.begin(), bytes.end());
    return UpdateResult::initial;
  }
  UpdateResult finish(uint32_t size) noexcept override {
    calls.push_back("finish " + std::to_string(size));
    return fail_finish;
  }
  void discard() noexcept override { calls.push_back("discard"); }
  UpdateResult update() noexcept override {
    calls.push_back("update");
    return update_answer;
  }
};

// What an observing server would be told: the paths reported changed, in order.
struct ChangeLog final : dm::ChangeListener {
  std::vector<std::string> paths;
  void on_value_changed(const dm::Path& p) noexcept override {
    paths.push_back(std::to_string(p.resource()));
  }
  void on_instances_changed(dm::ObjectId) noexcept override {}
};

FirmwareUpdateConfig config(bool push, bool pull) {
  FirmwareUpdateConfig c;
  c.push = push;
  c.pull = pull;
  return c;
}

class FirmwareUpdateTest : public ::testing::Test {
 protected:
  FirmwareUpdateTest() {
    EXPECT_TRUE(registry.add(fw));
    registry.set_listener(&log);
  }

  int state() { return static_cast<int>(fw.state()); }
  int result() { return static_cast<int>(fw.result()); }
  int64_t read_int(dm::ResourceId rid, dm::ResourceInstanceId riid = dm::kInvalidId) {
    auto v = fw.read(0, rid, riid, {});
    EXPECT_TRUE(v) << "read /5/0/" << rid;
    return v ? v->as_integer() : -1;
  }
  // A Write inside a transaction, as the client runs every Write.
  Status write(dm::ResourceId rid, const dm::Value& v) {
    EXPECT_TRUE(fw.transaction_begin());
    Status st = fw.write(0, rid, dm::kInvalidId, v);
    if (st)
      fw.transaction_commit();
    else
      fw.transaction_rollback();
    return st;
  }
  Status block(uint32_t offset, std::string_view bytes, bool more) {
    EXPECT_TRUE(fw.transaction_begin());
    Status st = fw.write_block(0, 0, offset, as_bytes(bytes), more);
    if (st)
      fw.transaction_commit();
    else
      fw.transaction_rollback();
    return st;
  }
  Status push(std::string_view image) { return write(0, dm::Value::opaque(as_bytes(image))); }
  Status write_uri(std::string_view uri) { return write(1, dm::Value::string(uri)); }
  Status update() { return fw.execute(0, 2, {}); }

  RecordingSink sink;
  FirmwareUpdateObject fw{sink, config(true, true)};
  dm::Object* slots[1] = {};
  dm::Registry registry{slots};
  ChangeLog log;
};

TEST_F(FirmwareUpdateTest, StartsIdleWithInitialResultAndAdvertisesCoapCoapsBothMethods) {
  EXPECT_EQ(read_int(3), 0);
  EXPECT_EQ(read_int(5), 0);
  EXPECT_EQ(read_int(9), 2);  // push and pull
  EXPECT_EQ(fw.resource_instance_count(0, 8), 2u);
  EXPECT_EQ(read_int(8, 0), 0);         // CoAP
  EXPECT_EQ(read_int(8, 1), 1);         // CoAPS
  EXPECT_FALSE(fw.has_resource(0, 6));  // no package name configured
  EXPECT_EQ(fw.def().version, "1.1");
}

TEST_F(FirmwareUpdateTest, DeliveryMethodFollowsTheConfiguration) {
  FirmwareUpdateObject push_only{sink, config(true, false)};
  EXPECT_EQ(push_only.read(0, 9, dm::kInvalidId, {})->as_integer(), 1);
  EXPECT_EQ(push_only.resource_instance_count(0, 8), 0u);
  FirmwareUpdateObject pull_only{sink, config(false, true)};
  EXPECT_EQ(pull_only.read(0, 9, dm::kInvalidId, {})->as_integer(), 0);
}

TEST_F(FirmwareUpdateTest, BlocksStreamToTheSinkThenDownloadedThenUpdatingThenIdleWithSuccess) {
  ASSERT_TRUE(block(0, "LWFW", true));
  EXPECT_EQ(state(), 1);  // Downloading
  ASSERT_TRUE(block(4, "abcd", true));
  ASSERT_TRUE(block(8, "xy", false));
  EXPECT_EQ(state(), 2);  // Downloaded
  EXPECT_EQ(result(), 0);
  EXPECT_EQ(std::string(sink.image.begin(), sink.image.end()), "LWFWabcdxy");
  EXPECT_EQ(sink.calls,
            (std::vector<std::string>{"open", "write 0+4", "write 4+4", "write 8+2", "finish 10"}));
  ASSERT_TRUE(update());
  EXPECT_EQ(state(), 3);  // Updating
  EXPECT_EQ(sink.calls.back(), "update");
  ASSERT_TRUE(fw.update_finished(UpdateResult::success));
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 1);
  // Observers were told of each State change and of the Result, State first.
  EXPECT_EQ(log.paths, (std::vector<std::string>{"3", "3", "3", "3", "5"}));
}

TEST_F(FirmwareUpdateTest, UpdateIsNotAllowedOutsideDownloaded) {
  EXPECT_EQ(update().error(), Errc::method_not_allowed);
  ASSERT_TRUE(block(0, "ab", true));
  EXPECT_EQ(update().error(), Errc::method_not_allowed);  // still Downloading
  EXPECT_EQ(state(), 1);
}

TEST_F(FirmwareUpdateTest, AFailedUpdateGoesBackToDownloadedWithResult8) {
  ASSERT_TRUE(push("LWFW-image"));
  ASSERT_TRUE(update());
  ASSERT_TRUE(fw.update_finished(UpdateResult::update_failed));
  EXPECT_EQ(state(), 2);
  EXPECT_EQ(result(), 8);
  EXPECT_EQ(fw.update_finished(UpdateResult::success).error(), Errc::invalid_state);
}

TEST_F(FirmwareUpdateTest, AnUnsupportedPackageAtUpdateGoesIdleWithResult6AndDropsTheImage) {
  ASSERT_TRUE(push("not firmware"));
  sink.update_answer = UpdateResult::unsupported_package;  // the hook refuses at once
  ASSERT_TRUE(update());
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 6);
  EXPECT_EQ(sink.calls.back(), "discard");
}

TEST_F(FirmwareUpdateTest, ANewDownloadResetsTheResultToInitial) {
  ASSERT_TRUE(push("x"));
  ASSERT_TRUE(update());
  ASSERT_TRUE(fw.update_finished(UpdateResult::success));
  ASSERT_EQ(result(), 1);
  ASSERT_TRUE(block(0, "ab", true));
  EXPECT_EQ(state(), 1);
  EXPECT_EQ(result(), 0);
}

TEST_F(FirmwareUpdateTest, EmptyPackageCancelsADownloadAndResets) {
  ASSERT_TRUE(block(0, "abcd", true));
  ASSERT_TRUE(push(""));
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 0);
  EXPECT_EQ(sink.calls.back(), "discard");
  // The rest of the cancelled push is not taken.
  EXPECT_EQ(block(4, "efgh", false).error(), Errc::request_entity_incomplete);
}

TEST_F(FirmwareUpdateTest, ANulPackageOrEmptyUriResetsDownloaded) {
  ASSERT_TRUE(push("image"));
  ASSERT_EQ(state(), 2);
  ASSERT_TRUE(push(std::string_view("\0", 1)));
  EXPECT_EQ(state(), 0);
  ASSERT_TRUE(push("image"));
  ASSERT_TRUE(write_uri(""));
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 0);
}

TEST_F(FirmwareUpdateTest, NoResetWhileUpdating) {
  ASSERT_TRUE(push("image"));
  ASSERT_TRUE(update());
  EXPECT_EQ(push("").error(), Errc::method_not_allowed);
  EXPECT_EQ(write_uri("").error(), Errc::method_not_allowed);
  EXPECT_EQ(state(), 3);
}

TEST_F(FirmwareUpdateTest, SinkFailuresMapToUpdateResultsAndIdle) {
  struct Case {
    UpdateResult r;
    Errc code;
  } cases[] = {{UpdateResult::not_enough_storage, Errc::request_entity_too_large},
               {UpdateResult::out_of_memory, Errc::internal_error},
               {UpdateResult::integrity_failure, Errc::internal_error},
               {UpdateResult::unsupported_package, Errc::internal_error}};
  for (const Case& c : cases) {
    sink.fail_write = c.r;
    ASSERT_TRUE(block(0, "", true));  // an empty first block opens without writing
    EXPECT_EQ(block(4, "abcd", true).error(), Errc::request_entity_incomplete);
    EXPECT_EQ(block(0, "abcd", true).error(), c.code);
    // The result stays although the request failed (the transaction rolled back).
    EXPECT_EQ(state(), 0);
    EXPECT_EQ(static_cast<UpdateResult>(result()), c.r);
  }
  sink.fail_write = UpdateResult::initial;
  sink.fail_finish = UpdateResult::integrity_failure;
  EXPECT_FALSE(push("image"));
  EXPECT_EQ(result(), 5);
  EXPECT_EQ(state(), 0);
}

TEST_F(FirmwareUpdateTest, OutOfOrderBlocksAreIncomplete) {
  ASSERT_TRUE(block(0, "abcd", true));
  EXPECT_EQ(block(8, "ijkl", true).error(), Errc::request_entity_incomplete);
  EXPECT_EQ(state(), 1);  // the push goes on when the right block comes
  ASSERT_TRUE(block(4, "efgh", false));
  EXPECT_EQ(state(), 2);
}

TEST_F(FirmwareUpdateTest, APushStartingOverRestartsTheImage) {
  ASSERT_TRUE(block(0, "abcd", true));
  ASSERT_TRUE(block(0, "wxyz", false));
  EXPECT_EQ(std::string(sink.image.begin(), sink.image.end()), "wxyz");
  EXPECT_EQ(state(), 2);
}

TEST_F(FirmwareUpdateTest, PackageUriStartsADownloadOrFailsWithResult7Or9) {
  ASSERT_TRUE(write_uri("coap://127.0.0.1:5683/fw"));
  EXPECT_EQ(state(), 1);
  EXPECT_EQ(fw.package_uri(), "coap://127.0.0.1:5683/fw");
  ASSERT_TRUE(write_uri(""));
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(fw.package_uri(), "");

  ASSERT_TRUE(write_uri("http://example.org/fw"));
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 9);
  ASSERT_TRUE(write_uri("not a uri"));
  EXPECT_EQ(result(), 7);
  ASSERT_TRUE(write_uri("coap://"));
  EXPECT_EQ(result(), 7);
  EXPECT_EQ(write_uri(std::string(300, 'a')).error(), Errc::bad_request);
  EXPECT_EQ(result(), 7);
}

TEST_F(FirmwareUpdateTest, APullThatFailsGoesIdleWithTheResult) {
  ASSERT_TRUE(write_uri("coaps://example.org/fw"));
  fw.download_failed(UpdateResult::connection_lost);
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(result(), 4);
}

TEST_F(FirmwareUpdateTest, ChangesAreReportedWhenTheRequestEndsNotDuringIt) {
  ASSERT_TRUE(fw.transaction_begin());
  ASSERT_TRUE(fw.write_block(0, 0, 0, as_bytes(std::string_view("ab")), false));
  EXPECT_TRUE(log.paths.empty());
  fw.transaction_commit();
  EXPECT_EQ(log.paths, (std::vector<std::string>{"3"}));
}

TEST_F(FirmwareUpdateTest, ARolledBackUriWriteLeavesIdle) {
  ASSERT_TRUE(fw.transaction_begin());
  ASSERT_TRUE(fw.write(0, 1, dm::kInvalidId, dm::Value::string("coap://h/fw")));
  fw.transaction_rollback();  // another record of the same request failed
  EXPECT_EQ(state(), 0);
  EXPECT_EQ(fw.package_uri(), "");
  EXPECT_EQ(sink.calls.back(), "discard");
}

TEST_F(FirmwareUpdateTest, PushIsRefusedWhenOnlyPullIsConfigured) {
  FirmwareUpdateObject pull_only{sink, config(false, true)};
  EXPECT_FALSE(pull_only.writes_blocks(0, 0));
  EXPECT_EQ(pull_only.write_block(0, 0, 0, {}, true).error(), Errc::method_not_allowed);
}

TEST_F(FirmwareUpdateTest, PulledBlocksGoToTheSinkAndAResumedBlockIsWrittenAgain) {
  ASSERT_TRUE(write_uri("coap://h/fw"));
  auto pull = [&](uint32_t offset, std::string_view bytes, bool more) {
    EXPECT_TRUE(fw.transaction_begin());
    Status st = fw.write_block(0, 1, offset, as_bytes(bytes), more);
    if (st)
      fw.transaction_commit();
    else
      fw.transaction_rollback();
    return st;
  };
  ASSERT_TRUE(pull(0, "LWFW", true));
  ASSERT_TRUE(pull(4, "abcd", true));
  ASSERT_TRUE(pull(4, "abcd", true));  // asked for again after a lost exchange
  EXPECT_EQ(pull(16, "zz", true).error(), Errc::request_entity_incomplete);  // a gap
  ASSERT_TRUE(pull(8, "xy", false));
  EXPECT_EQ(state(), 2);
  EXPECT_EQ(std::string(sink.image.begin(), sink.image.end()), "LWFWabcdxy");
  EXPECT_EQ(sink.calls.back(), "finish 10");
}

TEST_F(FirmwareUpdateTest, APullFailureMapsToItsResult) {
  struct Case {
    Errc why;
    int result;
  } cases[] = {{Errc::timeout, 4}, {Errc::not_found, 7}, {Errc::unsupported, 9}};
  for (const Case& c : cases) {
    ASSERT_TRUE(write_uri("coap://h/fw"));
    fw.write_block_failed(0, 1, c.why);
    EXPECT_EQ(state(), 0);
    EXPECT_EQ(result(), c.result);
  }
  // A pushed block is not a pulled one.
  EXPECT_EQ(fw.write_block(0, 1, 0, {}, false).error(), Errc::method_not_allowed);
}

}  // namespace
}  // namespace lwm2m::objects
