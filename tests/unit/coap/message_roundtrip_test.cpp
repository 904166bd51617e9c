// SPDX-License-Identifier: Apache-2.0
// Round trips of the CoAP message codec at the edges of the option format (RFC 7252 §3.1):
// whatever parse() accepts, encode() must reproduce byte for byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "lwm2m/coap/message.hpp"

namespace lwm2m::coap {
namespace {

// A CON GET whose one Uri-Path option is `length` bytes of 'a'. Lengths from 269 on take
// the 2-byte extended form (nibble 14, value - 269).
std::vector<uint8_t> get_with_path_of(size_t length) {
  std::vector<uint8_t> d = {0x40, 0x01, 0x00, 0x01};
  if (length < 13) {
    d.push_back(static_cast<uint8_t>(0xB0 | length));
  } else if (length < 269) {
    d.push_back(0xBD);
    d.push_back(static_cast<uint8_t>(length - 13));
  } else {
    d.push_back(0xBE);
    d.push_back(static_cast<uint8_t>((length - 269) >> 8));
    d.push_back(static_cast<uint8_t>(length - 269));
  }
  d.insert(d.end(), length, 'a');
  return d;
}

TEST(MessageRoundTrip, OptionLengthsAtEveryEncodingBoundaryReencodeExactly) {
  // 65535 is the largest length an Option holds; 65267..65535 used to be refused by
  // encode() although parse() accepted them (found by fuzz_coap_message).
  for (size_t length : {0u, 12u, 13u, 268u, 269u, 1024u, 65266u, 65267u, 65300u, 65535u}) {
    SCOPED_TRACE(length);
    const std::vector<uint8_t> wire = get_with_path_of(length);
    Message m;
    ASSERT_EQ(parse({wire.data(), wire.size()}, m), ParseError::none);
    ASSERT_EQ(m.options().size(), 1u);
    EXPECT_EQ(m.options()[0].length, length);
    EXPECT_EQ(encoded_size(m), wire.size());
    std::vector<uint8_t> out(wire.size());
    auto n = encode(m, {out.data(), out.size()});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, wire.size());
    EXPECT_TRUE(out == wire);
  }
}

// RFC 7252 §3.1: a nibble of 15 outside the payload marker is a format error; an
// extended delta or length needs its one (nibble 13) or two (nibble 14) bytes.
TEST(MessageRoundTrip, BadOptionNibblesAndShortExtendedFieldsAreRefused) {
  struct Case {
    std::vector<uint8_t> wire;
    ParseError want;
  };
  const Case cases[] = {
      {{0x40, 0x01, 0x00, 0x01, 0xF1, 'a'}, ParseError::bad_option_nibble},       // delta 15
      {{0x40, 0x01, 0x00, 0x01, 0xBF, 'a'}, ParseError::bad_option_nibble},       // length 15
      {{0x40, 0x01, 0x00, 0x01, 0xD0}, ParseError::option_overrun},               // delta 13
      {{0x40, 0x01, 0x00, 0x01, 0xE0, 0x00}, ParseError::option_overrun},         // delta 14
      {{0x40, 0x01, 0x00, 0x01, 0xBD}, ParseError::option_overrun},               // length 13
      {{0x40, 0x01, 0x00, 0x01, 0xBE, 0x00}, ParseError::option_overrun},         // length 14
      {{0x40, 0x01, 0x00, 0x01, 0xD1, 0x02, 'a'}, ParseError::none},              // option 15
      {{0x40, 0x01, 0x00, 0x01, 0xE0, 0x01, 0x00, 0xFF, 'p'}, ParseError::none},  // option 525
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.wire));
    Message m;
    EXPECT_EQ(parse({c.wire.data(), c.wire.size()}, m), c.want);
  }
  Message m;
  const std::vector<uint8_t> extended = {0x40, 0x01, 0x00, 0x01, 0xD1, 0x02, 'a', 0xE0, 0x00, 0x00};
  ASSERT_EQ(parse({extended.data(), extended.size()}, m), ParseError::none);
  ASSERT_EQ(m.options().size(), 2u);
  EXPECT_EQ(m.options()[0].number, 15u);  // 13 + 2
  EXPECT_EQ(m.options()[0].string(), "a");
  EXPECT_EQ(m.options()[1].number, 15u + 269u);  // 269 + 0
}

TEST(MessageRoundTrip, LargestOptionNumberDeltaReencodesExactly) {
  // Option 65535 (elective, unknown) right after the header: delta 65535 = 269 + 65266.
  const std::vector<uint8_t> wire = {0x50, 0x45, 0x00, 0x02, 0xE1, 0xFE, 0xF2, 0x07};
  Message m;
  ASSERT_EQ(parse({wire.data(), wire.size()}, m), ParseError::none);
  ASSERT_EQ(m.options().size(), 1u);
  EXPECT_EQ(m.options()[0].number, 65535u);
  std::vector<uint8_t> out(wire.size());
  auto n = encode(m, {out.data(), out.size()});
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(out == wire);
}

// A payload written at the end of the output buffer before the options were known (as the
// engine writes a response's payload block) comes out intact even when the header and
// options take most of the buffer.
TEST(MessageEncode, PayloadAlreadyAtTheEndOfTheOutputIsNotOverwrittenByTheOptions) {
  std::vector<uint8_t> out(96, 0);
  const std::string payload = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::memcpy(out.data() + out.size() - payload.size(), payload.data(), payload.size());
  Message m;
  m.type = Type::ack;
  m.code = codes::content;
  m.message_id = 7;
  const uint8_t tok[] = {1, 2, 3, 4, 5, 6, 7, 8};
  m.token = Token::from({tok, sizeof tok});
  const std::string a(20, 'a'), b(20, 'b');
  ASSERT_TRUE(m.add_string(OptionNumber::location_path, a).ok());
  ASSERT_TRUE(m.add_string(OptionNumber::location_path, b).ok());
  m.payload = {out.data() + out.size() - payload.size(), payload.size()};

  auto n = encode(m, {out.data(), out.size()});
  ASSERT_TRUE(n.ok());
  Message back;
  ASSERT_EQ(parse({out.data(), *n}, back), ParseError::none);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(back.payload.data()), back.payload.size()),
            payload);
  std::string_view paths[2];
  ASSERT_EQ(back.strings(OptionNumber::location_path, paths), 2u);
  EXPECT_EQ(paths[0], a);
  EXPECT_EQ(paths[1], b);

  // One byte too few for the options and the payload: refused, not truncated.
  m.payload = {out.data() + out.size() - payload.size(), payload.size()};
  EXPECT_EQ(encode(m, {out.data(), *n - 1}).error(), Errc::buffer_too_small);
  m.payload = {out.data() + out.size() - 60, 60};
  EXPECT_EQ(encode(m, {out.data(), out.size()}).error(), Errc::buffer_too_small);
}

// A copy keeps options of its own: each message's options lie in its own table, so the
// copy's must not be the original's (changed or gone after the copy).
TEST(MessageCopy, CopyAndAssignmentHoldTheirOwnOptions) {
  Message a;
  a.code = codes::put;
  a.message_id = 0x1234;
  ASSERT_TRUE(a.add_path(OptionNumber::uri_path, "3/0/15").ok());
  ASSERT_TRUE(a.add_uint(OptionNumber::content_format, 0).ok());
  const std::string body = "Europe/Paris";
  a.payload = as_bytes(body);
  std::vector<uint8_t> before(encoded_size(a));
  ASSERT_TRUE(encode(a, {before.data(), before.size()}).ok());

  Message copied = a;
  Message assigned;
  ASSERT_TRUE(assigned.add_string(OptionNumber::uri_query, "pmax=60").ok());
  assigned = a;
  a.clear_options();
  ASSERT_TRUE(a.add_string(OptionNumber::uri_path, "xxxx").ok());
  ASSERT_TRUE(a.add_string(OptionNumber::uri_path, "yyyy").ok());

  for (const Message* m : {&copied, &assigned}) {
    ASSERT_EQ(m->options().size(), 4u);
    std::vector<uint8_t> after(encoded_size(*m));
    ASSERT_TRUE(encode(*m, {after.data(), after.size()}).ok());
    EXPECT_EQ(after, before);
  }
}

// A message holds as many options as its type says: a datagram with more does not parse
// into it, and adding one more is refused.
TEST(MessageCapacity, SmallerMessageRefusesTheOptionPastItsTable) {
  const std::vector<uint8_t> d = {0x40, 0x01, 0x00, 0x01, 0xB1, 'a', 0x01, 'b', 0x01, 'c'};
  Message big;
  ASSERT_EQ(parse({d.data(), d.size()}, big), ParseError::none);
  EXPECT_EQ(big.options().size(), 3u);
  BasicMessage<2> small;
  EXPECT_EQ(small.option_capacity(), 2u);
  EXPECT_EQ(parse({d.data(), d.size()}, small), ParseError::too_many_options);
  small.clear_options();
  ASSERT_TRUE(small.add_string(OptionNumber::uri_path, "a").ok());
  ASSERT_TRUE(small.add_string(OptionNumber::uri_path, "b").ok());
  EXPECT_EQ(small.add_string(OptionNumber::uri_path, "c").error(), Errc::no_space);
  EXPECT_EQ(small.options().size(), 2u);
}

}  // namespace
}  // namespace lwm2m::coap
