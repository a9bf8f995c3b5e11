#include "support/harness_common.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <regex>
#include <system_error>
#include <thread>
#include <utility>

#include "support/child_process.hpp"

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

unsigned short FreeLoopbackPort() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

ScratchDir::ScratchDir(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      (std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / fmt::format("{}-XXXXXX", prefix))
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

ScratchDir& ScratchDir::operator=(ScratchDir&& other) noexcept {
  if (this != &other) {
    ScratchDir old(std::move(*this));
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

std::optional<LoopbackAnswer> LoopbackRequest(unsigned short port, std::string_view method,
                                              const std::string& target, std::string body,
                                              std::string_view content_type,
                                              std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  std::optional<LoopbackAnswer> answer;
  auto exchange = [&]() -> asio::awaitable<void> {
    constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    auto [connect_error] = co_await stream.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port), kUseTuple);
    if (connect_error) co_return;
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    request.keep_alive(false);
    if (!body.empty()) {
      request.set(http::field::content_type, content_type);
      request.body() = std::move(body);
      request.prepare_payload();
    }
    auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
    if (write_error) co_return;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::size_t{64} << 20);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (read_error) co_return;
    answer =
        LoopbackAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  };
  asio::co_spawn(ioc, exchange, asio::detached);
  ioc.run();
  return answer;
}

std::string UnixSecondsParam(TimePoint t) {
  const long long ms = t.time_since_epoch().count();
  return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
}

std::string WaitForSyntheticData(unsigned short port, TimePoint at,
                                 std::chrono::milliseconds patience, const LoopbackGet& get) {
  using namespace std::chrono_literals;
  static const std::regex positive_count(R"re("value":\[[0-9.e+]+,"[1-9][0-9]*"\])re");
  const std::string target =
      "/api/v1/query?query=count(monovtx_sink_time_count)&time=" + UnixSecondsParam(at);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::optional<LoopbackAnswer> answer;
  for (;;) {
    answer = get ? get(port, target) : LoopbackRequest(port, "GET", target);
    if (answer && answer->status == 200 && std::regex_search(answer->body, positive_count))
      return {};
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  return fmt::format("{} answered: {}", target, answer ? answer->body : "nothing");
}

std::string WaitUntilServing(ChildProcess& process, std::string_view name, unsigned short port,
                             const std::string& path, std::chrono::seconds patience, bool& exited,
                             const LoopbackGet& get) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline && process.Running()) {
    const std::optional<LoopbackAnswer> answer =
        get ? get(port, path) : LoopbackRequest(port, "GET", path, {}, {}, std::chrono::seconds(1));
    if (answer && answer->status == 200) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  exited = !process.Running();
  process.Stop();
  return fmt::format("{} on port {} {}:\n{}", name, port,
                     exited ? "exited" : fmt::format("not ready after {} s", patience.count()),
                     process.LogTail());
}

}  // namespace nfmetrics::testing
