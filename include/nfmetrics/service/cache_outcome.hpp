// What the results cache did for one answer: served whole, in part, not at all, or not asked (a
// client's Cache-Control: no-cache). Reported as X-Cache, data.cache and in the self-metrics.
#pragma once

#include <string_view>

namespace nfmetrics::service {

// What the cache did for one answer, reported as X-Cache and data.cache.
enum class CacheOutcome { kHit, kPartial, kMiss, kBypass };
std::string_view CacheOutcomeName(CacheOutcome outcome);  // "hit", "partial", "miss", "bypass"
// Several queries (one per quantile) answer as one: all the same, or "partial".
CacheOutcome Combine(CacheOutcome a, CacheOutcome b);

}  // namespace nfmetrics::service
