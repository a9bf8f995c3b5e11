// Rendered answers of metric requests that the results cache answered whole. Such an answer cannot
// change: the results cache keeps only steps older than the freshness horizon, and their data is
// final. The next identical request is served these bytes (and their gzip form, made once) without
// planning, merging or rendering again: what makes a dashboard's repeated refresh nearly free.
// Bounded in bytes, least recently used out first. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "nfmetrics/core/byte_lru.hpp"
#include "nfmetrics/service/metric_request.hpp"

namespace nfmetrics::http {

class AnswerCache {
 public:
  class Answer {
   public:
    explicit Answer(std::string body) : body_(std::move(body)) {}
    const std::string& body() const { return body_; }
    // The gzip form, compressed on first use; nullptr if zlib fails.
    const std::string* Gzipped() const;

   private:
    std::string body_;
    mutable std::once_flag gzip_once_;
    mutable std::optional<std::string> gzipped_;
  };

  explicit AnswerCache(std::size_t max_bytes) : answers_(max_bytes) {}

  std::shared_ptr<const Answer> Find(const std::string& key);
  // Keeps body for key (replacing what was there), unless it alone is over a quarter of the budget.
  void Store(const std::string& key, std::string body);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  mutable std::mutex mutex_;
  ByteLru<std::shared_ptr<const Answer>> answers_;  // guarded by mutex_
};

// The answer's key: MetricRequest::Key (equal keys render equal bodies).
std::string AnswerKey(const service::MetricRequest& request);

}  // namespace nfmetrics::http
