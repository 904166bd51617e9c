// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/platform/udp.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace lwm2m::posix {

SocketAddress::SocketAddress() noexcept {
  std::memset(&storage_, 0, sizeof(storage_));
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
  SocketAddress a;
  if (!sa) return a;
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      auto* in = reinterpret_cast<sockaddr_in*>(&a.storage_);
      in->sin_family = AF_INET;
      in->sin_port = in6->sin6_port;
      std::memcpy(&in->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
      a.len_ = sizeof(sockaddr_in);
      return a;
    }
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in6));
    a.len_ = sizeof(sockaddr_in6);
  } else if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in));
    a.len_ = sizeof(sockaddr_in);
  }
  return a;
}

Result<SocketAddress> SocketAddress::from_literal(std::string_view ip, uint16_t port) noexcept {
  char text[INET6_ADDRSTRLEN + 16];
  if (ip.empty() || ip.size() >= sizeof(text)) return Errc::malformed;
  std::memcpy(text, ip.data(), ip.size());
  text[ip.size()] = '\0';
  SocketAddress a;
  sockaddr_in in{};
  if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    return from_sockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in));
  }
  // IPv6, with an optional %zone (interface name or index).
  char* zone = std::strchr(text, '%');
  if (zone) *zone++ = '\0';
  sockaddr_in6 in6{};
  if (inet_pton(AF_INET6, text, &in6.sin6_addr) != 1) return Errc::malformed;
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  if (zone) {
    unsigned idx = if_nametoindex(zone);
    if (idx == 0) {
      char* end = nullptr;
      unsigned long v = std::strtoul(zone, &end, 10);
      if (!end || *end != '\0' || v == 0) return Errc::not_found;
      idx = static_cast<unsigned>(v);
    }
    in6.sin6_scope_id = idx;
  }
  return from_sockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
}

int SocketAddress::family() const noexcept {
  return len_ ? storage_.ss_family : AF_UNSPEC;
}

uint16_t SocketAddress::port() const noexcept {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

SocketAddress SocketAddress::as_ipv6_mapped() const noexcept {
  if (family() != AF_INET) return *this;
  const auto* in = reinterpret_cast<const sockaddr_in*>(&storage_);
  SocketAddress a;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = in->sin_port;
  in6->sin6_addr.s6_addr[10] = 0xFF;
  in6->sin6_addr.s6_addr[11] = 0xFF;
  std::memcpy(&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
  a.len_ = sizeof(sockaddr_in6);
  return a;
}

size_t SocketAddress::format(std::span<char> out) const noexcept {
  char ip[INET6_ADDRSTRLEN] = {};
  int n = 0;
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, ip, sizeof(ip));
    n = std::snprintf(out.data(), out.size(), "%s:%u", ip, port());
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, ip,
              sizeof(ip));
    n = std::snprintf(out.data(), out.size(), "[%s]:%u", ip, port());
  } else {
    n = std::snprintf(out.data(), out.size(), "(none)");
  }
  return n > 0 && static_cast<size_t>(n) < out.size() ? static_cast<size_t>(n) : 0;
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET) {
    const auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
    const auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a.family() == AF_INET6) {
    const auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
    const auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
    return x->sin6_port == y->sin6_port &&
           std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(in6_addr)) == 0 &&
           x->sin6_scope_id == y->sin6_scope_id;
  }
  return a.len_ == 0 && b.len_ == 0;
}

Result<size_t> resolve(std::string_view host, uint16_t port,
                       std::span<SocketAddress> out) noexcept {
  // Literals never go through the resolver (no DNS traffic for "127.0.0.1").
  if (auto lit = SocketAddress::from_literal(host, port); lit.ok()) {
    if (out.empty()) return Errc::buffer_too_small;
    out[0] = *lit;
    return size_t{1};
  }
  char name[256];
  if (host.empty() || host.size() >= sizeof(name)) return Errc::malformed;
  std::memcpy(name, host.data(), host.size());
  name[host.size()] = '\0';
  char service[8];
  std::snprintf(service, sizeof(service), "%u", port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  if (getaddrinfo(name, service, &hints, &list) != 0 || !list) return Errc::not_found;
  size_t n = 0;
  for (addrinfo* ai = list; ai && n < out.size(); ai = ai->ai_next) {
    SocketAddress a = SocketAddress::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (a.valid()) out[n++] = a;
  }
  freeaddrinfo(list);
  if (n == 0) return Errc::not_found;
  return n;
}

// ---- DatagramBatch -------------------------------------------------------------------

#ifdef __linux__
struct DatagramBatch::Native {
  std::unique_ptr<mmsghdr[]> headers;
  std::unique_ptr<iovec[]> iov;
  std::unique_ptr<sockaddr_storage[]> names;
  // The leading headers a receive must set up again: those the kernel filled in last time
  // (their name length and flags), or all of them once a send has used them.
  size_t stale = 0;
};
#else
struct DatagramBatch::Native {};
#endif

DatagramBatch::DatagramBatch(size_t count, size_t slot_size)
    : count_(count ? count : 1),
      slot_size_(slot_size),
      // Not zeroed: the pages of a large batch stay untouched until a datagram needs them.
      buffers_(new uint8_t[count_ * slot_size_]),
      entries_(new Entry[count_]),
      native_(new Native) {
#ifdef __linux__
  native_->headers.reset(new mmsghdr[count_]());
  native_->iov.reset(new iovec[count_]());
  native_->names.reset(new sockaddr_storage[count_]());
  for (size_t i = 0; i < count_; ++i) {
    native_->iov[i].iov_base = slot(i);
    native_->headers[i].msg_hdr.msg_iov = &native_->iov[i];
    native_->headers[i].msg_hdr.msg_iovlen = 1;
  }
  native_->stale = count_;
#endif
}

DatagramBatch::~DatagramBatch() = default;

ByteView DatagramBatch::bytes(size_t i) const noexcept {
  return {slot(i), std::min(entries_[i].length, slot_size_)};
}

const SocketAddress& DatagramBatch::address(size_t i) const noexcept {
  return entries_[i].address;
}

size_t DatagramBatch::length(size_t i) const noexcept {
  return entries_[i].length;
}

bool DatagramBatch::add(const SocketAddress& to, ByteView datagram) noexcept {
  if (full() || datagram.size() > slot_size_) return false;
  if (!datagram.empty()) std::memcpy(slot(used_), datagram.data(), datagram.size());
  entries_[used_].address = to;
  entries_[used_].length = datagram.size();
  ++used_;
  return true;
}

// ---- UdpSocket ----------------------------------------------------------------------

UdpSocket::~UdpSocket() {
  close();
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_), family_(other.family_) {
  other.fd_ = -1;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    family_ = other.family_;
    other.fd_ = -1;
  }
  return *this;
}

void UdpSocket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<UdpSocket> UdpSocket::open(uint16_t local_port, bool ipv4_only) noexcept {
  UdpSocket s;
  if (!ipv4_only) {
    s.fd_ = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s.fd_ >= 0) {
      int off = 0;
      ::setsockopt(s.fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
      sockaddr_in6 in6{};
      in6.sin6_family = AF_INET6;
      in6.sin6_addr = in6addr_any;
      in6.sin6_port = htons(local_port);
      if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&in6), sizeof(in6)) == 0) {
        s.family_ = AF_INET6;
        return s;
      }
      const int err = errno;
      s.close();
      if (err == EADDRINUSE) return Errc::invalid_state;
    }
  }
  s.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) return Errc::internal_error;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_ANY);
  in.sin_port = htons(local_port);
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&in), sizeof(in)) != 0) {
    const int err = errno;
    s.close();
    return err == EADDRINUSE ? Errc::invalid_state : Errc::internal_error;
  }
  s.family_ = AF_INET;
  return s;
}

uint16_t UdpSocket::local_port() const noexcept {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len).port();
}

Status UdpSocket::send_to(const SocketAddress& to, ByteView datagram) noexcept {
  if (fd_ < 0) return Errc::invalid_state;
  if (family_ == AF_INET && to.family() != AF_INET) return Errc::unsupported;
  const SocketAddress dst = family_ == AF_INET6 ? to.as_ipv6_mapped() : to;
  ssize_t n;
  do {
    n = ::sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL, dst.data(), dst.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(datagram.size()) ? Errc::ok : Errc::internal_error;
}

Result<size_t> UdpSocket::receive_from(MutableByteView buffer, SocketAddress& from,
                                       Duration timeout) noexcept {
  if (fd_ < 0) return Errc::invalid_state;
  // With no time to wait the read itself is the check (one system call, not two: the
  // runner drains its socket this way after every wake-up).
  if (timeout.count() > 0) {
    pollfd p{fd_, POLLIN, 0};
    const int64_t ms = timeout.count();
    int r;
    do {
      r = ::poll(&p, 1, ms > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<int>(ms));
    } while (r < 0 && errno == EINTR);
    if (r == 0) return Errc::timeout;
    if (r < 0) return Errc::internal_error;
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  // MSG_TRUNC makes recvfrom report the real length, so an oversized datagram is detected
  // instead of being silently cut.
  ssize_t n;
  do {
    n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT,
                   reinterpret_cast<sockaddr*>(&ss), &len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? Errc::timeout : Errc::internal_error;
  from = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  if (static_cast<size_t>(n) > buffer.size()) return Errc::buffer_too_small;
  return static_cast<size_t>(n);
}

namespace {

// Waits up to `timeout` for the socket to become readable (0: no wait, no system call).
Errc wait_readable(int fd, Duration timeout) noexcept {
  if (timeout.count() <= 0) return Errc::ok;
  pollfd p{fd, POLLIN, 0};
  const int64_t ms = timeout.count();
  int r;
  do {
    r = ::poll(&p, 1, ms > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<int>(ms));
  } while (r < 0 && errno == EINTR);
  if (r == 0) return Errc::timeout;
  return r < 0 ? Errc::internal_error : Errc::ok;
}

}  // namespace

#ifdef __linux__

Result<size_t> UdpSocket::receive(DatagramBatch& batch, Duration timeout) noexcept {
  batch.clear();
  if (fd_ < 0) return Errc::invalid_state;
  if (const Errc e = wait_readable(fd_, timeout); e != Errc::ok) return e;
  DatagramBatch::Native& n = *batch.native_;
  for (size_t i = 0; i < n.stale; ++i) {
    msghdr& h = n.headers[i].msg_hdr;
    h.msg_name = &n.names[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_flags = 0;
    h.msg_iov = &n.iov[i];
    n.iov[i].iov_len = batch.slot_size_;
  }
  // MSG_TRUNC: each length is the datagram's real one, so a cut datagram is recognised.
  int got;
  do {
    got = ::recvmmsg(fd_, n.headers.get(), static_cast<unsigned>(batch.count_),
                     MSG_TRUNC | MSG_DONTWAIT, nullptr);
  } while (got < 0 && errno == EINTR);
  n.stale = got > 0 ? static_cast<size_t>(got) : batch.count_;  // after an error: all, to be safe
  if (got < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK ? Errc::timeout : Errc::internal_error;
  for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
    const msghdr& h = n.headers[i].msg_hdr;
    batch.entries_[i].address =
        SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(h.msg_name), h.msg_namelen);
    batch.entries_[i].length = n.headers[i].msg_len;
  }
  batch.used_ = static_cast<size_t>(got);
  if (got == 0) return Errc::timeout;
  return static_cast<size_t>(got);
}

size_t UdpSocket::send(DatagramBatch& batch) noexcept {
  if (fd_ < 0) {
    batch.clear();
    return 0;
  }
  DatagramBatch::Native& n = *batch.native_;
  n.stale = batch.count_;  // a receive into this batch sets every header up again
  // Headers for the datagrams this socket can send, in order; the others are skipped.
  size_t count = 0;
  for (size_t i = 0; i < batch.used_; ++i) {
    SocketAddress& to = batch.entries_[i].address;
    if (family_ == AF_INET && to.family() != AF_INET) continue;
    if (family_ == AF_INET6) to = to.as_ipv6_mapped();
    msghdr& h = n.headers[count].msg_hdr;
    h.msg_name = const_cast<sockaddr*>(to.data());
    h.msg_namelen = to.size();
    h.msg_flags = 0;
    h.msg_iov = &n.iov[i];
    n.iov[i].iov_len = batch.entries_[i].length;
    ++count;
  }
  size_t sent = 0, next = 0;
  while (next < count) {
    const int r =
        ::sendmmsg(fd_, &n.headers[next], static_cast<unsigned>(count - next), MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ++next;  // refused: the ones after it still go
      continue;
    }
    sent += static_cast<size_t>(r);
    next += static_cast<size_t>(r);
  }
  batch.clear();
  return sent;
}

#else  // one system call per datagram

Result<size_t> UdpSocket::receive(DatagramBatch& batch, Duration timeout) noexcept {
  batch.clear();
  if (fd_ < 0) return Errc::invalid_state;
  if (const Errc e = wait_readable(fd_, timeout); e != Errc::ok) return e;
  while (!batch.full()) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    ssize_t got;
    do {
      got = ::recvfrom(fd_, batch.slot(batch.used_), batch.slot_size_, MSG_TRUNC | MSG_DONTWAIT,
                       reinterpret_cast<sockaddr*>(&ss), &len);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      if (batch.used_ > 0 || errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Errc::internal_error;
    }
    batch.entries_[batch.used_].address =
        SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    batch.entries_[batch.used_].length = static_cast<size_t>(got);
    ++batch.used_;
  }
  if (batch.used_ == 0) return Errc::timeout;
  return batch.used_;
}

size_t UdpSocket::send(DatagramBatch& batch) noexcept {
  size_t sent = 0;
  for (size_t i = 0; i < batch.used_; ++i)
    sent += send_to(batch.entries_[i].address, batch.bytes(i)).ok();
  batch.clear();
  return sent;
}

#endif

}  // namespace lwm2m::posix
