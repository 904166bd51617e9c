// SPDX-License-Identifier: Apache-2.0
// ops::write and ops::partial_update: replace or update, all or nothing.
#include <gtest/gtest.h>

#include "core/client_fixture.hpp"
#include "core/ops/ops_support.hpp"

namespace lwm2m::test {
namespace {

using namespace ops;
namespace codes = coap::codes;

TEST_F(ClientTest, WriteReplaceOfAnInstanceResetsWhatThePayloadLeavesOut) {
  start_and_register();
  // Default pmin is absent until written; a Partial Update may add it.
  ASSERT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/2","v":7}])").code,
            codes::changed);
  ASSERT_EQ(call(codes::get, "/1/0/2").payload, "7");
  // Replacing the instance without resource 2 brings it back to absent.
  Reply r = call(codes::put, "/1/0", {}, kSenmlJson,
                 R"([{"bn":"/1/0/","n":"1","v":300},{"n":"6","vb":true},{"n":"7","vs":"U"}])");
  EXPECT_EQ(r.code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/2").code, codes::not_found);
  EXPECT_EQ(call(codes::get, "/1/0/0").payload, "101");  // the Short Server ID stays
}

TEST_F(ClientTest, PartialUpdateTouchesOnlyWhatItNames) {
  start_and_register();
  Reply r = call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/5","v":60}])");
  EXPECT_EQ(r.code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/5").payload, "60");
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "300");
  // A single resource cannot be partially updated; nor can a missing instance.
  EXPECT_EQ(call(codes::post, "/1/0/1", {}, kText, "5").code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::post, "/1/4", {}, kSenmlJson, "[]").code, codes::not_found);
  EXPECT_EQ(call(codes::post, "/1/0").code, codes::bad_request);  // no payload format
}

// A record outside the Write's target is 4.00 (the payload does not fit the target),
// whether or not the instance it names exists (before, a missing one was 4.04); nothing
// is written.
TEST_F(ClientTest, AWriteRecordOutsideItsTargetIsABadRequest) {
  start_and_register();
  EXPECT_EQ(
      call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/1","v":61},{"n":"/1/7/1","v":60}])")
          .code,
      codes::bad_request);
  EXPECT_EQ(call(codes::put, "/1/0", {}, kSenmlJson,
                 R"([{"n":"/1/0/1","v":61},{"n":"/3/0/15","vs":"Europe/Paris"}])")
                .code,
            codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "300");
}

// SenML and CBOR carry their own number types: a plain integer for an unsigned resource
// reaches the object as the declared type (the decoder converts), and what the declared
// type cannot hold is refused with nothing written.
TEST_F(ClientTest, AWriteOfANumberTypedByTheFormatReachesTheObjectAsTheDeclaredType) {
  start_and_register();
  // /1/0/17 Communication Retry Count is an unsigned integer; SenML's "v":7 an integer.
  EXPECT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/17","v":7}])").code,
            codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/17", kText).payload, "7");
  // A negative number, or one with a fraction, is not an unsigned integer.
  EXPECT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/17","v":-1}])").code,
            codes::bad_request);
  EXPECT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/17","v":2.5}])").code,
            codes::bad_request);
  EXPECT_EQ(call(codes::get, "/1/0/17", kText).payload, "7");
  // CBOR (60), one value: the unsigned 9 into /1/0/1 Lifetime, a (signed) integer.
  EXPECT_EQ(call(codes::put, "/1/0/1", {}, uint16_t{60}, std::string(1, '\x09')).code,
            codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1", kText).payload, "9");
}

TEST_F(ClientTest, TlvWriteIsCheckedWholeThenAppliedAndOtherFormatsFollow) {
  start_and_register();
  // A TLV Write's decoder has a frame of its own (the other formats share the union of
  // decoders): both passes read it, the check and the apply.
  Reply r = call(codes::post, "/1/0", {}, kTlv, std::string("\xC1\x01\x78\xC1\x03\x5A", 6));
  EXPECT_EQ(r.code, codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "120");
  EXPECT_EQ(call(codes::get, "/1/0/3").payload, "90");
  // The second record names a read-only resource: the first is not applied either.
  r = call(codes::post, "/1/0", {}, kTlv, std::string("\xC1\x01\x3C\xC1\x00\x05", 6));
  EXPECT_EQ(r.code, codes::method_not_allowed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "120");
  EXPECT_EQ(call(codes::post, "/1/0", {}, kSenmlJson, R"([{"n":"/1/0/1","v":300}])").code,
            codes::changed);
  EXPECT_EQ(call(codes::get, "/1/0/1").payload, "300");
}

}  // namespace
}  // namespace lwm2m::test
