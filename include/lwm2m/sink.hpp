// SPDX-License-Identifier: Apache-2.0
// Bounded output for encoders (content formats, link format, CoAP payloads), with a window
// so that a representation larger than one CoAP block can be produced block by block: the
// encoder writes the whole representation, the sink keeps only bytes
// [offset, offset + capacity) and counts the rest. That is how an encoder "resumes" for the
// next Block2 block without holding the whole payload in RAM.
#pragma once

#include <cstddef>
#include <cstring>

#include "lwm2m/bytes.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m {

/// Where encoders write: a window of a longer output that keeps the bytes falling inside the buffer
/// and counts all of them, so a payload can be produced block by block.
class Sink {
 public:
  /// Keeps bytes [offset, offset + buffer.size()) of what is written.
  explicit Sink(MutableByteView buffer, size_t offset = 0) noexcept
      : buf_(buffer), offset_(offset) {}

  /// Appends bytes. Never fails: bytes outside the window are only counted. Encoders may
  /// stop early once full() is true; total() is then a lower bound.
  void write(ByteView data) noexcept {
    if (data.empty()) return;  // an empty view may have a null data(): no memcpy with it
    size_t pos = total_;
    total_ += data.size();
    if (pos + data.size() <= offset_ || pos >= offset_ + buf_.size()) return;
    size_t skip = pos < offset_ ? offset_ - pos : 0;
    size_t dst = pos + skip - offset_;
    size_t n = data.size() - skip;
    if (n > buf_.size() - dst) n = buf_.size() - dst;
    std::memcpy(buf_.data() + dst, data.data() + skip, n);
  }
  /// Where the next `n` bytes go when the window keeps them whole from the first byte of
  /// the buffer (the usual case: a payload that fits one buffer), so that an encoder can
  /// build them in place; null otherwise (use write()). Follow with commit(n).
  uint8_t* room(size_t n) noexcept {
    return offset_ == 0 && total_ + n <= buf_.size() ? buf_.data() + total_ : nullptr;
  }
  /// Counts `n` bytes built in place at room(n).
  void commit(size_t n) noexcept { total_ += n; }
  /// Appends one byte (see write()).
  void put(uint8_t byte) noexcept { write(ByteView{&byte, 1}); }

  /// Forgets everything written (an encoder failed midway: the error response carries no
  /// partial representation).
  void clear() noexcept { total_ = 0; }
  /// Forgets what was written after the first `total` bytes.
  void truncate(size_t total) noexcept {
    if (total < total_) total_ = total;
  }
  /// Puts `bytes` in front of what was written from position `at` (<= total()) on, for a
  /// header whose size depends on what follows it. False, with nothing changed, when the
  /// window keeps part of that but not all of it (a later window, or more than the
  /// buffer): the encoder then writes it again after the header.
  bool insert(size_t at, ByteView bytes) noexcept {
    const size_t n = bytes.size();
    if (at < offset_ + buf_.size() && total_ + n > offset_) {  // some is kept: all must be
      if (offset_ != 0 || total_ + n > buf_.size()) return false;
      std::memmove(buf_.data() + at + n, buf_.data() + at, total_ - at);
      std::memcpy(buf_.data() + at, bytes.data(), n);
    }
    total_ += n;
    return true;
  }

  /// Bytes written so far, whole representation.
  size_t total() const noexcept { return total_; }
  /// More bytes were written than the window holds (there is a next block).
  bool overflowed() const noexcept { return total_ > offset_ + buf_.size(); }
  /// The window is full: further bytes are only counted.
  bool full() const noexcept { return total_ >= offset_ + buf_.size(); }
  /// The bytes kept in the window.
  ByteView window() const noexcept {
    if (total_ <= offset_) return {};
    size_t n = total_ - offset_;
    return {buf_.data(), n < buf_.size() ? n : buf_.size()};
  }
  /// For a sink with offset 0: ok when everything fit, buffer_too_small otherwise.
  Status fits() const noexcept { return overflowed() ? Errc::buffer_too_small : Errc::ok; }

 private:
  MutableByteView buf_;
  size_t offset_;
  size_t total_ = 0;
};

}  // namespace lwm2m
