// Live streams, one backend query per step however many watch: a hub per distinct streamed query
// (service::StreamKey) refreshes its window once per step through the results cache, encodes each
// event once and hands it to every subscriber's bounded queue. The first subscriber starts the
// hub, the last one to leave stops it. A subscriber that falls more than the queue behind is
// dropped; the others never wait for it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/event_stream.hpp"
#include "nfmetrics/http/stream_options.hpp"
#include "nfmetrics/service/live_window.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class SelfMetrics;
class StreamHub;
struct Subscriber;

struct StreamHubsState;

// One client's stream: its first event, then what its hub sends, keep-alives when idle, and the
// end (the hub's, the server's drain, the token's expiry, or falling behind). Leaves the hub when
// destroyed.
class Subscription final : public EventStream {
 public:
  Subscription(std::shared_ptr<StreamHubsState> hubs, std::shared_ptr<StreamHub> hub,
               std::shared_ptr<Subscriber> subscriber);
  ~Subscription() override;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Waits for the first event. The error of the hub's first refresh, when it failed (the client
  // gets it as a plain answer: no stream starts).
  boost::asio::awaitable<Status> Opened();

  boost::asio::awaitable<std::shared_ptr<const std::string>> Next() override;
  void End() override;
  void OnAbandon(std::function<void()> abandon) override;

 private:
  std::shared_ptr<StreamHubsState> hubs_;
  std::shared_ptr<StreamHub> hub_;
  std::shared_ptr<Subscriber> subscriber_;
  std::chrono::steady_clock::time_point keepalive_due_;
  TimePoint last_id_{};  // the id of the last event handed out
};

// Every hub, by key. Thread-safe. Hubs and subscriptions share its state, so that one still
// running when the server is torn down touches nothing freed.
class StreamHubs {
 public:
  StreamHubs(service::QueryService& service, std::function<TimePoint()> clock,
             SelfMetrics& metrics);
  ~StreamHubs();  // stops every hub
  StreamHubs(const StreamHubs&) = delete;
  StreamHubs& operator=(const StreamHubs&) = delete;

  // Set before serving.
  void Configure(const StreamOptions& options);

  // A subscription to the hub of `stream`, which starts if none runs. `connection`: the client
  // connection's executor, where its Next() runs. last_event_id: the id of the last event the
  // client saw (a resume). expires: when the client's credentials stop being accepted. Errors:
  // kOverloaded (503, Retry-After) when --max-streams streams are open.
  Result<std::shared_ptr<Subscription>> Subscribe(service::StreamRequest stream,
                                                  std::optional<TimePoint> last_event_id,
                                                  std::optional<TimePoint> expires,
                                                  const boost::asio::any_io_executor& connection);

  std::size_t open_streams() const;
  std::size_t hubs() const;

 private:
  std::shared_ptr<StreamHubsState> state_;
};

}  // namespace nfmetrics::http
