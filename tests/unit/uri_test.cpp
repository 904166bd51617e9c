// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/uri.hpp"

#include <gtest/gtest.h>

namespace lwm2m {
namespace {

TEST(ServerUri, DefaultPortBySchemeUnlikeRiot) {
  auto a = parse_server_uri("coap://leshan.example.org");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, 5683);
  EXPECT_FALSE(a->secure());
  auto b = parse_server_uri("coaps://leshan.example.org");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5684);  // RIOT gave coaps:// without a port 5683
  EXPECT_TRUE(b->secure());
  EXPECT_EQ(b->host, "leshan.example.org");
}

TEST(ServerUri, LiteralsAndPorts) {
  auto v6 = parse_server_uri("coap://[::1]:5690");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->ipv6_literal);
  EXPECT_EQ(v6->port, 5690);
  auto v6z = parse_server_uri("coaps://[fe80::1%eth0]");
  ASSERT_TRUE(v6z.ok());
  EXPECT_EQ(v6z->host, "fe80::1%eth0");
  EXPECT_EQ(v6z->port, 5684);
  auto v4 = parse_server_uri("COAP://127.0.0.1:5683/");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->path, "/");
  EXPECT_EQ(parse_server_uri("coap+tcp://h")->scheme, UriScheme::coap_tcp);
}

TEST(ServerUri, RejectsMalformedAndForeignSchemes) {
  for (const char* bad :
       {"", "leshan:5683", "://h", "coap://", "coap://:5683", "coap://h:", "coap://h:0",
        "coap://h:65536", "coap://h:12a", "coap://[::1", "coap://[]:1", "coap://::1:5683",
        "coap://u@h", "coap://[::1]x", "coap://[zz]"}) {
    EXPECT_EQ(parse_server_uri(bad).error(), Errc::malformed) << bad;
  }
  EXPECT_EQ(parse_server_uri("http://h").error(), Errc::unsupported);
  EXPECT_EQ(parse_server_uri("sms://123").error(), Errc::unsupported);
}

}  // namespace
}  // namespace lwm2m
