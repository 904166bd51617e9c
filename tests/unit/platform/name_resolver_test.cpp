// SPDX-License-Identifier: Apache-2.0
// The runner's resolver thread: questions are answered off the asking thread, in order,
// each with its ticket; a failure is an answer too; destruction waits for the resolver.
#include "platform/posix/name_resolver.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lwm2m::posix {
namespace {

using namespace std::chrono_literals;

/// A resolver the test releases, and a record of what the NameResolver told the runner.
struct Fake {
  std::mutex mutex;
  std::condition_variable cv;
  bool released = false;
  std::vector<std::string> asked;
  int wakes = 0;

  Resolver resolver() {
    return [this](std::string_view host, uint16_t port,
                  std::span<SocketAddress> out) -> Result<size_t> {
      std::unique_lock<std::mutex> l(mutex);
      asked.emplace_back(host);
      cv.notify_all();
      cv.wait(l, [this] { return released; });
      if (host == "nowhere.example") return Errc::not_found;
      if (host == "empty.example") return size_t{0};
      out[0] = *SocketAddress::from_literal("192.0.2.7", port);
      out[1] = *SocketAddress::from_literal("2001:db8::7", port);
      return size_t{2};
    };
  }
  std::function<void()> on_answer() {
    return [this] {
      std::lock_guard<std::mutex> g(mutex);
      ++wakes;
      cv.notify_all();
    };
  }
  void release() {
    std::lock_guard<std::mutex> g(mutex);
    released = true;
    cv.notify_all();
  }
  bool wait_wakes(int n) {
    std::unique_lock<std::mutex> l(mutex);
    return cv.wait_for(l, 10s, [&] { return wakes >= n; });
  }
  bool wait_asked(size_t n) {
    std::unique_lock<std::mutex> l(mutex);
    return cv.wait_for(l, 10s, [&] { return asked.size() >= n; });
  }
};

std::string text(const SocketAddress& a) {
  char buf[SocketAddress::kMaxText];
  return std::string(buf, a.format(buf));
}

TEST(NameResolver, AsksWithoutWaitingAndAnswersInOrderWithTheirTickets) {
  Fake fake;
  NameResolver r(fake.resolver(), fake.on_answer());
  r.ask(3, 41, "one.example", 5683);
  r.ask(5, 42, "two.example", 5684);
  ASSERT_TRUE(fake.wait_asked(1));  // the first is being resolved, blocked: ask() returned
  EXPECT_FALSE(r.poll());
  fake.release();
  ASSERT_TRUE(fake.wait_wakes(2));
  auto a = r.poll();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->peer, 3);
  EXPECT_EQ(a->ticket, 41u);
  EXPECT_EQ(a->host, "one.example");
  EXPECT_EQ(a->error, Errc::ok);
  ASSERT_EQ(a->count, 2u);
  EXPECT_EQ(text(a->addresses[0]), "192.0.2.7:5683");
  EXPECT_EQ(text(a->addresses[1]), "[2001:db8::7]:5683");
  auto b = r.poll();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->peer, 5);
  EXPECT_EQ(b->ticket, 42u);
  EXPECT_EQ(text(b->addresses[0]), "192.0.2.7:5684");
  EXPECT_FALSE(r.poll());
}

TEST(NameResolver, AFailureIsAnAnswerWithoutAddresses) {
  Fake fake;
  fake.release();
  NameResolver r(fake.resolver(), fake.on_answer());
  r.ask(1, 7, "nowhere.example", 5683);
  r.ask(2, 8, "empty.example", 5683);
  ASSERT_TRUE(fake.wait_wakes(2));
  auto a = r.poll();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->error, Errc::not_found);
  EXPECT_EQ(a->count, 0u);
  auto b = r.poll();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "empty.example");
  EXPECT_EQ(b->error, Errc::not_found) << "no address is not found";
  EXPECT_EQ(b->count, 0u);
}

TEST(NameResolver, DestructionWaitsForTheNameBeingResolved) {
  Fake fake;
  std::thread releaser;
  {
    NameResolver r(fake.resolver(), fake.on_answer());
    r.ask(1, 1, "one.example", 5683);
    ASSERT_TRUE(fake.wait_asked(1));
    releaser = std::thread([&] {
      std::this_thread::sleep_for(50ms);  // likely after the destructor began (not needed)
      fake.release();
    });
  }  // returns only once the resolver call did, which needs the release
  {
    std::lock_guard<std::mutex> g(fake.mutex);
    EXPECT_TRUE(fake.released);
  }
  releaser.join();
}

}  // namespace
}  // namespace lwm2m::posix
