// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/credentials.hpp"

#include <cstring>

namespace lwm2m {

static_assert(CredentialStore::kMaxPskIdentity <= UINT16_MAX &&
                  CredentialStore::kMaxPskKey <= UINT16_MAX &&
                  CredentialStore::kMaxDer <= UINT16_MAX,
              "credential lengths are stored in 16 bits");

namespace {

bool length_ok(ByteView b, size_t max, bool may_be_empty) noexcept {
  return (may_be_empty || !b.empty()) && b.size() <= max;
}

// Zeroing through a volatile pointer so that wiping removed keys is not optimised away.
void wipe(uint8_t* p, size_t n) noexcept {
  volatile uint8_t* v = p;
  for (size_t i = 0; i < n; ++i)
    v[i] = 0;
}

}  // namespace

Status CredentialStore::add(CredentialTag tag, const PskCredential& psk) noexcept {
  if (!length_ok(psk.identity, kMaxPskIdentity, false) || !length_ok(psk.key, kMaxPskKey, false)) {
    return Errc::invalid_argument;
  }
  const ByteView parts[] = {psk.identity, psk.key};
  return insert(tag, CredentialType::psk, parts);
}

Status CredentialStore::add(CredentialTag tag, const EcdsaCredential& ecdsa) noexcept {
  if (!length_ok(ecdsa.private_key, kMaxDer, false) || !length_ok(ecdsa.own_cert, kMaxDer, false) ||
      !length_ok(ecdsa.server_key, kMaxDer, true)) {
    return Errc::invalid_argument;
  }
  const ByteView parts[] = {ecdsa.private_key, ecdsa.own_cert, ecdsa.server_key};
  return insert(tag, CredentialType::ecdsa, parts);
}

Status CredentialStore::insert(CredentialTag tag, CredentialType type,
                               std::span<const ByteView> parts) noexcept {
  if (find(tag, type) != nullptr) return Errc::already_exists;
  size_t total = 0;
  for (ByteView p : parts)
    total += p.size();
  if (count_ == entries_.size() || total > arena_.size() - used_) return Errc::no_space;

  Entry& e = entries_[count_];
  e = Entry{};
  e.tag = tag;
  e.type = type;
  e.offset = static_cast<uint32_t>(used_);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].empty()) std::memcpy(arena_.data() + used_, parts[i].data(), parts[i].size());
    used_ += parts[i].size();
    e.lengths[i] = static_cast<uint16_t>(parts[i].size());
  }
  ++count_;
  return {};
}

const CredentialStore::Entry* CredentialStore::find(CredentialTag tag,
                                                    CredentialType type) const noexcept {
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].tag == tag && entries_[i].type == type) return &entries_[i];
  }
  return nullptr;
}

bool CredentialStore::contains(CredentialTag tag, CredentialType type) const noexcept {
  return find(tag, type) != nullptr;
}

Result<PskCredential> CredentialStore::get_psk(CredentialTag tag) const noexcept {
  const Entry* e = find(tag, CredentialType::psk);
  if (e == nullptr) return Errc::not_found;
  const uint8_t* p = arena_.data() + e->offset;
  return PskCredential{{p, e->lengths[0]}, {p + e->lengths[0], e->lengths[1]}};
}

Result<EcdsaCredential> CredentialStore::get_ecdsa(CredentialTag tag) const noexcept {
  const Entry* e = find(tag, CredentialType::ecdsa);
  if (e == nullptr) return Errc::not_found;
  const uint8_t* p = arena_.data() + e->offset;
  const size_t a = e->lengths[0];
  const size_t b = e->lengths[1];
  return EcdsaCredential{{p, a}, {p + a, b}, {p + a + b, e->lengths[2]}};
}

Status CredentialStore::remove(CredentialTag tag, CredentialType type) noexcept {
  const Entry* found = find(tag, type);
  if (found == nullptr) return Errc::not_found;
  const size_t index = static_cast<size_t>(found - entries_.data());
  const size_t offset = found->offset;
  const size_t size = size_t{found->lengths[0]} + found->lengths[1] + found->lengths[2];

  // Entries and their bytes are kept in the same order, so everything after the removed
  // entry moves down by one slot and by `size` bytes.
  uint8_t* base = arena_.data();
  if (size != 0) {
    std::memmove(base + offset, base + offset + size, used_ - offset - size);
    used_ -= size;
    wipe(base + used_, size);
  }
  for (size_t i = index; i + 1 < count_; ++i) {
    entries_[i] = entries_[i + 1];
    entries_[i].offset -= static_cast<uint32_t>(size);
  }
  --count_;
  entries_[count_] = Entry{};
  return {};
}

}  // namespace lwm2m
