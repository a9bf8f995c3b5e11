// The results cache in front of a scripted engine that answers any range: what is asked upstream,
// what X-Cache and data.cache say, that fresh steps are never served stale, and that identical
// concurrent misses share one upstream query.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <boost/url/params_view.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "http/answer_cache.hpp"
#include "nfmetrics/http/router.hpp"
#include "support/exposition.hpp"
#include "support/fake_upstream.hpp"
#include "support/harness_common.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/redis_harness.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

std::map<std::string, std::string> Form(const std::string& body) {
  std::map<std::string, std::string> form;
  for (const auto& p : boost::urls::params_view(body)) form[p.key] = p.value;
  return form;
}

struct Answer {
  int status = 0;
  std::string body;
  std::string x_cache;
  rapidjson::Document doc;
};

Answer Call(unsigned short port, const std::string& target,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse response =
      HttpRequest("127.0.0.1", port, "GET", target, "", std::move(headers), 10s);
  Answer answer;
  answer.status = response.status;
  answer.body = response.body;
  answer.x_cache = response.Header("x-cache");
  answer.doc.Parse<rapidjson::kParseFullPrecisionFlag>(answer.body.c_str());
  EXPECT_FALSE(answer.doc.HasParseError()) << answer.body;
  return answer;
}

// A query_range answer for one pod with a sample on every step of the asked range, its value
// value_at(t); `extra` is appended to the top-level object (e.g. warnings).
template <class ValueAt>
Reply RangeAnswer(const RecordedRequest& request, ValueAt value_at, std::string_view extra = "") {
  auto form = Form(request.body);
  double start = std::stod(form["start"]);
  double end = std::stod(form["end"]);
  double step = std::stod(form["step"]);
  std::string values;
  for (double t = start; t <= end + 1e-9; t += step) {
    values += fmt::format("{}[{},\"{}\"]", values.empty() ? "" : ",", t, value_at(t));
  }
  return Reply::Json(fmt::format(R"({{"status":"success","data":{{"resultType":"matrix","result":[)"
                                 R"({{"metric":{{"pod":"mv-mv-0-aaaaa"}},"values":[{}]}}]}}{}}})",
                                 values, extra));
}

// An engine answering every step of the asked range with the current `version`, for one pod.
class CacheOverEngine : public ::testing::Test {
 protected:
  CacheOverEngine()
      : upstream_([this](const RecordedRequest& request) {
          return RangeAnswer(
                     request, [this](double) { return version_.load(); },
                     warn_ ? R"(,"warnings":["careful"])" : "")
              .WithDelay(std::chrono::milliseconds(delay_ms_.load()));
        }),
        api_(upstream_.base_url(), 5s) {}

  std::vector<std::pair<double, double>> Upstream() const {  // (start, end) of each query asked
    std::vector<std::pair<double, double>> out;
    for (const auto& request : upstream_.requests()) {
      auto form = Form(request.body);
      out.emplace_back(std::stod(form["start"]), std::stod(form["end"]));
    }
    return out;
  }

  static std::string Target(std::int64_t start, std::int64_t end) {
    return fmt::format(
        "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&group_by=pod&start={}&end={}&step=1m",
        start, end);
  }

  std::atomic<int> version_{1};
  std::atomic<bool> warn_{false};
  std::atomic<int> delay_ms_{0};
  FakeUpstream upstream_;
  InProcessApi api_;
};

constexpr std::int64_t kStart = 1795467600;  // long past: every step is older than the horizon
constexpr std::int64_t kEnd = kStart + 3600;

TEST_F(CacheOverEngine, ARepeatedQueryIsAHitAndAsksTheEngineNothing) {
  Answer first = Call(api_.port(), Target(kStart, kEnd));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.x_cache, "miss");
  EXPECT_STREQ(first.doc["data"]["cache"].GetString(), "miss");
  Answer second = Call(api_.port(), Target(kStart, kEnd));
  EXPECT_EQ(second.x_cache, "hit");
  EXPECT_STREQ(second.doc["data"]["cache"].GetString(), "hit");
  EXPECT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(WithoutCache(second.body), WithoutCache(first.body));
}

// A whole hit is rendered once and kept; the next identical request gets those bytes, in gzip form
// when asked, while a miss, a partial answer or a bypass keeps nothing.
TEST_F(CacheOverEngine, AWholeHitIsRenderedOnceAndServedAsIs) {
  const http::AnswerCache* rendered = api_.router().answer_cache();
  ASSERT_NE(rendered, nullptr);
  EXPECT_EQ(Call(api_.port(), Target(kStart, kEnd)).x_cache, "miss");
  EXPECT_EQ(rendered->entries(), 0u);
  Call(api_.port(), Target(kStart, kEnd), {{"Cache-Control", "no-cache"}});
  EXPECT_EQ(rendered->entries(), 0u);
  Answer hit = Call(api_.port(), Target(kStart, kEnd));
  EXPECT_EQ(hit.x_cache, "hit");
  EXPECT_EQ(rendered->entries(), 1u);
  for (int i = 0; i < 3; ++i) {
    Answer again = Call(api_.port(), Target(kStart, kEnd));
    EXPECT_EQ(again.x_cache, "hit");
    EXPECT_EQ(again.body, hit.body);
  }
  HttpResponse gzipped = HttpRequest("127.0.0.1", api_.port(), "GET", Target(kStart, kEnd), "",
                                     {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzipped.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(gzipped.Header("x-cache"), "hit");
  EXPECT_EQ(Gunzip(gzipped.body), hit.body);
  // The same range spelled differently is the same answer.
  std::string rfc3339 = fmt::format(
      "/api/v1/metrics/sink-latency?group_by=pod&mvtx=mv&namespace=ns&step=60&start={}&end={}",
      "2026-11-23T21:00:00Z", kEnd);
  EXPECT_EQ(Call(api_.port(), rfc3339).body, hit.body);
  EXPECT_EQ(rendered->entries(), 1u);
  // Partial answers are not kept: their fresh tail changes.
  Call(api_.port(), Target(kStart + 60, kEnd + 60));
  EXPECT_EQ(rendered->entries(), 1u);
  EXPECT_EQ(upstream_.requests().size(), 3u);  // the miss, the bypass and the new step
}

TEST_F(CacheOverEngine, ASlidingWindowAsksOnlyForItsNewSteps) {
  ASSERT_EQ(Call(api_.port(), Target(kStart, kEnd)).status, 200);
  Answer slid = Call(api_.port(), Target(kStart + 300, kEnd + 300));
  ASSERT_EQ(slid.status, 200) << slid.body;
  EXPECT_EQ(slid.x_cache, "partial");
  auto asked = Upstream();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[1].first, kEnd + 60);  // only the 5 new minutes
  EXPECT_EQ(asked[1].second, kEnd + 300);
  const auto& points = slid.doc["data"]["series"][0]["points"];
  ASSERT_EQ(points.Size(), 61u);
  EXPECT_EQ(points[0][0].GetInt64(), kStart + 300);
  EXPECT_EQ(points[60][0].GetInt64(), kEnd + 300);
}

// Longer than --split-interval (24h): one upstream query per UTC day, each within its day, joined
// into every step; asked again, every finished day comes from the cache; /metrics counts both.
TEST_F(CacheOverEngine, ARangeOfDaysIsAskedADayAtATimeAndItsFinishedDaysOnce) {
  constexpr std::int64_t kDay = 86400;
  const std::int64_t start = 1795392000 - 2 * kDay + 5 * 3600;  // 05:00, two days before kStart's
  const std::int64_t end = 1795392000 + 12 * 3600;              // noon on kStart's day
  Answer first = Call(api_.port(), Target(start, end));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.x_cache, "miss");
  auto asked = Upstream();
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0].first, start);
  for (const auto& [from, to] : asked) {
    EXPECT_EQ(static_cast<std::int64_t>(from) / kDay, static_cast<std::int64_t>(to) / kDay);
  }
  EXPECT_EQ(asked[2].second, end);
  const auto& points = first.doc["data"]["series"][0]["points"];
  ASSERT_EQ(points.Size(), static_cast<rapidjson::SizeType>((end - start) / 60 + 1));
  for (rapidjson::SizeType i = 0; i < points.Size(); ++i) {
    ASSERT_EQ(points[i][0].GetInt64(), start + 60 * static_cast<std::int64_t>(i));
  }

  Answer second = Call(api_.port(), Target(start, end));
  EXPECT_EQ(second.x_cache, "hit");
  EXPECT_EQ(upstream_.requests().size(), 3u);
  HttpResponse metrics = Get("127.0.0.1", api_.port(), "/metrics");
  EXPECT_EQ(SampleValue(metrics.body, "nfmetrics_split_queries_total"), 2);
  EXPECT_EQ(SampleValue(metrics.body, "nfmetrics_split_subqueries_total"), 6);
  EXPECT_EQ(SampleValue(metrics.body, "nfmetrics_split_days_total", {{"source", "backend"}}), 3);
  EXPECT_EQ(SampleValue(metrics.body, "nfmetrics_split_days_total", {{"source", "cache"}}), 3);
}

TEST_F(CacheOverEngine, StepsWithinTheFreshnessHorizonAreAlwaysAskedAgainNeverStale) {
  auto now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::int64_t end = now() / 60 * 60;
  std::int64_t start = end - 600;
  ASSERT_EQ(Call(api_.port(), Target(start, end)).status, 200);
  version_ = 2;  // the engine's recent data changed
  std::int64_t asked_at = now();
  Answer second = Call(api_.port(), Target(start, end));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.x_cache, "partial");
  const auto& points = second.doc["data"]["series"][0]["points"];
  ASSERT_EQ(points.Size(), 11u);
  EXPECT_DOUBLE_EQ(points[0][1].GetDouble(), 1);   // old: from the cache
  EXPECT_DOUBLE_EQ(points[10][1].GetDouble(), 2);  // fresh: from the engine
  for (const auto& point : points.GetArray()) {
    if (point[0].GetInt64() > asked_at - 60) {
      EXPECT_DOUBLE_EQ(point[1].GetDouble(), 2) << "a stale fresh step at " << point[0].GetInt64();
    }
  }
  auto asked = Upstream();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_GE(asked[1].first, end - 120);  // only the last minute or two
}

TEST_F(CacheOverEngine, CacheControlNoCacheBypassesTheCache) {
  for (int i = 0; i < 2; ++i) {
    Answer answer = Call(api_.port(), Target(kStart, kEnd), {{"Cache-Control", "no-cache"}});
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(answer.x_cache, "bypass");
  }
  EXPECT_EQ(upstream_.requests().size(), 2u);
}

TEST_F(CacheOverEngine, AnswersWithWarningsAreNotCached) {
  warn_ = true;
  EXPECT_EQ(Call(api_.port(), Target(kStart, kEnd)).x_cache, "miss");
  EXPECT_EQ(Call(api_.port(), Target(kStart, kEnd)).x_cache, "miss");
  EXPECT_EQ(upstream_.requests().size(), 2u);
}

TEST_F(CacheOverEngine, ErrorsAreNotCached) {
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::Text("down", 503); });
  EXPECT_EQ(Call(api_.port(), Target(kStart, kEnd)).status, 502);
  EXPECT_EQ(Call(api_.port(), Target(kStart, kEnd)).status, 502);
  EXPECT_EQ(upstream_.requests().size(), 2u);
}

TEST_F(CacheOverEngine, IdenticalConcurrentMissesShareOneEngineQuery) {
  delay_ms_ = 300;
  std::vector<std::thread> clients;
  std::vector<Answer> answers(10);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    clients.emplace_back([&, i] { answers[i] = Call(api_.port(), Target(kStart, kEnd)); });
  }
  for (auto& client : clients) client.join();
  for (const Answer& answer : answers) {
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(WithoutCache(answer.body), WithoutCache(answers[0].body));
  }
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

}  // namespace
}  // namespace nfmetrics::testing

namespace nfmetrics::testing {
namespace {

TEST_F(CacheOverEngine, AnswersAreGzippedForClientsThatAcceptIt) {
  HttpResponse plain = HttpRequest("127.0.0.1", api_.port(), "GET", Target(kStart, kEnd));
  HttpResponse gzipped = HttpRequest("127.0.0.1", api_.port(), "GET", Target(kStart, kEnd), "",
                                     {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzipped.Header("vary"), "Accept-Encoding");
  EXPECT_LT(gzipped.body.size(), plain.body.size() / 2);
  EXPECT_EQ(WithoutCache(Gunzip(gzipped.body)), WithoutCache(plain.body));
  // A small answer is not worth compressing.
  HttpResponse health =
      HttpRequest("127.0.0.1", api_.port(), "GET", "/healthz", "", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(health.Header("content-encoding"), "");
  EXPECT_EQ(health.body, R"({"status":"ok"})");
}

}  // namespace
}  // namespace nfmetrics::testing

namespace nfmetrics::testing {
namespace {

// The server on four threads (serve --threads 4): many clients at once, sliding windows through
// the shared cache, every answer complete and right.
TEST(MultiThreadedServer, AnswersManyConcurrentClientsCorrectly) {
  std::atomic<int> upstream_calls{0};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    ++upstream_calls;
    return RangeAnswer(request, [](double t) { return t / 1e9; })
        .WithDelay(std::chrono::milliseconds(5));
  });
  InProcessApi api(upstream.base_url(), 5s, nullptr, std::size_t{16} << 20, 4);
  constexpr int kClients = 16;
  constexpr int kRequestsEach = 25;
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int r = 0; r < kRequestsEach; ++r) {
        std::int64_t start = kStart + 60 * ((c + r) % 7);  // overlapping, sliding windows
        std::int64_t end = start + 1800;
        std::string target = fmt::format(
            "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&group_by=pod&quantile=0.5,0.9&"
            "start={}&end={}&step=1m",
            start, end);
        Answer answer = Call(api.port(), target);
        bool ok = answer.status == 200 && answer.doc["data"]["series"].Size() == 2;
        for (const auto& series : answer.doc["data"]["series"].GetArray()) {
          const auto& points = series["points"];
          ok = ok && points.Size() == 31;
          for (rapidjson::SizeType i = 0; ok && i < points.Size(); ++i) {
            double t = points[i][0].GetDouble();
            ok = t == static_cast<double>(start + 60 * static_cast<std::int64_t>(i)) &&
                 points[i][1].GetDouble() == t / 1e9;
          }
        }
        if (!ok) ++wrong;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(wrong.load(), 0);
  // 400 requests of 2 queries each; the cache and single flight answer most of them.
  EXPECT_LT(upstream_calls.load(), 400);
}

}  // namespace
}  // namespace nfmetrics::testing

namespace nfmetrics::testing {
namespace {

// Polls the server's /metrics until the sample `name` with `labels` is at least `value`; false
// after 5 s.
bool WaitForSample(const InProcessApi& api, std::string_view name, const LabelSet& labels,
                   double value) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResponse metrics = HttpRequest("127.0.0.1", api.port(), "GET", "/metrics");
    if (SampleValue(metrics.body, name, labels).value_or(0) >= value) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// Two replicas behind a load balancer, one Redis: what one fetched is a hit on the other.
TEST_F(CacheOverEngine, TwoReplicasShareTheirResultsThroughRedis) {
  auto redis = RedisHarness::Start();
  InProcessApi first(upstream_.base_url(), 5s, nullptr, std::size_t{16} << 20, 1, redis->url());
  InProcessApi second(upstream_.base_url(), 5s, nullptr, std::size_t{16} << 20, 1, redis->url());
  // Both connect in the background, and a write is not waited for by the request that made it.
  ASSERT_TRUE(WaitForSample(first, "nfmetrics_shared_cache_up", {}, 1));
  ASSERT_TRUE(WaitForSample(second, "nfmetrics_shared_cache_up", {}, 1));
  Answer miss = Call(first.port(), Target(kStart, kEnd));
  ASSERT_EQ(miss.status, 200) << miss.body;
  EXPECT_EQ(miss.x_cache, "miss");
  ASSERT_TRUE(
      WaitForSample(first, "nfmetrics_shared_cache_writes_total", {{"result", "stored"}}, 1));
  Answer shared = Call(second.port(), Target(kStart, kEnd));
  ASSERT_EQ(shared.status, 200) << shared.body;
  EXPECT_EQ(shared.x_cache, "hit");
  EXPECT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(WithoutCache(shared.body), WithoutCache(miss.body));
  // A window slid forward on the second replica asks only for the new steps.
  Answer slid = Call(second.port(), Target(kStart + 300, kEnd + 300));
  EXPECT_EQ(slid.x_cache, "partial");
  ASSERT_EQ(Upstream().size(), 2u);
  EXPECT_EQ(Upstream()[1].first, kEnd + 60);
}

TEST_F(CacheOverEngine, AnUnreachableRedisOnlyCostsTheSharing) {
  // Nothing listens on this port: every answer still comes, from the engine.
  InProcessApi api(upstream_.base_url(), 5s, nullptr, std::size_t{16} << 20, 1,
                   fmt::format("redis://127.0.0.1:{}", FreeLoopbackPort()));
  EXPECT_EQ(Call(api.port(), Target(kStart, kEnd)).x_cache, "miss");
  EXPECT_EQ(Call(api.port(), Target(kStart, kEnd)).x_cache, "hit");  // the local cache still works
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

}  // namespace
}  // namespace nfmetrics::testing
