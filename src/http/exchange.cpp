#include "http/exchange.hpp"

#include <optional>
#include <string_view>

#include "http/routes.hpp"
#include "nfmetrics/http/access_log.hpp"

namespace nfmetrics::http {
namespace {

constexpr std::string_view kRequestIdHeader = "X-Request-Id";
constexpr std::string_view kCacheHeader = "X-Cache";

std::string_view HeaderOf(const auto& message, std::string_view name) {
  auto field = message.find(name);
  return field == message.end() ? std::string_view() : std::string_view(field->value());
}

std::optional<service::CacheOutcome> CacheOutcomeOf(std::string_view x_cache) {
  for (service::CacheOutcome outcome :
       {service::CacheOutcome::kHit, service::CacheOutcome::kPartial, service::CacheOutcome::kMiss,
        service::CacheOutcome::kBypass}) {
    if (x_cache == service::CacheOutcomeName(outcome)) return outcome;
  }
  return std::nullopt;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Exchange::Exchange(SelfMetrics& metrics, const Request& request)
    : metrics_(metrics),
      id_(RequestIdFor(HeaderOf(request, kRequestIdHeader))),
      route_(RouteOfTarget(request.target())),
      started_(std::chrono::steady_clock::now()) {
  metrics_.RequestStarted();
}

void Exchange::Answered(Response& response) {
  if (answered_) return;
  answered_ = true;
  response.set(kRequestIdHeader, Text(id_));
  metrics_.RequestAnswered(route_, response.result_int(), MillisecondsSince(started_) / 1000,
                           CacheOutcomeOf(HeaderOf(response, kCacheHeader)));
}

void Exchange::Written(spdlog::logger& access_log, const Request& request, const Response& response,
                       std::size_t bytes_sent) const {
  if (!access_log.should_log(spdlog::level::info)) return;
  std::string_view cache = HeaderOf(response, kCacheHeader);
  AccessRecord record{
      .time = SystemNow(),
      .request_id = Text(id_),
      .method = request.method_string(),
      .route = RouteName(route_),
      .target = request.target(),
      .status = response.result_int(),
      .duration_ms = MillisecondsSince(started_),
      .cache = cache.empty() ? std::nullopt : std::optional(cache),
      .bytes_sent = bytes_sent,
      .token =
          notes_.caller.empty() ? std::nullopt : std::optional<std::string_view>(notes_.caller),
  };
  access_log.info(AccessLogJson(record));
}

}  // namespace nfmetrics::http
