// The results cache: what the engine answered for a query and step, kept as one contiguous extent
// of steps per query, so that a window sliding forward re-asks only for the steps it has not seen
// (the Cortex/Thanos/Mimir query-frontend idea). Only steps older than the freshness horizon are
// kept: the recent tail is always asked again. Bounded in bytes, least recently used out first.
// Thread-safe. With a cache shared by several replicas (Redis), what this one lacks is asked of it
// without blocking (FindShared), and what this one keeps is given to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/byte_lru.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/redis/shared_cache.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "service/cached_extent.hpp"

namespace nfmetrics::service {

// A range of steps, both ends included and on the step grid.
struct StepRange {
  TimePoint start;
  TimePoint end;
};

class ResultsCache {
 public:
  // shared: an optional cache shared with other replicas (Redis), consulted by FindShared when
  // this one has no extent for a query, and given every extent this one keeps. Must outlive this.
  explicit ResultsCache(std::size_t max_bytes, redis::SharedCache* shared = nullptr)
      : shared_(shared), extents_(max_bytes) {}

  struct Lookup {
    std::vector<prometheus::Series> cached;  // the samples of the covered steps
    bool covered = false;                    // some steps came from the cache
    std::vector<StepRange> missing;          // to ask the engine for: a head and/or a tail
  };

  // The cached part of [range] for `key` (a query and its step) and what is missing, from this
  // process alone.
  Lookup Find(const std::string& key, StepRange range, Duration step);

  // The same, and when this process has no extent for `key`, the shared cache's, kept here from
  // then on. Waits for the shared cache at most its own deadline; its failures are misses.
  boost::asio::awaitable<Lookup> FindShared(const std::string& key, StepRange range, Duration step);

  // Remembers the answer for [range]: only the steps up to `cacheable_end` (older than the
  // freshness horizon). Joins the key's extent when the two touch or overlap, else replaces it.
  // finished: [range] is a whole interval of a split query, which once kept entire never changes
  // (the shared cache keeps it longer).
  void Store(const std::string& key, StepRange range, Duration step,
             const std::vector<prometheus::Series>& series, TimePoint cacheable_end,
             bool finished = false);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  // The steps kept for one key: a contiguous extent.
  struct Extent {
    StepRange range;
    std::vector<prometheus::Series> series;  // sorted by labels, samples sorted by time
  };

  // Find's answer when this process has an extent for `key`.
  std::optional<Lookup> FindLocal(const std::string& key, StepRange range, Duration step);
  // Keeps an extent for `key` (the caller holds mutex_); nullptr when it is larger than the cache.
  const Extent* KeepLocked(const std::string& key, Extent extent);
  static Lookup FromExtent(const Extent& extent, StepRange range, Duration step);

  redis::SharedCache* const shared_;
  mutable std::mutex mutex_;
  ByteLru<Extent> extents_;  // guarded by mutex_
};

// Samples of `series` with start <= time <= end.
std::vector<prometheus::Series> Slice(const std::vector<prometheus::Series>& series,
                                      StepRange range);

// Joins answers for adjacent or overlapping ranges into one: series matched by labels, samples in
// time order, one per timestamp. The result is sorted by labels.
std::vector<prometheus::Series> MergeSeries(std::vector<prometheus::Series> a,
                                            std::vector<prometheus::Series> b);

}  // namespace nfmetrics::service
