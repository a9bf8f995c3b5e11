// BeastClient's credentials towards the backend, against FakeUpstream: the exact Authorization
// header on every kind of request, a refusal (401/403) as a clear upstream error, options that
// cannot work refused up front naming the flag, and secrets kept out of every message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "nfmetrics/prometheus/beast_client.hpp"
#include "support/fake_upstream.hpp"
#include "support/harness_common.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::FakeUpstream;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RecordedRequest;
using testing::Reply;
using testing::RunToEnd;

constexpr const char* kToken = "s3cr3t-token_value.with~chars+/=";
constexpr const char* kPassword = "pa ss:wörd";

Reply Answer(const RecordedRequest& request) {
  if (request.target.find("/label/") != std::string::npos) {
    return Reply::Json(R"({"status":"success","data":["p-0"]})");
  }
  if (request.target.find("/api/v1/query?") != std::string::npos) {
    return Reply::Json(R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]}})");
  }
  return Reply::Json(R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

class BackendCredentials : public ::testing::Test {
 protected:
  std::unique_ptr<Client> Make(BeastClientOptions options) {
    auto client = MakeBeastClient(io_.get_executor(), std::move(options));
    EXPECT_TRUE(client.ok()) << client.error().message;
    return client.ok() ? std::move(client).value() : nullptr;
  }

  Error Refused(BeastClientOptions options) {
    auto client = MakeBeastClient(io_.get_executor(), std::move(options));
    EXPECT_FALSE(client.ok());
    if (client.ok()) return {};
    EXPECT_EQ(client.error().code, ErrorCode::kBadRequest);
    return std::move(client).error();
  }

  // One of each request kind; the Authorization header each carried.
  std::vector<std::string> HeadersOfEachRequestKind(Client& client, FakeUpstream& fake) {
    RangeQuery range{"up", TimePoint(1795467600000ms), TimePoint(1795471200000ms), 60000ms};
    LabelValuesQuery values{"pod", {"up"}, TimePoint(1795467600000ms), TimePoint(1795471200000ms)};
    EXPECT_TRUE(RunToEnd(io_, client.QueryRange(range)).ok());
    EXPECT_TRUE(RunToEnd(io_, client.LabelValues(values)).ok());
    EXPECT_TRUE(RunToEnd(io_, client.CheckReady()).ok());
    std::vector<std::string> headers;
    for (const RecordedRequest& request : fake.requests()) {
      headers.push_back(request.Header("authorization"));
    }
    EXPECT_EQ(headers.size(), 3u);
    return headers;
  }

  std::filesystem::path WriteFile(const std::string& name, const std::string& content) {
    std::filesystem::path path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  asio::io_context io_;
  testing::ScratchDir dir_{"nfmetrics-credentials"};
};

TEST_F(BackendCredentials, SendsTheBearerTokenOnQueryRangeLabelValuesAndReadiness) {
  FakeUpstream fake(Answer);
  auto client = Make({.transport = {.base_url = fake.base_url()}, .bearer_token = kToken});
  EXPECT_THAT(HeadersOfEachRequestKind(*client, fake),
              ::testing::Each(std::string("Bearer ") + kToken));
}

TEST_F(BackendCredentials, SendsBasicAuthOnEveryRequestKind) {
  FakeUpstream fake(Answer);
  auto client = Make({.transport = {.base_url = fake.base_url()},
                      .basic_auth_user = "nf",
                      .basic_auth_password = "pw"});
  // base64("nf:pw")
  EXPECT_THAT(HeadersOfEachRequestKind(*client, fake),
              ::testing::Each(std::string("Basic bmY6cHc=")));
}

TEST_F(BackendCredentials, EncodesAnyPasswordBytesInBasicAuth) {
  FakeUpstream fake(Answer);
  auto client = Make({.transport = {.base_url = fake.base_url()},
                      .basic_auth_user = "nf",
                      .basic_auth_password = kPassword});
  // base64("nf:pa ss:wörd") with ö in UTF-8
  EXPECT_THAT(HeadersOfEachRequestKind(*client, fake),
              ::testing::Each(std::string("Basic bmY6cGEgc3M6d8O2cmQ=")));
}

TEST_F(BackendCredentials, SendsNoAuthorizationWithoutCredentials) {
  FakeUpstream fake(Answer);
  auto client = Make({.transport = {.base_url = fake.base_url()}});
  EXPECT_THAT(HeadersOfEachRequestKind(*client, fake), ::testing::Each(std::string()));
}

TEST_F(BackendCredentials, A401IsAnUpstreamErrorSayingOurCredentialsWereRefused) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Text("Unauthorized\n", 401); });
  auto client = Make({.transport = {.base_url = fake.base_url()}, .bearer_token = kToken});
  RangeQuery range{"up", TimePoint(1795467600000ms), TimePoint(1795471200000ms), 60000ms};

  auto result = RunToEnd(io_, client->QueryRange(range));
  Status ready = RunToEnd(io_, client->CheckReady());

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("the backend refused our credentials (401)"));
  EXPECT_THAT(result.error().message, HasSubstr("bearer token"));
  EXPECT_THAT(result.error().message, Not(HasSubstr(kToken)));
  ASSERT_FALSE(ready.ok());
  EXPECT_THAT(ready.error().message, HasSubstr("(401)"));
}

TEST_F(BackendCredentials, A401WithoutCredentialsSaysNoneAreConfigured) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Text("Unauthorized\n", 401); });
  auto client = Make({.transport = {.base_url = fake.base_url()}});
  Status ready = RunToEnd(io_, client->CheckReady());
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(ready.error().message, HasSubstr("none is configured"));
}

TEST_F(BackendCredentials, RefusesBearerAndBasicTogether) {
  Error error = Refused({.transport = {.base_url = "http://h:9090"},
                         .bearer_token = "t",
                         .basic_auth_user = "u",
                         .basic_auth_password = "p"});
  EXPECT_EQ(error.param, "prometheus-bearer-token-file");
  EXPECT_THAT(error.message, HasSubstr("cannot both"));
}

TEST_F(BackendCredentials, RefusesBasicAuthWithoutAPasswordOrUser) {
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h"}, .basic_auth_user = "u"}).param,
            "prometheus-basic-auth-password-file");
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h"}, .basic_auth_password = "p"}).param,
            "prometheus-basic-auth-user");
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h"},
                     .basic_auth_user = "a:b",
                     .basic_auth_password = "p"})
                .param,
            "prometheus-basic-auth-user");
}

TEST_F(BackendCredentials, RefusesATokenThatWouldBreakTheHeaderWithoutQuotingIt) {
  const std::string token = "first-line\nX-Injected: yes";
  Error error = Refused({.transport = {.base_url = "http://h"}, .bearer_token = token});
  EXPECT_EQ(error.param, "prometheus-bearer-token-file");
  EXPECT_THAT(error.message, Not(HasSubstr("first-line")));
}

TEST_F(BackendCredentials, RefusesTlsOptionsWithAnHttpUrlNamingTheFlag) {
  std::filesystem::path file = WriteFile("ca.pem", "x");
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h", .ca_file = file}}).param,
            "prometheus-ca-file");
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h",
                                   .client_cert_file = file,
                                   .client_key_file = file}})
                .param,
            "prometheus-client-cert");
  EXPECT_EQ(Refused({.transport = {.base_url = "http://h", .insecure_skip_verify = true}}).param,
            "prometheus-tls-insecure-skip-verify");
}

TEST_F(BackendCredentials, RefusesAClientCertificateWithoutItsKeyAndViceVersa) {
  std::filesystem::path file = WriteFile("client.pem", "x");
  EXPECT_EQ(Refused({.transport = {.base_url = "https://h", .client_cert_file = file}}).param,
            "prometheus-client-key");
  EXPECT_EQ(Refused({.transport = {.base_url = "https://h", .client_key_file = file}}).param,
            "prometheus-client-cert");
}

TEST_F(BackendCredentials, RefusesUnloadableTlsFilesNamingTheFlagAndFile) {
  std::filesystem::path garbage = WriteFile("garbage.pem", "not a certificate\n");
  Error ca = Refused({.transport = {.base_url = "https://h", .ca_file = garbage}});
  EXPECT_EQ(ca.param, "prometheus-ca-file");
  EXPECT_THAT(ca.message, HasSubstr(garbage.string()));
  Error missing =
      Refused({.transport = {.base_url = "https://h", .ca_file = dir_.path() / "missing.pem"}});
  EXPECT_EQ(missing.param, "prometheus-ca-file");
  Error cert = Refused(
      {.transport = {
           .base_url = "https://h", .client_cert_file = garbage, .client_key_file = garbage}});
  EXPECT_EQ(cert.param, "prometheus-client-cert");
}

TEST_F(BackendCredentials, RefusesSkippingVerificationTogetherWithACaFile) {
  std::filesystem::path file = WriteFile("ca.pem", "x");
  EXPECT_EQ(
      Refused(
          {.transport = {.base_url = "https://h", .ca_file = file, .insecure_skip_verify = true}})
          .param,
      "prometheus-tls-insecure-skip-verify");
}

TEST_F(BackendCredentials, AcceptsAnHttpsUrlWithTheSystemCaStore) {
  EXPECT_NE(Make({.transport = {.base_url = "https://prometheus.example:9090"}}), nullptr);
}

TEST(ReadSecretFile, StripsTrailingNewlinesOnly) {
  testing::ScratchDir dir("nfmetrics-secret");
  std::ofstream(dir.path() / "lf") << "  tok en\n";
  std::ofstream(dir.path() / "crlf") << "tok\r\n\r\n";
  std::ofstream(dir.path() / "none") << "tok";
  EXPECT_EQ(ReadSecretFile(dir.path() / "lf").value(), "  tok en");
  EXPECT_EQ(ReadSecretFile(dir.path() / "crlf").value(), "tok");
  EXPECT_EQ(ReadSecretFile(dir.path() / "none").value(), "tok");
}

TEST(ReadSecretFile, FailsNamingTheFileWhenMissingOrEmpty) {
  testing::ScratchDir dir("nfmetrics-secret");
  std::ofstream(dir.path() / "empty") << "\n";
  Result<std::string> empty = ReadSecretFile(dir.path() / "empty");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().message, HasSubstr("empty"));
  Result<std::string> missing = ReadSecretFile(dir.path() / "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr((dir.path() / "missing").string()));
  EXPECT_THAT(missing.error().message, HasSubstr("no such file"));
}

}  // namespace
}  // namespace nfmetrics::prometheus
