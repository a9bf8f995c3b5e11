// `nfmetrics query --follow`, the real binary, against FakeUpstream playing a misbehaving stream
// server: a dropped stream is reopened with Last-Event-ID and the missing steps printed, error
// events go to stderr while following goes on, SIGINT and SIGTERM end it with 0, and the reopening
// gives up after its attempts or at an answer no retry can change, with 1.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_process.hpp"
#include "support/fake_upstream.hpp"

namespace nfmetrics::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string Chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

std::string Event(std::string_view type, std::int64_t id, std::string_view data) {
  return Chunk(fmt::format("event: {}\nid: {}\ndata: {}\n\n", type, id, data));
}

std::string Snapshot(std::int64_t end) {
  return Event(
      "snapshot", end,
      fmt::format(R"({{"status":"success","data":{{"object":"mono-vertex",)"
                  R"("namespace":"default","mvtx":"orders","unit":"seconds","range":)"
                  R"({{"start":"a","end":"b","step":"15s"}},"series":[{{"labels":)"
                  R"({{"pod":"orders-mv-0-abcde"}},"quantile":0.95,"points":[[{},0.01]]}}]}},)"
                  R"("warnings":[]}})",
                  end));
}

std::string Points(std::int64_t t, double value) {
  return Event(
      "points", t,
      fmt::format(R"({{"series":[{{"labels":{{"pod":"orders-mv-0-abcde"}},"quantile":0.95,)"
                  R"("points":[[{},{}]]}}],"range":{{"start_unix":{},"end_unix":{}}}}})",
                  t, value, t - 3600, t));
}

// The CSV row --follow prints for a step of Points().
std::string Row(std::int64_t t, double value) {
  return fmt::format("pod=orders-mv-0-abcde,0.95,{},{}\n", t, value);
}

std::vector<std::string> FollowArgs(const FakeUpstream& upstream) {
  return {"query",   "sink-latency", "--url",  upstream.base_url(), "--namespace",
          "default", "--mvtx",       "orders", "--follow",          "--output",
          "csv",     "--range",      "30m"};
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(QueryFollow, ReopensADroppedStreamWithLastEventIdAndPrintsTheMissingSteps) {
  std::atomic<int> served = 0;
  FakeUpstream upstream([&](const RecordedRequest&) {
    if (served++ == 0) {
      // The snapshot and one step, then the connection breaks without the last chunk.
      return Reply::Pieces({{milliseconds(0), std::string(kStreamHead) + Snapshot(100)},
                            {milliseconds(50), Points(115, 0.02)}});
    }
    return Reply::Pieces(
        {{milliseconds(0), std::string(kStreamHead) + Points(130, 0.03)}, {seconds(30), ""}});
  });
  std::vector<std::string> args = FollowArgs(upstream);
  args.insert(args.end(), {"--token", "follow-secret"});
  auto follow = CliProcess::Start(args);
  ASSERT_TRUE(follow->WaitForOut(
      [](const std::string& out) { return Contains(out, Row(130, 0.03)); }, seconds(10)))
      << follow->Out() << follow->Err();
  EXPECT_EQ(follow->Out(),
            "series,quantile,timestamp,value\n" + Row(100, 0.01) + Row(115, 0.02) + Row(130, 0.03));
  follow->Signal(SIGTERM);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
  EXPECT_TRUE(Contains(follow->Err(), "the stream ended (")) << follow->Err();
  EXPECT_TRUE(Contains(follow->Err(), "the stream is open again")) << follow->Err();

  const std::vector<RecordedRequest> requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const RecordedRequest& request : requests) {
    EXPECT_EQ(request.target,
              "/api/v1/metrics/sink-latency/stream?namespace=default&mvtx=orders&range=30m");
    EXPECT_EQ(request.Header("accept"), "text/event-stream");
    EXPECT_EQ(request.Header("authorization"), "Bearer follow-secret");
  }
  EXPECT_EQ(requests[0].Header("last-event-id"), "");
  EXPECT_EQ(requests[1].Header("last-event-id"), "115");
}

TEST(QueryFollow, ErrorEventsGoToStderrAndFollowingGoesOn) {
  FakeUpstream upstream([&](const RecordedRequest&) {
    return Reply::Pieces(
        {{milliseconds(0), std::string(kStreamHead) + Snapshot(100) + Chunk(": keep-alive\n\n") +
                               Event("error", 100,
                                     R"({"status":"error","error":{"code":"upstream_unavailable",)"
                                     R"("message":"Prometheus is down"}})")},
         {milliseconds(100), Points(115, 0.02)},
         {seconds(30), ""}});
  });
  auto follow = CliProcess::Start(FollowArgs(upstream));
  ASSERT_TRUE(follow->WaitForOut(
      [](const std::string& out) { return Contains(out, Row(115, 0.02)); }, seconds(10)))
      << follow->Out() << follow->Err();
  EXPECT_TRUE(
      Contains(follow->Err(), "nfmetrics query: upstream_unavailable: Prometheus is down\n"))
      << follow->Err();
  EXPECT_FALSE(Contains(follow->Out(), "Prometheus is down"));
  follow->Signal(SIGINT);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
  EXPECT_EQ(upstream.requests().size(), 1u) << "an error event does not end the stream";
}

TEST(QueryFollow, ATokenRefusedOnReopeningEndsItWithOne) {
  std::atomic<int> served = 0;
  FakeUpstream upstream([&](const RecordedRequest&) {
    if (served++ == 0) {
      return Reply::Raw(std::string(kStreamHead) + Snapshot(100) + std::string(kLastChunk));
    }
    return Reply::Json(R"({"status":"error","error":{"code":"unauthorized","message":"expired"}})",
                       401);
  });
  auto follow = CliProcess::Start(FollowArgs(upstream));
  EXPECT_EQ(follow->Wait(seconds(10)), 1) << follow->Err();
  EXPECT_TRUE(Contains(follow->Err(), "the server ended it")) << follow->Err();
  EXPECT_TRUE(Contains(follow->Err(), "nfmetrics query: unauthorized: expired\n")) << follow->Err();
  EXPECT_EQ(upstream.requests().size(), 2u);
}

TEST(QueryFollow, GivesUpAfterFiveFailedReopenings) {
  std::atomic<int> served = 0;
  FakeUpstream upstream([&](const RecordedRequest&) {
    if (served++ == 0) return Reply::Raw(std::string(kStreamHead) + Snapshot(100));
    return Reply::CloseWithoutResponse();
  });
  const auto started = std::chrono::steady_clock::now();
  auto follow = CliProcess::Start(FollowArgs(upstream));
  // 0.5 + 1 + 2 + 4 + 8 s of waits.
  EXPECT_EQ(follow->Wait(seconds(30)), 1) << follow->Err();
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(15500));
  EXPECT_TRUE(Contains(follow->Err(), "could not be reopened in 5 attempts")) << follow->Err();
  EXPECT_EQ(upstream.requests().size(), 6u);
  EXPECT_EQ(follow->Out(), "series,quantile,timestamp,value\n" + Row(100, 0.01));
}

TEST(QueryFollow, BeforeTheSnapshotAFailureIsTheAnswer) {
  FakeUpstream refused([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"error","error":{"code":"bad_request","message":"no start",)"
                       R"("param":"start"}})",
                       400);
  });
  auto follow = CliProcess::Start(FollowArgs(refused));
  EXPECT_EQ(follow->Wait(seconds(10)), 1);
  EXPECT_EQ(follow->Err(), "nfmetrics query: bad_request: no start (parameter start)\n");
  EXPECT_EQ(refused.requests().size(), 1u);

  FakeUpstream not_a_stream(
      [](const RecordedRequest&) { return Reply::Json(R"({"status":"success","data":{}})"); });
  auto plain = CliProcess::Start(FollowArgs(not_a_stream));
  EXPECT_EQ(plain->Wait(seconds(10)), 1);
  EXPECT_TRUE(Contains(plain->Err(), "not an event stream")) << plain->Err();

  FakeUpstream cut([](const RecordedRequest&) {
    return Reply::Raw(std::string(kStreamHead) + Chunk(": keep-alive\n\n"));
  });
  auto early = CliProcess::Start(FollowArgs(cut));
  EXPECT_EQ(early->Wait(seconds(10)), 1);
  EXPECT_TRUE(Contains(early->Err(), "broke off the answer")) << early->Err();
  EXPECT_EQ(cut.requests().size(), 1u);
}

TEST(QueryFollow, ACtrlCWhileWaitingToReopenExitsZero) {
  std::atomic<int> served = 0;
  FakeUpstream upstream([&](const RecordedRequest&) {
    if (served++ == 0) return Reply::Raw(std::string(kStreamHead) + Snapshot(100));
    return Reply::CloseWithoutResponse();
  });
  auto follow = CliProcess::Start(FollowArgs(upstream));
  ASSERT_TRUE(follow->WaitForOut(
      [](const std::string& out) { return Contains(out, Row(100, 0.01)); }, seconds(10)));
  std::this_thread::sleep_for(milliseconds(1000));
  follow->Signal(SIGINT);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
}

}  // namespace
}  // namespace nfmetrics::testing
