// The follow loop is one coroutine on one io_context: open the stream, feed what arrives to the
// SSE parser and the printer, and when the stream ends wait and reopen it with Last-Event-ID. A
// signal stops the io_context; what is still suspended then is left to the process's exit.
#include "app/query_follow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <utility>

#include "app/query_command.hpp"
#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::app {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

// An open stream silent for longer than this, or --timeout when that is longer, is taken as
// dropped: the server sends a keep-alive after 15 s without events, so this is three of them.
constexpr Duration kMinIdleTimeout = seconds(45);
// The longest Retry-After honoured; a longer one still waits this long per attempt.
constexpr Duration kMaxRetryAfter = seconds(30);

std::optional<double> ParseUnixSeconds(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsEventStream(const http_client::HttpAnswer& head) {
  std::string type = head.Header("Content-Type");
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type.starts_with("text/event-stream");
}

// Answers to a reopening that another attempt may cure: too many streams or requests, the
// backend failing as the server's first refresh found it.
bool WorthRetrying(unsigned status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

Duration RetryAfter(const http_client::HttpAnswer& answer) {
  const std::string header = answer.Header("Retry-After");
  int value = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), value);
  if (ec != std::errc() || end != header.data() + header.size() || value < 0) return Duration(0);
  return std::min<Duration>(seconds(value), kMaxRetryAfter);
}

std::string Seconds(Duration duration) {
  return fmt::format("{:g} s", std::chrono::duration<double>(duration).count());
}

StepFormat FormatOf(std::string_view output) {
  if (output == "json") return StepFormat::kJson;
  if (output == "csv") return StepFormat::kCsv;
  return StepFormat::kTable;
}

// Why a connection's stream ended, and what follows: an exit (printed already), or a reopening
// after at least `at_least`.
struct Ending {
  std::optional<int> exit_code;
  std::string why;
  Duration at_least{0};
};

Ending HowItEnded(const Result<http_client::HttpAnswer>& answer, bool started,
                  const ConnectionOptions& connection) {
  Ending ending;
  if (!answer.ok()) {
    ending.why = answer.error().message;
  } else if (answer->status < 200 || answer->status > 299) {
    // Before the snapshot, and for an answer no retry can change (a token that expired, a
    // parameter refused), it is the command's answer, as `nfmetrics query` prints one.
    if (!started || !WorthRetrying(answer->status)) {
      PrintErrorAnswer("query", connection, *answer);
      ending.exit_code = kExitApiError;
      return ending;
    }
    const std::optional<ApiError> error = ParseApiError(answer->body);
    ending.why = error ? fmt::format("{}: {}", error->code, error->message)
                       : fmt::format("HTTP {}", answer->status);
    ending.at_least = RetryAfter(*answer);
  } else {
    ending.why = "the server ended it";
  }
  if (!started) {
    std::cerr << fmt::format("nfmetrics query: {}\n", ending.why);
    ending.exit_code = kExitApiError;
  }
  return ending;
}

asio::awaitable<int> Follow(asio::any_io_executor executor, http_client::HttpTransport& transport,
                            const FollowSettings& settings, Duration idle_timeout) {
  FollowPrinter printer(settings, std::cout, std::cerr);
  ReconnectBackoff backoff;
  std::string last_event_id;
  for (;;) {
    SseParser parser(last_event_id);
    bool got_event = false;
    std::optional<int> fatal;
    http_client::BodyStream body{
        .on_head =
            [&](const http_client::HttpAnswer& head) {
              if (IsEventStream(head)) return true;
              std::cerr << fmt::format(
                  "nfmetrics query: {} answered {} with Content-Type \"{}\", not an event stream "
                  "(a server without streams?)\n",
                  settings.connection.url, head.status, head.Header("Content-Type"));
              fatal = kExitApiError;
              return false;
            },
        .on_piece =
            [&](std::string_view piece) {
              for (const SseEvent& event : parser.Feed(piece)) {
                if (!got_event && backoff.attempts() > 0) {
                  std::cerr << "nfmetrics query: the stream is open again\n";
                }
                got_event = true;
                fatal = printer.OnEvent(event);
                if (fatal) return false;
              }
              return true;
            },
        .idle_timeout = idle_timeout};
    http_client::HttpRequest request{.target = settings.target,
                                     .headers = {{"Accept", "text/event-stream"}}};
    if (!last_event_id.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id);
    Result<http_client::HttpAnswer> answer =
        co_await transport.SendStreamed(std::move(request), std::move(body));
    last_event_id = parser.last_event_id();
    if (fatal) co_return *fatal;

    const Ending ending = HowItEnded(answer, printer.started(), settings.connection);
    if (ending.exit_code) co_return *ending.exit_code;
    if (got_event) backoff.Reset();
    std::optional<Duration> wait = backoff.Next();
    if (!wait) {
      std::cerr << fmt::format(
          "nfmetrics query: the stream ended ({}) and could not be reopened in {} attempts\n",
          ending.why, ReconnectBackoff::kAttempts);
      co_return kExitApiError;
    }
    wait = std::max(*wait, ending.at_least);
    std::cerr << fmt::format("nfmetrics query: the stream ended ({}); reopening it in {}\n",
                             ending.why, Seconds(*wait));
    asio::steady_timer timer(executor, *wait);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace

std::optional<Duration> ReconnectBackoff::Next() {
  if (attempts_ >= kAttempts) return std::nullopt;
  const Duration wait = std::min<Duration>(std::chrono::milliseconds(500 << attempts_), seconds(8));
  ++attempts_;
  return wait;
}

FollowPrinter::FollowPrinter(const FollowSettings& settings, std::ostream& out, std::ostream& err)
    : settings_(settings), out_(out), err_(err) {}

std::optional<int> FollowPrinter::OnEvent(const SseEvent& event) {
  const std::optional<double> previous_end = last_end_;
  if (std::optional<double> id = ParseUnixSeconds(event.id)) last_end_ = id;
  if (event.type == "snapshot") {
    if (!writer_) return FirstSnapshot(event);
    // A resume the server could not serve with the missing steps alone: they are in the window.
    Result<QueryAnswer> answer = ParseQueryAnswer(event.data);
    if (!answer) {
      err_ << fmt::format("nfmetrics query: {}\n", answer.error().message);
      return std::nullopt;
    }
    writer_->Write(answer->series, previous_end);
  } else if (event.type == "points") {
    Result<PointsEvent> points = ParsePointsEvent(event.data);
    if (!points) {
      err_ << fmt::format("nfmetrics query: {}\n", points.error().message);
      return std::nullopt;
    }
    if (writer_) writer_->Write(points->series);
  } else if (event.type == "error") {
    if (std::optional<ApiError> error = ParseApiError(event.data)) {
      err_ << fmt::format("nfmetrics query: {}: {}\n", error->code, error->message);
    } else {
      err_ << fmt::format("nfmetrics query: an error event: {}\n", event.data);
    }
  }
  return std::nullopt;
}

std::optional<int> FollowPrinter::FirstSnapshot(const SseEvent& event) {
  Result<QueryAnswer> answer = ParseQueryAnswer(event.data);
  const StepFormat format = FormatOf(settings_.output);
  if (format == StepFormat::kJson) {
    // As `--output json` without --follow: the answer exactly as the API wrote it.
    out_ << event.data << '\n';
  } else if (!answer) {
    err_ << fmt::format("nfmetrics query: {} ({})\n", answer.error().message,
                        settings_.connection.url);
    return kExitApiError;
  } else {
    for (const std::string& warning : answer->warnings) {
      err_ << "nfmetrics query: warning: " << warning << '\n';
    }
    if (format == StepFormat::kCsv) {
      WriteCsv(out_, *answer);
    } else {
      WriteTable(out_, *answer, TableOptions{settings_.metric, settings_.width});
    }
  }
  out_ << std::flush;
  writer_.emplace(out_, format, answer ? answer->unit : "",
                  answer ? answer->series : std::vector<QuerySeries>{});
  return std::nullopt;
}

int FollowQuery(const FollowSettings& settings) {
  auto context = std::make_unique<asio::io_context>();
  ClientTransport made = MakeClientTransport("query", settings.connection, context->get_executor());
  if (!made.transport) return made.exit_code;
  const Duration idle_timeout =
      std::max(*service::ParseDuration(settings.connection.timeout), kMinIdleTimeout);

  std::optional<int> exit_code;
  asio::signal_set signals(*context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    exit_code = kQueryExitOk;
    context->stop();
  });
  asio::co_spawn(*context, Follow(context->get_executor(), *made.transport, settings, idle_timeout),
                 [&](const std::exception_ptr& e, int code) {
                   if (e) std::rethrow_exception(e);
                   exit_code = code;
                   context->stop();
                 });
  context->run();
  std::cout << std::flush;
  // Stopped with the stream open or a lookup running: nothing here may wait for them.
  Abandon(std::move(context), std::move(made.transport));
  return exit_code.value_or(kExitApiError);
}

}  // namespace nfmetrics::app
