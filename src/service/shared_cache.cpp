#include "service/shared_cache.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace nfmetrics::service {
namespace {

// Kept a day: older windows are rarely asked again, and Redis should not fill up with them.
constexpr int kTtlSeconds = 24 * 3600;
constexpr std::uint32_t kFormatVersion = 1;

class RedisCache final : public SharedCache {
 public:
  RedisCache(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~RedisCache() override {
    if (context_ != nullptr) redisFree(context_);
  }

  std::optional<std::string> Get(const std::string& key) override {
    std::lock_guard lock(mutex_);
    redisReply* reply = Command("GET %b", key.data(), key.size());
    if (reply == nullptr) return std::nullopt;
    std::optional<std::string> value;
    if (reply->type == REDIS_REPLY_STRING) value.emplace(reply->str, reply->len);
    freeReplyObject(reply);
    return value;
  }

  void Set(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    redisReply* reply =
        Command("SET %b %b EX %d", key.data(), key.size(), value.data(), value.size(), kTtlSeconds);
    if (reply != nullptr) freeReplyObject(reply);
  }

 private:
  // One command on the (re)connected context; nullptr after logging a failure.
  template <class... Args>
  redisReply* Command(const char* format, Args... args) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (context_ == nullptr && !Connect()) return nullptr;
      auto* reply = static_cast<redisReply*>(redisCommand(context_, format, args...));
      if (reply != nullptr) {
        if (reply->type == REDIS_REPLY_ERROR) {
          spdlog::warn("redis {}:{}: {}", host_, port_, std::string_view(reply->str, reply->len));
          freeReplyObject(reply);
          return nullptr;
        }
        return reply;
      }
      spdlog::warn("redis {}:{}: {}", host_, port_, context_->errstr);
      redisFree(context_);  // a broken connection: reconnect once
      context_ = nullptr;
    }
    return nullptr;
  }

  bool Connect() {
    // After a failed connect, wait a second before the next: a Redis that is down must cost the
    // requests nothing but the sharing, not a connect attempt (and a log line) each.
    auto now = std::chrono::steady_clock::now();
    if (now < retry_after_) return false;
    timeval timeout{0, 200000};  // 200 ms
    context_ = redisConnectWithTimeout(host_.c_str(), port_, timeout);
    if (context_ == nullptr || context_->err != 0) {
      spdlog::warn("redis {}:{}: cannot connect: {}", host_, port_,
                   context_ != nullptr ? context_->errstr : "out of memory");
      if (context_ != nullptr) redisFree(context_);
      context_ = nullptr;
      retry_after_ = now + std::chrono::seconds(1);
      return false;
    }
    redisSetTimeout(context_, timeout);
    return true;
  }

  std::string host_;
  int port_;
  std::mutex mutex_;
  redisContext* context_ = nullptr;                    // guarded by mutex_
  std::chrono::steady_clock::time_point retry_after_;  // guarded by mutex_
};

void PutU64(std::string& out, std::uint64_t value) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out.append(bytes, 8);
}

void PutString(std::string& out, std::string_view text) {
  PutU64(out, text.size());
  out.append(text);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool U64(std::uint64_t& value) {
    if (bytes_.size() < 8) return false;
    std::memcpy(&value, bytes_.data(), 8);
    bytes_.remove_prefix(8);
    return true;
  }
  bool String(std::string& value) {
    std::uint64_t size = 0;
    if (!U64(size) || size > bytes_.size()) return false;
    value.assign(bytes_.substr(0, size));
    bytes_.remove_prefix(size);
    return true;
  }
  bool Double(double& value) {
    std::uint64_t raw = 0;
    if (!U64(raw)) return false;
    std::memcpy(&value, &raw, 8);
    return true;
  }
  bool done() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

}  // namespace

Result<std::unique_ptr<SharedCache>> MakeRedisCache(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  auto invalid = [&] {
    return BadRequest("cache-redis",
                      fmt::format("invalid Redis URL \"{}\": expected redis://HOST:PORT", url));
  };
  if (!url.starts_with(kScheme)) return invalid();
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return invalid();
  int port = 0;
  std::string_view port_text = rest.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 ||
      port > 65535) {
    return invalid();
  }
  return std::unique_ptr<SharedCache>(
      std::make_unique<RedisCache>(std::string(rest.substr(0, colon)), port));
}

std::string EncodeExtent(const CachedExtent& extent) {
  std::string out;
  PutU64(out, kFormatVersion);
  PutU64(out, static_cast<std::uint64_t>(extent.start.time_since_epoch().count()));
  PutU64(out, static_cast<std::uint64_t>(extent.end.time_since_epoch().count()));
  PutU64(out, extent.series.size());
  for (const prometheus::Series& series : extent.series) {
    PutU64(out, series.labels.size());
    for (const auto& [name, value] : series.labels) {
      PutString(out, name);
      PutString(out, value);
    }
    PutU64(out, series.samples.size());
    for (const prometheus::Sample& sample : series.samples) {
      PutU64(out, static_cast<std::uint64_t>(sample.timestamp.time_since_epoch().count()));
      std::uint64_t raw = 0;
      std::memcpy(&raw, &sample.value, 8);
      PutU64(out, raw);
    }
  }
  return out;
}

std::optional<CachedExtent> DecodeExtent(std::string_view bytes) {
  Reader in(bytes);
  std::uint64_t version = 0;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t count = 0;
  if (!in.U64(version) || version != kFormatVersion || !in.U64(start) || !in.U64(end) ||
      !in.U64(count) || count > bytes.size()) {
    return std::nullopt;
  }
  CachedExtent extent{TimePoint(Duration(static_cast<std::int64_t>(start))),
                      TimePoint(Duration(static_cast<std::int64_t>(end))),
                      {}};
  extent.series.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    prometheus::Series series;
    std::uint64_t labels = 0;
    if (!in.U64(labels) || labels > bytes.size()) return std::nullopt;
    for (std::uint64_t l = 0; l < labels; ++l) {
      std::string name;
      std::string value;
      if (!in.String(name) || !in.String(value)) return std::nullopt;
      series.labels.emplace_back(std::move(name), std::move(value));
    }
    std::uint64_t samples = 0;
    if (!in.U64(samples) || samples > bytes.size()) return std::nullopt;
    series.samples.reserve(samples);
    for (std::uint64_t s = 0; s < samples; ++s) {
      std::uint64_t t = 0;
      double value = 0;
      if (!in.U64(t) || !in.Double(value)) return std::nullopt;
      series.samples.push_back({TimePoint(Duration(static_cast<std::int64_t>(t))), value});
    }
    extent.series.push_back(std::move(series));
  }
  if (!in.done() || extent.end < extent.start) return std::nullopt;
  return extent;
}

}  // namespace nfmetrics::service
