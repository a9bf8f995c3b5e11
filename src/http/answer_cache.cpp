#include "http/answer_cache.hpp"

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

std::string AnswerKey(const service::MetricRequest& request) { return request.Key(); }

}  // namespace nfmetrics::http
