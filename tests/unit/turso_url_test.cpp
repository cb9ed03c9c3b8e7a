#include <gtest/gtest.h>

#include "core/error.hpp"
#include "db/turso/turso_url.hpp"

using ds::db::turso::Endpoint;
using ds::db::turso::follow_base_url;
using ds::db::turso::parse_endpoint;
using ds::db::turso::Protocol;

namespace {

ds::Errc error_code_of(const std::string& url) {
  try {
    parse_endpoint(url);
  } catch (const ds::Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error for " << url;
  return ds::Errc::internal;
}

}  // namespace

TEST(TursoUrl, LibsqlMeansHttps) {
  const Endpoint ep = parse_endpoint("libsql://db-org.turso.io");
  EXPECT_EQ(ep.base_url, "https://db-org.turso.io/");
  EXPECT_EQ(ep.pipeline_url(Protocol::v2), "https://db-org.turso.io/v2/pipeline");
  EXPECT_EQ(ep.host, "db-org.turso.io");
  EXPECT_FALSE(ep.url_token);
}

TEST(TursoUrl, TlsZeroMeansHttpAndKeepsThePort) {
  const Endpoint ep = parse_endpoint("libsql://127.0.0.1:8080?tls=0");
  EXPECT_EQ(ep.pipeline_url(Protocol::v2), "http://127.0.0.1:8080/v2/pipeline");
  EXPECT_EQ(ep.host, "127.0.0.1:8080");
  EXPECT_EQ(parse_endpoint("libsql://h?tls=1").base_url, "https://h/");
}

TEST(TursoUrl, HttpAndHttpsAreKept) {
  EXPECT_EQ(parse_endpoint("http://localhost:8080").pipeline_url(Protocol::v2),
            "http://localhost:8080/v2/pipeline");
  EXPECT_EQ(parse_endpoint("https://h").pipeline_url(Protocol::v2), "https://h/v2/pipeline");
}

TEST(TursoUrl, PathsAreJoined) {
  EXPECT_EQ(parse_endpoint("https://h/db/").pipeline_url(Protocol::v2), "https://h/db/v2/pipeline");
  EXPECT_EQ(parse_endpoint("https://h/db").pipeline_url(Protocol::v2), "https://h/db/v2/pipeline");
  EXPECT_EQ(parse_endpoint("https://h/").pipeline_url(Protocol::v2), "https://h/v2/pipeline");
  EXPECT_EQ(parse_endpoint("https://h/db").pipeline_url(Protocol::v3), "https://h/db/v3/pipeline");
}

TEST(TursoUrl, AuthTokenIsTakenOutOfTheUrl) {
  const Endpoint ep = parse_endpoint("libsql://h?authToken=abc%2Bdef&tls=1");
  ASSERT_TRUE(ep.url_token);
  EXPECT_EQ(ep.url_token->reveal(), "abc+def");
  EXPECT_EQ(ep.base_url.find("abc"), std::string::npos);
  EXPECT_EQ(ep.host.find("abc"), std::string::npos);
}

TEST(TursoUrl, OtherParametersAreConfigurationErrors) {
  EXPECT_EQ(error_code_of("libsql://h?foo=1"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("libsql://h?tls=2"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("http://h?tls=1"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("https://h?tls=0"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("ftp://h"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("https://"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("https://user:pw@h"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("https://h#frag"), ds::Errc::validation);
  EXPECT_EQ(error_code_of("https://h?authToken=%zz"), ds::Errc::validation);
}

TEST(TursoUrl, ErrorsNeverEchoParameterValues) {
  try {
    parse_endpoint("libsql://h?authToken=s3cr3t&bogus=s3cr3t");
    FAIL();
  } catch (const ds::Error& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos) << e.what();
  }
}

TEST(TursoUrl, BaseUrlFromTheServer) {
  const Endpoint ep = parse_endpoint("https://h/");
  EXPECT_EQ(follow_base_url(ep, "https://other/x"), "https://other/x/");
  EXPECT_THROW(follow_base_url(ep, "http://other/"), ds::Error);  // would drop TLS
  EXPECT_THROW(follow_base_url(ep, "ftp://other/"), ds::Error);
}
