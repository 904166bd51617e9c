// SPDX-License-Identifier: Apache-2.0
// The request writer builds an exchange's datagrams, the later ones from the previous one
// parsed again in its buffer, with new block and observe options; every datagram must be
// exactly what the message encoder makes of the same request (the encoder is the oracle).
#include "coap/request_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "support/coap_wire.hpp"

namespace lwm2m::test {
namespace {

using coap::Message;
using coap::OptionNumber;
using coap::RequestHead;
using coap::VaryingOptions;

constexpr size_t kBuf = 2048;

// Stable option numbers around and between the varying ones (6, 23, 27, 60), with
// deltas that need the 1- and 2-byte extended forms.
constexpr uint16_t kStable[] = {1,  3,  4,  5,  7,  8,  11, 12,  14,  15,
                                17, 20, 24, 28, 35, 39, 61, 258, 2000};

struct Case {
  Message stable;  // the stable options, in a random insertion order
  std::vector<std::string> values;
};

void random_stable(std::mt19937& rng, Case& c) {
  c.values.clear();
  c.values.reserve(16);
  std::uniform_int_distribution<int> count(0, 14), pick(0, std::size(kStable) - 1), len(0, 20);
  const int n = count(rng);
  for (int i = 0; i < n; ++i) {
    size_t l = static_cast<size_t>(len(rng));
    if (rng() % 10 == 0) l = 280;  // extended length
    std::string v(l, '\0');
    for (char& ch : v)
      ch = static_cast<char>('a' + rng() % 26);
    c.values.push_back(std::move(v));
    ASSERT_TRUE(
        c.stable.add_string(static_cast<OptionNumber>(kStable[pick(rng)]), c.values.back()).ok());
  }
}

VaryingOptions random_varying(std::mt19937& rng) {
  VaryingOptions v;
  for (size_t s = 0; s < VaryingOptions::kCount; ++s) {
    if (rng() % 2) continue;
    const uint32_t magnitudes[] = {0, 1, 0x80, 0x1234, 0xABCDE, 0x12345678};
    uint32_t value = magnitudes[rng() % std::size(magnitudes)];
    if (s != VaryingOptions::size1) value &= 0xFFFFFF;
    v.set(static_cast<VaryingOptions::Slot>(s), value);
  }
  return v;
}

// What the encoder makes of the same request.
Bytes oracle(const Message& stable, const RequestHead& head, const VaryingOptions& v,
             ByteView payload) {
  Message m = stable;
  m.type = head.type;
  m.code = head.code;
  m.message_id = head.message_id;
  m.token = head.token;
  m.payload = payload;
  for (size_t s = 0; s < VaryingOptions::kCount; ++s) {
    auto slot = static_cast<VaryingOptions::Slot>(s);
    if (!v.has(slot)) continue;
    EXPECT_TRUE(
        m.add_uint(static_cast<OptionNumber>(VaryingOptions::kNumbers[s]), v.get(slot)).ok());
  }
  return encode(m);
}

TEST(RequestWriter, EveryDatagramOfAnExchangeIsWhatTheEncoderMakesOfIt) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    SCOPED_TRACE(round);
    Case c;
    random_stable(rng, c);
    std::string body(rng() % 3 == 0 ? 0 : rng() % 300, 'p');
    RequestHead head{coap::Type::con, coap::codes::fetch, static_cast<uint16_t>(rng()),
                     token({1, 2, static_cast<uint8_t>(round)})};
    VaryingOptions v = random_varying(rng);

    // The first datagram, from the caller's Message: its own Observe/Block options give
    // way to `v`.
    Message request = c.stable;
    request.type = head.type;
    request.code = head.code;
    request.message_id = head.message_id;
    request.token = head.token;
    request.payload = as_bytes(body);
    ASSERT_TRUE(request.add_uint(OptionNumber::block2, 0x7777).ok());
    ASSERT_TRUE(request.add_uint(OptionNumber::observe, 5).ok());
    std::vector<uint8_t> a(kBuf);
    auto n = coap::write_first_request(request, head, &v, request.payload, a);
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(Bytes(a.begin(), a.begin() + static_cast<long>(*n)),
              oracle(c.stable, head, v, as_bytes(body)));

    // Later datagrams, each from the previous one in the same buffer: new options, new
    // MID, and the payload kept (moved within the buffer), replaced or dropped.
    std::string kept = body;
    for (int step = 0; step < 6; ++step) {
      SCOPED_TRACE(step);
      head.message_id = static_cast<uint16_t>(head.message_id + 1);
      v = random_varying(rng);
      std::string fresh(rng() % 200, static_cast<char>('A' + step));
      const int choice = static_cast<int>(rng() % 3);
      const ByteView payload = choice == 1 ? as_bytes(fresh) : ByteView{};
      const Bytes want = oracle(c.stable, head, v, choice == 0 ? as_bytes(kept) : payload);
      // The same in a buffer no larger than the larger of the two datagrams: what is
      // read from the old one must not be overwritten before it is read.
      std::vector<uint8_t> tight(a.begin(), a.begin() + static_cast<long>(*n));
      tight.resize(std::max(tight.size(), want.size()));
      auto tight_n = coap::rewrite_request(tight, *n, head.message_id, head.token, v,
                                           choice == 0 ? nullptr : &payload);
      ASSERT_TRUE(tight_n.ok());
      ASSERT_EQ(Bytes(tight.begin(), tight.begin() + static_cast<long>(*tight_n)), want);

      n = coap::rewrite_request(a, *n, head.message_id, head.token, v,
                                choice == 0 ? nullptr : &payload);
      ASSERT_TRUE(n.ok());
      ASSERT_EQ(Bytes(a.begin(), a.begin() + static_cast<long>(*n)), want);
      if (choice != 0) kept = to_string(payload);
    }
  }
}

// Every size from too small to enough: refused below the exact size, exact from there.
TEST(RequestWriter, TooSmallABufferIsRefused) {
  Message request;
  request.code = coap::codes::get;
  request.token = token({1, 2, 3, 4});
  ASSERT_TRUE(request.add_path(OptionNumber::uri_path, "a/long/enough/path").ok());
  ASSERT_TRUE(request.add_uint(OptionNumber::accept, 11542).ok());
  VaryingOptions v;
  v.set(VaryingOptions::block2, 0x16);
  std::string body = "payload";
  request.payload = as_bytes(body);
  const Bytes want =
      oracle(request, RequestHead{request.type, request.code, 0, request.token}, v, as_bytes(body));
  for (size_t size = 0; size <= want.size(); ++size) {
    std::vector<uint8_t> out(size);
    auto n = coap::write_first_request(request,
                                       RequestHead{request.type, request.code, 0, request.token},
                                       &v, request.payload, out);
    if (size < want.size()) {
      EXPECT_EQ(n.status(), Errc::buffer_too_small) << size;
    } else {
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(out, want);
    }
  }
}

// The next datagram in the same buffer, its own payload moved back behind longer options:
// it fits when the encoder's datagram fits, and is refused when it does not.
TEST(RequestWriter, ANextDatagramInTheSameBufferFitsExactlyWhenTheEncodersDoes) {
  Message request;
  request.code = coap::codes::fetch;
  request.token = token({9, 8, 7, 6});
  ASSERT_TRUE(request.add_path(OptionNumber::uri_path, "3/0").ok());
  ASSERT_TRUE(request.add_uint(OptionNumber::content_format, 112).ok());
  ASSERT_TRUE(request.add_uint(OptionNumber::size2, 0).ok());  // a run after Block1
  std::string body(40, 'b');
  request.payload = as_bytes(body);
  VaryingOptions v;
  v.set(VaryingOptions::observe, 0x123456);
  v.set(VaryingOptions::block2, 0x12345);
  const RequestHead next{request.type, request.code, 2, request.token};
  const Bytes want = oracle(request, next, v, as_bytes(body));
  for (size_t size = 0; size <= want.size(); ++size) {
    SCOPED_TRACE(size);
    std::vector<uint8_t> buf(size);
    const VaryingOptions none;
    auto n = coap::write_first_request(request,
                                       RequestHead{request.type, request.code, 1, request.token},
                                       &none, request.payload, buf);
    if (!n.ok()) {
      EXPECT_EQ(n.status(), Errc::buffer_too_small);
      continue;
    }
    n = coap::rewrite_request(buf, *n, next.message_id, next.token, v, nullptr);
    if (size < want.size()) {
      EXPECT_EQ(n.status(), Errc::buffer_too_small);
    } else {
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(buf, want);
    }
  }
}

}  // namespace
}  // namespace lwm2m::test
