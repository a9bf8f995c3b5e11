#include "app/observed_client.hpp"

#include <chrono>
#include <optional>

namespace nfmetrics::app {
namespace {

namespace asio = boost::asio;

// Runs `call` and records it; an exception is counted as `internal` and passed on.
template <class T>
asio::awaitable<Result<T>> Observe(http::SelfMetrics& metrics, http::BackendCall kind,
                                   asio::awaitable<Result<T>> call) {
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  std::optional<Result<T>> result;
  try {
    result.emplace(co_await std::move(call));
  } catch (...) {
    metrics.BackendCallFinished(kind, seconds(), ErrorCode::kInternal);
    throw;
  }
  metrics.BackendCallFinished(kind, seconds(),
                              result->ok() ? std::nullopt : std::optional(result->error().code));
  co_return std::move(*result);
}

}  // namespace

ObservedClient::ObservedClient(prometheus::Client& client, http::SelfMetrics& metrics)
    : client_(client), metrics_(metrics) {}

asio::awaitable<Result<prometheus::Matrix>> ObservedClient::QueryRange(
    const prometheus::RangeQuery& query) {
  co_return co_await Observe(metrics_, http::BackendCall::kQueryRange, client_.QueryRange(query));
}

asio::awaitable<Result<std::vector<std::string>>> ObservedClient::LabelValues(
    const prometheus::LabelValuesQuery& query) {
  co_return co_await Observe(metrics_, http::BackendCall::kLabelValues, client_.LabelValues(query));
}

asio::awaitable<Status> ObservedClient::CheckReady() {
  co_return co_await Observe(metrics_, http::BackendCall::kReady, client_.CheckReady());
}

}  // namespace nfmetrics::app
