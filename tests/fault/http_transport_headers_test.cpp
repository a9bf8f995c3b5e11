// HttpTransport's extra header fields, against FakeUpstream: they cannot replace the transport's
// own Host and Authorization nor the framing (Content-Length, Transfer-Encoding, Connection), and a
// name or value that would inject header lines (CR, LF, other control characters) is refused with
// nothing sent.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>

#include "nfmetrics/http_client/http_transport.hpp"
#include "support/fake_upstream.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::http_client {
namespace {

namespace asio = boost::asio;
using testing::FakeUpstream;
using testing::RecordedRequest;
using testing::Reply;
using testing::RunToEnd;

constexpr const char* kAuthorization = "Bearer transport-own-token";

class TransportHeaders : public ::testing::Test {
 protected:
  TransportHeaders()
      : upstream_([](const RecordedRequest&) { return Reply::Json(R"({"status":"success"})"); }) {
    Result<std::unique_ptr<HttpTransport>> made = MakeHttpTransport(
        io_.get_executor(), HttpTransportOptions{.base_url = upstream_.base_url(),
                                                 .peer_name = "test",
                                                 .authorization = kAuthorization});
    EXPECT_TRUE(made.ok());
    if (made.ok()) transport_ = std::move(made).value();
  }

  Result<HttpAnswer> Send(HttpHeaders headers) {
    HttpRequest request;
    request.target = "/api/v1/query?query=up";
    request.headers = std::move(headers);
    return RunToEnd(io_, transport_->Send(std::move(request)));
  }

  asio::io_context io_;
  FakeUpstream upstream_;
  std::unique_ptr<HttpTransport> transport_;
};

TEST_F(TransportHeaders, SendsOrdinaryExtraFields) {
  Result<HttpAnswer> answer = Send({{"X-Request-Id", "abc\t123"}, {"Accept", "text/plain"}});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(upstream_.requests().size(), 1u);
  const RecordedRequest seen = upstream_.requests()[0];
  EXPECT_EQ(seen.Header("x-request-id"), "abc\t123");
  EXPECT_EQ(seen.Header("accept"), "text/plain");
  EXPECT_EQ(seen.Header("authorization"), kAuthorization);
}

TEST_F(TransportHeaders, MayNotReplaceHostAuthorizationOrTheFraming) {
  for (const char* name : {"Host", "host", "Authorization", "AUTHORIZATION", "Content-Length",
                           "transfer-encoding", "Connection"}) {
    SCOPED_TRACE(name);
    Result<HttpAnswer> answer = Send({{name, "evil.example"}});
    ASSERT_FALSE(answer.ok());
    EXPECT_NE(answer.error().message.find("not sent"), std::string::npos) << answer.error().message;
    EXPECT_EQ(answer.error().message.find("evil.example"), std::string::npos);
  }
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(TransportHeaders, RefusesControlCharactersInNamesAndValues) {
  const HttpHeaders bad[] = {
      {{"X-A", "1\r\nAuthorization: Bearer other"}},
      {{"X-A", "1\nX-B: 2"}},
      {{"X-A", "1\r"}},
      {{"X-A", std::string("a\0b", 3)}},
      {{"X-A", "\x7f"}},
      {{"X-A", "\x1b[0m"}},
      {{"X-A\r\nX-B", "1"}},
      {{"X A", "1"}},
      {{"X-A:", "1"}},
      {{"", "1"}},
      {{"X-Ok", "fine"}, {"X-B", "2\r\n"}},
  };
  for (const HttpHeaders& headers : bad) {
    SCOPED_TRACE(headers.back().first + "=" + headers.back().second);
    Result<HttpAnswer> answer = Send(headers);
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, ErrorCode::kInternal);
  }
  EXPECT_TRUE(upstream_.requests().empty());
}

}  // namespace
}  // namespace nfmetrics::http_client
