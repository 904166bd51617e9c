// SPDX-License-Identifier: Apache-2.0
// POSIX UDP transport: socket addresses, name resolution and a non-blocking-friendly UDP
// socket. Platform code: not part of lwm2m::core (link lwm2m::posix).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/status.hpp"
#include "lwm2m/time.hpp"

namespace lwm2m::posix {

/// An IPv4 or IPv6 socket address. IPv4-mapped IPv6 addresses (\::ffff:a.b.c.d, what a
/// dual-stack socket reports for IPv4 peers) are stored as plain IPv4, so that a peer
/// compares equal however it was learnt.
class SocketAddress {
 public:
  SocketAddress() noexcept;
  /// The address in `sa` (IPv4-mapped IPv6 becomes IPv4); invalid when the family is neither.
  static SocketAddress from_sockaddr(const sockaddr* sa, socklen_t len) noexcept;
  /// Parses a numeric IPv4 or IPv6 literal (no brackets).
  static Result<SocketAddress> from_literal(std::string_view ip, uint16_t port) noexcept;

  /// AF_INET or AF_INET6.
  int family() const noexcept;
  /// The port, in host byte order.
  uint16_t port() const noexcept;
  /// False for a default-constructed (empty) address.
  bool valid() const noexcept { return len_ != 0; }
  /// The address for sendto()/connect().
  const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  /// Its length for sendto()/connect().
  socklen_t size() const noexcept { return len_; }
  /// The address as an AF_INET6 socket wants it (IPv4 becomes \::ffff:a.b.c.d).
  SocketAddress as_ipv6_mapped() const noexcept;

  /// "127.0.0.1:5683" or "[::1]:5683"; returns the length written (0 if `out` is small).
  size_t format(std::span<char> out) const noexcept;
  /// Room format() needs at most.
  static constexpr size_t kMaxText = 64;

  /// Same family, address and port.
  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

 private:
  sockaddr_storage storage_;
  socklen_t len_ = 0;
};

/// Resolves a host name or literal with getaddrinfo (UDP). Returns how many addresses were
/// written to `out` (at most out.size()); not_found when the name does not resolve.
/// Blocking, as getaddrinfo is: call it from the driver thread, never from the core.
Result<size_t> resolve(std::string_view host, uint16_t port, std::span<SocketAddress> out) noexcept;

/// A non-blocking UDP socket, closed when destroyed.
class UdpSocket {
 public:
  UdpSocket() noexcept = default;
  ~UdpSocket();
  /// Takes over `other`'s descriptor; `other` is closed.
  UdpSocket(UdpSocket&& other) noexcept;
  /// Takes over `other`'s descriptor (this one's is closed first); `other` is closed.
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  /// Binds to `local_port` (0 = ephemeral) on every interface: an IPv6 dual-stack socket
  /// that also serves IPv4, or plain IPv4 where IPv6 is unavailable. With `ipv4_only` the
  /// socket is bound to 0.0.0.0.
  static Result<UdpSocket> open(uint16_t local_port, bool ipv4_only = false) noexcept;

  /// True while the socket is open.
  bool is_open() const noexcept { return fd_ >= 0; }
  /// The descriptor (-1 when closed), for poll().
  int fd() const noexcept { return fd_; }
  /// AF_INET6 for a dual-stack socket, AF_INET otherwise.
  int family() const noexcept { return family_; }
  /// The port it is bound to (0 when closed).
  uint16_t local_port() const noexcept;

  /// Sends one datagram to `to`; internal_error when the system refuses it.
  Status send_to(const SocketAddress& to, ByteView datagram) noexcept;
  /// Waits up to `timeout` for one datagram (0 = poll once). Errors: timeout when nothing
  /// arrived, buffer_too_small when the datagram was longer than `buffer` (it is dropped,
  /// as a datagram cannot be read in parts), internal_error for socket failures.
  Result<size_t> receive_from(MutableByteView buffer, SocketAddress& from,
                              Duration timeout) noexcept;
  /// Closes the socket (again: nothing happens).
  void close() noexcept;

 private:
  int fd_ = -1;
  int family_ = 0;
};

}  // namespace lwm2m::posix
