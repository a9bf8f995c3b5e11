// A service::QueryService that answers what a test tells it to and remembers what it was asked:
// the handlers' and the router's tests run against it, with no engine, server or socket.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/service/query_plan.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::testing {

class FakeQueryService final : public service::QueryService {
 public:
  // What the next calls answer (each may be replaced between calls).
  Result<service::MetricResult> metric_answer = service::MetricResult{};
  Result<std::vector<std::string>> list_answer = std::vector<std::string>{};
  Result<service::ProxyAnswer> proxy_answer = service::ProxyAnswer{};
  Status ready_answer = Ok();
  Result<service::Diagnosis> diagnosis_answer =
      Error{ErrorCode::kInternal, "the test gave no diagnosis", ""};
  Result<service::CapacityAnswer> capacity_answer =
      Error{ErrorCode::kInternal, "the test gave no capacity answer", ""};

  // What they were asked, last call first overwritten.
  int calls = 0;
  std::optional<service::MetricRequest> last_metric;
  std::optional<bool> last_bypass;
  std::optional<service::ListingRequest> last_listing;
  std::optional<service::ProxyQuery> last_proxy;
  std::optional<service::DiagnosisRequest> last_diagnosis;
  std::optional<service::CapacityRequest> last_capacity;

  boost::asio::awaitable<Result<service::MetricResult>> Query(const service::MetricRequest& request,
                                                              bool bypass_cache) override {
    ++calls;
    last_metric = request;
    last_bypass = bypass_cache;
    Result<service::MetricResult> answer = metric_answer;
    // An answer without a plan gets the request's own, as the real service's always has one.
    if (answer.ok() && answer->plan.queries.empty()) {
      Result<service::QueryPlan> plan = service::PlanMetric(request);
      if (!plan.ok()) co_return std::move(plan).error();
      answer->plan = std::move(plan).value();
    }
    co_return answer;
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> List(
      const service::ListingRequest& request) override {
    ++calls;
    last_listing = request;
    co_return list_answer;
  }
  boost::asio::awaitable<Result<service::ProxyAnswer>> Proxy(const service::ProxyQuery& query,
                                                             bool bypass_cache) override {
    ++calls;
    last_proxy = query;
    last_bypass = bypass_cache;
    co_return proxy_answer;
  }
  boost::asio::awaitable<Result<service::Diagnosis>> Diagnose(
      const service::DiagnosisRequest& request, bool bypass_cache) override {
    ++calls;
    last_diagnosis = request;
    last_bypass = bypass_cache;
    co_return diagnosis_answer;
  }
  boost::asio::awaitable<Result<service::CapacityAnswer>> Capacity(
      const service::CapacityRequest& request, bool bypass_cache) override {
    ++calls;
    last_capacity = request;
    last_bypass = bypass_cache;
    co_return capacity_answer;
  }
  boost::asio::awaitable<Status> Ready() override {
    ++calls;
    co_return ready_answer;
  }
};

}  // namespace nfmetrics::testing
