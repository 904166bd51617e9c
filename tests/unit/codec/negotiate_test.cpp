// SPDX-License-Identifier: Apache-2.0
// Content negotiation: which format answers a request, or 4.06.
#include "lwm2m/codec/negotiate.hpp"

#include <gtest/gtest.h>

namespace lwm2m::codec {
namespace {

constexpr uint16_t cf(ContentFormat f) {
  return static_cast<uint16_t>(f);
}

const Target kString{true, dm::DataType::string};
const Target kOpaque{true, dm::DataType::opaque};
const Target kInstance{false, dm::DataType::none};

TEST(Negotiate, DefaultsWithoutAccept) {
  // One value: plain text, or octet-stream for opaque.
  EXPECT_EQ(*choose_format({}, Operation::read, kString, LwM2MVersion::v1_1),
            ContentFormat::text_plain);
  EXPECT_EQ(*choose_format({}, Operation::read, kOpaque, LwM2MVersion::v1_1),
            ContentFormat::octet_stream);
  // Several values: TLV for 1.0 servers, SenML CBOR from 1.1 on.
  EXPECT_EQ(*choose_format({}, Operation::read, kInstance, LwM2MVersion::v1_0),
            ContentFormat::lwm2m_tlv);
  EXPECT_EQ(*choose_format({}, Operation::read, kInstance, LwM2MVersion::v1_1),
            ContentFormat::senml_cbor);
  EXPECT_EQ(*choose_format({}, Operation::read, kInstance, LwM2MVersion::v1_2),
            ContentFormat::senml_cbor);
  EXPECT_EQ(*choose_format({}, Operation::composite, {}, LwM2MVersion::v1_1),
            ContentFormat::senml_cbor);
  EXPECT_EQ(*choose_format({}, Operation::discover, kInstance, LwM2MVersion::v1_1),
            ContentFormat::link_format);
}

TEST(Negotiate, AcceptIsHonouredWhenTheFormatFits) {
  for (ContentFormat f :
       {ContentFormat::lwm2m_tlv, ContentFormat::senml_json, ContentFormat::senml_cbor,
        ContentFormat::lwm2m_cbor, ContentFormat::lwm2m_json}) {
    EXPECT_EQ(*choose_format(cf(f), Operation::read, kInstance, LwM2MVersion::v1_1), f);
    EXPECT_EQ(*choose_format(cf(f), Operation::read, kString, LwM2MVersion::v1_1), f);
  }
  EXPECT_EQ(
      *choose_format(cf(ContentFormat::text_plain), Operation::read, kString, LwM2MVersion::v1_1),
      ContentFormat::text_plain);
  EXPECT_EQ(*choose_format(cf(ContentFormat::cbor), Operation::read, kString, LwM2MVersion::v1_1),
            ContentFormat::cbor);
  EXPECT_EQ(
      *choose_format(cf(ContentFormat::octet_stream), Operation::read, kOpaque, LwM2MVersion::v1_1),
      ContentFormat::octet_stream);
}

TEST(Negotiate, NotAcceptableCases) {
  auto refused = [](std::optional<uint16_t> accept, Operation op, const Target& t) {
    auto r = choose_format(accept, op, t, LwM2MVersion::v1_1);
    return !r.ok() && r.error() == Errc::not_acceptable;
  };
  // Single-value formats for several values.
  EXPECT_TRUE(refused(cf(ContentFormat::text_plain), Operation::read, kInstance));
  EXPECT_TRUE(refused(cf(ContentFormat::cbor), Operation::read, kInstance));
  EXPECT_TRUE(refused(cf(ContentFormat::octet_stream), Operation::read, kInstance));
  // Octet-stream for anything but opaque.
  EXPECT_TRUE(refused(cf(ContentFormat::octet_stream), Operation::read, kString));
  // Composite only in SenML or LwM2M CBOR.
  EXPECT_TRUE(refused(cf(ContentFormat::lwm2m_tlv), Operation::composite, {}));
  EXPECT_TRUE(refused(cf(ContentFormat::text_plain), Operation::composite, {}));
  // Link format is for Discover only, and Discover only answers in link format.
  EXPECT_TRUE(refused(cf(ContentFormat::link_format), Operation::read, kInstance));
  EXPECT_TRUE(refused(cf(ContentFormat::lwm2m_tlv), Operation::discover, kInstance));
  // Unknown formats.
  EXPECT_TRUE(refused(9999, Operation::read, kString));
}

}  // namespace
}  // namespace lwm2m::codec
