// A cached extent (one query's contiguous steps) as bytes, and back: what the results cache keeps
// in the cache shared with other replicas. The format is versioned; anything else decodes to
// nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"

namespace nfmetrics::service {

struct CachedExtent {
  TimePoint start;
  TimePoint end;
  std::vector<prometheus::Series> series;
};

std::string EncodeExtent(const CachedExtent& extent);
std::optional<CachedExtent> DecodeExtent(std::string_view bytes);  // nullopt: not an extent

}  // namespace nfmetrics::service
