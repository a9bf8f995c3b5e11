// The outbound HTTP client's parts on their own: the base URL, the extra header checks and the
// connection permits. (The whole transport is exercised against a fake upstream in tests/fault.)
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <vector>

#include "http_client/header_checks.hpp"
#include "http_client/permits.hpp"
#include "http_client/url.hpp"

namespace nfmetrics::http_client {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TEST(ParseBaseUrl, TakesTheOriginAndKeepsThePathPrefix) {
  Result<Origin> origin = ParseBaseUrl("https://[::1]:9443/select/0/prometheus/", "url");
  ASSERT_TRUE(origin.ok()) << origin.error().message;
  EXPECT_TRUE(origin->tls);
  EXPECT_EQ(origin->host, "::1");
  EXPECT_EQ(origin->port, "9443");
  EXPECT_EQ(origin->host_header, "[::1]:9443");
  EXPECT_EQ(origin->origin, "https://[::1]:9443");
  EXPECT_EQ(origin->path_prefix, "/select/0/prometheus");
  Result<Origin> plain = ParseBaseUrl("http://prometheus", "url");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->path_prefix, "");
}

TEST(ParseBaseUrl, RefusesWhatItCannotUseNamingTheParameter) {
  for (const char* url : {"ftp://h", "http://", "http://u:p@h", "http://h/?q", "http://h/#f",
                          "http://h:0", "http://h:70000", "not a url"}) {
    Result<Origin> origin = ParseBaseUrl(url, "prometheus-url");
    ASSERT_FALSE(origin.ok()) << url;
    EXPECT_EQ(origin.error().param, "prometheus-url") << url;
  }
}

TEST(CheckExtraHeaders, AcceptsFieldsThatReplaceNothing) {
  EXPECT_TRUE(CheckExtraHeaders({{"X-Request-Id", "a\tb"}, {"Accept", "text/plain"}}, "o").ok());
}

TEST(CheckExtraHeaders, RefusesTheTransportsOwnFieldsAndBadCharacters) {
  for (const HttpHeaders& headers : std::vector<HttpHeaders>{{{"host", "x"}},
                                                             {{"AUTHORIZATION", "x"}},
                                                             {{"Content-Length", "1"}},
                                                             {{"transfer-encoding", "chunked"}},
                                                             {{"Connection", "close"}},
                                                             {{"X-A", "a\r\nX-B: b"}},
                                                             {{"X A", "1"}},
                                                             {{"", "1"}}}) {
    Status checked = CheckExtraHeaders(headers, "http://h");
    ASSERT_FALSE(checked.ok()) << headers.front().first;
    EXPECT_EQ(checked.error().code, ErrorCode::kInternal);
  }
}

TEST(Permits, AtMostTheCountAreOutAndAWaiterGetsTheNextOneInTime) {
  asio::io_context io;
  Permits permits(1);
  std::vector<bool> got;
  auto take = [&](Clock::duration wait) -> asio::awaitable<void> {
    got.push_back(co_await permits.Acquire(Clock::now() + wait));
  };
  asio::co_spawn(io, take(std::chrono::seconds(5)), asio::detached);        // the only permit
  asio::co_spawn(io, take(std::chrono::milliseconds(20)), asio::detached);  // times out
  asio::co_spawn(io, take(std::chrono::seconds(5)), asio::detached);        // gets it when released
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io, std::chrono::milliseconds(100));
        co_await timer.async_wait(asio::use_awaitable);
        permits.Release();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, (std::vector<bool>{true, false, true}));
}

}  // namespace
}  // namespace nfmetrics::http_client
