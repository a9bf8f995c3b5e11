// `nfmetrics query --follow`: GET /api/v1/metrics/{metric}/stream read as Server-Sent Events, the
// snapshot printed as `nfmetrics query` prints an answer, then each new step per series as it
// arrives (follow_format.hpp); `error` events on stderr; a dropped stream reopened with
// Last-Event-ID a bounded number of times; SIGINT and SIGTERM end it with exit 0.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/api_client.hpp"
#include "app/follow_format.hpp"
#include "app/sse_parser.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::app {

// The waits before reopening a dropped stream: 0.5 s, doubling to at most 8 s, kAttempts of them
// in a row; then Next() is nullopt and the command gives up. A connection that delivered an event
// starts the count again.
class ReconnectBackoff {
 public:
  static constexpr int kAttempts = 5;

  std::optional<Duration> Next();
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  int attempts_ = 0;
};

struct FollowSettings {
  std::string target;  // /api/v1/metrics/{metric}/stream?...
  std::string metric;  // as the user named it, for the table's header line
  std::string output;  // table, json or csv
  std::size_t width = 40;
  ConnectionOptions connection;
};

// What the stream's events print: the first snapshot as `nfmetrics query` prints an answer, then
// the steps of `points` events; a later snapshot (a resume the server could not serve
// incrementally) only for its steps after the last event seen; `error` events on `err`. Events of
// other types are ignored.
class FollowPrinter {
 public:
  FollowPrinter(const FollowSettings& settings, std::ostream& out, std::ostream& err);

  // kExitApiError when the first snapshot is not a metrics answer (it is printed on `err`),
  // else nullopt.
  std::optional<int> OnEvent(const SseEvent& event);
  bool started() const { return writer_.has_value(); }

 private:
  std::optional<int> FirstSnapshot(const SseEvent& event);

  const FollowSettings& settings_;
  std::ostream& out_;
  std::ostream& err_;
  std::optional<StepWriter> writer_;  // from the first snapshot on
  std::optional<double> last_end_;    // the `id` of the last event, unix seconds
};

// Runs until SIGINT or SIGTERM (0), or a failure that ends it (1, or 2 for connection flags that
// cannot make a request); the exit codes of `nfmetrics query`.
int FollowQuery(const FollowSettings& settings);

}  // namespace nfmetrics::app
