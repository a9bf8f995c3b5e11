// The text `nfmetrics diagnose` prints for a person: a header line, the findings one per line, then
// a MonoVertex's stage shares as a bar chart and its pods, or a pipeline's vertices in order. No
// I/O but the ostream given, so it is unit-tested on hand-made answers.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "app/diagnosis_answer.hpp"

namespace nfmetrics::app {

// "p99" for 0.99, "p99.9" for 0.999, "p50" for 0.5.
std::string QuantileLabel(double quantile);

// `share` (0..1) of `width` columns in block characters, eighths for the last one (▏ to █), padded
// with spaces to `width`; a share above 1 fills the width, a share below 0 none of it.
std::string ShareBar(double share, std::size_t width);

// "14:05Z" for an RFC3339 instant on the same day as `range_end`, the instant unchanged otherwise.
std::string ShortTime(std::string_view rfc3339, std::string_view range_end);

// "CRITICAL  <message>" / "WARNING   <message>": the severity upper-cased in a column of its own.
std::string FindingLine(const DiagnosisFinding& finding);

// The whole text: the header (object, namespace/name, range, quantile, baseline), the findings or
// "no findings", then a blank line and the stages (STAGE, SHARE with a bar, MEAN, the quantile, a
// bottleneck mark) and the pods (POD, the quantile, RATIO, an outlier mark with since when) of a
// MonoVertex, or the vertices (VERTEX, TYPE, READ/S, WRITE/S, PENDING, GROWTH, the quantile, a
// bottleneck mark) of a pipeline. Columns aligned, no trailing spaces.
void WriteDiagnosis(std::ostream& out, const DiagnosisAnswer& answer);

}  // namespace nfmetrics::app
