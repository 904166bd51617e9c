// SPDX-License-Identifier: Apache-2.0
// Our engine as a CoAP server on loopback; libcoap's coap-client as the independent client.
// Each test asserts on what coap-client printed, on what libcoap logged it received from us
// (its own decoding of our bytes), and on what our server application saw.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwm2m/coap/engine.hpp"
#include "support/fixture.hpp"

namespace lwm2m::interop {
namespace {

using namespace std::chrono_literals;

constexpr size_t kBigSize = 3072;

std::string path_of(const coap::Message& m) {
  std::string path;
  for (const coap::Option& o : m.options()) {
    if (o.number != static_cast<uint16_t>(coap::OptionNumber::uri_path)) continue;
    if (!path.empty()) path += '/';
    path += o.string();
  }
  return path;
}

/// The server application: a handful of resources, and a record of every request.
class Resources final : public coap::RequestHandler {
 public:
  struct Seen {
    coap::Type type;
    coap::Code code;
    uint16_t mid;
    std::string path;
    std::string body;
    std::optional<coap::BlockOption> block2;
    bool observe_register;
    bool observe_deregister;
  };

  std::vector<Seen> seen;
  std::optional<std::string> store;   // /store
  std::optional<std::string> upload;  // /upload, the last complete body
  const std::string big = test_body(kBigSize, 1);
  const std::string expected_upload = test_body(kBigSize, 2);

  // /obs: an observable counter that changes every kObsPeriod.
  static constexpr Duration kObsPeriod{200};
  coap::Engine* engine = nullptr;
  coap::ObservationId relation;
  uint32_t counter = 0;
  TimePoint last_change{};
  std::vector<uint32_t> notified;  // counter values sent as notifications
  std::vector<Errc> relation_ended;

  static std::string counter_text(uint32_t v) { return "[" + std::to_string(v) + "]"; }

  void on_request(const coap::IncomingRequest& req, coap::Response& resp) noexcept override {
    const coap::Message& m = req.message;
    const std::string path = path_of(m);
    seen.push_back(Seen{m.type, m.code, m.message_id, path, std::string(as_string(req.body)),
                        m.block(coap::OptionNumber::block2), req.observe_register,
                        req.observe_deregister});
    const bool get = m.code == coap::codes::get;
    if (path == "hello" && get) {
      (void)resp.set_content_format(0);
      resp.write("Hello from lwm2m");
    } else if (path == "store") {
      if (get && store) {
        resp.write(*store);
      } else if (get) {
        resp.set_code(coap::codes::not_found);
      } else if (m.code == coap::codes::put) {
        store = std::string(as_string(req.body));
        resp.set_code(coap::codes::changed);
      } else if (m.code == coap::codes::post) {
        store = std::string(as_string(req.body));
        resp.set_code(coap::codes::created);
        (void)resp.message().add_string(coap::OptionNumber::location_path, "store");
      } else if (m.code == coap::codes::del) {
        store.reset();
        resp.set_code(coap::codes::deleted);
      }
    } else if (path == "big" && get) {
      (void)resp.set_content_format(42);  // application/octet-stream
      resp.write(big);
    } else if (path == "upload" && m.code == coap::codes::put) {
      upload = std::string(as_string(req.body));
      if (*upload == expected_upload) {
        resp.set_code(coap::codes::changed);
      } else {
        resp.set_code(coap::codes::bad_request);
        resp.write("body differs");
      }
    } else if (path == "obs" && get) {
      if (req.observe_register) {
        auto id = resp.accept_observe(7);
        if (id.ok()) relation = *id;
      }
      resp.write(counter_text(counter));
    } else {
      resp.set_code(coap::codes::not_found);
    }
  }

  void on_observe_cancelled(coap::ObservationId, uint32_t, Errc reason) noexcept override {
    relation_ended.push_back(reason);
  }

  /// Changes /obs every kObsPeriod and notifies: two NON notifications, then a CON one.
  void tick(TimePoint now) {
    if (!engine || !engine->observing(relation) || now - last_change < kObsPeriod) return;
    last_change = now;
    ++counter;
    const bool con = counter % 3 == 0;
    const uint32_t value = counter;
    auto st = engine->notify(relation, con, now,
                             [&](coap::Response& r) { r.write(counter_text(value)); });
    if (st.ok()) notified.push_back(value);
  }
};

class ServerRole : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = make_work_dir(LWM2M_INTEROP_WORK_DIR);
    engine_ = std::make_unique<coap::Engine>(coap::EngineConfig{}, rng_, &resources_);
    ASSERT_TRUE(engine_->valid());
    resources_.engine = engine_.get();
    auto socket = posix::UdpSocket::open(0);
    ASSERT_TRUE(socket.ok());
    driver_ = std::make_unique<UdpDriver>(*engine_, std::move(*socket));
    driver_->on_tick = [this](TimePoint now) { resources_.tick(now); };
  }

  void TearDown() override {
    if (!HasFailure()) return;
    std::fprintf(stderr, "our endpoint's datagrams:\n%s\n%s\nfiles in %s\n",
                 driver_ ? driver_->trace().c_str() : "", report(last_run_).c_str(), work_.c_str());
  }

  std::string uri(const std::string& path) const {
    return "coap://127.0.0.1:" + std::to_string(driver_->local_port()) + "/" + path;
  }

  /// Runs coap-client with `args` against `path` while our engine serves, then lets the
  /// engine process what is still in flight.
  ProgramRun client(std::vector<std::string> args, const std::string& path,
                    Duration timeout = 20s) {
    std::vector<std::string> argv = {coap_client_program(), "-v", "7", "-B", "10", "-o",
                                     work_ + "/output"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(uri(path));
    std::remove((work_ + "/output").c_str());
    ProgramRun run;
    auto child = Subprocess::start(argv, work_ + "/client.log", work_ + "/client.err");
    EXPECT_TRUE(child.has_value()) << "cannot start " << argv[0];
    if (child) {
      const bool exited = driver_->run_until([&] { return !child->running(); }, timeout);
      child->stop();
      if (exited) run.exit_code = child->exit_code();
      driver_->run_for(50ms);
    }
    run.log = read_file(work_ + "/client.log");
    run.errors = read_file(work_ + "/client.err");
    run.output = read_file(work_ + "/output");
    run.pdus = parse_libcoap_log(run.log);
    last_run_ = run;
    return run;
  }

  /// libcoap's PDUs received from us that carry a response (not empty ACKs).
  static std::vector<LibcoapPdu> responses(const ProgramRun& run) {
    std::vector<LibcoapPdu> out;
    for (const LibcoapPdu& p : run.pdus)
      if (p.received && p.code != "0.00") out.push_back(p);
    return out;
  }

  std::string work_;
  XorShiftRandom rng_{2024};
  Resources resources_;
  std::unique_ptr<coap::Engine> engine_;
  std::unique_ptr<UdpDriver> driver_;
  ProgramRun last_run_;
};

TEST_F(ServerRole, GetReturnsTextWithContentFormat) {
  ProgramRun run = client({"-m", "get"}, "hello");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "Hello from lwm2m");
  EXPECT_EQ(run.errors, "");
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].type, "ACK");
  EXPECT_EQ(rs[0].code, "2.05");
  EXPECT_EQ(rs[0].payload, "Hello from lwm2m");
  ASSERT_TRUE(rs[0].option("Content-Format"));
  EXPECT_EQ(rs[0].option("Content-Format")->rfind("text/plain", 0), 0u);
  ASSERT_EQ(resources_.seen.size(), 1u);
  EXPECT_EQ(resources_.seen[0].code, coap::codes::get);
  EXPECT_EQ(resources_.seen[0].type, coap::Type::con);
}

TEST_F(ServerRole, PutPostDeleteChangeTheResourceWithTheRightCodes) {
  ProgramRun put = client({"-m", "put", "-e", "first"}, "store");
  EXPECT_EQ(put.exit_code, 0);
  ASSERT_EQ(responses(put).size(), 1u);
  EXPECT_EQ(responses(put)[0].code, "2.04");
  EXPECT_EQ(resources_.store, "first");

  ProgramRun post = client({"-m", "post", "-e", "second"}, "store");
  ASSERT_EQ(responses(post).size(), 1u);
  EXPECT_EQ(responses(post)[0].code, "2.01");
  EXPECT_EQ(responses(post)[0].option("Location-Path"), "store");
  EXPECT_EQ(resources_.store, "second");

  ProgramRun get = client({"-m", "get"}, "store");
  EXPECT_EQ(get.output, "second");

  ProgramRun del = client({"-m", "delete"}, "store");
  ASSERT_EQ(responses(del).size(), 1u);
  EXPECT_EQ(responses(del)[0].code, "2.02");
  EXPECT_FALSE(resources_.store.has_value());

  ProgramRun gone = client({"-m", "get"}, "store");
  ASSERT_EQ(responses(gone).size(), 1u);
  EXPECT_EQ(responses(gone)[0].code, "4.04");
  EXPECT_NE(gone.errors.find("4.04"), std::string::npos) << "coap-client reports the error";

  ASSERT_EQ(resources_.seen.size(), 5u);
  EXPECT_EQ(resources_.seen[0].code, coap::codes::put);
  EXPECT_EQ(resources_.seen[0].body, "first");
  EXPECT_EQ(resources_.seen[1].code, coap::codes::post);
  EXPECT_EQ(resources_.seen[1].body, "second");
  EXPECT_EQ(resources_.seen[3].code, coap::codes::del);
}

// The peer asks for 256-byte blocks from the first request on (RFC 7959 §2.4 early
// negotiation): our 1024-byte default must give way.
TEST_F(ServerRole, Block2GetOf3KiBInThePeersBlockSize) {
  ProgramRun run = client({"-m", "get", "-b", "256"}, "big");
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.output.size(), kBigSize);
  EXPECT_TRUE(run.output == resources_.big) << "body differs";
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), 12u);
  for (size_t i = 0; i < rs.size(); ++i) {
    EXPECT_EQ(rs[i].code, "2.05");
    EXPECT_EQ(rs[i].option("Block2"),
              std::to_string(i) + (i + 1 < rs.size() ? "/M/256" : "/_/256"));
  }
  ASSERT_EQ(resources_.seen.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    ASSERT_TRUE(resources_.seen[i].block2.has_value());
    EXPECT_EQ(resources_.seen[i].block2->num, i);
  }
}

TEST_F(ServerRole, Block2GetOf3KiBInOurBlockSize) {
  ProgramRun run = client({"-m", "get"}, "big");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(run.output == resources_.big) << "body differs, " << run.output.size() << " bytes";
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].option("Block2"), "0/M/1024");
  EXPECT_EQ(rs[1].option("Block2"), "1/M/1024");
  EXPECT_EQ(rs[2].option("Block2"), "2/_/1024");
  EXPECT_EQ(rs[0].option("Content-Format"), "application/octet-stream");
}

TEST_F(ServerRole, Block1PutOf3KiBIsReassembledByteExact) {
  const std::string file = work_ + "/upload.bin";
  ASSERT_TRUE(write_file(file, resources_.expected_upload));
  ProgramRun run = client({"-m", "put", "-b", "256", "-f", file}, "upload");
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_TRUE(resources_.upload.has_value());
  EXPECT_EQ(resources_.upload->size(), kBigSize);
  EXPECT_TRUE(*resources_.upload == resources_.expected_upload) << "body differs";
  EXPECT_EQ(count_pdus(run.pdus, false, "CON", "PUT"), 12u);
  EXPECT_EQ(count_pdus(run.pdus, true, "ACK", "2.31"), 11u);
  auto rs = responses(run);
  ASSERT_FALSE(rs.empty());
  EXPECT_EQ(rs.back().code, "2.04");
  EXPECT_EQ(rs.back().option("Block1"), "11/_/256");
  // The handler runs once, on the whole body.
  ASSERT_EQ(resources_.seen.size(), 1u);
}

TEST_F(ServerRole, Block1PutInLibcoapsDefaultBlockSize) {
  const std::string file = work_ + "/upload.bin";
  ASSERT_TRUE(write_file(file, resources_.expected_upload));
  ProgramRun run = client({"-m", "put", "-f", file}, "upload");
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_TRUE(resources_.upload.has_value());
  EXPECT_TRUE(*resources_.upload == resources_.expected_upload) << "body differs";
  EXPECT_EQ(count_pdus(run.pdus, true, "ACK", "2.31"), 2u);
  EXPECT_EQ(count_pdus(run.pdus, true, "ACK", "2.04"), 1u);
}

// Our first answer is lost; libcoap retransmits the CON POST with the same message ID and
// must get the cached 2.01 without the (non-idempotent) handler running again.
TEST_F(ServerRole, RetransmittedPostIsAnsweredFromTheDedupCache) {
  int responses_out = 0;
  driver_->drop_outgoing = [&](const Captured&) { return responses_out++ == 0; };
  ProgramRun run = client({"-m", "post", "-e", "once"}, "store");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(count_pdus(run.pdus, false, "CON", "POST"), 2u) << "libcoap retransmits once";
  std::vector<unsigned> mids;
  for (const LibcoapPdu& p : run.pdus)
    if (!p.received && p.code == "POST") mids.push_back(p.mid);
  ASSERT_EQ(mids.size(), 2u);
  EXPECT_EQ(mids[0], mids[1]);
  ASSERT_EQ(responses(run).size(), 1u);
  EXPECT_EQ(responses(run)[0].code, "2.01");
  EXPECT_EQ(resources_.seen.size(), 1u) << "the handler ran again for a duplicate";
  EXPECT_EQ(engine_->stats().duplicates, 1u);
}

TEST_F(ServerRole, ObserveDeliversEveryNotificationAndEndsOnDeregistration) {
  ProgramRun run = client({"-m", "get", "-s", "3"}, "obs");
  EXPECT_EQ(run.exit_code, 0);

  // What coap-client printed: "[0]" from the registration, then each notification.
  std::vector<uint32_t> printed;
  for (size_t pos = 0; (pos = run.output.find('[', pos)) != std::string::npos; ++pos)
    printed.push_back(static_cast<uint32_t>(std::stoul(run.output.substr(pos + 1))));
  ASSERT_FALSE(printed.empty());
  EXPECT_EQ(printed[0], 0u);
  std::vector<uint32_t> after_first(printed.begin() + 1, printed.end());
  // 3 s at one change per 200 ms; a loaded sanitizer build still manages a handful.
  EXPECT_GE(resources_.notified.size(), 5u);
  // Every notification reached libcoap, in order; at most the very last one can cross the
  // deregistration in flight.
  ASSERT_LE(after_first.size(), resources_.notified.size());
  EXPECT_GE(after_first.size() + 1, resources_.notified.size());
  EXPECT_TRUE(std::equal(after_first.begin(), after_first.end(), resources_.notified.begin()));

  // Both kinds went out and libcoap decoded the Observe option of each.
  size_t con = 0, non = 0;
  for (const LibcoapPdu& p : run.pdus) {
    if (!p.received || p.code != "2.05" || !p.option("Observe")) continue;
    con += p.type == "CON" ? 1 : 0;
    non += p.type == "NON" ? 1 : 0;
  }
  EXPECT_GE(con, 1u);
  EXPECT_GE(non, 2u);
  // libcoap acknowledged every CON notification: nothing was retransmitted.
  EXPECT_EQ(engine_->stats().retransmissions, 0u);

  // At the end coap-client deregisters (GET with Observe 1), which ends the relation.
  ASSERT_GE(resources_.seen.size(), 2u);
  EXPECT_TRUE(resources_.seen.front().observe_register);
  EXPECT_TRUE(resources_.seen.back().observe_deregister);
  EXPECT_EQ(engine_->observation_count(), 0u);
  ASSERT_EQ(resources_.relation_ended.size(), 1u);
  EXPECT_EQ(resources_.relation_ended[0], Errc::cancelled);
}

// RFC 7252 §5.2.3: a NON request is answered with a NON response carrying its token.
TEST_F(ServerRole, NonGetGetsNonResponse) {
  ProgramRun run = client({"-N", "-m", "get"}, "hello");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "Hello from lwm2m");
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].type, "NON");
  EXPECT_EQ(rs[0].code, "2.05");
  std::vector<LibcoapPdu> requests;
  for (const LibcoapPdu& p : run.pdus)
    if (!p.received && p.code == "GET") requests.push_back(p);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].type, "NON");
  EXPECT_EQ(rs[0].token, requests[0].token);
  ASSERT_EQ(resources_.seen.size(), 1u);
  EXPECT_EQ(resources_.seen[0].type, coap::Type::non);
}

// The smallest block size (SZX 0, 16 bytes): 192 blocks for 3 KiB.
TEST_F(ServerRole, Block2GetInSixteenByteBlocks) {
  ProgramRun run = client({"-m", "get", "-b", "16"}, "big");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(run.output == resources_.big) << "body differs, " << run.output.size() << " bytes";
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), kBigSize / 16);
  EXPECT_EQ(rs.front().option("Block2"), "0/M/16");
  EXPECT_EQ(rs.back().option("Block2"), "191/_/16");
}

// RFC 7252 §5.4.1: an unrecognised critical option (odd number) in a CON request gets
// 4.02 Bad Option, and the handler never runs.
TEST_F(ServerRole, UnknownCriticalOptionGetsBadOption) {
  ProgramRun run = client({"-m", "get", "-O", "2049,x"}, "hello");
  auto rs = responses(run);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].type, "ACK");
  EXPECT_EQ(rs[0].code, "4.02");
  EXPECT_TRUE(resources_.seen.empty());
  EXPECT_EQ(engine_->stats().rejected_options, 1u);
}

}  // namespace
}  // namespace lwm2m::interop
