// SPDX-License-Identifier: Apache-2.0
// The client side of a Block1 upload (RFC 7959 §2.5) as a plain state machine, so that the
// size negotiation is testable without a peer: start with 1024-byte blocks, take a smaller
// size from the Block1 option of a 2.31 Continue (§2.3) or of a 4.13 Request Entity Too
// Large (§2.9.3), and resend from the same byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace lwm2m::testserver::console {

/// A Block1/Block2 option value: NUM << 4 | M << 3 | SZX (size 2^(SZX+4)).
struct BlockOption {
  uint32_t num = 0;
  bool more = false;
  uint8_t szx = 6;
  size_t size() const { return size_t{1} << (szx + 4); }
  uint32_t encode() const { return num << 4 | (more ? 8u : 0u) | szx; }
  static BlockOption decode(uint32_t v) {
    return BlockOption{v >> 4, (v & 8) != 0, static_cast<uint8_t>(v & 7)};
  }
};

class BlockUpload {
 public:
  explicit BlockUpload(size_t total, uint8_t szx = 6) : total_(total), szx_(szx) {}

  /// The block to send now.
  BlockOption block() const {
    BlockOption b;
    b.szx = szx_;
    b.num = static_cast<uint32_t>(offset_ / b.size());
    b.more = offset_ + b.size() < total_;
    return b;
  }
  size_t offset() const { return offset_; }
  size_t length() const {
    size_t n = size_t{1} << (szx_ + 4);
    return offset_ + n > total_ ? total_ - offset_ : n;
  }
  bool done() const { return done_; }
  /// Why the upload stopped early; empty while it goes on or after success.
  const std::string& failure() const { return failure_; }
  size_t blocks_sent() const { return sent_; }

  /// The answer to block(): `code` as on the wire, `block1` its Block1 option if any,
  /// `size1` its Size1 option if any. Returns true when another block is to be sent.
  bool on_response(uint8_t code, std::optional<uint32_t> block1, std::optional<uint32_t> size1) {
    ++sent_;
    const int cls = code >> 5, detail = code & 0x1F;
    if (cls == 2 && detail == 31) {  // Continue: the block was taken
      size_t next = offset_ + length();
      if (block1) {
        BlockOption b = BlockOption::decode(*block1);
        if (b.szx < szx_) szx_ = b.szx;  // the server's preferred size for the rest (§2.3)
      }
      if (next >= total_) return stop("the client answered 2.31 Continue to the last block");
      offset_ = next;
      return true;
    }
    if (cls == 4 && detail == 13) {
      if (block1) {
        BlockOption b = BlockOption::decode(*block1);
        if (b.szx < szx_) {  // try again from the same offset with the size asked for
          szx_ = b.szx;
          return true;
        }
      }
      return stop(
          "the client refused the firmware as too large" +
          (size1 ? " (it takes at most " + std::to_string(*size1) + " bytes)" : std::string()));
    }
    if (cls == 2) {
      if (offset_ + length() < total_) {
        return stop("the client answered a middle block with a final code");
      }
      done_ = true;
      return false;
    }
    return stop("the client refused block " + std::to_string(block().num));
  }

 private:
  bool stop(std::string why) {
    failure_ = std::move(why);
    return false;
  }
  size_t total_;
  uint8_t szx_;
  size_t offset_ = 0;
  size_t sent_ = 0;
  bool done_ = false;
  std::string failure_;
};

}  // namespace lwm2m::testserver::console
