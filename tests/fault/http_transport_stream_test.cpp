// HttpTransport::SendStreamed against FakeUpstream: a 2xx body handed over piece by piece as it
// arrives (not once it ends), any other answer read whole, a silent stream ended by the idle
// timeout, a cut one reported, and the caller able to stop reading.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nfmetrics/http_client/http_transport.hpp"
#include "support/fake_upstream.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::http_client {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::FakeUpstream;
using testing::RecordedRequest;
using testing::Reply;
using testing::RunToEnd;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string Chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

struct Received {
  std::vector<std::string> pieces;
  std::vector<Clock::duration> at;  // since the request was sent
  int heads = 0;
  std::string content_type;
};

class TransportStream : public ::testing::Test {
 protected:
  void Serve(FakeUpstream::Handler handler) {
    upstream_ = std::make_unique<FakeUpstream>(std::move(handler));
    Result<std::unique_ptr<HttpTransport>> made = MakeHttpTransport(
        io_.get_executor(), HttpTransportOptions{.base_url = upstream_->base_url(),
                                                 .peer_name = "nfmetrics",
                                                 .timeout = std::chrono::seconds(5),
                                                 .max_response_bytes = 1000,
                                                 .authorization = "Bearer stream-token"});
    ASSERT_TRUE(made.ok());
    transport_ = std::move(made).value();
  }

  Result<HttpAnswer> Stream(Duration idle_timeout = std::chrono::seconds(5),
                            int stop_after_pieces = 0) {
    const Clock::time_point sent = Clock::now();
    BodyStream body{.on_head =
                        [this](const HttpAnswer& head) {
                          ++received_.heads;
                          received_.content_type = head.Header("content-type");
                          return true;
                        },
                    .on_piece =
                        [this, sent, stop_after_pieces](std::string_view piece) {
                          received_.pieces.emplace_back(piece);
                          received_.at.push_back(Clock::now() - sent);
                          return stop_after_pieces == 0 ||
                                 static_cast<int>(received_.pieces.size()) < stop_after_pieces;
                        },
                    .idle_timeout = idle_timeout};
    HttpRequest request{.target = "/api/v1/metrics/sink-latency/stream",
                        .headers = {{"Accept", "text/event-stream"}, {"Last-Event-ID", "42"}}};
    Result<HttpAnswer> answer = RunToEnd(io_, transport_->SendStreamed(std::move(request), body));
    elapsed_ = Clock::now() - sent;
    return answer;
  }

  std::string Joined() const {
    std::string all;
    for (const std::string& piece : received_.pieces) all += piece;
    return all;
  }

  asio::io_context io_;
  std::unique_ptr<FakeUpstream> upstream_;
  std::unique_ptr<HttpTransport> transport_;
  Received received_;
  Clock::duration elapsed_{};
};

TEST_F(TransportStream, HandsEachPieceOverAsItArrives) {
  Serve([](const RecordedRequest&) {
    return Reply::Pieces({{milliseconds(0), std::string(kStreamHead) + Chunk("data: a\n\n")},
                          {milliseconds(400), Chunk("data: b\n\n")},
                          {milliseconds(0), "0\r\n\r\n"}});
  });
  Result<HttpAnswer> answer = Stream();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(answer->body, "") << "a streamed body is not collected";
  EXPECT_EQ(received_.heads, 1);
  EXPECT_EQ(received_.content_type, "text/event-stream");
  EXPECT_EQ(Joined(), "data: a\n\ndata: b\n\n");
  ASSERT_GE(received_.pieces.size(), 2u);
  EXPECT_LT(received_.at.front(), milliseconds(300)) << "the first piece waited for the second";
  EXPECT_GE(received_.at.back(), milliseconds(350));
  ASSERT_EQ(upstream_->requests().size(), 1u);
  const RecordedRequest seen = upstream_->requests()[0];
  EXPECT_EQ(seen.Header("authorization"), "Bearer stream-token");
  EXPECT_EQ(seen.Header("accept"), "text/event-stream");
  EXPECT_EQ(seen.Header("last-event-id"), "42");
}

TEST_F(TransportStream, ABodyEndedByTheCloseIsComplete) {
  Serve([](const RecordedRequest&) {
    return Reply::Raw(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        "data: x\n\n");
  });
  Result<HttpAnswer> answer = Stream();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(Joined(), "data: x\n\n");
}

TEST_F(TransportStream, AnErrorAnswerIsReadWholeAndNotStreamed) {
  Serve([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"error","error":{"code":"bad_request","message":"no"}})", 400);
  });
  Result<HttpAnswer> answer = Stream();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 400u);
  EXPECT_EQ(answer->body, R"({"status":"error","error":{"code":"bad_request","message":"no"}})");
  EXPECT_EQ(received_.heads, 0);
  EXPECT_TRUE(received_.pieces.empty());
}

TEST_F(TransportStream, AnErrorAnswerOverTheLimitIsRefused) {
  Serve([](const RecordedRequest&) { return Reply::Text(std::string(5000, 'x'), 500); });
  Result<HttpAnswer> answer = Stream();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamError);
}

TEST_F(TransportStream, AStreamSilentForTheIdleTimeoutEnds) {
  Serve([](const RecordedRequest&) {
    return Reply::Pieces({{milliseconds(0), std::string(kStreamHead) + Chunk(": keep-alive\n\n")},
                          {milliseconds(200), Chunk(": keep-alive\n\n")},
                          {milliseconds(5000), ""}});
  });
  Result<HttpAnswer> answer = Stream(milliseconds(500));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_NE(answer.error().message.find("sent nothing for 500 ms"), std::string::npos)
      << answer.error().message;
  EXPECT_EQ(Joined(), ": keep-alive\n\n: keep-alive\n\n") << "a piece resets the idle timer";
  EXPECT_GE(elapsed_, milliseconds(650));
  EXPECT_LT(elapsed_, milliseconds(2000));
}

TEST_F(TransportStream, AStreamCutBeforeItsLastChunkIsReported) {
  Serve([](const RecordedRequest&) {
    return Reply::Raw(std::string(kStreamHead) + Chunk("data: a\n\n"));  // then closed
  });
  Result<HttpAnswer> answer = Stream();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(answer.error().message.find("broke off the answer"), std::string::npos)
      << answer.error().message;
  EXPECT_EQ(Joined(), "data: a\n\n");
}

TEST_F(TransportStream, StopsReadingWhenTheCallerSaysSo) {
  Serve([](const RecordedRequest&) {
    return Reply::Pieces({{milliseconds(0), std::string(kStreamHead) + Chunk("data: a\n\n")},
                          {milliseconds(1500), Chunk("data: b\n\n")}});
  });
  Result<HttpAnswer> answer = Stream(std::chrono::seconds(10), 1);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(Joined(), "data: a\n\n");
  EXPECT_LT(elapsed_, milliseconds(1000)) << "it waited for the next piece";
  EXPECT_TRUE(upstream_->WaitForClosedConnections(1, milliseconds(3000)));
}

TEST_F(TransportStream, NoServerIsUnavailable) {
  Serve([](const RecordedRequest&) { return Reply::CloseWithoutResponse(); });
  Result<HttpAnswer> answer = Stream();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(answer.error().message.find("cannot reach nfmetrics"), std::string::npos)
      << answer.error().message;
}

}  // namespace
}  // namespace nfmetrics::http_client
