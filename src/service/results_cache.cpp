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

ResultsCache::Lookup ResultsCache::Find(const std::string& key, StepRange range, Duration step) {
  Lookup lookup;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  StepRange overlap{
      std::max(range.start, it == entries_.end() ? range.end : it->second.extent.start),
      std::min(range.end, it == entries_.end() ? range.start : it->second.extent.end)};
  if (it == entries_.end() || overlap.start > overlap.end) {
    lookup.missing.push_back(range);
    return lookup;
  }
  Touch(it->second);
  lookup.covered = true;
  lookup.cached = Slice(it->second.series, overlap);
  if (range.start < overlap.start) lookup.missing.push_back({range.start, overlap.start - step});
  if (overlap.end < range.end) lookup.missing.push_back({overlap.end + step, range.end});
  return lookup;
}

void ResultsCache::Store(const std::string& key, StepRange range, Duration step,
                         const std::vector<prometheus::Series>& series, TimePoint cacheable_end) {
  if (max_bytes_ == 0) return;
  StepRange kept{range.start, std::min(range.end, cacheable_end)};
  if (kept.start > kept.end) return;  // all of it is still fresh
  std::vector<prometheus::Series> slice = Slice(series, kept);

  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Entry& entry = it->second;
    bool touches = kept.start <= entry.extent.end + step && entry.extent.start <= kept.end + step;
    if (touches) {
      kept = {std::min(kept.start, entry.extent.start), std::max(kept.end, entry.extent.end)};
      slice = MergeSeries(std::move(entry.series), std::move(slice));
    }
    bytes_ -= entry.bytes;
    lru_.erase(entry.lru);
    entries_.erase(it);
  }
  std::size_t bytes = SizeOf(key, slice);
  if (bytes > max_bytes_) return;  // larger than the whole cache
  lru_.push_front(key);
  entries_.emplace(key, Entry{kept, std::move(slice), bytes, lru_.begin()});
  bytes_ += bytes;
  EvictOverBudget();
}

void ResultsCache::Touch(Entry& entry) { lru_.splice(lru_.begin(), lru_, entry.lru); }

void ResultsCache::EvictOverBudget() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.bytes;
    entries_.erase(it);
    lru_.pop_back();
  }
}

std::size_t ResultsCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ResultsCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace nfmetrics::service
