// SPDX-License-Identifier: Apache-2.0
// Block-wise transfers (RFC 7959) in both roles. The flows follow the figures of RFC 7959
// §3 (simple GET, early and late negotiation, atomic PUT, PUT with negotiation), with our
// own sizes and payloads.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "coap/engine_fixture.hpp"

namespace lwm2m::test {
namespace {

using coap::BlockOption;
using coap::Message;
using coap::OptionNumber;
using coap::Response;
using coap::Type;
using coap::codes::changed;
using coap::codes::content;
using coap::codes::continue_;
using coap::codes::get;
using coap::codes::put;

class EngineBlockServer : public EngineTest {
 protected:
  void serve_representation(std::string rep) {
    rep_ = std::move(rep);
    server_.serve = [this](const coap::IncomingRequest& req, Response& r) {
      if (req.message.code == get) {
        r.write(rep_);
      } else {
        r.set_code(changed);
      }
    };
  }
  Message block_get(uint16_t mid, std::optional<BlockOption> b2) {
    Message m = request(Type::con, get, mid, token({0x42, static_cast<uint8_t>(mid)}), "big");
    if (b2) {
      EXPECT_TRUE(m.add_uint(OptionNumber::block2, b2->encode()).ok());
    }
    return m;
  }
  /// A Block1 PUT of `data` to /up; each block may carry its own token (§2.5 matches by URI).
  Message block_put(uint16_t mid, BlockOption b1, std::string_view data) {
    Message m = request(Type::con, put, mid, token({0x50, static_cast<uint8_t>(mid)}), "up");
    EXPECT_TRUE(m.add_uint(OptionNumber::block1, b1.encode()).ok());
    m.payload = as_bytes(data);
    return m;
  }
  std::string rep_;
};

// RFC 7959 §3.1 (simple block-wise GET): the first response is block 0 with M=1 at our block
// size; the client then asks for each following block.
TEST_F(EngineBlockServer, LargeGetResponseIsCutIntoBlock2Blocks) {
  start();  // block_size 1024 (SZX 6)
  const std::string rep = make_body(2500);
  serve_representation(rep);

  peer_send(block_get(1, std::nullopt));
  peer_send(block_get(2, BlockOption{1, false, 6}));
  peer_send(block_get(3, BlockOption{2, false, 6}));
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  const uint32_t nums[] = {0, 1, 2};
  const bool more[] = {true, true, false};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].type(), Type::ack);
    EXPECT_EQ(got[i].mid(), i + 1);
    EXPECT_EQ(got[i].code(), content);
    auto b2 = got[i].block2();
    ASSERT_TRUE(b2.has_value());
    EXPECT_EQ(b2->num, nums[i]);
    EXPECT_EQ(b2->more, more[i]);
    EXPECT_EQ(b2->szx, 6);
    EXPECT_TRUE(same_body(got[i].payload(), rep.substr(i * 1024, 1024)));
  }
  EXPECT_EQ(server_.calls.size(), 3u);
}

// RFC 7959 §3.2, early negotiation: the client asks for block 0 at 64 bytes; every block
// comes at the client's (smaller) size.
TEST_F(EngineBlockServer, SmallerBlockSizeOfThePeerIsHonoured) {
  start();
  const std::string rep = make_body(300);
  serve_representation(rep);
  for (uint16_t n = 0; n < 5; ++n)
    peer_send(block_get(static_cast<uint16_t>(10 + n), BlockOption{n, false, 2}));
  auto got = received();
  ASSERT_EQ(got.size(), 5u);
  std::string joined;
  for (size_t i = 0; i < got.size(); ++i) {
    auto b2 = got[i].block2();
    ASSERT_TRUE(b2.has_value());
    EXPECT_EQ(b2->num, i);
    EXPECT_EQ(b2->szx, 2);
    EXPECT_EQ(b2->more, i < 4);
    EXPECT_EQ(got[i].payload().size(), i < 4 ? 64u : 300u - 256u);
    joined += got[i].payload();
  }
  EXPECT_TRUE(same_body(joined, rep));
}

// RFC 7959 §3.2, late negotiation: block 0 at 1024 bytes, then the client switches to 64
// bytes and continues at the same offset (block 16 of 64 bytes = byte 1024).
TEST_F(EngineBlockServer, LateNegotiationContinuesAtTheSameOffset) {
  start();
  const std::string rep = make_body(2000);
  serve_representation(rep);
  peer_send(block_get(1, std::nullopt));
  peer_send(block_get(2, BlockOption{16, false, 2}));
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  auto b2 = got[1].block2();
  ASSERT_TRUE(b2.has_value());
  EXPECT_EQ(b2->num, 16u);
  EXPECT_EQ(b2->szx, 2);
  EXPECT_TRUE(b2->more);
  EXPECT_EQ(got[1].payload(), rep.substr(1024, 64));
}

// RFC 7959 §2.4: a server with a smaller block size answers a larger request with its own
// size; RFC 7959 §4: Size2 in the request asks for the total size.
TEST_F(EngineBlockServer, LargerRequestedSizeGetsOurSizeAndSize2) {
  coap::EngineConfig cfg;
  cfg.block_size = 256;
  start(cfg);
  const std::string rep = make_body(1000);
  serve_representation(rep);
  Message m = block_get(1, BlockOption{0, false, 6});
  ASSERT_TRUE(m.add_uint(OptionNumber::size2, 0).ok());
  peer_send(m);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  auto b2 = got[0].block2();
  ASSERT_TRUE(b2.has_value());
  EXPECT_EQ(b2->num, 0u);
  EXPECT_EQ(b2->szx, 4);
  EXPECT_TRUE(b2->more);
  EXPECT_EQ(got[0].payload(), rep.substr(0, 256));
  EXPECT_EQ(got[0].uint_option(OptionNumber::size2), 1000u);
}

// RFC 7959 §3.2 (simple atomic block-wise PUT): 2.31 Continue echoing Block1 for each
// non-final block, the handler once with the whole body, the final response echoing the
// last Block1 (M=0).
TEST_F(EngineBlockServer, Block1UploadIsReassembled) {
  start();
  serve_representation("");
  const std::string body = make_body(300);
  peer_send(block_put(1, BlockOption{0, true, 3}, std::string_view(body).substr(0, 128)));
  peer_send(block_put(2, BlockOption{1, true, 3}, std::string_view(body).substr(128, 128)));
  EXPECT_TRUE(server_.calls.empty()) << "the handler waits for the whole body";
  peer_send(block_put(3, BlockOption{2, false, 3}, std::string_view(body).substr(256)));

  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].type(), Type::ack);
    EXPECT_EQ(got[i].mid(), i + 1);
    EXPECT_EQ(got[i].tok(), token({0x50, static_cast<uint8_t>(i + 1)}));
    auto b1 = got[i].block1();
    ASSERT_TRUE(b1.has_value()) << i;
    EXPECT_EQ(b1->num, i);
    EXPECT_EQ(b1->szx, 3);
    EXPECT_EQ(b1->more, i < 2);
  }
  EXPECT_EQ(got[0].code(), continue_);
  EXPECT_EQ(got[1].code(), continue_);
  EXPECT_EQ(got[2].code(), changed);
  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_TRUE(same_body(server_.calls[0].body, body));
  EXPECT_EQ(server_.calls[0].path, "up");
}

// A retransmitted block (same MID) is answered from the cache and does not disturb the
// reassembly.
TEST_F(EngineBlockServer, RetransmittedBlockIsAnsweredFromTheCache) {
  start();
  serve_representation("");
  const std::string body = make_body(200);
  const Message b0 = block_put(1, BlockOption{0, true, 3}, std::string_view(body).substr(0, 128));
  peer_send(b0);
  peer_send(b0);
  peer_send(block_put(2, BlockOption{1, false, 3}, std::string_view(body).substr(128)));
  peer_send(b0);
  auto got = received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1].bytes(), got[0].bytes());
  EXPECT_EQ(got[3].bytes(), got[0].bytes());
  EXPECT_EQ(got[2].code(), changed);
  ASSERT_EQ(server_.calls.size(), 1u);
  EXPECT_TRUE(same_body(server_.calls[0].body, body));
}

// RFC 7959 §2.3: a block that does not continue the body (a gap, or no block 0 first)
// gets 4.08 Request Entity Incomplete.
TEST_F(EngineBlockServer, GapGetsRequestEntityIncomplete) {
  start();
  serve_representation("");
  const std::string data = make_body(128);
  peer_send(block_put(1, BlockOption{0, true, 3}, data));
  peer_send(block_put(2, BlockOption{2, true, 3}, data));  // block 1 missing
  peer_send(block_put(3, BlockOption{5, false, 3}, data.substr(0, 10)));
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].code(), continue_);
  EXPECT_EQ(got[1].code(), coap::codes::request_entity_incomplete);
  EXPECT_EQ(got[2].code(), coap::codes::request_entity_incomplete);
  EXPECT_TRUE(server_.calls.empty());
}

TEST_F(EngineBlockServer, FirstBlockMissingGetsRequestEntityIncomplete) {
  start();
  serve_representation("");
  peer_send(block_put(1, BlockOption{1, true, 3}, make_body(128)));
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), coap::codes::request_entity_incomplete);
}

// RFC 7959 §2.9.3/§4: Size1 above what we can take gets 4.13 with our capacity in Size1.
TEST_F(EngineBlockServer, Size1TooLargeGetsEntityTooLarge) {
  start();  // block1_buffer 4096
  serve_representation("");
  const std::string body = make_body(128);  // the message only views its payload
  Message m = block_put(1, BlockOption{0, true, 3}, body);
  ASSERT_TRUE(m.add_uint(OptionNumber::size1, 5000).ok());
  peer_send(m);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), coap::codes::request_entity_too_large);
  EXPECT_EQ(got[0].uint_option(OptionNumber::size1), 4096u);
  EXPECT_TRUE(server_.calls.empty());
}

// A body that outgrows the reassembly buffer (no Size1 announced) gets 4.13 as well.
TEST_F(EngineBlockServer, BodyBeyondTheBufferGetsEntityTooLarge) {
  coap::EngineConfig cfg;
  cfg.block1_buffer = 256;
  start(cfg);
  serve_representation("");
  const std::string data = make_body(128);
  peer_send(block_put(1, BlockOption{0, true, 3}, data));
  peer_send(block_put(2, BlockOption{1, true, 3}, data));
  peer_send(block_put(3, BlockOption{2, true, 3}, data));
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].code(), continue_);
  EXPECT_EQ(got[1].code(), continue_);
  EXPECT_EQ(got[2].code(), coap::codes::request_entity_too_large);
  EXPECT_EQ(got[2].uint_option(OptionNumber::size1), 256u);
  EXPECT_TRUE(server_.calls.empty());
}

// Without a reassembly buffer (block1_buffer 0) no Block1 body fits: every block is
// answered 4.13 with Size1 0, and a malformed Block1 option 4.00; the handler never runs.
TEST_F(EngineBlockServer, NoReassemblyBufferRefusesEveryBlock) {
  coap::EngineConfig cfg;
  cfg.block1_buffer = 0;
  start(cfg);
  serve_representation("");
  const std::string data = make_body(128);
  peer_send(block_put(1, BlockOption{0, true, 3}, data));
  peer_send(block_put(2, BlockOption{0, false, 3}, "short"));
  Message bad = request(Type::con, put, 3, token({3}), "r");
  ASSERT_TRUE(bad.add_uint(OptionNumber::block1, 0x0F).ok());  // SZX 7 is reserved
  peer_send(bad);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got[i].code(), coap::codes::request_entity_too_large) << i;
    EXPECT_EQ(got[i].uint_option(OptionNumber::size1), 0u) << i;
  }
  EXPECT_EQ(got[2].code(), coap::codes::bad_request);
  EXPECT_TRUE(server_.calls.empty());
}

// RFC 7959 §2.3: a non-final block whose payload is not the block size is a bad request.
TEST_F(EngineBlockServer, BlockPayloadSizeMismatchGetsBadRequest) {
  start();
  serve_representation("");
  peer_send(block_put(1, BlockOption{0, true, 3}, make_body(100)));
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].code(), coap::codes::bad_request);
  EXPECT_TRUE(server_.calls.empty());
}

// ---- client role ----------------------------------------------------------------------

class EngineBlockClient : public EngineTest {
 protected:
  /// Peer P plays a server taking Block1 uploads: 2.31 echoing each non-final block
  /// (optionally at a smaller SZX), 2.04 for the last; it records the reassembled body.
  void accept_uploads(std::optional<uint8_t> prefer_szx = std::nullopt) {
    peer_.on_receive = [this, prefer_szx](ScriptedPeer& self, const ScriptedPeer::Received& r) {
      Parsed p(r.bytes);
      auto b1 = p.block1();
      if (!b1) return;
      if (b1->offset() != uploaded_.size()) uploaded_gap_ = true;
      uploaded_ += p.payload();
      Message m = response(Type::ack, b1->more ? continue_ : changed, p.mid(), p.tok());
      BlockOption echo = *b1;
      if (prefer_szx && *prefer_szx < echo.szx) {
        // RFC 7959 §2.5: the server asks for smaller blocks; the block number of the echo
        // is in the new size (Figure "PUT with negotiation": 1:0/1/128 -> 1:0/1/32).
        echo.num = b1->offset() / (1u << (*prefer_szx + 4));
        echo.szx = *prefer_szx;
      }
      (void)m.add_uint(OptionNumber::block1, echo.encode());
      self.send(E, encode(m));
    };
  }
  /// Peer P serves `rep` block-wise at `szx` (or the client's smaller one).
  void serve_blocks(const std::string& rep, uint8_t szx) {
    peer_.on_receive = [&rep, szx, this](ScriptedPeer& self, const ScriptedPeer::Received& r) {
      Parsed p(r.bytes);
      if (!p.code().is_request()) return;
      BlockOption want{0, false, szx};
      if (auto b2 = p.block2()) {
        want = *b2;
        if (want.szx > szx) {
          want.num = want.offset() / (1u << (szx + 4));
          want.szx = szx;
        }
      }
      Message m = response(Type::ack, content, p.mid(), p.tok());
      const size_t off = want.offset();
      want.more = off + want.size() < rep.size();
      (void)m.add_uint(OptionNumber::block2, want.encode());
      m.payload = as_bytes(std::string_view(rep).substr(off, want.size()));
      self.send(E, encode(m));
      ++served_;
    };
  }
  std::string uploaded_;
  bool uploaded_gap_ = false;
  int served_ = 0;
};

// RFC 7959 §2.5/§3.2: a 3 KiB payload goes out as Block1 blocks of our size, each one after
// the 2.31 of the previous; Size1 announces the total (§4); only the final response reaches
// the handler.
TEST_F(EngineBlockClient, LargePayloadIsUploadedWithBlock1) {
  start();  // block_size 1024
  accept_uploads();
  const std::string body = make_body(3072);
  Message m;
  m.code = put;
  ASSERT_TRUE(m.add_path(OptionNumber::uri_path, "fw").ok());
  m.payload = as_bytes(body);
  ASSERT_TRUE(engine().send_request(P, m, client_, now()).ok());
  run_for(10s);

  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].type(), Type::con);
    EXPECT_EQ(got[i].code(), put);
    EXPECT_EQ(got[i].path(), "fw");
    auto b1 = got[i].block1();
    ASSERT_TRUE(b1.has_value());
    EXPECT_EQ(b1->num, i);
    EXPECT_EQ(b1->szx, 6);
    EXPECT_EQ(b1->more, i < 2);
    EXPECT_TRUE(same_body(got[i].payload(), body.substr(i * 1024, 1024)));
    if (i > 0) {
      EXPECT_NE(got[i].mid(), got[i - 1].mid());
    }
  }
  EXPECT_EQ(got[0].uint_option(OptionNumber::size1), 3072u);
  EXPECT_TRUE(same_body(uploaded_, body));
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].code, changed);
  EXPECT_TRUE(client_.events[0].final);
  EXPECT_EQ(engine().next_deadline(), kNever);
}

// RFC 7959 §2.5 and §3.2 Figure "PUT with negotiation": the server answers block 0 (1024
// bytes) with a smaller SZX; the client continues right after what it sent, in the new
// size: block 4 of 256 bytes (byte 1024), not block 1.
TEST_F(EngineBlockClient, Block1HonoursTheServersSmallerSize) {
  start();
  accept_uploads(/*prefer_szx=*/4);
  const std::string body = make_body(3072);
  Message m;
  m.code = put;
  ASSERT_TRUE(m.add_path(OptionNumber::uri_path, "fw").ok());
  m.payload = as_bytes(body);
  ASSERT_TRUE(engine().send_request(P, m, client_, now()).ok());
  run_for(30s);

  auto got = received();
  ASSERT_GE(got.size(), 2u);
  auto second = got[1].block1();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->num, 4u);
  EXPECT_EQ(second->szx, 4);
  EXPECT_TRUE(same_body(got[1].payload(), body.substr(1024, 256)));
  EXPECT_EQ(got.size(), 1u + (3072u - 1024u) / 256u);
  EXPECT_FALSE(uploaded_gap_);
  EXPECT_TRUE(same_body(uploaded_, body));
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_EQ(client_.events[0].code, changed);
}

// RFC 7959 §2.4/§3.1: a response with Block2 M=1 makes the engine ask for the following
// blocks (same request, Block2 num+1); the handler sees every block, final only on the last.
TEST_F(EngineBlockClient, Block2ResponseIsFetchedBlockByBlock) {
  start();
  const std::string rep = make_body(2500);
  serve_blocks(rep, 6);
  const coap::RequestId id = send_get("big", P);
  run_for(10s);

  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].block2().has_value());
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(got[i].code(), get);
    EXPECT_EQ(got[i].path(), "big");
    auto b2 = got[i].block2();
    ASSERT_TRUE(b2.has_value());
    EXPECT_EQ(b2->num, i);
    EXPECT_EQ(b2->szx, 6);
    EXPECT_FALSE(b2->more);
  }
  ASSERT_EQ(client_.events.size(), 3u);
  std::string joined;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(client_.events[i].id, id);
    EXPECT_EQ(client_.events[i].final, i == 2);
    ASSERT_TRUE(client_.events[i].block2.has_value());
    EXPECT_EQ(client_.events[i].block2->num, i);
    joined += client_.events[i].payload;
  }
  EXPECT_TRUE(same_body(joined, rep));
  EXPECT_FALSE(engine().active(id));
}

// The server's smaller block size is kept for the following requests (§2.4).
TEST_F(EngineBlockClient, Block2FollowsTheServersBlockSize) {
  start();
  const std::string rep = make_body(700);
  serve_blocks(rep, 4);  // 256-byte blocks
  send_get("big", P);
  run_for(10s);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 1; i < 3; ++i) {
    auto b2 = got[i].block2();
    ASSERT_TRUE(b2.has_value());
    EXPECT_EQ(b2->num, i);
    EXPECT_EQ(b2->szx, 4);
  }
  std::string joined;
  for (const auto& e : client_.events)
    joined += e.payload;
  EXPECT_TRUE(same_body(joined, rep));
  EXPECT_TRUE(client_.done());
}

// follow_block2 = false: the first block is the final answer; the caller fetches the rest.
TEST_F(EngineBlockClient, Block2NotFollowedWhenDisabled) {
  start();
  const std::string rep = make_body(2500);
  serve_blocks(rep, 6);
  coap::RequestOptions opts;
  opts.follow_block2 = false;
  send_get("big", P, opts);
  run_for(10s);
  EXPECT_EQ(received().size(), 1u);
  ASSERT_EQ(client_.events.size(), 1u);
  EXPECT_TRUE(client_.events[0].final);
  ASSERT_TRUE(client_.events[0].block2.has_value());
  EXPECT_TRUE(client_.events[0].block2->more);
}

// A FETCH's body says what the response holds (RFC 8132), so every request for a further
// Block2 block carries it again, with the same options (RFC 7959 §2.4); an empty FETCH
// would ask for something else.
TEST_F(EngineBlockClient, Block2FollowOfFetchRepeatsTheBody) {
  start();
  const std::string rep = make_body(2500);
  serve_blocks(rep, 6);
  Message fetch;
  fetch.code = coap::codes::fetch;
  ASSERT_TRUE(fetch.add_uint(OptionNumber::content_format, 11060).ok());  // SenML CBOR paths
  const std::string selector("\x82\xa1\x00\x64/3/0\xa1\x00\x64/1/0", 15);
  fetch.payload = as_bytes(selector);
  ASSERT_TRUE(engine().send_request(P, fetch, client_, now()).ok());
  run_for(10s);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].code(), coap::codes::fetch);
    EXPECT_EQ(got[i].payload(), selector) << "request " << i;
    EXPECT_EQ(got[i].uint_option(OptionNumber::content_format), 11060u);
  }
  ASSERT_EQ(client_.events.size(), 3u);
  EXPECT_TRUE(client_.events[2].final);
}

// ---- both roles over a lossy link --------------------------------------------------------

// A client Engine uploads 3 KiB and downloads 5000 bytes from a server Engine over a link
// that drops, duplicates, delays and reorders datagrams. Several fixed seeds.
TEST(EngineBlockLossy, TransfersCompleteBetweenTwoEngines) {
  const std::string upload = make_body(3072, 1);
  const std::string download = make_body(5000, 2);
  for (uint64_t seed : {3u, 17u, 2024u, 99991u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    SimNet net(seed, from_millis(0));
    XorShiftRandom client_rng(seed * 7 + 1), server_rng(seed * 13 + 5);
    RecordingRequestHandler server_app(net);
    server_app.serve = [&](const coap::IncomingRequest& req, Response& r) {
      if (req.message.code == put) {
        r.set_code(changed);
      } else {
        r.write(download);
      }
    };
    coap::Engine client(coap::EngineConfig{}, client_rng, nullptr);
    coap::Engine server(coap::EngineConfig{}, server_rng, &server_app);
    SansIoNode<coap::Engine> cn(client), sn(server);
    const NodeId C = net.add(cn);
    const NodeId S = net.add(sn);
    net.set_link({.drop_permille = 100,
                  .duplicate_permille = 150,
                  .reorder_permille = 150,
                  .latency = 10ms,
                  .jitter = 300ms,
                  .reorder_delay = 1200ms});
    RecordingResponseHandler results(net);

    Message up;
    up.code = put;
    ASSERT_TRUE(up.add_path(OptionNumber::uri_path, "up").ok());
    up.payload = as_bytes(upload);
    ASSERT_TRUE(client.send_request(S, up, results, net.now()).ok());
    ASSERT_TRUE(net.run_until([&] { return results.done(); }, net.now() + 600s));
    ASSERT_EQ(results.events.size(), 1u);
    ASSERT_FALSE(results.events[0].is_error) << to_string(results.events[0].error);
    EXPECT_EQ(results.events[0].code, changed);
    ASSERT_EQ(server_app.calls.size(), 1u);
    EXPECT_TRUE(same_body(server_app.calls[0].body, upload));

    results.events.clear();
    Message down;
    down.code = get;
    ASSERT_TRUE(down.add_path(OptionNumber::uri_path, "down").ok());
    ASSERT_TRUE(client.send_request(S, down, results, net.now()).ok());
    ASSERT_TRUE(net.run_until([&] { return results.done(); }, net.now() + 600s));
    std::string joined;
    for (const auto& e : results.events) {
      ASSERT_FALSE(e.is_error) << to_string(e.error);
      joined += e.payload;
    }
    EXPECT_TRUE(same_body(joined, download));
    EXPECT_EQ(std::count_if(results.events.begin(), results.events.end(),
                            [](const auto& e) { return e.final; }),
              1);

    // The link really was hostile.
    size_t dropped = 0, duplicated = 0;
    for (const WireRecord& r : net.trace()) {
      dropped += r.dropped;
      duplicated += r.duplicated;
    }
    EXPECT_GT(dropped + duplicated, 0u);
    (void)C;
  }
}

}  // namespace
}  // namespace lwm2m::test
