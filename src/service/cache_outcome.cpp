#include "nfmetrics/service/cache_outcome.hpp"

namespace nfmetrics::service {

std::string_view CacheOutcomeName(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kHit:
      return "hit";
    case CacheOutcome::kPartial:
      return "partial";
    case CacheOutcome::kMiss:
      return "miss";
    case CacheOutcome::kBypass:
      return "bypass";
  }
  return "miss";
}

CacheOutcome Combine(CacheOutcome a, CacheOutcome b) { return a == b ? a : CacheOutcome::kPartial; }

}  // namespace nfmetrics::service
