// SPDX-License-Identifier: Apache-2.0
// Persistence through the runner (C++): a bootstrapped configuration, Access Control
// included, is saved in a directory and restored by the next client, which registers
// without bootstrapping again.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <vector>

#include "fixture.hpp"
#include "lwm2m/objects/saved_state.hpp"
#include "lwm2m/platform/directory_storage.hpp"
#include "runner_support.hpp"

namespace lwm2m::itest {
namespace {

/// A client rig whose Security, Server and Access Control objects are saved in `dir`.
struct PersistentRig {
  explicit PersistentRig(const std::string& dir, const std::string& bs_uri)
      : storage(dir), rig("persist-cpp") {
    rig.use_access_control();
    rig.add_bootstrap(bs_uri);
    rig.saved_state = &saved;
  }
  ~PersistentRig() {
    if (rig.runner) rig.runner->stop(Duration{3000});  // before `saved` goes
  }
  posix::DirectoryStorage storage;
  Rig rig;
  objects::SecurityRecord sec{rig.security};
  objects::ServerRecord srv{rig.server};
  objects::AccessControlRecord acl{rig.acl};
  StateRecord* records[3] = {&sec, &srv, &acl};
  std::vector<uint8_t> buffer = std::vector<uint8_t>(8192);
  SavedState saved{storage, records, buffer};
};

/// Waits for the line: the runner logs a save after the commit the server already saw.
bool has_line(const Rig& rig, const std::string& part) {
  return wait_until(
      [&] {
        for (const std::string& l : rig.log_lines())
          if (l.find(part) != std::string::npos) return true;
        return false;
      },
      kWait);
}

TEST(Persistence, TheRunnerRestoresSecurityServerAndAccessControl) {
  ts::BootstrapServer bs(server_options());
  ts::Server server(server_options());
  ts::tlv::SecurityInstance account;
  account.server_uri = server.uri();
  account.security_mode = 3;
  account.short_server_id = 7;
  ts::tlv::ServerInstance srv;
  srv.short_server_id = 7;
  srv.lifetime = 41;
  // /2/0: server 7 may do everything on /3303/0, others may read it; 7 owns it.
  ts::Bytes acl = ts::tlv::resource_int(0, 3303);
  for (const ts::Bytes& b : {ts::tlv::resource_int(1, 0),
                             ts::tlv::element(2, 2,
                                              [] {
                                                ts::Bytes v = ts::tlv::element(1, 0, {1});
                                                ts::Bytes w = ts::tlv::element(1, 7, {31});
                                                v.insert(v.end(), w.begin(), w.end());
                                                return v;
                                              }()),
                             ts::tlv::resource_int(3, 7)})
    acl.insert(acl.end(), b.begin(), b.end());
  ts::BootstrapScript script;
  script.steps = {
      ts::BootstrapStep::delete_path("/"),
      ts::BootstrapStep::write("/0/1", ts::tlv::security_resources(account)),
      ts::BootstrapStep::write("/1", ts::tlv::server_instance(0, srv)),
      ts::BootstrapStep::write("/2/0", acl),
  };
  bs.set_script(script);

  char tmpl[] = "/tmp/lwm2m-persist-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  {
    PersistentRig first(dir, bs.uri());
    first.rig.start();
    auto result = bs.wait_finished("persist-cpp", kWait);
    ASSERT_TRUE(result && result->completed) << (result ? result->failure : "no result");
    ASSERT_TRUE(server.wait_registered("persist-cpp", kWait));
    EXPECT_TRUE(has_line(first.rig, "no saved configuration in " + dir));
    EXPECT_TRUE(has_line(first.rig, "saved the configuration to " + dir + "/lwm2m-state.bin"));
  }
  PersistentRig second(dir, bs.uri());
  second.rig.start();
  auto reg = server.wait_registered("persist-cpp", kWait);
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->lifetime, 41u);
  EXPECT_TRUE(has_line(second.rig, "restored the saved configuration from " + dir));
  size_t requests = 0;
  for (const ts::Event& e : bs.events())
    requests += e.kind == ts::Event::Kind::bootstrap_requested;
  EXPECT_EQ(requests, 1u);  // registered from what was saved
  second.rig.locked([&](core::Client&) {
    const objects::AclInstance* a = second.rig.acl.find(3303, 0);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->owner, 7);
    bool governed = false;
    EXPECT_EQ(second.rig.acl.rights(7, 3303, 0, governed), objects::kAccessAll);
    EXPECT_EQ(second.rig.acl.rights(9, 3303, 0, governed), objects::kAccessRead);
    ASSERT_NE(second.rig.security.find_bootstrap(), nullptr);  // kept by Delete "/"
    EXPECT_EQ(second.rig.security.find_bootstrap()->uri.str(), bs.uri());
  });
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace lwm2m::itest
