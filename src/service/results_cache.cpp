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

ResultsCache::Lookup ResultsCache::FromEntry(const Entry& entry, StepRange range, Duration step) {
  Lookup lookup;
  StepRange overlap{std::max(range.start, entry.extent.start),
                    std::min(range.end, entry.extent.end)};
  if (overlap.start > overlap.end) {
    lookup.missing.push_back(range);
    return lookup;
  }
  lookup.covered = true;
  lookup.cached = Slice(entry.series, overlap);
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
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  Touch(it->second);
  return FromEntry(it->second, range, step);
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
  if (shared_ != nullptr && max_bytes_ > 0) {
    std::string shared_key = SharedKey(key);
    std::optional<std::string> bytes = co_await shared_->Get(std::move(shared_key));
    std::optional<CachedExtent> extent = bytes ? DecodeExtent(*bytes) : std::nullopt;
    if (extent) {
      std::lock_guard lock(mutex_);
      // Kept unless a request for the same key stored one here meanwhile, which is as new.
      auto it = entries_.find(key);
      Entry& entry = it != entries_.end() ? it->second
                                          : InsertLocked(key, {extent->start, extent->end},
                                                         std::move(extent->series));
      Lookup lookup = FromEntry(entry, range, step);
      EvictOverBudget();
      co_return lookup;
    }
  }
  co_return Find(key, range, step);
}

ResultsCache::Entry& ResultsCache::InsertLocked(const std::string& key, StepRange extent,
                                                std::vector<prometheus::Series> series) {
  std::size_t bytes = SizeOf(key, series);
  lru_.push_front(key);
  auto [it, inserted] =
      entries_.emplace(key, Entry{extent, std::move(series), bytes, lru_.begin()});
  bytes_ += bytes;
  return it->second;
}

void ResultsCache::Store(const std::string& key, StepRange range, Duration step,
                         const std::vector<prometheus::Series>& series, TimePoint cacheable_end) {
  if (max_bytes_ == 0) return;
  StepRange kept{range.start, std::min(range.end, cacheable_end)};
  if (kept.start > kept.end) return;  // all of it is still fresh
  std::vector<prometheus::Series> slice = Slice(series, kept);

  std::optional<std::string> shared_bytes;
  {
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
    if (SizeOf(key, slice) > max_bytes_) return;  // larger than the whole cache
    if (shared_ != nullptr) shared_bytes = EncodeExtent({kept.start, kept.end, slice});
    InsertLocked(key, kept, std::move(slice));
    EvictOverBudget();
  }
  if (shared_bytes) shared_->Set(SharedKey(key), std::move(*shared_bytes));
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
