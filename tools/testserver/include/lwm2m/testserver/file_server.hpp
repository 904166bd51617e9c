// SPDX-License-Identifier: Apache-2.0
// A CoAP server that serves one file with Block2 (RFC 7959), for firmware pulls: the
// Package URI a client downloads from. Plain UDP, or DTLS with PSK identities. It records
// which blocks were asked for, so a test can tell a resumed download from a restarted one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver {

class FileServer {
 public:
  /// Serves `content` at coap://127.0.0.1:<port>/<path> (coaps:// when `psk` is not empty).
  FileServer(std::string path, Bytes content, std::vector<PskCredential> psk = {});
  ~FileServer();
  FileServer(const FileServer&) = delete;
  FileServer& operator=(const FileServer&) = delete;

  uint16_t port() const;
  /// "coap://127.0.0.1:<port>/<path>".
  std::string uri() const;
  /// The Block2 number of every GET served, in order (0 for a GET without Block2).
  std::vector<uint32_t> blocks_served() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lwm2m::testserver
