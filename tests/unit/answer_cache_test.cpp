#include "http/answer_cache.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "http/handlers/metrics.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "support/http_client.hpp"

namespace nfmetrics::http {
namespace {

using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1795467630));

std::string KeyOf(std::string_view metric, std::string_view query) {
  auto parsed = DecodeMetricRequest(service::DefaultCatalog(), metric, std::nullopt, query, kNow);
  EXPECT_TRUE(parsed.ok()) << query;
  return parsed.ok() ? AnswerKey(*parsed) : std::string();
}

TEST(AnswerCache, KeepsAnAnswerAndItsGzipForm) {
  AnswerCache cache(1 << 20);
  EXPECT_EQ(cache.Find("a"), nullptr);
  std::string body(5000, 'x');
  cache.Store("a", body);
  auto answer = cache.Find("a");
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(answer->body(), body);
  const std::string* gzipped = answer->Gzipped();
  ASSERT_NE(gzipped, nullptr);
  EXPECT_LT(gzipped->size(), body.size());
  EXPECT_EQ(testing::Gunzip(*gzipped), body);
  EXPECT_EQ(answer->Gzipped(), gzipped);  // made once
  cache.Store("a", "replaced");
  EXPECT_EQ(cache.Find("a")->body(), "replaced");
  EXPECT_EQ(answer->body(), body);  // a reader keeps what it found
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(AnswerCache, StaysWithinItsBytesUnderTenThousandDistinctAnswers) {
  constexpr std::size_t kMax = 256 * 1024;
  AnswerCache cache(kMax);
  for (int i = 0; i < 10000; ++i) {
    cache.Store("answer " + std::to_string(i), std::string(1000 + i % 700, 'v'));
    ASSERT_LE(cache.bytes(), kMax);
  }
  EXPECT_GT(cache.bytes(), kMax / 2);
  EXPECT_LT(cache.entries(), 10000u);
  EXPECT_NE(cache.Find("answer 9999"), nullptr);
  EXPECT_EQ(cache.Find("answer 0"), nullptr);
}

TEST(AnswerCache, UsingAnAnswerKeepsItFromEviction) {
  AnswerCache cache(20000);
  cache.Store("old", std::string(3000, 'o'));
  for (int i = 0; i < 20; ++i) {
    ASSERT_NE(cache.Find("old"), nullptr) << i;
    cache.Store("new " + std::to_string(i), std::string(3000, 'n'));
  }
  EXPECT_EQ(cache.Find("new 0"), nullptr);
}

TEST(AnswerCache, DoesNotLetOneAnswerFlushTheRest) {
  AnswerCache cache(40000);
  cache.Store("small", "{}");
  cache.Store("huge", std::string(20000, 'h'));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_NE(cache.Find("small"), nullptr);
}

TEST(AnswerKey, EqualForEqualRequestsWhateverTheirSpelling) {
  const std::string base = KeyOf(
      "sink-latency", "namespace=a&mvtx=m&start=1795460000&end=1795463600&step=15s&group_by=pod");
  EXPECT_EQ(base, KeyOf("sink-latency",
                        "group_by=pod&step=15&end=2026-11-23T19:53:20Z&start=1795460000&mvtx=m&"
                        "namespace=a"));
  EXPECT_EQ(base,
            KeyOf("monovtx_sink_time_bucket",
                  "namespace=a&mvtx=m&start=1795460000&end=1795463600&step=15s&group_by=pod"));
}

TEST(AnswerKey, DiffersWhenAnythingTheAnswerDependsOnDiffers) {
  const std::string common = "&start=1795460000&end=1795463600";
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"sink-latency", "namespace=a&mvtx=m" + common},
      {"sink-latency", "namespace=b&mvtx=m" + common},
      {"sink-latency", "namespace=a&mvtx=n" + common},
      {"sink-latency", "namespace=a&pipeline=m&vertex=v" + common},
      {"sink-latency", "namespace=a&pipeline=m&vertex=w" + common},
      {"sink-latency", "namespace=a&mvtx=m&start=1795460015&end=1795463600"},
      {"sink-latency", "namespace=a&mvtx=m&start=1795460000&end=1795463615"},
      {"sink-latency", "namespace=a&mvtx=m&step=30s" + common},
      {"sink-latency", "namespace=a&mvtx=m&window=10m" + common},
      {"sink-latency", "namespace=a&mvtx=m&quantile=0.5" + common},
      {"sink-latency", "namespace=a&mvtx=m&quantile=0.5,0.99" + common},
      {"sink-latency", "namespace=a&mvtx=m&group_by=pod" + common},
      {"sink-latency", "namespace=a&mvtx=m&pod=p1" + common},
      {"sink-latency", "namespace=a&mvtx=m&pod=p1,p2" + common},
      {"sink-latency", "namespace=a&mvtx=m&pod=p1p2" + common},
      {"sink-latency", "namespace=a&mvtx=m&summary=true" + common},
      {"read-latency", "namespace=a&mvtx=m" + common},
  };
  std::set<std::string> keys;
  for (const auto& [metric, query] : requests) {
    EXPECT_TRUE(keys.insert(KeyOf(metric, query)).second) << metric << "?" << query;
  }
}

}  // namespace
}  // namespace nfmetrics::http
