// Time types shared by every layer. Prometheus works in milliseconds, and so do we.
#pragma once

#include <chrono>

namespace nfmetrics {

using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

}  // namespace nfmetrics
