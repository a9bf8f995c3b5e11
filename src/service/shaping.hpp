// The engine's matrices -> a MetricResult: pure, testable without I/O.
#pragma once

#include <vector>

#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"
#include "nfmetrics/service/query_plan.hpp"

namespace nfmetrics::service {

// Pure shaping, testable without I/O: one matrix per planned query, in plan order. Every series
// gets one point per step from plan.start to plan.end, empty where the engine had NaN, +-Inf or
// no sample; a series with no value at all is left out. Series are sorted, summaries computed
// when asked, and a warning added when nothing is left.
MetricResult ShapeMetric(const MetricRequest& request, QueryPlan plan,
                         std::vector<prometheus::Matrix> matrices);

SeriesSummary Summarize(const std::vector<Point>& points);

// With summaries present and the request grouped by pod: among series of the same quantile and
// the same labels other than pod, and at least 3 of them with a mean, a pod whose mean is more
// than twice the median of the others' means is an outlier.
void MarkOutliers(std::vector<MetricSeries>& series);

}  // namespace nfmetrics::service
