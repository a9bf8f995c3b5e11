// The shared results cache on Redis (--cache-redis), for serving threads that must never wait on
// it. hiredis's asynchronous API runs on one strand, driven by Asio (asio_adapter.hpp):
//
// - A read waits at most `read_timeout` (--cache-redis-timeout); a late answer is a miss, and is
//   dropped when it comes.
// - Consecutive failures (timeouts, error answers, a lost connection, a failed connect) open the
//   shared cache's own circuit breaker: while it is open, and whenever there is no connection that
//   answered its PING, reads are misses at once and writes are dropped, without touching Redis.
// - (Re)connecting happens in the background, never in a request: name resolution, connect and a
//   PING within `connect_timeout`, with a growing backoff between failed attempts, and while the
//   circuit is open only when it lets a probe through. When Redis answers again, sharing resumes.
// - Writes are fire-and-forget and bounded: at most `max_pending_writes` writes and
//   `max_pending_write_bytes` bytes wait for Redis's answer; one that does not fit is dropped.
//
// What happens is reported through the callbacks (self-metrics), never logged per request.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nfmetrics/core/circuit_breaker.hpp"
#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/redis/shared_cache.hpp"

namespace nfmetrics::redis {

// What became of one read.
enum class ReadOutcome {
  kHit,      // Redis had a value
  kMiss,     // Redis had none
  kTimeout,  // no answer within the read timeout: a miss
  kError,    // an error answer, or the connection failed first: a miss
  kSkipped,  // Redis was not asked: no connection that answers, or the circuit is open
};
std::string_view ReadOutcomeName(ReadOutcome outcome);  // "hit", "miss", "timeout", ...

// What became of one write.
enum class WriteOutcome {
  kStored,   // Redis said OK
  kFailed,   // an error answer, or the connection failed before the answer
  kDropped,  // too many writes or bytes were already waiting for Redis
  kSkipped,  // not sent: no connection that answers, or the circuit is open
};
std::string_view WriteOutcomeName(WriteOutcome outcome);  // "stored", "failed", ...

struct RedisCacheOptions {
  std::string url;                                        // redis://HOST:PORT (--cache-redis)
  Duration read_timeout = std::chrono::milliseconds(20);  // --cache-redis-timeout
  // Name resolution, connect and PING of a new connection, in the background.
  Duration connect_timeout = std::chrono::seconds(1);
  int circuit_failures = 3;  // consecutive failures that open the circuit
  Duration circuit_open_for = std::chrono::seconds(1);  // before the background probes again
  // Between failed connects: doubling from the first to the last.
  Duration reconnect_backoff_first = std::chrono::milliseconds(100);
  Duration reconnect_backoff_max = std::chrono::seconds(2);
  // Writes waiting for Redis's answer, queued ones included.
  std::size_t max_pending_writes = 256;
  std::size_t max_pending_write_bytes = std::size_t{32} << 20;
  // How long Redis keeps a value: older windows are rarely asked again; a finished interval of a
  // split query never changes, and a window sliding over a month asks it every day (Redis's own
  // maxmemory policy bounds them all).
  std::chrono::seconds ttl = std::chrono::hours(24);
  std::chrono::seconds finished_ttl = std::chrono::hours(24 * 90);
  // Called on any thread, never with a lock of this cache held except on_circuit_state (the
  // breaker's): none of them may call the cache.
  std::function<void(ReadOutcome)> on_read;
  std::function<void(WriteOutcome)> on_write;
  std::function<void(CircuitState)> on_circuit_state;
  // true: a connection answered its PING and is used from now on; false: it is gone.
  std::function<void(bool)> on_connected;
};

class RedisCache final : public SharedCache {
 public:
  ~RedisCache() override;  // Close()
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  boost::asio::awaitable<std::optional<std::string>> Get(std::string key) override;
  using SharedCache::Set;
  void Set(std::string key, std::string value, Lifetime lifetime) override;

  // Stops using Redis: the connection and the background reconnects end, reads already waiting
  // return, later reads are misses and writes are dropped. Returns at once; what is left is done
  // on the executor, which then has nothing more of this cache to run.
  void Close();

  CircuitState circuit_state() const;

 private:
  struct Core;  // the connection and its supervisor, on one strand (redis_cache.cpp)
  explicit RedisCache(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  friend Result<std::unique_ptr<RedisCache>> MakeRedisCache(
      const boost::asio::any_io_executor& executor, RedisCacheOptions options);

  std::shared_ptr<Core> core_;
};

// Checks options.url and starts connecting in the background on a strand of `executor`.
// Errors: kBadRequest with param "cache-redis" when the URL is not redis://HOST:PORT.
Result<std::unique_ptr<RedisCache>> MakeRedisCache(const boost::asio::any_io_executor& executor,
                                                   RedisCacheOptions options);

}  // namespace nfmetrics::redis
