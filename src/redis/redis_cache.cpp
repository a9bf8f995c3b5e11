// Everything that touches hiredis runs on the Core's strand: commands, the adapter's read and
// write handlers, the replies' callbacks, the background supervisor. Callers on other threads only
// read the `serving` flag, take write budget and hop to the strand. A context never outlives the
// Core (Close and ~Core free it), so hiredis's callbacks may use the Core; a read that stopped
// waiting leaves its PendingReply to the callback, which keeps it alive.
#include "nfmetrics/redis/redis_cache.hpp"

#include <fmt/format.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <utility>

#include "redis/asio_adapter.hpp"
#include "redis/pending_reply.hpp"
#include "redis/write_budget.hpp"

namespace nfmetrics::redis {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using Outcome = CircuitBreaker::Outcome;

struct Address {
  std::string host;
  int port = 0;
};

Result<Address> ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  auto invalid = [&] {
    return BadRequest("cache-redis",
                      fmt::format("invalid Redis URL \"{}\": expected redis://HOST:PORT", url));
  };
  if (!url.starts_with(kScheme)) return invalid();
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return invalid();
  int port = 0;
  std::string_view port_text = rest.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 ||
      port > 65535) {
    return invalid();
  }
  return Address{std::string(rest.substr(0, colon)), port};
}

Reply ToReply(const redisReply* reply) {
  if (reply == nullptr) return {Reply::Kind::kLost, {}};
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return {Reply::Kind::kString, std::string(reply->str, reply->len)};
    case REDIS_REPLY_NIL:
      return {Reply::Kind::kNil, {}};
    case REDIS_REPLY_ERROR:
      return {Reply::Kind::kError, std::string(reply->str, reply->len)};
    default:
      return {Reply::Kind::kError, fmt::format("unexpected reply of type {}", reply->type)};
  }
}

// privdata of a command whose reply someone awaits.
using ReplyHolder = std::shared_ptr<PendingReply>;

void OnReply(redisAsyncContext* /*context*/, void* reply, void* privdata) {
  std::unique_ptr<ReplyHolder> holder(static_cast<ReplyHolder*>(privdata));
  (*holder)->Resolve(ToReply(static_cast<redisReply*>(reply)));
}

}  // namespace

std::string_view ReadOutcomeName(ReadOutcome outcome) {
  switch (outcome) {
    case ReadOutcome::kHit:
      return "hit";
    case ReadOutcome::kMiss:
      return "miss";
    case ReadOutcome::kTimeout:
      return "timeout";
    case ReadOutcome::kError:
      return "error";
    case ReadOutcome::kSkipped:
      return "skipped";
  }
  return "error";
}

std::string_view WriteOutcomeName(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::kStored:
      return "stored";
    case WriteOutcome::kFailed:
      return "failed";
    case WriteOutcome::kDropped:
      return "dropped";
    case WriteOutcome::kSkipped:
      return "skipped";
  }
  return "failed";
}

struct RedisCache::Core {
  Core(const asio::any_io_executor& executor, RedisCacheOptions options_in, Address address_in)
      : options(std::move(options_in)),
        address(std::move(address_in)),
        name(fmt::format("{}:{}", address.host, address.port)),
        strand(asio::make_strand(executor)),
        breaker({.failures_to_open = options.circuit_failures,
                 .open_for = options.circuit_open_for,
                 .on_state = [this](CircuitState state) { CircuitChanged(state); }}),
        writes(options.max_pending_writes, options.max_pending_write_bytes),
        wake(strand),
        resolver(strand) {}

  ~Core() {
    // Only when the executor went away before Close ran: nothing is waiting any more.
    closed = true;
    if (context != nullptr) redisAsyncFree(std::exchange(context, nullptr));
  }

  // --- Any thread ---

  void Report(ReadOutcome outcome) const {
    if (options.on_read) options.on_read(outcome);
  }
  void Report(WriteOutcome outcome) const {
    if (options.on_write) options.on_write(outcome);
  }

  void CircuitChanged(CircuitState state) {  // the breaker's lock held
    // Logged when sharing stops and when it resumes, not at each failed probe in between.
    if (state == CircuitState::kOpen && logged_state == CircuitState::kClosed) {
      spdlog::warn(
          "redis {}: {} consecutive failures; the shared cache is not asked until a background "
          "probe gets an answer",
          name, options.circuit_failures);
    } else if (state == CircuitState::kClosed) {
      spdlog::info("redis {}: answering; sharing the results cache again", name);
    }
    if (state != CircuitState::kHalfOpen) logged_state = state;
    if (options.on_circuit_state) options.on_circuit_state(state);
  }

  // --- On the strand ---

  // A GET on the serving connection, awaited until `deadline`.
  static asio::awaitable<std::optional<std::string>> Get(std::shared_ptr<Core> self,
                                                         std::string key,
                                                         Clock::time_point deadline) {
    Core& core = *self;
    if (!core.Serving()) {
      core.Report(ReadOutcome::kSkipped);
      co_return std::nullopt;
    }
    redisAsyncContext* used = core.context;
    auto pending = std::make_shared<PendingReply>(core.strand);
    if (!core.Send(pending, "GET %b", key.data(), key.size())) {
      core.Report(ReadOutcome::kError);
      co_return std::nullopt;
    }
    std::optional<Reply> reply = co_await pending->Wait(deadline);
    if (core.closed) co_return std::nullopt;
    ReadOutcome outcome = ReadOutcome::kTimeout;
    if (reply) {
      outcome = reply->kind == Reply::Kind::kString ? ReadOutcome::kHit
                : reply->kind == Reply::Kind::kNil  ? ReadOutcome::kMiss
                                                    : ReadOutcome::kError;
    }
    const bool failed = outcome == ReadOutcome::kTimeout || outcome == ReadOutcome::kError;
    core.breaker.Record(failed ? Outcome::kFailed : Outcome::kSucceeded, false, Clock::now());
    // Opened by this failure: the connection is stalled or broken. Drop it, with every read still
    // waiting on it; the supervisor connects again when the circuit lets it.
    if (failed && core.context == used && core.breaker.state() != CircuitState::kClosed) {
      core.Drop();
    }
    core.Report(outcome);
    if (outcome != ReadOutcome::kHit) co_return std::nullopt;
    co_return std::move(reply->text);
  }

  // A SET on the serving connection; `bytes` of write budget were taken for it.
  void Write(std::string key, std::string value, std::size_t bytes, Lifetime lifetime) {
    if (!Serving()) {
      writes.Release(bytes);
      Report(WriteOutcome::kSkipped);
      return;
    }
    auto* ticket = new WriteTicket{this, bytes};
    const auto ttl = static_cast<long long>(
        (lifetime == Lifetime::kFinished ? options.finished_ttl : options.ttl).count());
    if (redisAsyncCommand(context, OnWritten, ticket, "SET %b %b EX %lld", key.data(), key.size(),
                          value.data(), value.size(), ttl) != REDIS_OK) {
      delete ticket;
      writes.Release(bytes);
      Report(WriteOutcome::kFailed);
    }
  }

  // Keeps a connection to Redis while the cache lives: connects when there is none (when the
  // circuit lets it, with backoff after failures), then sleeps until it is lost.
  static asio::awaitable<void> Supervise(std::shared_ptr<Core> self) {
    Core& core = *self;
    Duration backoff = core.options.reconnect_backoff_first;
    while (!core.closed) {
      if (core.context != nullptr) {
        co_await core.Sleep(Clock::duration::max());  // until Drop, Freed or Close
        continue;
      }
      const CircuitBreaker::Admission admission = core.breaker.Admit(Clock::now());
      if (!admission.allowed) {
        co_await core.Sleep(admission.retry_after);
        continue;
      }
      if (co_await core.Connect(admission.probe)) {
        backoff = core.options.reconnect_backoff_first;
      } else {
        co_await core.Sleep(backoff);
        backoff = std::min(backoff * 2, core.options.reconnect_backoff_max);
      }
    }
  }

  void Close() {
    closed = true;
    Drop();
    resolver.cancel();
  }

  bool Serving() const { return context != nullptr && serving.load(std::memory_order_relaxed); }

  const RedisCacheOptions options;
  const Address address;
  const std::string name;  // HOST:PORT, for the logs
  const asio::strand<asio::any_io_executor> strand;
  CircuitBreaker breaker;                // thread-safe
  WriteBudget writes;                    // thread-safe
  std::atomic<bool> serving{false};      // the connection answered its PING; set on the strand
  redisAsyncContext* context = nullptr;  // connecting or serving; on the strand
  bool closed = false;                   // on the strand
  asio::steady_timer wake;               // the supervisor's sleep, cut short by Drop and Close
  asio::ip::tcp::resolver resolver;
  std::string last_error;  // why hiredis freed the last connection; on the strand
  CircuitState logged_state = CircuitState::kClosed;  // under the breaker's lock

 private:
  struct WriteTicket {
    Core* core;
    std::size_t bytes;
  };

  static void OnWritten(redisAsyncContext* /*context*/, void* reply, void* privdata) {
    std::unique_ptr<WriteTicket> ticket(static_cast<WriteTicket*>(privdata));
    Core& core = *ticket->core;
    core.writes.Release(ticket->bytes);
    if (core.closed) return;
    const Reply answer = ToReply(static_cast<redisReply*>(reply));
    core.Report(answer.kind == Reply::Kind::kString ? WriteOutcome::kStored
                                                    : WriteOutcome::kFailed);
  }

  template <class... Args>
  bool Send(const std::shared_ptr<PendingReply>& pending, const char* format, Args... args) {
    auto* holder = new ReplyHolder(pending);
    if (redisAsyncCommand(context, OnReply, holder, format, args...) == REDIS_OK) return true;
    delete holder;
    return false;
  }

  asio::awaitable<void> Sleep(Clock::duration duration) {
    if (closed) co_return;
    wake.expires_after(std::min(duration, Clock::duration(std::chrono::hours(24 * 365))));
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  // One attempt: resolve, connect, PING, all within connect_timeout. True when the connection
  // answered and now serves; the outcome is recorded in the breaker either way.
  asio::awaitable<bool> Connect(bool probe) {
    const Clock::time_point deadline = Clock::now() + options.connect_timeout;
    std::string failure = co_await Open(deadline);
    if (failure.empty()) {
      redisAsyncContext* connecting = context;
      auto pending = std::make_shared<PendingReply>(strand);
      std::optional<Reply> reply;
      if (Send(pending, "PING")) reply = co_await pending->Wait(deadline);
      if (closed) co_return false;
      if (reply && reply->kind == Reply::Kind::kString && context == connecting) {
        serving.store(true, std::memory_order_relaxed);
        breaker.Record(Outcome::kSucceeded, probe, Clock::now());
        spdlog::info("redis {}: connected", name);
        if (options.on_connected) options.on_connected(true);
        co_return true;
      }
      failure = !reply
                    ? fmt::format("no answer to PING within {} ms", options.connect_timeout.count())
                : reply->kind == Reply::Kind::kError ? "PING answered " + reply->text
                                                     : "cannot connect: " + last_error;
    }
    if (closed) co_return false;
    Drop();
    // The first failure of a series is worth a warning; the circuit's state says the rest.
    const bool quiet = breaker.state() != CircuitState::kClosed;
    spdlog::log(quiet ? spdlog::level::debug : spdlog::level::warn, "redis {}: {}", name, failure);
    breaker.Record(Outcome::kFailed, probe, Clock::now());
    co_return false;
  }

  // Resolves the host without blocking this thread (hiredis would call getaddrinfo itself) and
  // starts a non-blocking connect: `context` is set. What went wrong, or "".
  asio::awaitable<std::string> Open(Clock::time_point deadline) {
    asio::steady_timer timer(strand, deadline);
    auto resolved = co_await (resolver.async_resolve(address.host, std::to_string(address.port),
                                                     asio::as_tuple(asio::use_awaitable)) ||
                              timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (closed) co_return "closed";
    if (resolved.index() == 1) co_return "name resolution timed out";
    auto& [ec, endpoints] = std::get<0>(resolved);
    if (ec || endpoints.empty()) co_return fmt::format("cannot resolve: {}", ec.message());
    const std::string ip = endpoints.begin()->endpoint().address().to_string();
    redisAsyncContext* connecting = redisAsyncConnect(ip.c_str(), address.port);
    if (connecting == nullptr) co_return "out of memory";
    if (connecting->err != 0) {
      std::string error = fmt::format("cannot connect: {}", connecting->errstr);
      redisAsyncFree(connecting);
      co_return error;
    }
    if (!AttachToAsio(connecting, strand, [this, connecting] { Freed(connecting); })) {
      redisAsyncFree(connecting);
      co_return "cannot watch the socket";
    }
    context = connecting;
    co_return "";
  }

  // Ends the connection, if any; every command waiting on it gets its callback (kLost) now.
  // Never called from within a hiredis callback.
  void Drop() {
    const bool was_serving = serving.exchange(false, std::memory_order_relaxed);
    if (redisAsyncContext* dropped = std::exchange(context, nullptr)) redisAsyncFree(dropped);
    wake.cancel();
    if (was_serving && options.on_connected) options.on_connected(false);
  }

  // hiredis is freeing `freed` (from within hiredis): after an error or EOF, or Drop.
  void Freed(redisAsyncContext* freed) {
    if (freed != context) return;  // Drop's: already accounted for
    context = nullptr;
    last_error = freed->err != 0 && freed->errstr != nullptr ? freed->errstr : "closed by Redis";
    wake.cancel();
    // A connection still connecting is Connect's to account for, by its PING's kLost.
    if (!serving.exchange(false, std::memory_order_relaxed) || closed) return;
    spdlog::warn("redis {}: connection lost: {}", name, last_error);
    if (options.on_connected) options.on_connected(false);
    breaker.Record(Outcome::kFailed, false, Clock::now());
  }
};

RedisCache::~RedisCache() { Close(); }

asio::awaitable<std::optional<std::string>> RedisCache::Get(std::string key) {
  // Nothing to ask: a miss at once, without leaving this thread.
  if (!core_->serving.load(std::memory_order_relaxed)) {
    core_->Report(ReadOutcome::kSkipped);
    co_return std::nullopt;
  }
  const Clock::time_point deadline = Clock::now() + core_->options.read_timeout;
  try {
    co_return co_await asio::co_spawn(core_->strand, Core::Get(core_, std::move(key), deadline),
                                      asio::use_awaitable);
  } catch (const std::exception& e) {
    spdlog::warn("redis {}: {}", core_->name, e.what());
    core_->Report(ReadOutcome::kError);
  }
  co_return std::nullopt;
}

void RedisCache::Set(std::string key, std::string value, Lifetime lifetime) {
  Core& core = *core_;
  if (!core.serving.load(std::memory_order_relaxed)) {
    core.Report(WriteOutcome::kSkipped);
    return;
  }
  const std::size_t bytes = key.size() + value.size();
  if (!core.writes.TryAcquire(bytes)) {
    core.Report(WriteOutcome::kDropped);
    return;
  }
  asio::post(core.strand, [core = core_, key = std::move(key), value = std::move(value), bytes,
                           lifetime]() mutable {
    core->Write(std::move(key), std::move(value), bytes, lifetime);
  });
}

void RedisCache::Close() {
  asio::post(core_->strand, [core = core_] { core->Close(); });
}

CircuitState RedisCache::circuit_state() const { return core_->breaker.state(); }

Result<std::unique_ptr<RedisCache>> MakeRedisCache(const asio::any_io_executor& executor,
                                                   RedisCacheOptions options) {
  Result<Address> address = ParseRedisUrl(options.url);
  if (!address.ok()) return std::move(address).error();
  auto core =
      std::make_shared<RedisCache::Core>(executor, std::move(options), std::move(address).value());
  if (core->options.on_circuit_state) core->options.on_circuit_state(CircuitState::kClosed);
  asio::co_spawn(core->strand, RedisCache::Core::Supervise(core), asio::detached);
  return std::unique_ptr<RedisCache>(new RedisCache(std::move(core)));
}

}  // namespace nfmetrics::redis
