// The pinned command line: `build/nfmetrics serve` as a real process in front of the test
// backend answers exactly as the in-process stack does, and stops cleanly on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "api_checks.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "support/child_process.hpp"
#include "support/exposition.hpp"
#include "support/fake_upstream.hpp"
#include "support/harness_common.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/redis_harness.hpp"
#include "support/sse_client.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

// Starts the binary and waits for /healthz; fails the test with its log otherwise.
std::unique_ptr<ChildProcess> StartServe(unsigned short port, std::vector<std::string> args) {
  std::vector<std::string> argv = {"serve", "--listen", fmt::format("127.0.0.1:{}", port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto log = std::filesystem::temp_directory_path() / fmt::format("nfmetrics-serve-{}.log", port);
  auto child = ChildProcess::Start(NFMETRICS_BINARY, argv, log);
  for (int i = 0; i < 100; ++i) {
    try {
      if (Get("127.0.0.1", port, "/healthz").status == 200) return child;
    } catch (const std::exception&) {
      // not listening yet
    }
    if (!child->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "nfmetrics serve did not come up:\n" << child->LogTail();
  return child;
}

std::string SinkLatencyTarget() {
  const auto& m = SynthWorld().mono_vertices.front();
  return fmt::format(
      "/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&start={}&end={}&step=1m",
      m.ns, m.name, DataEnd() - 7200, DataEnd() - 600);
}

TEST(ServeCommand, AnswersLikeTheInProcessStack) {
  unsigned short port = FreeLoopbackPort();
  // Every tuning flag README documents, at a non-default value.
  auto child = StartServe(port, {"--prometheus-url", BackendUrl() + "/", "--upstream-timeout", "5s",
                                 "--upstream-max-connections", "4", "--threads", "2",
                                 "--cache-max-bytes", "16MiB", "--cache-freshness", "30s"});
  HttpResponse from_binary = Get("127.0.0.1", port, SinkLatencyTarget());
  HttpResponse in_process = Get("127.0.0.1", ApiPort(), SinkLatencyTarget());
  EXPECT_EQ(from_binary.status, 200) << from_binary.body;
  EXPECT_EQ(WithoutCache(from_binary.body), WithoutCache(in_process.body));
  EXPECT_EQ(Get("127.0.0.1", port, "/readyz").status, 200);
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
}

// A flag given twice takes its last value, as a systemd EnvironmentFile's NFMETRICS_ARGS after the
// unit's own flags relies on; a repeated bare flag is accepted too.
TEST(ServeCommand, ARepeatedOptionTakesTheLastValue) {
  const unsigned short first = FreeLoopbackPort();
  unsigned short second = FreeLoopbackPort();
  for (int i = 0; i < 10 && second == first; ++i) second = FreeLoopbackPort();
  ASSERT_NE(first, second);
  ScratchDir dir("nfmetrics-serve-repeated");
  auto child = ChildProcess::Start(
      NFMETRICS_BINARY,
      {"serve", "--listen", fmt::format("127.0.0.1:{}", first), "--prometheus-url",
       "http://127.0.0.1:9", "--log-level", "info", "--no-access-log", "--listen",
       fmt::format("127.0.0.1:{}", second), "--prometheus-url", BackendUrl(), "--log-level", "warn",
       "--no-access-log"},
      dir.path() / "serve.log");
  int status = 0;
  for (int i = 0; i < 100 && status != 200 && child->Running(); ++i) {
    try {
      status = Get("127.0.0.1", second, "/healthz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_EQ(status, 200) << child->LogTail();
  EXPECT_EQ(Get("127.0.0.1", second, SinkLatencyTarget()).status, 200) << child->LogTail();
  EXPECT_ANY_THROW(Get("127.0.0.1", first, "/healthz")) << "the first --listen is not used";
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
  // --log-level warn, the last, silences the start-up line that info would print.
  EXPECT_EQ(child->LogTail().find("nfmetrics listening"), std::string::npos) << child->LogTail();
}

TEST(ServeCommand, TakesThePrometheusUrlFromANumaflowStyleConfig) {
  // Without `patterns` the file only sets the url, and the built-in catalog is served.
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-config.yaml";
  std::ofstream(config) << "url: " << BackendUrl() << "\n";
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--config", config.string()});
  EXPECT_EQ(Get("127.0.0.1", port, SinkLatencyTarget()).status, 200);
  EXPECT_EQ(child->Stop(), 0);
}

TEST(ServeCommand, ServesTheCatalogOfItsConfigFileAndOnlyThat) {
  // A user's own pattern: the mean sink time from _sum / _count, grouped by the dimension.
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-catalog.yaml";
  std::ofstream(config) << "url: " << BackendUrl() << R"(
patterns:
  - name: mean_time
    objects: [mono-vertex]
    title: Mean time
    expr: |
      sum by ($dimension) (rate($metric_name{$filters}[$duration]))
    params:
      - name: duration
        required: true
    metrics:
      - metric_name: monovtx_sink_time_sum
        display_name: Sink time spent per second
        unit: µs
        required_filters: [namespace, mvtx_name]
        dimensions:
          - name: pod
            filters:
              - name: pod
                required: false
)";
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--config", config.string()});
  const auto& m = SynthWorld().mono_vertices.front();
  std::string target = fmt::format(
      "/api/v1/metrics/monovtx-sink-time-sum?namespace={}&mvtx={}&group_by=pod&start={}&end={}&"
      "step=1m",
      m.ns, m.name, DataEnd() - 7200, DataEnd() - 600);
  HttpResponse answer = Get("127.0.0.1", port, target);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(
      answer.body.find(fmt::format(
          R"("query":"(sum by (pod) (rate(monovtx_sink_time_sum{{namespace=\"{}\",mvtx_name=\"{}\"}}[5m]))) / 1e6")",
          m.ns, m.name)),
      std::string::npos)
      << answer.body.substr(0, 600);
  EXPECT_NE(answer.body.find(m.pods.front().name), std::string::npos);
  // The built-in metrics are not part of this catalog.
  EXPECT_EQ(Get("127.0.0.1", port, SinkLatencyTarget()).status, 404);
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
}

TEST(ServeCommand, RejectsZeroUpstreamConnectionsNamingTheFlag) {
  auto log = std::filesystem::temp_directory_path() / "nfmetrics-serve-zero-connections.log";
  auto child = ChildProcess::Start(
      NFMETRICS_BINARY,
      {"serve", "--prometheus-url", BackendUrl(), "--upstream-max-connections", "0"}, log);
  auto code = child->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(child->LogTail().find("--upstream-max-connections"), std::string::npos)
      << child->LogTail();
}

TEST(ServeCommand, RejectsABadCatalogAtStartUpNamingFileKeyAndReason) {
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad-catalog.yaml";
  std::ofstream(config) << "patterns:\n  - name: p\n    objects: [mono-vertex]\n"
                           "    expr: histogram_quantile($quantile, sum by($dim, le) "
                           "(rate($metric_name{$filters}[5m])))\n"
                           "    params: [{name: quantile, required: true}]\n"
                           "    metrics: [{metric_name: m_bucket}]\n";
  auto log = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad-catalog.log";
  std::filesystem::remove(log);
  auto child = ChildProcess::Start(
      NFMETRICS_BINARY, {"serve", "--prometheus-url", BackendUrl(), "--config", config.string()},
      log);
  auto code = child->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  std::string tail = child->LogTail();
  EXPECT_NE(tail.find("nfmetrics-serve-bad-catalog.yaml"), std::string::npos) << tail;
  EXPECT_NE(tail.find("patterns[0].expr"), std::string::npos) << tail;
  EXPECT_NE(tail.find("$dim"), std::string::npos) << tail;
}

TEST(ServeCommand, RejectsABadConfigAtStartUpNamingTheKey) {
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad.yaml";
  std::ofstream(config) << "url: " << BackendUrl() << "\nurll: typo\n";
  auto log = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad.log";
  std::filesystem::remove(log);
  auto child = ChildProcess::Start(NFMETRICS_BINARY, {"serve", "--config", config.string()}, log);
  auto code = child->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(child->LogTail().find("urll"), std::string::npos) << child->LogTail();
}

// Runs `nfmetrics serve ARGS...` expecting it to refuse to start; its log.
std::string ServeFailure(const std::string& name, const std::vector<std::string>& args) {
  auto log = std::filesystem::temp_directory_path() / fmt::format("nfmetrics-serve-{}.log", name);
  std::filesystem::remove(log);
  std::vector<std::string> argv = {"serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::Start(NFMETRICS_BINARY, argv, log);
  auto code = child->Wait(std::chrono::seconds(10));
  EXPECT_TRUE(code.has_value()) << "still running: " << child->LogTail();
  if (code) {
    EXPECT_NE(*code, 0) << child->LogTail();
  }
  return child->LogTail();
}

// serve --cache-redis with --cache-redis-timeout: connected in the background, what it fetched is
// a hit on another replica of the same Redis; a bad timeout or URL stops start-up naming the flag.
TEST(ServeCommand, SharesItsCacheThroughRedisAndChecksTheRedisFlags) {
  auto redis = RedisHarness::Start();
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--prometheus-url", BackendUrl(), "--cache-redis", redis->url(),
                                 "--cache-redis-timeout", "50ms"});
  // Polls GET /metrics on `metrics_port` until the sample reaches `value`, for up to 5 s.
  auto reaches = [](unsigned short metrics_port, std::string_view name, const LabelSet& labels,
                    double value) {
    for (int i = 0; i < 100; ++i) {
      const std::string text = Get("127.0.0.1", metrics_port, "/metrics").body;
      if (SampleValue(text, name, labels).value_or(0) >= value) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  ASSERT_TRUE(reaches(port, "nfmetrics_shared_cache_up", {}, 1)) << child->LogTail();
  EXPECT_NE(child->LogTail().find("a read waits at most 50ms"), std::string::npos)
      << child->LogTail();
  HttpResponse miss = Get("127.0.0.1", port, SinkLatencyTarget());
  ASSERT_EQ(miss.status, 200) << miss.body;
  EXPECT_EQ(miss.Header("x-cache"), "miss");
  ASSERT_TRUE(reaches(port, "nfmetrics_shared_cache_writes_total", {{"result", "stored"}}, 1));
  InProcessOptions options;
  options.cache_redis = redis->url();
  InProcessApi replica(BackendUrl(), options);
  ASSERT_TRUE(reaches(replica.port(), "nfmetrics_shared_cache_up", {}, 1));
  EXPECT_EQ(Get("127.0.0.1", replica.port(), SinkLatencyTarget()).Header("x-cache"), "hit");
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();

  for (const char* timeout : {"0", "-5ms", "soon"}) {
    std::string log = ServeFailure(
        "redis-timeout", {"--prometheus-url", BackendUrl(), "--cache-redis-timeout", timeout});
    EXPECT_NE(log.find("--cache-redis-timeout"), std::string::npos) << timeout << ": " << log;
  }
  std::string log =
      ServeFailure("redis-url", {"--prometheus-url", BackendUrl(), "--cache-redis", "redis:/x"});
  EXPECT_NE(log.find("--cache-redis"), std::string::npos) << log;
}

TEST(ServeCommand, RefusesANonLoopbackAddressWithoutAuthNamingInsecureListen) {
  for (std::string host : {"0.0.0.0", "[::]"}) {
    std::string listen = fmt::format("{}:{}", host, FreeLoopbackPort());
    std::string log =
        ServeFailure("insecure-listen", {"--listen", listen, "--prometheus-url", BackendUrl()});
    EXPECT_NE(log.find("--insecure-listen"), std::string::npos) << log;
    EXPECT_NE(log.find("--auth-tokens"), std::string::npos) << log;
    EXPECT_NE(log.find("not a loopback address"), std::string::npos) << log;
  }
}

TEST(ServeCommand, ServesANonLoopbackAddressWithInsecureListen) {
  unsigned short port = FreeLoopbackPort();
  auto log = std::filesystem::temp_directory_path() / "nfmetrics-serve-insecure-ok.log";
  auto child = ChildProcess::Start(NFMETRICS_BINARY,
                                   {"serve", "--listen", fmt::format("0.0.0.0:{}", port),
                                    "--prometheus-url", BackendUrl(), "--insecure-listen"},
                                   log);
  int status = 0;
  for (int i = 0; i < 100 && status != 200 && child->Running(); ++i) {
    try {
      status = Get("127.0.0.1", port, "/healthz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(status, 200) << child->LogTail();
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
}

TEST(ServeCommand, RejectsABadTokenFileAtStartUpNamingTheKey) {
  auto tokens = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad-tokens.yaml";
  std::ofstream(tokens) << "tokens:\n  - name: payments-team\n    sha256: not-a-digest\n"
                           "    namespaces: [payments]\n";
  std::string log = ServeFailure(
      "bad-tokens", {"--listen", fmt::format("127.0.0.1:{}", FreeLoopbackPort()),
                     "--prometheus-url", BackendUrl(), "--auth-tokens", tokens.string()});
  EXPECT_NE(log.find("nfmetrics-serve-bad-tokens.yaml"), std::string::npos) << log;
  EXPECT_NE(log.find("tokens[0].sha256"), std::string::npos) << log;
  EXPECT_NE(log.find("64 hex digits"), std::string::npos) << log;
}

TEST(ServeCommand, WithATokenFileAsksForTheTokenAndLogsOnlyItsName) {
  const std::string secret = "serve-test-secret-5f4dcc3b5aa765d61d8327deb882cf99";
  auto tokens = std::filesystem::temp_directory_path() / "nfmetrics-serve-tokens.yaml";
  std::ofstream(tokens) << "tokens:\n  - name: payments-team\n    sha256: \""
                        << service::Sha256Hex(secret) << "\"\n    namespaces: [payments]\n";
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--prometheus-url", BackendUrl(), "--auth-tokens", tokens.string(),
                                 "--log-level", "debug"});
  const std::string target = "/api/v1/namespaces/payments/mono-vertices";
  HttpResponse without = Get("127.0.0.1", port, target);
  EXPECT_EQ(without.status, 401) << without.body;
  EXPECT_EQ(without.Header("www-authenticate"), R"(Bearer realm="nfmetrics")");
  HttpResponse with =
      HttpRequest("127.0.0.1", port, "GET", target, "", {{"authorization", "Bearer " + secret}});
  EXPECT_EQ(with.status, 200) << with.body;
  HttpResponse forbidden =
      HttpRequest("127.0.0.1", port, "GET", "/api/v1/namespaces/default/mono-vertices", "",
                  {{"authorization", "Bearer " + secret}});
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
  std::string log = child->LogTail(1 << 20);
  EXPECT_NE(log.find("payments-team"), std::string::npos) << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

TEST(ServeCommand, RefusesAnUnreadableTlsCertificateOrAHalfTlsConfigNamingTheFlag) {
  const std::string listen = fmt::format("127.0.0.1:{}", FreeLoopbackPort());
  auto absent = std::filesystem::temp_directory_path() / "nfmetrics-absent-cert.pem";
  std::filesystem::remove(absent);
  std::string log =
      ServeFailure("tls-unreadable", {"--listen", listen, "--prometheus-url", BackendUrl(),
                                      "--tls-cert", absent.string(), "--tls-key", absent.string()});
  EXPECT_NE(log.find("--tls-cert"), std::string::npos) << log;
  EXPECT_NE(log.find("nfmetrics-absent-cert.pem"), std::string::npos) << log;
  auto garbage = std::filesystem::temp_directory_path() / "nfmetrics-garbage-cert.pem";
  std::ofstream(garbage) << "not a certificate\n";
  log =
      ServeFailure("tls-garbage", {"--listen", listen, "--prometheus-url", BackendUrl(),
                                   "--tls-cert", garbage.string(), "--tls-key", garbage.string()});
  EXPECT_NE(log.find("--tls-key"), std::string::npos) << log;  // the key is read first
  EXPECT_NE(log.find("not a readable PEM private key"), std::string::npos) << log;
  log = ServeFailure("tls-half", {"--listen", listen, "--prometheus-url", BackendUrl(),
                                  "--tls-cert", garbage.string()});
  EXPECT_NE(log.find("--tls-key"), std::string::npos) << log;
  EXPECT_NE(log.find("go together"), std::string::npos) << log;
}

// A backend that answers every query with an empty matrix after `delay`.
FakeUpstream::Handler EmptyMatrixAfter(std::chrono::milliseconds delay) {
  return [delay](const RecordedRequest&) {
    return Reply::Json(R"({"status":"success","data":{"resultType":"matrix","result":[]}})")
        .WithDelay(delay);
  };
}

// Sends a metric request on its own thread; returns once the backend has received it.
std::future<HttpResponse> RequestHeldByTheBackend(unsigned short port,
                                                  const FakeUpstream& upstream) {
  auto answer = std::async(std::launch::async, [port] {
    return HttpRequest("127.0.0.1", port, "GET",
                       "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=1795467600&"
                       "end=1795471200&step=1m",
                       "", {}, std::chrono::seconds(20));
  });
  for (int i = 0; i < 500 && upstream.requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(upstream.requests().size(), 1u);
  return answer;
}

TEST(ServeCommand, OnSigtermFinishesTheRequestInFlightRefusesNewOnesAndExitsZero) {
  FakeUpstream upstream(EmptyMatrixAfter(std::chrono::milliseconds(1000)));
  unsigned short port = FreeLoopbackPort();
  auto child =
      StartServe(port, {"--prometheus-url", upstream.base_url(), "--shutdown-grace", "5s"});
  std::future<HttpResponse> in_flight = RequestHeldByTheBackend(port, upstream);
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_THROW(Get("127.0.0.1", port, "/healthz"), std::exception) << "still accepting";

  HttpResponse answer = in_flight.get();
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.Header("connection"), "close");
  std::optional<int> code = child->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value()) << child->LogTail();
  EXPECT_EQ(*code, 0) << child->LogTail();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(3));
}

TEST(ServeCommand, OnSigtermExitsZeroWithinTheGraceWhenARequestNeverFinishes) {
  FakeUpstream upstream(EmptyMatrixAfter(std::chrono::milliseconds(60000)));
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--prometheus-url", upstream.base_url(), "--upstream-timeout",
                                 "60s", "--shutdown-grace", "1s"});
  std::future<HttpResponse> in_flight = RequestHeldByTheBackend(port, upstream);
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  std::optional<int> code = child->Wait(std::chrono::seconds(5));
  const auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(code.has_value()) << child->LogTail();
  EXPECT_EQ(*code, 0) << child->LogTail();
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_THROW(in_flight.get(), std::exception);  // closed unanswered
}

TEST(ServeCommand, OnSigtermEndsEveryStreamWithItsLastChunkWithinTheGrace) {
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--prometheus-url", BackendUrl(), "--shutdown-grace", "5s"});
  const auto& m = SynthWorld().mono_vertices.front();
  // The backend's history ended a while ago; a stream of it still starts with its snapshot.
  const std::string target = fmt::format(
      "/api/v1/metrics/sink-latency/stream?namespace={}&mvtx={}&range=3h&step=5m", m.ns, m.name);
  SseClient first(port, target);
  SseClient second(port, target + "&group_by=pod");
  ASSERT_EQ(first.head().status, 200) << first.head().body;
  ASSERT_EQ(second.head().status, 200) << second.head().body;
  ASSERT_TRUE(first.NextEvent(std::chrono::seconds(10)));
  ASSERT_TRUE(second.NextEvent(std::chrono::seconds(10)));
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  for (SseClient* client : {&first, &second}) {
    while (client->Next(std::chrono::seconds(5))) {
    }
    EXPECT_TRUE(client->ended());
    EXPECT_TRUE(client->clean()) << "a stream must end with its last chunk, not a reset";
  }
  std::optional<int> code = child->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value()) << child->LogTail();
  EXPECT_EQ(*code, 0) << child->LogTail();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(2))
      << "streams are ended at once, not after the grace";
}

}  // namespace
}  // namespace nfmetrics::testing
