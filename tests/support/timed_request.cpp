#include "support/timed_request.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

#include "support/http_client.hpp"

namespace nfmetrics::testing {

using SteadyClock = std::chrono::steady_clock;

TimedAnswer TimedGet(unsigned short port, const std::string& target,
                     std::chrono::milliseconds timeout) {
  const auto start = SteadyClock::now();
  TimedAnswer answer;
  try {
    HttpResponse response = HttpRequest("127.0.0.1", port, "GET", target, "", {}, timeout);
    answer.status = response.status;
    answer.x_cache = response.Header("x-cache");
  } catch (const std::exception&) {
    answer.status = 0;
  }
  answer.ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  return answer;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

double SecondsUntilShared(unsigned short first, unsigned short second,
                          const std::function<std::string()>& next_target,
                          std::chrono::milliseconds patience) {
  const auto start = SteadyClock::now();
  while (SteadyClock::now() - start < patience) {
    const std::string target = next_target();
    if (TimedGet(first, target).status != 200) continue;
    // The write is not waited for by the request: give it a moment to reach Redis.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (TimedGet(second, target).x_cache == "hit") {
      return std::chrono::duration<double>(SteadyClock::now() - start).count();
    }
  }
  return -1;
}

}  // namespace nfmetrics::testing
