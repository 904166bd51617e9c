// SPDX-License-Identifier: Apache-2.0
#include "name_resolver.hpp"

#include <algorithm>
#include <utility>

namespace lwm2m::posix {

NameResolver::NameResolver(Resolver resolve, std::function<void()> answered)
    : resolve_(std::move(resolve)), answered_(std::move(answered)) {
  if (!resolve_)
    resolve_ = [](std::string_view host, uint16_t port, std::span<SocketAddress> out) {
      return posix::resolve(host, port, out);
    };
}

NameResolver::~NameResolver() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  asked_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NameResolver::ask(coap::PeerId peer, uint32_t ticket, std::string host, uint16_t port) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    questions_.push_back({peer, ticket, std::move(host), port});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  asked_.notify_one();
}

std::optional<NameResolver::Answer> NameResolver::poll() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (answers_.empty()) return std::nullopt;
  Answer a = std::move(answers_.front());
  answers_.pop_front();
  return a;
}

void NameResolver::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    asked_.wait(lock, [this] { return stopping_ || !questions_.empty(); });
    if (stopping_) return;
    Question q = std::move(questions_.front());
    questions_.pop_front();
    lock.unlock();
    Answer a;
    a.peer = q.peer;
    a.ticket = q.ticket;
    a.host = std::move(q.host);
    auto found = resolve_(a.host, q.port, a.addresses);
    if (found && *found > 0) {
      a.count = std::min(*found, a.addresses.size());
    } else {
      a.error = found ? Errc::not_found : found.error();
    }
    lock.lock();
    answers_.push_back(std::move(a));
    lock.unlock();
    answered_();
    lock.lock();
  }
}

}  // namespace lwm2m::posix
