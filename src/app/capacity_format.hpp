// The text `nfmetrics capacity` prints for a person: a header line, the days (rates, quantiles,
// pods), the three trends with their projection, and the load/latency deciles. No I/O but the
// ostream given, so it is unit-tested on hand-made answers.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "app/capacity_answer.hpp"

namespace nfmetrics::app {

// A signed value for a slope: "+1.23", "-450 µs" (unit "seconds"), "0"; "-" when absent.
std::string SignedValue(const std::optional<double>& value, std::string_view unit);

// The whole text, columns aligned, no trailing spaces, a null shown as "-":
//   <object> <name>, <n> days <first date> to <last date> (UTC), <quantile>, horizon <h> days
//   DATE  MEAN READ/S  PEAK READ/S  SINK <Q>  PROCESSING <Q>  PODS           one row per day
//   TREND  SLOPE/DAY  %/WEEK  R2  AT +<h>D  DAYS                  peak read/s, sink and processing
//   DECILE  READ/S  SINK <Q>  STEPS                                the 10 load/latency deciles
void WriteCapacity(std::ostream& out, const CapacityAnswer& answer);

}  // namespace nfmetrics::app
