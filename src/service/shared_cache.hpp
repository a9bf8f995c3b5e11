// A results cache shared by several nfmetrics replicas (Redis), behind the in-process one: what
// one replica fetched from the engine is a hit on the others.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "prometheus/client.hpp"

namespace nfmetrics::service {

// Byte strings by key. Implementations are thread-safe and never throw; a failure is a miss (the
// engine is asked instead), logged.
class SharedCache {
 public:
  virtual ~SharedCache() = default;
  virtual std::optional<std::string> Get(const std::string& key) = 0;
  virtual void Set(const std::string& key, const std::string& value) = 0;
};

// redis://HOST:PORT. Connects lazily and again after an error; each command has a short deadline.
// Errors: kBadRequest with param "cache-redis" when the URL is not usable.
Result<std::unique_ptr<SharedCache>> MakeRedisCache(const std::string& url);

// A cached extent as bytes, and back (nullopt for anything that is not one).
struct CachedExtent {
  TimePoint start;
  TimePoint end;
  std::vector<prometheus::Series> series;
};
std::string EncodeExtent(const CachedExtent& extent);
std::optional<CachedExtent> DecodeExtent(std::string_view bytes);

}  // namespace nfmetrics::service
