// GET /api/v1/metrics/{metric}/stream against a real engine (the one under test) that scrapes the
// live synthetic exporter every second: the snapshot is GET's answer for its window, points follow
// once per step with no gap and equal a GET of the same window, every subscriber of one query
// receives the same events from one backend query per step, a resume gets the missing steps, and
// the stream's limits and faults (backend outage, slow consumer, expired token, --max-streams).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "live_world.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/service/jwt.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/jwt_signer.hpp"
#include "support/live_exporter.hpp"
#include "support/prometheus_harness.hpp"
#include "support/sse_client.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kFreshness = LiveWorld::kFreshness;  // the streaming API's --cache-freshness
constexpr auto kKeepAlive = LiveWorld::kKeepAlive;  // its --stream-keepalive
constexpr auto kEventWait = 15s;  // a step is 1 s: an event this late is a failure

// One point series of an event: unix seconds -> value (nullopt for null).
using Points = std::map<double, std::optional<double>>;

struct SeriesPoints {
  std::string id;  // labels and quantile, as JSON text
  Points points;
};

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  EXPECT_FALSE(document.HasParseError()) << text.substr(0, 300);
  return document;
}

std::string SeriesId(const rapidjson::Value& series) {
  std::string id;
  for (auto it = series["labels"].MemberBegin(); it != series["labels"].MemberEnd(); ++it) {
    id += fmt::format("{}={},", it->name.GetString(), it->value.GetString());
  }
  if (series.HasMember("quantile")) id += fmt::format("q={}", series["quantile"].GetDouble());
  return id;
}

// The series of a points event's data, or of an answer's data.series.
std::map<std::string, Points> SeriesOf(const rapidjson::Value& array) {
  std::map<std::string, Points> all;
  for (const rapidjson::Value& series : array.GetArray()) {
    Points& points = all[SeriesId(series)];
    for (const rapidjson::Value& point : series["points"].GetArray()) {
      points[point[0].GetDouble()] =
          point[1].IsNull() ? std::nullopt : std::optional<double>(point[1].GetDouble());
    }
  }
  return all;
}

bool Close(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return !a && !b;
  return std::fabs(*a - *b) <= 1e-9 * std::max({1.0, std::fabs(*a), std::fabs(*b)});
}

double SelfMetric(const InProcessApi& api, const std::string& series) {
  const std::string text = api.router().self_metrics().Render();
  const std::size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + series.size() + 2));
}

const char* const kQuery = "namespace=default&mvtx=orders&group_by=pod&quantile=0.95&step=1s";

std::string StreamTarget(const std::string& extra = "range=5m") {
  return fmt::format("/api/v1/metrics/sink-latency/stream?{}&{}", kQuery, extra);
}

// Reads `count` points events (and the snapshot first, when `snapshot`), failing on anything else.
struct Received {
  std::string snapshot;  // its data
  std::vector<SseEvent> points;
};
Received Receive(SseClient& client, int count, bool snapshot = true) {
  Received received;
  if (snapshot) {
    std::optional<SseEvent> first = client.NextEvent(kEventWait);
    if (!first) {
      ADD_FAILURE() << "no snapshot";
      return received;
    }
    EXPECT_EQ(first->event, "snapshot");
    received.snapshot = first->data;
  }
  while (static_cast<int>(received.points.size()) < count) {
    std::optional<SseEvent> event = client.NextEvent(kEventWait);
    if (!event) {
      ADD_FAILURE() << "only " << received.points.size() << " points events of " << count;
      break;
    }
    EXPECT_EQ(event->event, "points") << event->data;
    if (event->event == "points") received.points.push_back(*event);
  }
  return received;
}

TEST(Stream, SnapshotIsTheGetOfItsWindow) {
  InProcessApi& api = LiveWorld::Get().api();
  SseClient client(api.port(), StreamTarget());
  ASSERT_EQ(client.head().status, 200) << client.head().body;
  EXPECT_EQ(client.head().Header("content-type"), "text/event-stream");
  EXPECT_EQ(client.head().Header("cache-control"), "no-cache");
  std::optional<SseEvent> snapshot = client.NextEvent(kEventWait);
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->event, "snapshot");
  rapidjson::Document document = Parse(snapshot->data);
  const rapidjson::Value& range = document["data"]["range"];
  const std::int64_t start = range["start_unix"].GetInt64();
  const std::int64_t end = range["end_unix"].GetInt64();
  EXPECT_EQ(snapshot->id, std::to_string(end));
  EXPECT_EQ(end - start, 300);
  // The window ends at the last step older than the freshness horizon.
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  EXPECT_LE(end, now - std::chrono::seconds(kFreshness).count());
  EXPECT_GE(end, now - std::chrono::seconds(kFreshness).count() - 5);
  ASSERT_GT(document["data"]["series"].Size(), 1u) << "expected one series per pod";

  HttpResponse get =
      Get("127.0.0.1", api.port(),
          fmt::format("/api/v1/metrics/sink-latency?{}&start={}&end={}", kQuery, start, end));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(WithoutCache(snapshot->data), WithoutCache(get.body));
}

TEST(Stream, EverySubscriberGetsTheSameStepsFromOneBackendQueryPerStep) {
  // An API of its own: its backend calls are this test's alone, whatever streams others left.
  InProcessApi api(LiveWorld::Get().backend().url(), LiveWorld::Options());
  constexpr int kClients = 3;
  constexpr int kEvents = 4;
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<SseClient>(api.port(), StreamTarget("range=2m")));
    ASSERT_EQ(clients.back()->head().status, 200) << clients.back()->head().body;
  }
  std::vector<Received> received;
  for (auto& client : clients) received.push_back(Receive(*client, 1));
  // Counted from here: every client is subscribed and has had a points event.
  const std::string backend_calls =
      "nfmetrics_backend_request_duration_seconds_count{operation=\"query_range\"}";
  const double calls_before = SelfMetric(api, backend_calls);
  std::vector<std::vector<SseEvent>> later(kClients);
  for (int i = 0; i < kClients; ++i) later[i] = Receive(*clients[i], kEvents, false).points;
  const double calls_after = SelfMetric(api, backend_calls);
  ASSERT_FALSE(::testing::Test::HasFailure());

  // The same events, in the same order, for everyone; each is one new step after the last.
  for (int i = 1; i < kClients; ++i) {
    for (int e = 0; e < kEvents; ++e) {
      EXPECT_EQ(later[i][e].id, later[0][e].id);
      EXPECT_EQ(later[i][e].data, later[0][e].data);
    }
  }
  const rapidjson::Document snapshot = Parse(received[0].snapshot);
  double last = snapshot["data"]["range"]["end_unix"].GetDouble();
  std::vector<SseEvent> events = received[0].points;
  events.insert(events.end(), later[0].begin(), later[0].end());
  std::map<std::string, Points> streamed = SeriesOf(snapshot["data"]["series"]);
  for (const SseEvent& event : events) {
    rapidjson::Document points = Parse(event.data);
    EXPECT_EQ(std::stod(event.id), last + 1) << "one step per event, none skipped";
    EXPECT_EQ(points["range"]["end_unix"].GetDouble(), std::stod(event.id));
    for (auto& [id, series] : SeriesOf(points["series"])) {
      for (auto& [t, value] : series) {
        EXPECT_GT(t, last) << "a step already sent, on a stream that is not fresh";
        streamed[id][t] = value;
      }
    }
    last = std::stod(event.id);
  }
  // kEvents steps in all, each one refresh: one backend query each, whatever the subscribers.
  EXPECT_LE(calls_after - calls_before, kEvents);
  EXPECT_GE(calls_after - calls_before, kEvents - 1);

  // What was streamed equals a GET of the whole window that ends at the last event.
  const double start = snapshot["data"]["range"]["start_unix"].GetDouble();
  HttpResponse get =
      Get("127.0.0.1", api.port(),
          fmt::format("/api/v1/metrics/sink-latency?{}&start={}&end={}", kQuery, start, last));
  ASSERT_EQ(get.status, 200) << get.body;
  rapidjson::Document answer = Parse(get.body);
  std::map<std::string, Points> expected = SeriesOf(answer["data"]["series"]);
  ASSERT_EQ(expected.size(), streamed.size());
  for (const auto& [id, points] : expected) {
    for (const auto& [t, value] : points) {
      ASSERT_TRUE(streamed[id].contains(t)) << id << " lacks step " << t;
      EXPECT_TRUE(Close(streamed[id][t], value)) << id << " at " << t;
    }
  }
}

TEST(Stream, AFreshStreamSendsTheNewestStepsAndSendsThemAgainAsTheyChange) {
  InProcessApi& api = LiveWorld::Get().api();
  SseClient client(api.port(), StreamTarget("range=2m&fresh=true"));
  ASSERT_EQ(client.head().status, 200) << client.head().body;
  Received received = Receive(client, 3);
  ASSERT_EQ(received.points.size(), 3u);
  const rapidjson::Document snapshot = Parse(received.snapshot);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // Up to now, not only to the freshness horizon.
  EXPECT_GT(snapshot["data"]["range"]["end_unix"].GetInt64(),
            now - std::chrono::seconds(kFreshness).count());
  double previous_end = snapshot["data"]["range"]["end_unix"].GetDouble();
  for (const SseEvent& event : received.points) {
    rapidjson::Document points = Parse(event.data);
    double first = 1e18;
    for (auto& [id, series] : SeriesOf(points["series"])) {
      ASSERT_FALSE(series.empty());
      first = std::min(first, series.begin()->first);
    }
    // The steps that were not final yet come again, newer ones follow.
    EXPECT_LE(first, previous_end) << event.data.substr(0, 200);
    EXPECT_GT(std::stod(event.id), previous_end);
    previous_end = std::stod(event.id);
  }
}

TEST(Stream, AResumeGetsTheMissingStepsInOnePointsEvent) {
  InProcessApi& api = LiveWorld::Get().api();
  std::string last_id;
  {
    SseClient client(api.port(), StreamTarget("range=2m"));
    ASSERT_EQ(client.head().status, 200) << client.head().body;
    Received received = Receive(client, 1);
    ASSERT_EQ(received.points.size(), 1u);
    last_id = received.points.back().id;
  }
  std::this_thread::sleep_for(3s);  // steps go by while the client is away
  SseClient again(api.port(), StreamTarget("range=2m"), {{"Last-Event-ID", last_id}});
  ASSERT_EQ(again.head().status, 200) << again.head().body;
  std::optional<SseEvent> resumed = again.NextEvent(kEventWait);
  ASSERT_TRUE(resumed);
  ASSERT_EQ(resumed->event, "points") << resumed->data.substr(0, 200);
  rapidjson::Document points = Parse(resumed->data);
  const double after = std::stod(last_id);
  const double end = std::stod(resumed->id);
  EXPECT_GE(end, after + 2) << "steps went by while away";
  std::map<std::string, Points> series = SeriesOf(points["series"]);
  ASSERT_FALSE(series.empty());
  for (const auto& [id, steps] : series) {
    // Exactly the steps after the last one seen, up to the event's id, none missing.
    ASSERT_EQ(steps.size(), static_cast<std::size_t>(end - after)) << id;
    EXPECT_EQ(steps.begin()->first, after + 1) << id;
    EXPECT_EQ(steps.rbegin()->first, end) << id;
  }

  // An id older than the window: the snapshot.
  SseClient old(api.port(), StreamTarget("range=2m"), {{"Last-Event-ID", "1000"}});
  std::optional<SseEvent> first = old.NextEvent(kEventWait);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "snapshot");
}

TEST(Stream, BadRequestsArePlainJsonErrorsBeforeAnyStream) {
  InProcessApi& api = LiveWorld::Get().api();
  struct Case {
    std::string target;
    int status;
    std::string param;
  };
  const std::vector<Case> cases = {
      {StreamTarget("start=1"), 400, "start"},
      {StreamTarget("end=now"), 400, "end"},
      {StreamTarget("range=25h"), 400, "range"},
      {StreamTarget("range=soon"), 400, "range"},
      {StreamTarget("fresh=maybe"), 400, "fresh"},
      {StreamTarget("range=1h&range=2h"), 400, "range"},
      {StreamTarget("range=1h&step=0.1s"), 400, "step"},
      {"/api/v1/metrics/no-such-metric/stream?namespace=default&mvtx=orders", 404, "metric"},
      {"/api/v1/metrics/sink-latency/stream?namespace=Bad_NS&mvtx=orders", 400, "namespace"},
  };
  for (const Case& c : cases) {
    SseClient client(api.port(), c.target);
    EXPECT_EQ(client.head().status, c.status) << c.target;
    EXPECT_EQ(client.head().Header("content-type"), "application/json") << c.target;
    rapidjson::Document body = Parse(client.head().body);
    ASSERT_TRUE(body.HasMember("error")) << client.head().body;
    EXPECT_EQ(std::string(body["error"]["param"].GetString()), c.param) << c.target;
  }
}

TEST(Stream, AKeepAliveCommentWhenNothingElseIsSent) {
  InProcessApi& api = LiveWorld::Get().api();
  // A step of 10 minutes: nothing new for a while, so the comment keeps the connection alive.
  SseClient client(api.port(),
                   "/api/v1/metrics/sink-latency/stream?namespace=default&mvtx=orders&step=10m");
  ASSERT_EQ(client.head().status, 200) << client.head().body;
  std::optional<SseEvent> snapshot = client.Next(kEventWait);
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->event, "snapshot");
  auto before = std::chrono::steady_clock::now();
  std::optional<SseEvent> next = client.Next(kKeepAlive + 3s);
  if (next && next->event == "points") {
    // A 10-minute boundary fell in the wait (the test started just before one): its step is sent,
    // and the idle time starts again from it.
    before = std::chrono::steady_clock::now();
    next = client.Next(kKeepAlive + 3s);
  }
  ASSERT_TRUE(next) << "nothing within the keep-alive period";
  EXPECT_TRUE(next->IsComment());
  EXPECT_EQ(next->comment, " keep-alive");
  EXPECT_GE(std::chrono::steady_clock::now() - before, kKeepAlive - 500ms);
}

TEST(StreamLimits, MaxStreamsRefusesWith503AndRetryAfter) {
  InProcessOptions options = LiveWorld::Options();
  options.streams.max_streams = 2;
  InProcessApi api(LiveWorld::Get().backend().url(), options);
  auto first = std::make_unique<SseClient>(api.port(), StreamTarget());
  SseClient second(api.port(), StreamTarget("range=10m"));
  ASSERT_EQ(first->head().status, 200);
  ASSERT_EQ(second.head().status, 200);
  SseClient third(api.port(), StreamTarget());
  EXPECT_EQ(third.head().status, 503);
  EXPECT_EQ(third.head().Header("retry-after"), "1");
  EXPECT_NE(third.head().body.find("\"code\":\"overloaded\""), std::string::npos)
      << third.head().body;
  EXPECT_NE(third.head().body.find("--max-streams"), std::string::npos);
  EXPECT_EQ(SelfMetric(api, "nfmetrics_streams_open"), 2);
  EXPECT_EQ(SelfMetric(api, "nfmetrics_stream_hubs"), 2);
  // A stream that ends frees its place (noticed at its next event or keep-alive).
  first.reset();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (SelfMetric(api, "nfmetrics_streams_open") > 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  SseClient fourth(api.port(), StreamTarget());
  EXPECT_EQ(fourth.head().status, 200) << fourth.head().body;
}

TEST(StreamLimits, ASlowConsumerIsDroppedWithoutSlowingTheOthers) {
  InProcessOptions options = LiveWorld::Options();
  options.streams.queue_events = 2;
  InProcessApi api(LiveWorld::Get().backend().url(), options);
  // An hour at 1 s per pod: a snapshot far larger than the socket buffers, which the slow client
  // never reads, so its queue fills with the next steps.
  const std::string target = StreamTarget("range=1h&fresh=true");
  SseClient slow(api.port(), target, {}, /*receive_buffer=*/4096);
  ASSERT_EQ(slow.head().status, 200);
  SseClient fast(api.port(), target);
  ASSERT_EQ(fast.head().status, 200);
  ASSERT_TRUE(fast.NextEvent(kEventWait));  // the snapshot
  auto last = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration longest{};
  const auto until = last + 8s;
  int events = 0;
  while (std::chrono::steady_clock::now() < until) {
    std::optional<SseEvent> event = fast.NextEvent(kEventWait);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->event, "points");
    const auto now = std::chrono::steady_clock::now();
    longest = std::max(longest, now - last);
    last = now;
    ++events;
  }
  EXPECT_GE(events, 5);
  EXPECT_LT(longest, 2500ms) << "the fast client waited on the slow one";
  EXPECT_EQ(SelfMetric(api, "nfmetrics_stream_subscribers_dropped_total"), 1);
  EXPECT_EQ(SelfMetric(api, "nfmetrics_streams_open"), 1);
  // The slow client's connection was closed: what it has not read, then the end.
  while (slow.Next(5s)) {
  }
  EXPECT_TRUE(slow.ended());
  EXPECT_FALSE(slow.clean()) << "dropped, not ended with the last chunk";
}

TEST(StreamLimits, AnExpiredTokenClosesTheStream) {
  constexpr std::string_view kSecret = "a-secret-of-at-least-thirty-two-bytes!!";
  Result<service::JwtVerifier> verifier =
      service::JwtVerifier::Hs256(kSecret, {.audience = "nfmetrics"});
  ASSERT_TRUE(verifier.ok()) << verifier.error().message;
  http::AuthConfig auth{.tokens = {}, .jwt = std::move(verifier).value()};
  InProcessOptions options = LiveWorld::Options();
  options.auth = &auth;
  InProcessApi api(LiveWorld::Get().backend().url(), options);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // Expired 27 s ago: still accepted within the 30 s leeway, for 3 s more.
  const std::int64_t exp =
      now - std::chrono::duration_cast<std::chrono::seconds>(service::kJwtClockLeeway).count() + 3;
  const std::string token = SignHs256(
      R"({"alg":"HS256","typ":"JWT"})",
      fmt::format(R"({{"aud":"nfmetrics","sub":"viewer","exp":{},"namespaces":["*"]}})", exp),
      kSecret);
  SseClient client(api.port(), StreamTarget(), {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(client.head().status, 200) << client.head().body;
  const auto opened = std::chrono::steady_clock::now();
  std::optional<SseEvent> error;
  while (std::optional<SseEvent> event = client.NextEvent(10s)) {
    if (event->event == "error") {
      error = event;
      break;
    }
  }
  ASSERT_TRUE(error) << "the stream went on past the token's expiry";
  EXPECT_NE(error->data.find("\"code\":\"unauthorized\""), std::string::npos) << error->data;
  EXPECT_LT(std::chrono::steady_clock::now() - opened, 6s);
  EXPECT_FALSE(client.Next(5s));
  EXPECT_TRUE(client.ended());
  EXPECT_TRUE(client.clean()) << "the stream ends with its last chunk";
  // The same token is refused now.
  SseClient again(api.port(), StreamTarget(), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(again.head().status, 401);
}

TEST(StreamFaults, TheBackendDiesAndReturnsWithoutAGap) {
  if (BackendName() != "prometheus") GTEST_SKIP() << "restarts a real Prometheus on its port";
  auto [exporter, backend] = LiveWorld::StartOwn();
  auto* prometheus = dynamic_cast<PrometheusHarness*>(backend.get());
  ASSERT_NE(prometheus, nullptr);
  InProcessOptions options = LiveWorld::Options();
  options.upstream_timeout = 2s;
  InProcessApi api(backend->url(), options);
  std::this_thread::sleep_for(2s);

  SseClient client(api.port(), StreamTarget("range=2m"));
  ASSERT_EQ(client.head().status, 200) << client.head().body;
  Received before = Receive(client, 2);
  ASSERT_EQ(before.points.size(), 2u);
  prometheus->Kill();
  std::vector<SseEvent> errors;
  while (errors.size() < 2) {
    std::optional<SseEvent> event = client.NextEvent(kEventWait);
    ASSERT_TRUE(event) << "no error event while the backend is down";
    if (event->event == "error")
      errors.push_back(*event);
    else
      before.points.push_back(*event);  // a refresh that was already under way
  }
  EXPECT_NE(errors[0].data.find("\"status\":\"error\""), std::string::npos) << errors[0].data;
  EXPECT_NE(errors[0].data.find("upstream_"), std::string::npos) << errors[0].data;
  EXPECT_EQ(errors[0].id, before.points.back().id) << "an error keeps the last step's id";
  prometheus->Restart();
  std::vector<SseEvent> after;
  while (after.size() < 2) {
    std::optional<SseEvent> event = client.NextEvent(30s);
    ASSERT_TRUE(event) << "the stream did not come back with the backend";
    if (event->event == "points") after.push_back(*event);
  }
  // Every step from the snapshot's end to the last event, each once: nothing lost in the outage.
  double last = Parse(before.snapshot)["data"]["range"]["end_unix"].GetDouble();
  std::vector<SseEvent> all = before.points;
  all.insert(all.end(), after.begin(), after.end());
  for (const SseEvent& event : all) {
    rapidjson::Document points = Parse(event.data);
    std::map<std::string, Points> series = SeriesOf(points["series"]);
    ASSERT_FALSE(series.empty());
    const double end = std::stod(event.id);
    for (const auto& [id, steps] : series) {
      EXPECT_EQ(steps.begin()->first, last + 1) << id << ": a gap before " << event.id;
      EXPECT_EQ(steps.rbegin()->first, end) << id;
      EXPECT_EQ(steps.size(), static_cast<std::size_t>(end - last)) << id;
    }
    last = end;
  }
}

}  // namespace
}  // namespace nfmetrics::testing
