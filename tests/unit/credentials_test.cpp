// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/credentials.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/alloc_counter.hpp"

namespace lwm2m {
namespace {

std::string str(ByteView b) {
  return std::string(as_string(b));
}

// The PSK of RIOT's LwM2M example, as a server would provision it.
const PskCredential kRiotPsk{as_bytes("Client_Identity"), as_bytes("ThisIsRIOT!")};

TEST(CredentialStore, AddsAndGetsPskByTag) {
  StaticCredentialStore<4, 512> store;
  ASSERT_TRUE(store.add(11, kRiotPsk).ok());
  auto psk = store.get_psk(11);
  ASSERT_TRUE(psk.ok());
  EXPECT_EQ(str(psk->identity), "Client_Identity");
  EXPECT_EQ(str(psk->key), "ThisIsRIOT!");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.arena_used(), 15u + 11u);
  EXPECT_TRUE(store.contains(11, CredentialType::psk));
  EXPECT_FALSE(store.contains(11, CredentialType::ecdsa));
}

TEST(CredentialStore, CopiesTheBytesSoTheCallerMayReuseItsBuffers) {
  StaticCredentialStore<2, 128> store;
  std::string id = "id-1";
  std::string key = "secret";
  ASSERT_TRUE(store.add(1, PskCredential{as_bytes(id), as_bytes(key)}).ok());
  id = "XXXX";
  key = "YYYYYY";
  EXPECT_EQ(str(store.get_psk(1)->identity), "id-1");
  EXPECT_EQ(str(store.get_psk(1)->key), "secret");
}

TEST(CredentialStore, SameTagMayHoldOneCredentialOfEachType) {
  StaticCredentialStore<4, 512> store;
  ASSERT_TRUE(store.add(7, kRiotPsk).ok());
  const EcdsaCredential ec{as_bytes("PRIV"), as_bytes("CERT"), as_bytes("SERVER")};
  ASSERT_TRUE(store.add(7, ec).ok());
  auto got = store.get_ecdsa(7);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(str(got->private_key), "PRIV");
  EXPECT_EQ(str(got->own_cert), "CERT");
  EXPECT_EQ(str(got->server_key), "SERVER");
  EXPECT_EQ(str(store.get_psk(7)->key), "ThisIsRIOT!");
}

TEST(CredentialStore, DuplicateTagAndTypeIsAlreadyExistsAndKeepsTheFirst) {
  StaticCredentialStore<4, 512> store;
  ASSERT_TRUE(store.add(3, kRiotPsk).ok());
  EXPECT_EQ(store.add(3, PskCredential{as_bytes("other"), as_bytes("k")}), Errc::already_exists);
  EXPECT_EQ(str(store.get_psk(3)->identity), "Client_Identity");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.arena_used(), 26u);
}

TEST(CredentialStore, BadPskLengthsAreInvalidArgument) {
  StaticCredentialStore<4, 1024> store;
  const std::vector<uint8_t> id_max(CredentialStore::kMaxPskIdentity, 'i');
  const std::vector<uint8_t> id_long(CredentialStore::kMaxPskIdentity + 1, 'i');
  const std::vector<uint8_t> key_max(CredentialStore::kMaxPskKey, 'k');
  const std::vector<uint8_t> key_long(CredentialStore::kMaxPskKey + 1, 'k');
  EXPECT_EQ(store.add(1, PskCredential{{}, as_bytes("key")}), Errc::invalid_argument);
  EXPECT_EQ(store.add(1, PskCredential{as_bytes("id"), {}}), Errc::invalid_argument);
  EXPECT_EQ(store.add(1, PskCredential{id_long, as_bytes("key")}), Errc::invalid_argument);
  EXPECT_EQ(store.add(1, PskCredential{as_bytes("id"), key_long}), Errc::invalid_argument);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.arena_used(), 0u);
  // The bounds themselves are accepted.
  EXPECT_TRUE(store.add(1, PskCredential{id_max, key_max}).ok());
}

TEST(CredentialStore, BadEcdsaLengthsAreInvalidArgument) {
  StaticCredentialStore<4, 8192> store;
  const std::vector<uint8_t> der_long(CredentialStore::kMaxDer + 1, 0x30);
  EXPECT_EQ(store.add(1, EcdsaCredential{{}, as_bytes("C"), as_bytes("S")}),
            Errc::invalid_argument);
  EXPECT_EQ(store.add(1, EcdsaCredential{as_bytes("P"), {}, as_bytes("S")}),
            Errc::invalid_argument);
  EXPECT_EQ(store.add(1, EcdsaCredential{der_long, as_bytes("C"), {}}), Errc::invalid_argument);
  EXPECT_EQ(store.add(1, EcdsaCredential{as_bytes("P"), der_long, {}}), Errc::invalid_argument);
  EXPECT_EQ(store.add(1, EcdsaCredential{as_bytes("P"), as_bytes("C"), der_long}),
            Errc::invalid_argument);
  EXPECT_EQ(store.size(), 0u);
  // No server key is allowed (stored empty).
  ASSERT_TRUE(store.add(1, EcdsaCredential{as_bytes("P"), as_bytes("C"), {}}).ok());
  EXPECT_TRUE(store.get_ecdsa(1)->server_key.empty());
}

TEST(CredentialStore, FullEntriesOrFullArenaIsNoSpaceAndChangesNothing) {
  StaticCredentialStore<2, 40> store;
  ASSERT_TRUE(store.add(1, PskCredential{as_bytes("a"), as_bytes("1")}).ok());
  ASSERT_TRUE(store.add(2, PskCredential{as_bytes("b"), as_bytes("2")}).ok());
  EXPECT_EQ(store.add(3, PskCredential{as_bytes("c"), as_bytes("3")}), Errc::no_space);
  EXPECT_EQ(store.size(), 2u);

  StaticCredentialStore<4, 20> small;
  ASSERT_TRUE(small.add(1, PskCredential{as_bytes("0123456789"), as_bytes("01234")}).ok());
  EXPECT_EQ(small.add(2, PskCredential{as_bytes("abc"), as_bytes("def")}), Errc::no_space);
  EXPECT_EQ(small.arena_used(), 15u);
  // Exactly filling the arena works.
  EXPECT_TRUE(small.add(2, PskCredential{as_bytes("abc"), as_bytes("de")}).ok());
  EXPECT_EQ(small.arena_used(), 20u);
}

TEST(CredentialStore, DuplicateIsReportedBeforeNoSpace) {
  StaticCredentialStore<1, 64> store;
  ASSERT_TRUE(store.add(1, kRiotPsk).ok());
  EXPECT_EQ(store.add(1, kRiotPsk), Errc::already_exists);
  EXPECT_EQ(store.add(2, kRiotPsk), Errc::no_space);
}

TEST(CredentialStore, UnknownTagIsNotFound) {
  StaticCredentialStore<2, 64> store;
  EXPECT_EQ(store.get_psk(5).error(), Errc::not_found);
  EXPECT_EQ(store.get_ecdsa(5).error(), Errc::not_found);
  ASSERT_TRUE(store.add(5, kRiotPsk).ok());
  EXPECT_EQ(store.get_ecdsa(5).error(), Errc::not_found) << "the type is part of the key";
  EXPECT_EQ(store.get_psk(6).error(), Errc::not_found);
}

TEST(CredentialStore, RemoveOfUnknownIsNotFoundAndHarmless) {
  StaticCredentialStore<2, 64> store;
  ASSERT_TRUE(store.add(5, kRiotPsk).ok());
  EXPECT_EQ(store.remove(6, CredentialType::psk), Errc::not_found);
  EXPECT_EQ(store.remove(5, CredentialType::ecdsa), Errc::not_found);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.arena_used(), 26u);
  EXPECT_EQ(str(store.get_psk(5)->key), "ThisIsRIOT!");
}

TEST(CredentialStore, RemoveFreesSpaceCompactsAndWipesTheKey) {
  CredentialStore::Entry entries[3];
  uint8_t arena[32] = {};
  CredentialStore store(entries, arena);
  ASSERT_TRUE(store.add(1, PskCredential{as_bytes("aa"), as_bytes("AAAA")}).ok());
  ASSERT_TRUE(store.add(2, PskCredential{as_bytes("bb"), as_bytes("BBBB")}).ok());
  ASSERT_TRUE(store.add(3, PskCredential{as_bytes("cc"), as_bytes("CCCC")}).ok());
  EXPECT_EQ(store.add(4, PskCredential{as_bytes("dd"), as_bytes("DDDD")}), Errc::no_space);

  ASSERT_TRUE(store.remove(1, CredentialType::psk).ok());
  EXPECT_EQ(store.remove(1, CredentialType::psk), Errc::not_found);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.arena_used(), 12u);
  // The survivors moved down and still read back intact.
  EXPECT_EQ(str(store.get_psk(2)->identity), "bb");
  EXPECT_EQ(str(store.get_psk(2)->key), "BBBB");
  EXPECT_EQ(str(store.get_psk(3)->key), "CCCC");
  // Nothing of the removed key is left behind the used part of the arena.
  for (size_t i = store.arena_used(); i < sizeof arena; ++i)
    EXPECT_EQ(arena[i], 0) << i;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(arena), 12), "bbBBBBccCCCC");

  ASSERT_TRUE(store.add(4, PskCredential{as_bytes("dd"), as_bytes("DDDD")}).ok());
  EXPECT_EQ(str(store.get_psk(4)->key), "DDDD");
  EXPECT_EQ(str(store.get_psk(3)->identity), "cc");
}

TEST(CredentialStore, NeverAllocates) {
  test::AllocationScope scope;
  StaticCredentialStore<2, 256> store;
  const EcdsaCredential ec{as_bytes("PRIV"), as_bytes("CERT"), {}};
  EXPECT_TRUE(store.add(1, ec).ok());
  EXPECT_TRUE(store.add(1, kRiotPsk).ok());
  EXPECT_TRUE(store.get_ecdsa(1).ok());
  EXPECT_TRUE(store.remove(1, CredentialType::ecdsa).ok());
  EXPECT_EQ(scope.count(), 0u);
}

}  // namespace
}  // namespace lwm2m
