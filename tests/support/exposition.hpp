// Reading the Prometheus text exposition format in tests: one sample's value by metric name and
// exact label set, parsed independently of prometheus-cpp's serializer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nfmetrics::testing {

using LabelSet = std::map<std::string, std::string>;

// The value of the sample `name` whose labels are exactly `labels`; nullopt when there is none.
// Throws std::runtime_error on a line that is not valid text format.
std::optional<double> SampleValue(std::string_view exposition, std::string_view name,
                                  const LabelSet& labels = {});

// Every sample's name and labels, in order: to check what a label may hold.
std::multimap<std::string, LabelSet> Samples(std::string_view exposition);

}  // namespace nfmetrics::testing
