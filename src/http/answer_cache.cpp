#include "http/answer_cache.hpp"

#include <fmt/format.h>

#include <iterator>

#include "http/compression.hpp"

namespace nfmetrics::http {
namespace {

// What an entry costs beyond its body: the key twice (map and LRU list), the nodes, and the gzip
// form once made (JSON of numbers compresses well over 4x).
std::size_t EntryBytes(const std::string& key, const std::string& body) {
  return 2 * key.size() + body.size() + body.size() / 4 + 256;
}

}  // namespace

const std::string* AnswerCache::Answer::Gzipped() const {
  std::call_once(gzip_once_, [this] { gzipped_ = Gzip(body_); });
  return gzipped_ ? &*gzipped_ : nullptr;
}

std::shared_ptr<const AnswerCache::Answer> AnswerCache::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const std::shared_ptr<const Answer>* answer = answers_.Find(key);
  return answer != nullptr ? *answer : nullptr;
}

void AnswerCache::Store(const std::string& key, std::string body) {
  const std::size_t bytes = EntryBytes(key, body);
  if (bytes > answers_.max_bytes() / 4) return;  // one answer must not flush the others
  auto answer = std::make_shared<const Answer>(std::move(body));
  std::lock_guard lock(mutex_);
  answers_.Put(key, std::move(answer), bytes);
}

std::size_t AnswerCache::bytes() const {
  std::lock_guard lock(mutex_);
  return answers_.bytes();
}

std::size_t AnswerCache::entries() const {
  std::lock_guard lock(mutex_);
  return answers_.size();
}

std::string AnswerKey(const service::MetricRequest& request) {
  std::string key;
  auto out = std::back_inserter(key);
  const service::ObjectRef& object = request.object;
  // The spec itself, not a name: the catalog outlives every key, and one metric_name may serve
  // several specs (a MonoVertex and a vertex pattern).
  fmt::format_to(out, "{}\n{}\n{}\n", fmt::ptr(request.metric), static_cast<int>(object.kind),
                 object.ns.str());
  if (object.mvtx) fmt::format_to(out, "mvtx={}\n", object.mvtx->str());
  if (object.pipeline) fmt::format_to(out, "pipeline={}\n", object.pipeline->str());
  if (object.vertex) fmt::format_to(out, "vertex={}\n", object.vertex->str());
  fmt::format_to(out, "{} {} {} {}\n", request.start.time_since_epoch().count(),
                 request.end.time_since_epoch().count(), request.step ? request.step->count() : -1,
                 request.window ? request.window->count() : -1);
  // Shortest round-trip form: distinct quantiles never share a key.
  for (double q : request.quantiles) fmt::format_to(out, "q={} ", q);
  for (const service::DimensionSpec* dimension : request.group_by) {
    fmt::format_to(out, "by={} ", dimension->name);
  }
  for (const service::FilterValues& filter : request.filters) {
    // Values cannot hold a newline or NUL (label values are validated), so these separate them.
    fmt::format_to(out, "\n{}", filter.label);
    for (const std::string& value : filter.values) fmt::format_to(out, "{}{}", '\0', value);
  }
  fmt::format_to(out, "\nsummary={}", request.summary);
  return key;
}

}  // namespace nfmetrics::http
