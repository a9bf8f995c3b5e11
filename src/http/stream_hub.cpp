#include "http/stream_hub.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/error_response.hpp"
#include "http/metric_json.hpp"
#include "nfmetrics/http/self_metrics.hpp"

namespace nfmetrics::http {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// An event's id: the unix time of the last step it (or the stream before it) carried, in seconds.
std::string EventId(TimePoint step) {
  const std::int64_t millis = step.time_since_epoch().count();
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  return fmt::format("{:.3f}", static_cast<double>(millis) / 1000);
}

std::shared_ptr<const std::string> EncodeEvent(std::string_view event, TimePoint id,
                                               std::string_view data) {
  return std::make_shared<const std::string>(
      fmt::format("event: {}\nid: {}\ndata: {}\n\n", event, EventId(id), data));
}

const std::shared_ptr<const std::string>& KeepAliveText() {
  static const auto text = std::make_shared<const std::string>(": keep-alive\n\n");
  return text;
}

// A strand of its own for a hub, on the threads of the connection that started it (the strand a
// connection runs on is a strand of the io_context's executor).
asio::any_io_executor HubStrand(const asio::any_io_executor& connection) {
  using IoExecutor = asio::io_context::executor_type;
  if (const auto* strand = connection.target<asio::strand<IoExecutor>>()) {
    return asio::make_strand(strand->get_inner_executor());
  }
  if (const auto* io_executor = connection.target<IoExecutor>()) {
    return asio::make_strand(*io_executor);
  }
  return asio::make_strand(connection);
}

}  // namespace

struct QueuedEvent {
  StreamEvent kind;
  std::shared_ptr<const std::string> text;
  TimePoint id;
};

// What a hub and one client's connection share: the client's queue and how to wake it.
struct Subscriber : std::enable_shared_from_this<Subscriber> {
  Subscriber(const asio::any_io_executor& connection, std::optional<TimePoint> last_event_id,
             std::optional<TimePoint> expires, std::size_t queue_limit)
      : wake(connection),
        last_event_id(last_event_id),
        expires(expires),
        queue_limit(std::max<std::size_t>(1, queue_limit)) {}

  // Hands `event` over. kDropped: this delivery found the subscriber queue_limit events behind,
  // dropped it and abandoned its connection (the caller counts it).
  enum class Delivery { kQueued, kGone, kDropped };
  Delivery Deliver(QueuedEvent event) {
    std::function<void()> abandon_now;
    bool dropped_now = false;
    {
      std::lock_guard lock(mutex);
      if (ended || dropped) return Delivery::kGone;
      if (queue.size() < queue_limit) {
        queue.push_back(std::move(event));
        opened = true;
      } else {
        dropped = dropped_now = true;
        queue.clear();
        abandon_now = abandon;
      }
    }
    Wake();
    if (!dropped_now) return Delivery::kQueued;
    if (abandon_now) abandon_now();
    return Delivery::kDropped;
  }

  void Fail(Error error) {
    {
      std::lock_guard lock(mutex);
      failure = std::move(error);
    }
    Wake();
  }

  void Finish() {
    {
      std::lock_guard lock(mutex);
      ended = true;
    }
    Wake();
  }

  // Wakes the connection waiting in Opened() or Next(), on its own executor (a timer is not
  // thread-safe). One that is not waiting looks at the queue before it waits.
  void Wake() {
    asio::post(wake.get_executor(), [weak = weak_from_this()] {
      if (std::shared_ptr<Subscriber> self = weak.lock()) self->wake.cancel();
    });
  }

  asio::steady_timer wake;  // on the connection's executor
  const std::optional<TimePoint> last_event_id;
  const std::optional<TimePoint> expires;
  const std::size_t queue_limit;

  std::mutex mutex;
  std::deque<QueuedEvent> queue;  // guarded by mutex, as are the fields below
  std::optional<Error> failure;   // the hub's first refresh failed
  bool opened = false;            // has had an event
  bool ended = false;
  bool dropped = false;
  std::function<void()> abandon;
};

struct StreamHubsState {
  StreamHubsState(service::QueryService& service, std::function<TimePoint()> clock,
                  SelfMetrics& metrics)
      : service(service), clock(std::move(clock)), metrics(metrics) {}

  void Leave(const std::shared_ptr<StreamHub>& hub, const Subscriber& subscriber);

  service::QueryService& service;
  const std::function<TimePoint()> clock;
  SelfMetrics& metrics;
  StreamOptions options;
  std::atomic<std::size_t> open{0};
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<StreamHub>> hubs;  // guarded by mutex
};

class StreamHub : public std::enable_shared_from_this<StreamHub> {
 public:
  StreamHub(std::shared_ptr<StreamHubsState> state, std::string key, service::StreamRequest request,
            const asio::any_io_executor& strand)
      : state_(std::move(state)),
        key_(std::move(key)),
        request_(std::move(request)),
        strand_(strand),
        timer_(strand) {}

  const std::string& key() const { return key_; }

  void Start() { asio::co_spawn(strand_, Run(), asio::detached); }

  void Stop() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->timer_.cancel();
    });
  }

  // Adds a subscriber and hands it its first event, or, before the first refresh has answered,
  // has that refresh made now.
  void Join(const std::shared_ptr<Subscriber>& subscriber) {
    std::lock_guard lock(mutex_);
    subscribers_.push_back(subscriber);
    if (result_) {
      Hand(subscriber, Opening(*subscriber));
      return;
    }
    asio::post(strand_, [self = shared_from_this()] {
      if (!self->answered_) self->timer_.cancel();
    });
  }

  // True when no subscriber is left.
  bool Remove(const Subscriber& subscriber) {
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [&](const auto& held) { return held.get() == &subscriber; });
    return subscribers_.empty();
  }

 private:
  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    state_->metrics.StreamHubStarted();
    const StreamOptions& options = state_->options;
    boost::system::error_code ec;
    while (!stopped_) {
      const TimePoint now = state_->clock();
      service::MetricRequest window = service::StreamWindow(request_, now, options.freshness);
      if (!answered_ || request_.fresh || window.end != sent_end_) {
        Result<service::MetricResult> answer = co_await Refresh(window);
        if (stopped_) break;
        Publish(std::move(window), std::move(answer), now);
      }
      if (stopped_) break;
      const TimePoint at = state_->clock();
      const TimePoint next =
          service::NextRefresh(request_, at, options.freshness, options.scrape_lag);
      timer_.expires_after(next - at);
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    state_->metrics.StreamHubStopped();
  }

  asio::awaitable<Result<service::MetricResult>> Refresh(const service::MetricRequest& window) {
    std::optional<Result<service::MetricResult>> answer;
    try {
      answer.emplace(co_await state_->service.Query(window, /*bypass_cache=*/false));
    } catch (const std::exception& e) {
      spdlog::error("stream refresh of {}: {}", request_.metric.metric->api_name, e.what());
      answer.emplace(Error{ErrorCode::kInternal, "internal error", ""});
    }
    state_->metrics.StreamRefreshed(request_.metric.metric->api_name, answer->ok());
    co_return std::move(*answer);
  }

  // Runs on the strand, after each refresh.
  void Publish(service::MetricRequest window, Result<service::MetricResult> answer, TimePoint now) {
    std::lock_guard lock(mutex_);
    if (!answer.ok()) {
      if (!result_) {
        // Nobody has a stream yet: each waiting client gets the error as its answer.
        for (const auto& subscriber : subscribers_) subscriber->Fail(answer.error());
        return;
      }
      spdlog::warn("stream of {}: {}", request_.metric.metric->api_name, answer.error().message);
      Broadcast({StreamEvent::kError, EncodeEvent("error", sent_end_, ErrorJson(answer.error())),
                 sent_end_});
      return;
    }
    const bool first = !result_;
    const bool moved = window.end != sent_end_;
    std::vector<service::MetricSeries> steps;
    if (!first) steps = service::StepsAfter(*answer, &*result_, final_end_);
    result_ = std::move(answer).value();
    window_ = std::move(window);
    answered_ = true;
    snapshot_.reset();
    sent_end_ = window_->end;
    final_end_ = request_.fresh ? service::LastFinalStep(request_, now, state_->options.freshness)
                                : sent_end_;
    if (first) {
      std::vector<std::shared_ptr<Subscriber>> waiting = subscribers_;
      for (const auto& subscriber : waiting) Hand(subscriber, Opening(*subscriber));
      return;
    }
    if (steps.empty() && !moved) return;
    Broadcast({StreamEvent::kPoints,
               EncodeEvent("points", sent_end_, PointsJson(result_->plan, steps)), sent_end_});
  }

  // A subscriber's first event, with the hub's current window: the steps after its
  // Last-Event-ID when that is still in the window, else the snapshot. Under mutex_.
  QueuedEvent Opening(const Subscriber& subscriber) {
    if (subscriber.last_event_id && *subscriber.last_event_id >= window_->start &&
        *subscriber.last_event_id <= sent_end_) {
      // A fresh stream's last steps may have changed since: they are sent again.
      const TimePoint after = std::min(*subscriber.last_event_id, final_end_);
      std::vector<service::MetricSeries> steps = service::StepsAfter(*result_, nullptr, after);
      return {StreamEvent::kPoints,
              EncodeEvent("points", sent_end_, PointsJson(result_->plan, steps)), sent_end_};
    }
    // Encoded once per refresh, however many join.
    if (!snapshot_) snapshot_ = EncodeEvent("snapshot", sent_end_, MetricJson(*window_, *result_));
    return {StreamEvent::kSnapshot, snapshot_, sent_end_};
  }

  void Broadcast(const QueuedEvent& event) {
    std::vector<std::shared_ptr<Subscriber>> all = subscribers_;
    for (const auto& subscriber : all) Hand(subscriber, event);
  }

  // Under mutex_. A subscriber that is gone or falls behind leaves the list.
  void Hand(const std::shared_ptr<Subscriber>& subscriber, QueuedEvent event) {
    Subscriber::Delivery delivery = subscriber->Deliver(std::move(event));
    if (delivery == Subscriber::Delivery::kQueued) return;
    if (delivery == Subscriber::Delivery::kDropped) {
      state_->metrics.StreamSubscriberDropped();
      spdlog::info("stream of {}: a subscriber fell {} events behind and was disconnected",
                   request_.metric.metric->api_name, subscriber->queue_limit);
    }
    std::erase(subscribers_, subscriber);
  }

  const std::shared_ptr<StreamHubsState> state_;
  const std::string key_;
  const service::StreamRequest request_;
  const asio::any_io_executor strand_;
  asio::steady_timer timer_;  // on strand_
  bool stopped_ = false;      // on strand_
  bool answered_ = false;     // on strand_: a refresh has succeeded

  std::mutex mutex_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;  // guarded by mutex_, as are the rest
  std::optional<service::MetricRequest> window_;          // of result_
  std::optional<service::MetricResult> result_;           // the last refresh that succeeded
  TimePoint sent_end_{};                                  // the last step handed out
  TimePoint final_end_{};                        // the last step that was final when handed out
  std::shared_ptr<const std::string> snapshot_;  // result_'s snapshot event, once encoded
};

void StreamHubsState::Leave(const std::shared_ptr<StreamHub>& hub, const Subscriber& subscriber) {
  {
    std::lock_guard lock(mutex);
    if (hub->Remove(subscriber)) {
      auto it = hubs.find(hub->key());
      if (it != hubs.end() && it->second == hub) {
        hubs.erase(it);
        hub->Stop();
      }
    }
  }
  open.fetch_sub(1);
  metrics.StreamClosed();
}

Subscription::Subscription(std::shared_ptr<StreamHubsState> hubs, std::shared_ptr<StreamHub> hub,
                           std::shared_ptr<Subscriber> subscriber)
    : hubs_(std::move(hubs)),
      hub_(std::move(hub)),
      subscriber_(std::move(subscriber)),
      keepalive_due_(SteadyClock::now() + hubs_->options.keepalive) {}

Subscription::~Subscription() { hubs_->Leave(hub_, *subscriber_); }

asio::awaitable<Status> Subscription::Opened() {
  boost::system::error_code ec;
  for (;;) {
    {
      std::lock_guard lock(subscriber_->mutex);
      if (subscriber_->failure) co_return *subscriber_->failure;
      if (subscriber_->opened || subscriber_->ended || subscriber_->dropped) co_return Ok();
    }
    // Woken by the hub; the refresh is bounded by the upstream timeout.
    subscriber_->wake.expires_after(std::chrono::minutes(10));
    co_await subscriber_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<std::shared_ptr<const std::string>> Subscription::Next() {
  const StreamOptions& options = hubs_->options;
  boost::system::error_code ec;
  for (;;) {
    {
      std::unique_lock lock(subscriber_->mutex);
      if (!subscriber_->queue.empty()) {
        QueuedEvent event = std::move(subscriber_->queue.front());
        subscriber_->queue.pop_front();
        lock.unlock();
        hubs_->metrics.StreamEventSent(event.kind);
        keepalive_due_ = SteadyClock::now() + options.keepalive;
        last_id_ = event.id;
        co_return std::move(event.text);
      }
      if (subscriber_->ended || subscriber_->dropped) co_return nullptr;
    }
    const TimePoint now = hubs_->clock();
    if (subscriber_->expires && now >= *subscriber_->expires) {
      // The stream ends with the credentials that opened it; the client may open it again.
      subscriber_->Finish();
      hubs_->metrics.StreamEventSent(StreamEvent::kError);
      co_return EncodeEvent(
          "error", last_id_,
          ErrorJson(Error{ErrorCode::kUnauthorized,
                          "the token has expired; open the stream again with a valid one", ""}));
    }
    const auto steady_now = SteadyClock::now();
    if (steady_now >= keepalive_due_) {
      keepalive_due_ = steady_now + options.keepalive;
      hubs_->metrics.StreamEventSent(StreamEvent::kKeepAlive);
      co_return KeepAliveText();
    }
    auto deadline = keepalive_due_;
    if (subscriber_->expires) {
      deadline = std::min(deadline, steady_now + (*subscriber_->expires - now));
    }
    subscriber_->wake.expires_at(deadline);
    co_await subscriber_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void Subscription::End() { subscriber_->Finish(); }

void Subscription::OnAbandon(std::function<void()> abandon) {
  bool dropped = false;
  {
    std::lock_guard lock(subscriber_->mutex);
    subscriber_->abandon = abandon;
    dropped = subscriber_->dropped;
  }
  if (dropped && abandon) abandon();
}

StreamHubs::StreamHubs(service::QueryService& service, std::function<TimePoint()> clock,
                       SelfMetrics& metrics)
    : state_(std::make_shared<StreamHubsState>(service, std::move(clock), metrics)) {}

StreamHubs::~StreamHubs() {
  std::lock_guard lock(state_->mutex);
  for (auto& [key, hub] : state_->hubs) hub->Stop();
  state_->hubs.clear();
}

void StreamHubs::Configure(const StreamOptions& options) { state_->options = options; }

Result<std::shared_ptr<Subscription>> StreamHubs::Subscribe(
    service::StreamRequest stream, std::optional<TimePoint> last_event_id,
    std::optional<TimePoint> expires, const asio::any_io_executor& connection) {
  const std::size_t limit = state_->options.max_streams;
  if (state_->open.fetch_add(1) >= limit) {
    state_->open.fetch_sub(1);
    return Error{
        ErrorCode::kOverloaded,
        fmt::format("{} streams are already open, the --max-streams limit; retry shortly", limit),
        "", 1};
  }
  state_->metrics.StreamOpened();
  auto subscriber = std::make_shared<Subscriber>(connection, last_event_id, expires,
                                                 state_->options.queue_events);
  std::string key = service::StreamKey(stream);
  std::shared_ptr<StreamHub> hub;
  bool started = false;
  {
    std::lock_guard lock(state_->mutex);
    std::shared_ptr<StreamHub>& slot = state_->hubs[key];
    if (slot == nullptr) {
      slot = std::make_shared<StreamHub>(state_, key, std::move(stream), HubStrand(connection));
      started = true;
    }
    hub = slot;
    hub->Join(subscriber);
  }
  if (started) hub->Start();
  return std::make_shared<Subscription>(state_, std::move(hub), std::move(subscriber));
}

std::size_t StreamHubs::open_streams() const { return state_->open.load(); }

std::size_t StreamHubs::hubs() const {
  std::lock_guard lock(state_->mutex);
  return state_->hubs.size();
}

}  // namespace nfmetrics::http
