// SPDX-License-Identifier: Apache-2.0
// posix::DirectoryStorage: files replaced through NAME.tmp, reported errors, remove.
#include "lwm2m/platform/directory_storage.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace lwm2m::posix {
namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/lwm2m-storage-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

TEST(DirectoryStorage, StoresLoadsReplacesAndRemoves) {
  TempDir dir;
  DirectoryStorage s(dir.path);
  ASSERT_TRUE(s.prepare().ok());
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(s.load("state.bin", buf).error(), Errc::not_found);
  ASSERT_TRUE(s.store("state.bin", as_bytes("first")).ok());
  ASSERT_TRUE(s.store("state.bin", as_bytes("second")).ok());
  auto n = s.load("state.bin", buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_string({buf.data(), *n}), "second");
  EXPECT_FALSE(exists(dir.path + "/state.bin.tmp"));  // renamed over the old file
  std::vector<uint8_t> small(3);
  EXPECT_EQ(s.load("state.bin", small).error(), Errc::buffer_too_small);
  ASSERT_TRUE(s.remove("state.bin").ok());
  EXPECT_FALSE(exists(dir.path + "/state.bin"));
  EXPECT_TRUE(s.remove("state.bin").ok());  // nothing to remove is fine
  EXPECT_EQ(s.location(), dir.path);
}

TEST(DirectoryStorage, ALeftoverTempFileDoesNotCount) {
  // What a crash between create and rename leaves: the old file still wins.
  TempDir dir;
  DirectoryStorage s(dir.path);
  ASSERT_TRUE(s.store("state.bin", as_bytes("old")).ok());
  std::ofstream(dir.path + "/state.bin.tmp") << "half";
  std::vector<uint8_t> buf(64);
  auto n = s.load("state.bin", buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_string({buf.data(), *n}), "old");
  ASSERT_TRUE(s.store("state.bin", as_bytes("new")).ok());
  n = s.load("state.bin", buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(as_string({buf.data(), *n}), "new");
}

TEST(DirectoryStorage, PrepareCreatesTheDirectoryOrSaysWhyNot) {
  TempDir dir;
  DirectoryStorage made(dir.path + "/sub");
  ASSERT_TRUE(made.prepare().ok());
  EXPECT_TRUE(exists(dir.path + "/sub"));
  std::ofstream(dir.path + "/file") << "x";
  DirectoryStorage file(dir.path + "/file");
  EXPECT_EQ(file.prepare(), Errc::invalid_argument);
  EXPECT_EQ(file.error_detail(), "not a directory");
  DirectoryStorage deep(dir.path + "/a/b/c");
  EXPECT_EQ(deep.prepare(), Errc::internal_error);
  EXPECT_NE(deep.error_detail().find("mkdir"), std::string_view::npos);
  EXPECT_FALSE(deep.store("x", as_bytes("y")).ok());
  EXPECT_NE(deep.error_detail().find("create"), std::string_view::npos);
}

}  // namespace
}  // namespace lwm2m::posix
