#include "service/results_cache.hpp"

#include <algorithm>
#include <map>

namespace nfmetrics::service {
namespace {

std::size_t SizeOf(const std::string& key, const std::vector<prometheus::Series>& series) {
  std::size_t bytes = sizeof(std::string) + key.size() + 64;  // entry and list node overhead
  for (const prometheus::Series& s : series) {
    bytes += sizeof(prometheus::Series) + s.samples.size() * sizeof(prometheus::Sample);
    for (const auto& [name, value] : s.labels) {
      bytes += 2 * sizeof(std::string) + name.size() + value.size();
    }
  }
  return bytes;
}

}  // namespace

std::vector<prometheus::Series> Slice(const std::vector<prometheus::Series>& series,
                                      StepRange range) {
  std::vector<prometheus::Series> out;
  out.reserve(series.size());
  for (const prometheus::Series& s : series) {
    auto first = std::lower_bound(
        s.samples.begin(), s.samples.end(), range.start,
        [](const prometheus::Sample& sample, TimePoint t) { return sample.timestamp < t; });
    auto last = std::upper_bound(
        first, s.samples.end(), range.end,
        [](TimePoint t, const prometheus::Sample& sample) { return t < sample.timestamp; });
    if (first == last) continue;
    out.push_back({s.labels, {first, last}});
  }
  return out;
}

std::vector<prometheus::Series> MergeSeries(std::vector<prometheus::Series> a,
                                            std::vector<prometheus::Series> b) {
  std::map<prometheus::Labels, std::vector<prometheus::Sample>> by_labels;
  for (auto* side : {&a, &b}) {
    for (prometheus::Series& s : *side) {
      auto& samples = by_labels[std::move(s.labels)];
      samples.insert(samples.end(), s.samples.begin(), s.samples.end());
    }
  }
  std::vector<prometheus::Series> out;
  out.reserve(by_labels.size());
  for (auto& [labels, samples] : by_labels) {
    std::stable_sort(samples.begin(), samples.end(),
                     [](const auto& x, const auto& y) { return x.timestamp < y.timestamp; });
    samples.erase(
        std::unique(samples.begin(), samples.end(),
                    [](const auto& x, const auto& y) { return x.timestamp == y.timestamp; }),
        samples.end());
    out.push_back({labels, std::move(samples)});
  }
  return out;
}

ResultsCache::Lookup ResultsCache::FromExtent(const Extent& extent, StepRange range,
                                              Duration step) {
  Lookup lookup;
  StepRange overlap{std::max(range.start, extent.range.start),
                    std::min(range.end, extent.range.end)};
  if (overlap.start > overlap.end) {
    lookup.missing.push_back(range);
    return lookup;
  }
  lookup.covered = true;
  lookup.cached = Slice(extent.series, overlap);
  if (range.start < overlap.start) lookup.missing.push_back({range.start, overlap.start - step});
  if (overlap.end < range.end) lookup.missing.push_back({overlap.end + step, range.end});
  return lookup;
}

namespace {
std::string SharedKey(const std::string& key) { return "nfmetrics:v1:" + key; }
}  // namespace

std::optional<ResultsCache::Lookup> ResultsCache::FindLocal(const std::string& key, StepRange range,
                                                            Duration step) {
  std::lock_guard lock(mutex_);
  const Extent* extent = extents_.Find(key);
  if (extent == nullptr) return std::nullopt;
  return FromExtent(*extent, range, step);
}

ResultsCache::Lookup ResultsCache::Find(const std::string& key, StepRange range, Duration step) {
  if (std::optional<Lookup> local = FindLocal(key, range, step)) return std::move(*local);
  Lookup lookup;
  lookup.missing.push_back(range);
  return lookup;
}

boost::asio::awaitable<ResultsCache::Lookup> ResultsCache::FindShared(const std::string& key,
                                                                      StepRange range,
                                                                      Duration step) {
  if (std::optional<Lookup> local = FindLocal(key, range, step)) co_return std::move(*local);
  // Not here: perhaps another replica has it.
  if (shared_ != nullptr && extents_.max_bytes() > 0) {
    std::string shared_key = SharedKey(key);
    std::optional<std::string> bytes = co_await shared_->Get(std::move(shared_key));
    std::optional<CachedExtent> shared = bytes ? DecodeExtent(*bytes) : std::nullopt;
    if (shared) {
      Extent extent{{shared->start, shared->end}, std::move(shared->series)};
      std::lock_guard lock(mutex_);
      // Kept unless a request for the same key stored one here meanwhile, which is as new.
      if (const Extent* kept = extents_.Find(key)) co_return FromExtent(*kept, range, step);
      Lookup lookup = FromExtent(extent, range, step);
      KeepLocked(key, std::move(extent));
      co_return lookup;
    }
  }
  co_return Find(key, range, step);
}

const ResultsCache::Extent* ResultsCache::KeepLocked(const std::string& key, Extent extent) {
  const std::size_t bytes = SizeOf(key, extent.series);
  return extents_.Put(key, std::move(extent), bytes);
}

void ResultsCache::Store(const std::string& key, StepRange range, Duration step,
                         const std::vector<prometheus::Series>& series, TimePoint cacheable_end,
                         bool finished) {
  if (extents_.max_bytes() == 0) return;
  Extent kept{{range.start, std::min(range.end, cacheable_end)}, {}};
  if (kept.range.start > kept.range.end) return;  // all of it is still fresh
  kept.series = Slice(series, kept.range);

  std::optional<std::string> shared_bytes;
  {
    std::lock_guard lock(mutex_);
    if (std::optional<Extent> old = extents_.Take(key)) {
      const bool touches =
          kept.range.start <= old->range.end + step && old->range.start <= kept.range.end + step;
      if (touches) {
        kept.range = {std::min(kept.range.start, old->range.start),
                      std::max(kept.range.end, old->range.end)};
        kept.series = MergeSeries(std::move(old->series), std::move(kept.series));
      }
    }
    // Larger than the whole cache: not kept here, nor shared.
    const Extent* stored = KeepLocked(key, std::move(kept));
    if (stored != nullptr && shared_ != nullptr) {
      shared_bytes = EncodeExtent({stored->range.start, stored->range.end, stored->series});
    }
  }
  if (shared_bytes) {
    const bool entire = finished && range.end <= cacheable_end;
    shared_->Set(SharedKey(key), std::move(*shared_bytes),
                 entire ? redis::Lifetime::kFinished : redis::Lifetime::kWindow);
  }
}

std::size_t ResultsCache::bytes() const {
  std::lock_guard lock(mutex_);
  return extents_.bytes();
}

std::size_t ResultsCache::entries() const {
  std::lock_guard lock(mutex_);
  return extents_.size();
}

}  // namespace nfmetrics::service
