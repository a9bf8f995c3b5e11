// A real Prometheus killed and restarted under load (Prometheus only: the harness restarts it on
// the same port with the same data). Every request must get either the correct answer or a pinned
// error, none may outlast its deadline, and correct answers must be back within 2 s of Prometheus.
// The figures are printed (and recorded as test properties) so they can be quoted.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/prometheus_harness.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kUpstreamTimeout = 2s;
constexpr int kClients = 4;

struct Exchange {
  double started = 0;  // seconds since the load began
  double ended = 0;
  int status = 0;    // 0: no HTTP answer at all
  std::string code;  // error.code of an error answer
  std::string message;
  bool correct = false;
  bool valid_error = false;  // a JSON error body with a code and a message
};

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST(BackendOutage, KilledAndRestartedPrometheusUnderLoad) {
  auto* prometheus = dynamic_cast<PrometheusHarness*>(world->backend.get());
  if (prometheus == nullptr) GTEST_SKIP() << "restarts a real Prometheus on its port";

  InProcessOptions options;
  options.upstream_timeout = kUpstreamTimeout;
  options.threads = 2;
  options.upstream_retries = 2;
  options.circuit_failures = 5;
  options.circuit_open_for = 1s;
  InProcessApi api(BackendUrl(), options);

  const synth::MonoVertexModel& model = SynthWorld().mono_vertices.front();
  const std::string target = fmt::format(
      "/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&start={}&end={}&step=1m",
      model.ns, model.name, world->data_end - 3600, world->data_end - 600);
  // The cache would hide the outage: every request asks the engine.
  const std::vector<std::pair<std::string, std::string>> no_cache = {{"Cache-Control", "no-cache"}};
  auto ask = [&] {
    return HttpRequest("127.0.0.1", api.port(), "GET", target, "", no_cache, kUpstreamTimeout + 5s);
  };
  HttpResponse reference = ask();
  ASSERT_EQ(reference.status, 200) << reference.body;
  const std::string expected = WithoutCache(reference.body);
  ASSERT_EQ(WithoutCache(ask().body), expected) << "the answer must be stable to be compared";

  std::mutex mutex;
  std::vector<Exchange> exchanges;  // guarded by mutex
  std::atomic<bool> stop{false};
  const auto begin = SteadyClock::now();
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        Exchange exchange;
        const auto started = SteadyClock::now();
        exchange.started = Seconds(started - begin);
        try {
          HttpResponse response = ask();
          exchange.status = response.status;
          if (response.status == 200) {
            exchange.correct = WithoutCache(response.body) == expected;
          } else {
            rapidjson::Document doc;
            doc.Parse(response.body.c_str());
            if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("error") &&
                doc["error"].IsObject() && doc["error"].HasMember("code") &&
                doc["error"]["code"].IsString() && doc["error"].HasMember("message")) {
              exchange.valid_error = true;
              exchange.code = doc["error"]["code"].GetString();
              if (doc["error"]["message"].IsString()) {
                exchange.message = doc["error"]["message"].GetString();
              }
            }
          }
        } catch (const std::exception& e) {
          exchange.code = e.what();
        }
        exchange.ended = Seconds(SteadyClock::now() - begin);
        {
          std::lock_guard lock(mutex);
          exchanges.push_back(std::move(exchange));
        }
        std::this_thread::sleep_for(5ms);
      }
    });
  }

  std::this_thread::sleep_until(begin + 1500ms);
  prometheus->Kill();
  const double killed = Seconds(SteadyClock::now() - begin);
  std::this_thread::sleep_until(begin + 3500ms);
  const double restarting = Seconds(SteadyClock::now() - begin);
  prometheus->Restart();
  const double ready = Seconds(SteadyClock::now() - begin);
  std::this_thread::sleep_until(std::max(begin + 6s, SteadyClock::now() + 3s));
  stop = true;
  for (std::thread& client : clients) client.join();

  // Figures.
  int ok = 0;
  int wrong = 0;
  std::map<std::string, int> errors;  // "502 upstream_unavailable" -> count
  double max_latency = 0;
  std::optional<double> first_correct_after_ready;
  std::optional<double> last_failure_started;
  for (const Exchange& e : exchanges) {
    max_latency = std::max(max_latency, e.ended - e.started);
    if (e.status == 200 && e.correct) {
      ++ok;
      if (e.ended >= ready) {
        first_correct_after_ready =
            std::min(first_correct_after_ready.value_or(1e9), e.ended - ready);
      }
    } else {
      if (e.status == 200) ++wrong;
      ++errors[fmt::format("{} {}", e.status, e.code)];
      last_failure_started = std::max(last_failure_started.value_or(0), e.started);
    }
  }
  std::string by_code;
  for (const auto& [code, count] : errors)
    by_code += fmt::format("{}{}: {}", by_code.empty() ? "" : ", ", code, count);
  const std::string figures = fmt::format(
      "requests {}, correct 200 {}, errors {} ({}); killed at {:.2f} s, restarted at {:.2f} s, "
      "ready at {:.2f} s; max latency {:.3f} s (deadline {} s); first correct answer {:.3f} s "
      "after ready; last failed request started {:.3f} s after ready",
      exchanges.size(), ok, exchanges.size() - ok, by_code, killed, restarting, ready, max_latency,
      std::chrono::seconds(kUpstreamTimeout).count(), first_correct_after_ready.value_or(-1),
      last_failure_started.value_or(0) - ready);
  std::printf("backend outage: %s\n", figures.c_str());
  ::testing::Test::RecordProperty("figures", figures);

  // Every answer is the correct one or a pinned error, in time.
  const std::set<std::string> pinned = {"upstream_unavailable", "upstream_timeout"};
  for (const Exchange& e : exchanges) {
    const double latency = e.ended - e.started;
    EXPECT_LE(latency, Seconds(kUpstreamTimeout + 1s)) << "started at " << e.started;
    if (e.status == 200) {
      EXPECT_TRUE(e.correct) << "a wrong 200, started at " << e.started;
      continue;
    }
    EXPECT_TRUE(e.status == 502 || e.status == 503 || e.status == 504)
        << e.status << " " << e.code << ", started at " << e.started;
    EXPECT_TRUE(e.valid_error) << e.status << " " << e.code;
    // Prometheus answers 503 while it starts (and as it is killed), and a kill in the middle of
    // an answer leaves it cut short: both stay 502 upstream_error, saying which. Any other
    // upstream_error (a query error, a bad answer) would be a bug.
    const bool backend_said_503 =
        e.code == "upstream_error" && e.message.find("answered HTTP 503") != std::string::npos;
    const bool cut_short =
        e.code == "upstream_error" &&
        e.message.find("incomplete or malformed HTTP response") != std::string::npos;
    EXPECT_TRUE(pinned.contains(e.code) || backend_said_503 || cut_short)
        << e.status << " " << e.code << ": " << e.message << ", started at " << e.started;
  }
  EXPECT_GT(ok, 0);
  EXPECT_EQ(wrong, 0);
  EXPECT_FALSE(errors.empty()) << "the outage went unnoticed: was Prometheus killed?";
  // Correct answers again within 2 s of Prometheus being back, and nothing but correct answers
  // for requests started after that.
  ASSERT_TRUE(first_correct_after_ready.has_value());
  EXPECT_LE(*first_correct_after_ready, 2.0);
  EXPECT_LE(last_failure_started.value_or(0), ready + 2.0);
}

}  // namespace
}  // namespace nfmetrics::testing
