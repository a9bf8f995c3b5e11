// The load client of bench/streams.sh (issue 16): N viewers of one query in one process, on a few
// threads, either subscribed to a live stream (`stream`) or polling GET once per step (`poll`).
//
// stream: opens N subscriptions of one /stream URL and, for every `points` event that completes
//   in [--from, --until), writes "id client receipt_us bytes data_hash" (receipt: the wall clock
//   in microseconds when the event's last byte was read). Exits non-zero when a subscription
//   fails, or when not all N had their snapshot by --from.
// poll: N keep-alive connections; viewer i asks GET <target>&start=<now-range>&end=<now> once per
//   step at --from + k*step + i*step/N (viewers spread over the step, as independent dashboards
//   are), until --until, and writes "viewer sent_us latency_us status bytes" per answer.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using SystemClock = std::chrono::system_clock;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SystemClock::now().time_since_epoch())
      .count();
}

SystemClock::time_point FromUnixSeconds(double seconds) {
  return SystemClock::time_point(
      std::chrono::duration_cast<SystemClock::duration>(std::chrono::duration<double>(seconds)));
}

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  std::string port;
  std::string target;
  int connections = 1;
  int threads = 2;
  double from = 0;
  double until = 0;
  int step_seconds = 5;
  int range_seconds = 900;
  std::string out;
};

struct StreamRecord {
  std::string id;
  std::int64_t receipt_us;
  std::size_t bytes;
  std::size_t hash;
};

struct PollRecord {
  std::int64_t sent_us;
  std::int64_t latency_us;
  unsigned status;
  std::size_t bytes;
};

// What the viewers share. Each viewer's records are touched only by its own coroutine.
struct Run {
  explicit Run(const Options& options) : options(options) {}
  const Options& options;
  tcp::resolver::results_type endpoints;
  std::atomic<int> opened{0};  // subscriptions that have had their snapshot
  std::atomic<int> failed{0};  // viewers that ended with an error
  std::atomic<std::int64_t> all_opened_us{0};
  std::mutex errors_mutex;
  std::vector<std::string> errors;  // the first few, for the summary
  std::vector<std::vector<StreamRecord>> stream_records;
  std::vector<std::vector<PollRecord>> poll_records;

  void Fail(int viewer, const std::string& what) {
    failed.fetch_add(1);
    std::lock_guard lock(errors_mutex);
    if (errors.size() < 5) errors.push_back(fmt::format("viewer {}: {}", viewer, what));
  }
};

http::request<http::empty_body> Get(const Run& run, std::string target, bool stream) {
  http::request<http::empty_body> request{http::verb::get, std::move(target), 11};
  request.set(http::field::host, run.options.host + ":" + run.options.port);
  if (stream) request.set(http::field::accept, "text/event-stream");
  request.keep_alive(true);
  return request;
}

// Splits the SSE text received so far into events (blank-line terminated) and reports each one.
class EventSplitter {
 public:
  using OnEvent =
      std::function<void(std::string_view event, std::string_view id, std::string_view data)>;
  explicit EventSplitter(OnEvent on_event) : on_event_(std::move(on_event)) {}

  void Feed(std::string_view bytes) {
    pending_.append(bytes);
    std::size_t begin = 0;
    for (std::size_t end; (end = pending_.find("\n\n", begin)) != std::string::npos;
         begin = end + 2) {
      Dispatch(std::string_view(pending_).substr(begin, end - begin));
    }
    pending_.erase(0, begin);
  }

 private:
  void Dispatch(std::string_view block) {
    std::string_view event, id, data;
    while (!block.empty()) {
      const std::size_t eol = block.find('\n');
      std::string_view line = block.substr(0, eol);
      block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 1);
      if (line.starts_with("event: ")) event = line.substr(7);
      if (line.starts_with("id: ")) id = line.substr(4);
      if (line.starts_with("data: ")) data = line.substr(6);
    }
    if (!event.empty()) on_event_(event, id, data);  // comments (keep-alive) have no event
  }

  OnEvent on_event_;
  std::string pending_;
};

asio::awaitable<void> Subscribe(Run& run, int viewer) {
  const Options& options = run.options;
  const std::int64_t from_us = static_cast<std::int64_t>(options.from * 1e6);
  const std::int64_t until_us = static_cast<std::int64_t>(options.until * 1e6);
  std::vector<StreamRecord>& records = run.stream_records[viewer];
  try {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await asio::async_connect(socket, run.endpoints, asio::use_awaitable);
    co_await http::async_write(socket, Get(run, options.target, true), asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.body_limit(boost::none);
    co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
    if (parser.get().result() != http::status::ok) {
      run.Fail(viewer, fmt::format("status {}", parser.get().result_int()));
      co_return;
    }
    bool opened = false;
    EventSplitter splitter([&](std::string_view event, std::string_view id, std::string_view data) {
      const std::int64_t now = NowMicros();
      if (event == "snapshot" && !opened) {
        opened = true;
        if (run.opened.fetch_add(1) + 1 == options.connections) run.all_opened_us = now;
      } else if (event == "points" && now >= from_us && now < until_us) {
        records.push_back({std::string(id), now, data.size(), std::hash<std::string_view>()(data)});
      } else if (event == "error") {
        run.Fail(viewer, fmt::format("error event: {}", data));
      }
    });
    // The parser keeps a reference to it: it lives as long as the read loop.
    auto on_body = [&](std::uint64_t, std::string_view body, boost::beast::error_code&) {
      splitter.Feed(body);
      return body.size();
    };
    parser.on_chunk_body(on_body);
    while (!parser.is_done()) {
      co_await http::async_read_some(socket, buffer, parser, asio::use_awaitable);
    }
    run.Fail(viewer, "the stream ended");
  } catch (const std::exception& e) {
    if (NowMicros() < until_us) run.Fail(viewer, e.what());
  }
}

asio::awaitable<void> Poll(Run& run, int viewer) {
  const Options& options = run.options;
  const std::chrono::duration<double> step(options.step_seconds);
  const auto offset = step * (0.02 + 0.96 * viewer / options.connections);
  const SystemClock::time_point until = FromUnixSeconds(options.until);
  std::vector<PollRecord>& records = run.poll_records[viewer];
  auto executor = co_await asio::this_coro::executor;
  try {
    // Connected just before the first request: the server closes a connection that sends no
    // request within --header-timeout of its accept.
    tcp::socket socket(executor);
    boost::beast::flat_buffer buffer;
    asio::system_timer timer(executor);
    for (int k = 0;; ++k) {
      const SystemClock::time_point at =
          FromUnixSeconds(options.from) +
          std::chrono::duration_cast<SystemClock::duration>(step * k + offset);
      if (at >= until) break;
      timer.expires_at(at);
      co_await timer.async_wait(asio::use_awaitable);
      const std::int64_t sent = NowMicros();
      const std::int64_t now_s = sent / 1000000;
      const std::string target =
          fmt::format("{}&start={}&end={}", options.target, now_s - options.range_seconds, now_s);
      std::optional<http::response<http::string_body>> response;
      // A kept-alive connection the server has closed since (--idle-timeout) is opened again
      // once, as browsers do.
      for (int attempt = 0; !response; ++attempt) {
        const bool reused = socket.is_open();
        if (!reused) co_await asio::async_connect(socket, run.endpoints, asio::use_awaitable);
        boost::system::error_code ec;
        co_await http::async_write(socket, Get(run, target, false),
                                   asio::redirect_error(asio::use_awaitable, ec));
        http::response_parser<http::string_body> parser;
        parser.body_limit(boost::none);
        if (!ec) {
          co_await http::async_read(socket, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec) {
          response = parser.release();
        } else if (!reused || attempt > 0) {
          throw boost::system::system_error(ec);
        } else {
          socket.close();
          buffer.clear();
        }
      }
      records.push_back(
          {sent, NowMicros() - sent, response->result_int(), response->body().size()});
      if (!response->keep_alive()) socket.close();
    }
  } catch (const std::exception& e) {
    run.Fail(viewer, e.what());
  }
}

void WriteRecords(const Run& run, std::FILE* out) {
  for (std::size_t viewer = 0; viewer < run.stream_records.size(); ++viewer) {
    for (const StreamRecord& r : run.stream_records[viewer]) {
      fmt::print(out, "{} {} {} {} {:x}\n", r.id, viewer, r.receipt_us, r.bytes, r.hash);
    }
  }
  for (std::size_t viewer = 0; viewer < run.poll_records.size(); ++viewer) {
    for (const PollRecord& r : run.poll_records[viewer]) {
      fmt::print(out, "{} {} {} {} {}\n", viewer, r.sent_us, r.latency_us, r.status, r.bytes);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"N viewers of one nfmetrics query: live stream subscribers or GET pollers"};
  app.add_option("--mode", options.mode, "stream or poll")
      ->required()
      ->check(CLI::IsMember({"stream", "poll"}));
  app.add_option("--host", options.host);
  app.add_option("--port", options.port)->required();
  app.add_option("--target", options.target,
                 "the path and query (poll: without start and end, which are added)")
      ->required();
  app.add_option("--connections", options.connections)->check(CLI::Range(1, 100000));
  app.add_option("--threads", options.threads)->check(CLI::Range(1, 64));
  app.add_option("--from", options.from, "unix seconds: records start (stream), polls start")
      ->required();
  app.add_option("--until", options.until, "unix seconds: the run ends")->required();
  app.add_option("--step", options.step_seconds, "poll: seconds between a viewer's requests");
  app.add_option("--range", options.range_seconds, "poll: start = now - range, in seconds");
  app.add_option("--out", options.out, "the records, one a line")->required();
  CLI11_PARSE(app, argc, argv);

  asio::io_context io(options.threads);
  Run run(options);
  run.endpoints = tcp::resolver(io).resolve(options.host, options.port);
  const bool stream = options.mode == "stream";
  if (stream) {
    run.stream_records.resize(options.connections);
  } else {
    run.poll_records.resize(options.connections);
  }
  for (int viewer = 0; viewer < options.connections; ++viewer) {
    asio::co_spawn(io, stream ? Subscribe(run, viewer) : Poll(run, viewer), asio::detached);
  }
  asio::system_timer end(io, FromUnixSeconds(options.until));
  end.async_wait([&](boost::system::error_code) { io.stop(); });

  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (std::thread& thread : threads) thread.join();

  std::FILE* out = std::fopen(options.out.c_str(), "w");
  if (out == nullptr) {
    fmt::print(stderr, "stream_load: cannot write {}\n", options.out);
    return 1;
  }
  WriteRecords(run, out);
  std::fclose(out);

  bool ok = run.failed == 0;
  if (stream) {
    const std::int64_t all_opened = run.all_opened_us;
    const bool in_time =
        all_opened != 0 && all_opened < static_cast<std::int64_t>(options.from * 1e6);
    ok = ok && in_time;
    fmt::print(stderr, "stream_load: {} of {} subscriptions opened{}\n", run.opened.load(),
               options.connections,
               all_opened == 0 ? std::string()
                               : fmt::format(", the last at {:.3f} ({})", all_opened / 1e6,
                                             in_time ? "before --from" : "after --from"));
  }
  for (const std::string& error : run.errors) fmt::print(stderr, "stream_load: {}\n", error);
  if (run.failed > 0) fmt::print(stderr, "stream_load: {} viewers failed\n", run.failed.load());
  return ok ? 0 : 1;
}
