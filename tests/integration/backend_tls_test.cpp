// TLS and credentials towards a real, secured Prometheus (its --web.config.file): a CA-verified
// https:// query, a wrong CA, mutual TLS, basic auth; and `serve` naming the flag at fault. Runs
// only in the Prometheus pass of the suite: these start their own Prometheus instances.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netdb.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nfmetrics/prometheus/beast_client.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/prometheus_harness.hpp"
#include "support/tls_fixtures.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// A fixture, not a secret: bcrypt (cost 4, the minimum, to keep Prometheus fast) of kPassword.
constexpr const char* kUser = "nfmetrics";
constexpr const char* kPassword = "nfmetrics-test-password";
constexpr const char* kPasswordBcrypt =
    "$2b$04$zlNUBowk4OAc3xCGvDA2F.kVDrzM5RVJrEupt.gxvq.hZr9iht9W.";

std::string TlsServerConfig(const TestPki& pki, bool require_client_cert) {
  std::string yaml = fmt::format("tls_server_config:\n  cert_file: {}\n  key_file: {}\n",
                                 pki.server_cert.string(), pki.server_key.string());
  if (require_client_cert) {
    yaml += fmt::format("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {}\n",
                        pki.ca_cert.string());
  }
  return yaml;
}

// Three secured Prometheus instances holding the last 30 minutes of synthetic data, started once
// for the suite: TLS; TLS requiring a client certificate; TLS with basic auth.
struct SecuredBackends {
  ScratchDir dir{"nfmetrics-pki"};
  TestPki pki = WriteTestPki(dir.path());
  std::unique_ptr<PrometheusHarness> tls, mutual_tls, basic_auth;
};
SecuredBackends* secured = nullptr;

std::unique_ptr<PrometheusHarness> StartSecured(std::string yaml, LoopbackCredentials probe) {
  const TimePoint end{std::chrono::seconds(DataEnd())};
  PrometheusWebConfig web{.yaml = std::move(yaml),
                          .tls = true,
                          .get = [probe](unsigned short port, const std::string& target) {
                            return SecuredLoopbackGet(port, target, probe, 1s);
                          }};
  return PrometheusHarness::Start({.start = end - 30min, .end = end, .interval = 15s}, web);
}

class SecuredPrometheus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (BackendName() != "prometheus") return;
    secured = new SecuredBackends;
    const TestPki& pki = secured->pki;
    LoopbackCredentials ca_only{.tls = true, .ca_file = pki.ca_cert};
    secured->tls = StartSecured(TlsServerConfig(pki, false), ca_only);
    LoopbackCredentials with_cert = ca_only;
    with_cert.client_cert = pki.client_cert;
    with_cert.client_key = pki.client_key;
    secured->mutual_tls = StartSecured(TlsServerConfig(pki, true), with_cert);
    LoopbackCredentials with_password = ca_only;
    with_password.authorization =
        "Basic " + std::string("bmZtZXRyaWNzOm5mbWV0cmljcy10ZXN0LXBhc3N3b3Jk");  // kUser:kPassword
    secured->basic_auth =
        StartSecured(TlsServerConfig(pki, false) +
                         fmt::format("basic_auth_users:\n  {}: \"{}\"\n", kUser, kPasswordBcrypt),
                     with_password);
  }
  static void TearDownTestSuite() {
    delete secured;
    secured = nullptr;
  }
  void SetUp() override {
    if (BackendName() != "prometheus") GTEST_SKIP() << "runs in the Prometheus pass only";
  }

  const TestPki& pki() const { return secured->pki; }

  // count(monovtx_sink_time_count) over the last 10 minutes of data, through a client made with
  // `options`.
  Result<prometheus::Matrix> Query(prometheus::BeastClientOptions options) {
    auto client = prometheus::MakeBeastClient(io_.get_executor(), std::move(options));
    if (!client.ok()) return std::move(client).error();
    const TimePoint end{std::chrono::seconds(DataEnd())};
    prometheus::RangeQuery query{"count(monovtx_sink_time_count)", end - 10min, end, 60s};
    std::optional<Result<prometheus::Matrix>> out;
    asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> { out.emplace(co_await (*client)->QueryRange(query)); },
        [](std::exception_ptr error) {
          if (error) std::rethrow_exception(error);
        });
    io_.restart();
    io_.run();
    return std::move(*out);
  }

  // The synthetic data is there: one series, a positive count at every step.
  static void ExpectSyntheticCount(const Result<prometheus::Matrix>& result) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->series.size(), 1u);
    ASSERT_EQ(result->series[0].samples.size(), 11u);
    EXPECT_GT(result->series[0].samples.back().value, 0);
  }

  asio::io_context io_;
};

TEST_F(SecuredPrometheus, QueriesOverHttpsVerifiedWithTheCaFile) {
  ExpectSyntheticCount(
      Query({.transport = {.base_url = secured->tls->url(), .ca_file = pki().ca_cert}}));
}

TEST_F(SecuredPrometheus, AWrongCaFailsTheHandshakeSayingCertificateVerificationFailed) {
  auto result =
      Query({.transport = {.base_url = secured->tls->url(), .ca_file = pki().other_ca_cert}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_THAT(result.error().message, HasSubstr("certificate verification failed"));
  EXPECT_THAT(result.error().message, HasSubstr(secured->tls->url()));
}

TEST_F(SecuredPrometheus, TheSystemCaStoreDoesNotTrustTheTestCa) {
  auto result = Query({.transport = {.base_url = secured->tls->url()}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("certificate verification failed"));
}

TEST_F(SecuredPrometheus, VerifiesTheCertificateAgainstAHostNameToo) {
  // A bare chroot (debootstrap minbase) has no /etc/hosts: no name resolves there.
  addrinfo* found = nullptr;
  if (::getaddrinfo("localhost", nullptr, nullptr, &found) != 0) {
    GTEST_SKIP() << "localhost does not resolve on this machine (no /etc/hosts entry)";
  }
  ::freeaddrinfo(found);
  // The certificate names IP 127.0.0.1 and DNS localhost: the name is checked with SNI sent.
  std::string url = secured->tls->url();
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  ExpectSyntheticCount(Query({.transport = {.base_url = url, .ca_file = pki().ca_cert}}));
}

TEST_F(SecuredPrometheus, InsecureSkipVerifyAcceptsAnUntrustedCertificate) {
  ExpectSyntheticCount(
      Query({.transport = {.base_url = secured->tls->url(), .insecure_skip_verify = true}}));
}

TEST_F(SecuredPrometheus, MutualTlsFailsWithoutAClientCertificate) {
  auto result =
      Query({.transport = {.base_url = secured->mutual_tls->url(), .ca_file = pki().ca_cert}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().code,
              AnyOf(ErrorCode::kUpstreamUnavailable, ErrorCode::kUpstreamError));
  EXPECT_THAT(result.error().message, HasSubstr("client certificate"));
}

TEST_F(SecuredPrometheus, MutualTlsSucceedsWithTheClientCertificate) {
  ExpectSyntheticCount(Query({.transport = {.base_url = secured->mutual_tls->url(),
                                            .ca_file = pki().ca_cert,
                                            .client_cert_file = pki().client_cert,
                                            .client_key_file = pki().client_key}}));
}

TEST_F(SecuredPrometheus, MutualTlsWithACertificateFromAnotherCaFails) {
  // The server certificate as a client certificate: signed by the right CA but not for clientAuth.
  auto result = Query({.transport = {.base_url = secured->mutual_tls->url(),
                                     .ca_file = pki().ca_cert,
                                     .client_cert_file = pki().server_cert,
                                     .client_key_file = pki().server_key}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("client certificate"));
}

TEST_F(SecuredPrometheus, BasicAuthWithAWrongPasswordIsRefusedWith401) {
  auto result =
      Query({.transport = {.base_url = secured->basic_auth->url(), .ca_file = pki().ca_cert},
             .basic_auth_user = kUser,
             .basic_auth_password = "wrong-password"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("the backend refused our credentials (401)"));
  EXPECT_THAT(result.error().message, Not(HasSubstr("wrong-password")));
}

TEST_F(SecuredPrometheus, BasicAuthWithoutCredentialsIsRefusedWith401) {
  auto result =
      Query({.transport = {.base_url = secured->basic_auth->url(), .ca_file = pki().ca_cert}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("(401)"));
}

TEST_F(SecuredPrometheus, BasicAuthWithTheRightPasswordReturnsTheData) {
  ExpectSyntheticCount(
      Query({.transport = {.base_url = secured->basic_auth->url(), .ca_file = pki().ca_cert},
             .basic_auth_user = kUser,
             .basic_auth_password = kPassword}));
}

// `nfmetrics serve` with the flags, as a process: ready against the secured Prometheus, and the
// password is nowhere in its log.
TEST_F(SecuredPrometheus, ServeTalksToASecuredPrometheusAndNeverLogsThePassword) {
  auto password_file = secured->dir.path() / "password";
  std::ofstream(password_file) << kPassword << "\n";
  unsigned short port = FreeLoopbackPort();
  auto log = secured->dir.path() / "serve.log";
  auto child = ChildProcess::Start(
      NFMETRICS_BINARY,
      {"serve", "--listen", fmt::format("127.0.0.1:{}", port), "--prometheus-url",
       secured->basic_auth->url(), "--prometheus-ca-file", pki().ca_cert.string(),
       "--prometheus-basic-auth-user", kUser, "--prometheus-basic-auth-password-file",
       password_file.string(), "--log-level", "trace"},
      log);
  int ready = 0;
  for (int i = 0; i < 100 && ready != 200 && child->Running(); ++i) {
    try {
      ready = Get("127.0.0.1", port, "/readyz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(50ms);
    }
  }
  EXPECT_EQ(ready, 200) << child->LogTail();
  const auto& m = SynthWorld().mono_vertices.front();
  HttpResponse answer =
      Get("127.0.0.1", port,
          fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&start={}&end={}&step=1m",
                      m.ns, m.name, DataEnd() - 1200, DataEnd() - 60));
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
  std::string text = child->LogTail(1 << 20);
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
}

// Runs `nfmetrics serve ARGS...` expecting it to refuse to start; its log.
std::string ServeRefusal(const std::string& name, std::vector<std::string> args) {
  auto log = std::filesystem::temp_directory_path() / fmt::format("nfmetrics-btls-{}.log", name);
  std::filesystem::remove(log);
  args.insert(args.begin(), {"serve", "--listen", fmt::format("127.0.0.1:{}", FreeLoopbackPort())});
  auto child = ChildProcess::Start(NFMETRICS_BINARY, args, log);
  auto code = child->Wait(10s);
  EXPECT_TRUE(code.has_value()) << "still running: " << child->LogTail();
  if (code) {
    EXPECT_NE(*code, 0) << child->LogTail();
  }
  return child->LogTail();
}

class ServeBackendFlags : public ::testing::Test {
 protected:
  void SetUp() override {
    if (BackendName() != "prometheus") GTEST_SKIP() << "runs in the Prometheus pass only";
  }
  std::string File(const std::string& name, const std::string& content) {
    auto path = dir_.path() / name;
    std::ofstream(path) << content;
    return path.string();
  }
  ScratchDir dir_{"nfmetrics-serve-flags"};
};

TEST_F(ServeBackendFlags, AClientCertificateWithoutItsKeyNamesBothFlags) {
  std::string log =
      ServeRefusal("cert-no-key", {"--prometheus-url", "https://127.0.0.1:9",
                                   "--prometheus-client-cert", File("client.pem", "x")});
  EXPECT_THAT(log, HasSubstr("--prometheus-client-cert"));
  EXPECT_THAT(log, HasSubstr("--prometheus-client-key"));
}

TEST_F(ServeBackendFlags, BearerAndBasicTogetherNameTheFlags) {
  std::string log = ServeRefusal(
      "bearer-basic", {"--prometheus-url", "https://127.0.0.1:9", "--prometheus-bearer-token-file",
                       File("token", "t\n"), "--prometheus-basic-auth-user", "u",
                       "--prometheus-basic-auth-password-file", File("pw", "p\n")});
  EXPECT_THAT(log, HasSubstr("--prometheus-bearer-token-file"));
  EXPECT_THAT(log, HasSubstr("--prometheus-basic-auth-"));
}

TEST_F(ServeBackendFlags, ABasicUserWithoutAPasswordFileNamesTheFlag) {
  std::string log = ServeRefusal("basic-no-password", {"--prometheus-url", "https://127.0.0.1:9",
                                                       "--prometheus-basic-auth-user", "u"});
  EXPECT_THAT(log, HasSubstr("--prometheus-basic-auth-password-file"));
}

TEST_F(ServeBackendFlags, AMissingOrEmptySecretFileNamesTheFlag) {
  std::string missing = ServeRefusal(
      "missing-token", {"--prometheus-url", "https://127.0.0.1:9", "--prometheus-bearer-token-file",
                        (dir_.path() / "nope").string()});
  EXPECT_THAT(missing, HasSubstr("--prometheus-bearer-token-file"));
  std::string empty =
      ServeRefusal("empty-token", {"--prometheus-url", "https://127.0.0.1:9",
                                   "--prometheus-bearer-token-file", File("empty", "\n")});
  EXPECT_THAT(empty, HasSubstr("--prometheus-bearer-token-file"));
  EXPECT_THAT(empty, HasSubstr("is empty"));
}

TEST_F(ServeBackendFlags, TlsOptionsWithAnHttpUrlAreAnErrorNamingTheFlag) {
  std::string log = ServeRefusal("tls-on-http", {"--prometheus-url", "http://127.0.0.1:9",
                                                 "--prometheus-ca-file", File("ca.pem", "x")});
  EXPECT_THAT(log, HasSubstr("--prometheus-ca-file"));
  EXPECT_THAT(log, HasSubstr("https://"));
}

TEST_F(ServeBackendFlags, AnUnloadableCaFileNamesTheFlag) {
  std::string log = ServeRefusal("bad-ca", {"--prometheus-url", "https://127.0.0.1:9",
                                            "--prometheus-ca-file", File("ca.pem", "garbage")});
  EXPECT_THAT(log, HasSubstr("--prometheus-ca-file"));
  EXPECT_THAT(log, HasSubstr("cannot load CA certificates"));
}

}  // namespace
}  // namespace nfmetrics::testing
