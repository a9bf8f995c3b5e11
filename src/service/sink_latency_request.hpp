// A validated sink-latency request: every field already checked, defaults already applied
// except those that depend on planning (step, window).
#pragma once

#include <optional>
#include <vector>

#include "core/time.hpp"
#include "service/k8s_names.hpp"

namespace nfmetrics::service {

enum class GroupBy { kNone, kPod };

struct SinkLatencyRequest {
  Namespace ns;
  MonoVertexName mvtx;
  TimePoint start;
  TimePoint end;                   // >= start
  std::optional<Duration> step;    // > 0 when set; chosen from the range when absent
  std::optional<Duration> window;  // > 0 when set; max(5m, step) when absent
  std::vector<PodName> pods;       // sorted, without duplicates; empty means all pods
  GroupBy group_by = GroupBy::kNone;
  double quantile = 0.95;  // in [0, 1]
};

}  // namespace nfmetrics::service
