// SPDX-License-Identifier: Apache-2.0
// Credential store (the role of RIOT's credman): DTLS credentials kept by tag and type in
// storage the caller sizes at construction. No heap: entries live in a caller's span and
// every key, identity and certificate is copied into a caller's byte arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lwm2m/bytes.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m {

/// Credential tag, as credman_tag_t: names the credential a Security object instance uses.
using CredentialTag = uint16_t;

enum class CredentialType : uint8_t {
  psk = 1,    ///< pre-shared key: identity and key (Security mode 0)
  ecdsa = 2,  ///< private key, own certificate, server's certificate or key (modes 1, 2)
};

/// A PSK: the identity (Security /0/x/3) and the key (/0/x/5). Views; the store copies them.
struct PskCredential {
  ByteView identity;  ///< the PSK identity (/0/x/3)
  ByteView key;       ///< the key (/0/x/5)
};

/// An ECDSA credential, all DER. Views; the store copies them.
struct EcdsaCredential {
  ByteView private_key;  ///< /0/x/5: ECPrivateKey (RFC 5915) or PKCS#8
  ByteView own_cert;     ///< /0/x/3: own X.509 certificate (mode 2) or public key (mode 1)
  ByteView server_key;   ///< /0/x/4: server's X.509 certificate or SubjectPublicKeyInfo
};

/// Fixed-capacity store. Rules, checked in this order:
/// - add: invalid_argument for bad lengths (PSK: empty identity or key, identity longer than
///   kMaxPskIdentity, key longer than kMaxPskKey; ECDSA: empty private key or own_cert,
///   any blob longer than kMaxDer; server_key may be empty), already_exists when (tag, type)
///   is present, no_space when no entry is free or the arena cannot hold the bytes.
///   A failed add changes nothing.
/// - get: not_found for an unknown (tag, type). The views point into the arena and stay
///   valid until the next add or remove.
/// - remove: not_found for an unknown (tag, type), and nothing changes. Removed bytes are
///   overwritten with zeros (keys do not linger in the arena) and the arena is compacted.
class CredentialStore {
 public:
  // Bounds (lwm2m/config.hpp). RFC 4279 allows identities up to 2^16-1 bytes, but LwM2M
  // deployments use short ASCII identities; 64 bytes covers a 512-bit PSK; a P-256
  // certificate is 400-700 bytes.
  /// Longest PSK identity in bytes.
  static constexpr size_t kMaxPskIdentity = LWM2M_CREDENTIAL_PSK_IDENTITY_MAX;
  /// Longest PSK key in bytes.
  static constexpr size_t kMaxPskKey = LWM2M_CREDENTIAL_PSK_KEY_MAX;
  /// Longest DER blob (key or certificate) in bytes.
  static constexpr size_t kMaxDer = LWM2M_CREDENTIAL_DER_MAX;

  /// Storage for one credential: where its bytes sit in the arena. Opaque to users.
  struct Entry {
    CredentialTag tag = 0;                      ///< the credential's tag
    CredentialType type = CredentialType::psk;  ///< PSK or ECDSA
    uint32_t offset = 0;                        ///< first byte in the arena
    uint16_t lengths[3] = {};  ///< PSK: identity, key; ECDSA: private key, cert, server key
  };

  /// `entries` bounds the number of credentials, `arena` their total size. Both must outlive
  /// the store.
  CredentialStore(std::span<Entry> entries, MutableByteView arena) noexcept
      : entries_(entries), arena_(arena) {}
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

  /// Stores a PSK under `tag` (copied into the arena; rules above).
  Status add(CredentialTag tag, const PskCredential& psk) noexcept;
  /// Stores an ECDSA credential under `tag` (copied into the arena; rules above).
  Status add(CredentialTag tag, const EcdsaCredential& ecdsa) noexcept;
  /// The PSK under `tag`; not_found when there is none.
  Result<PskCredential> get_psk(CredentialTag tag) const noexcept;
  /// The ECDSA credential under `tag`; not_found when there is none.
  Result<EcdsaCredential> get_ecdsa(CredentialTag tag) const noexcept;
  /// True when a credential of `type` is stored under `tag`.
  bool contains(CredentialTag tag, CredentialType type) const noexcept;
  /// Removes the credential of `type` under `tag`, wiping its bytes; not_found when absent.
  Status remove(CredentialTag tag, CredentialType type) noexcept;

  /// Credentials stored.
  size_t size() const noexcept { return count_; }
  /// Credentials the store can hold.
  size_t capacity() const noexcept { return entries_.size(); }
  /// Bytes of the arena in use.
  size_t arena_used() const noexcept { return used_; }
  /// Bytes the arena can hold.
  size_t arena_capacity() const noexcept { return arena_.size(); }

 private:
  const Entry* find(CredentialTag tag, CredentialType type) const noexcept;
  Status insert(CredentialTag tag, CredentialType type, std::span<const ByteView> parts) noexcept;

  std::span<Entry> entries_;
  MutableByteView arena_;
  size_t count_ = 0;  // entries_[0, count_) are in use, in insertion order
  size_t used_ = 0;   // arena_[0, used_) holds their bytes, in the same order
};

/// A store that carries its own storage: `N` credentials, `ArenaBytes` of key material.
template <size_t N, size_t ArenaBytes>
class StaticCredentialStore : public CredentialStore {
 public:
  // Only the members' addresses are taken here; the base never reads them while constructing.
  StaticCredentialStore() noexcept : CredentialStore(slots_, arena_) {}

 private:
  Entry slots_[N];
  uint8_t arena_[ArenaBytes];
};

}  // namespace lwm2m
