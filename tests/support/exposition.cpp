#include "support/exposition.hpp"

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace nfmetrics::testing {
namespace {

struct Sample {
  std::string name;
  LabelSet labels;
  double value = 0;
};

[[noreturn]] void Invalid(std::string_view line, std::string_view why) {
  throw std::runtime_error("not text exposition format (" + std::string(why) +
                           "): " + std::string(line));
}

// name{label="value",...} value  (label values escape \\, \" and \n)
Sample ParseLine(std::string_view line) {
  Sample sample;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  sample.name = std::string(line.substr(0, i));
  if (sample.name.empty()) Invalid(line, "no metric name");
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::size_t equals = line.find('=', i);
      if (equals == std::string_view::npos || equals + 1 >= line.size() || line[equals + 1] != '"')
        Invalid(line, "label without a quoted value");
      std::string key(line.substr(i, equals - i));
      std::string value;
      std::size_t j = equals + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) Invalid(line, "unterminated label value");
      sample.labels[key] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) Invalid(line, "unterminated label set");
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') Invalid(line, "no value");
  std::string value(line.substr(i + 1));
  char* end = nullptr;
  sample.value = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) Invalid(line, "value is not a number");
  return sample;
}

std::vector<Sample> ParseAll(std::string_view exposition) {
  std::vector<Sample> samples;
  while (!exposition.empty()) {
    std::size_t newline = exposition.find('\n');
    std::string_view line = exposition.substr(0, newline);
    exposition.remove_prefix(newline == std::string_view::npos ? exposition.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    samples.push_back(ParseLine(line));
  }
  return samples;
}

}  // namespace

std::optional<double> SampleValue(std::string_view exposition, std::string_view name,
                                  const LabelSet& labels) {
  for (const Sample& sample : ParseAll(exposition)) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

std::multimap<std::string, LabelSet> Samples(std::string_view exposition) {
  std::multimap<std::string, LabelSet> out;
  for (Sample& sample : ParseAll(exposition)) out.emplace(sample.name, std::move(sample.labels));
  return out;
}

}  // namespace nfmetrics::testing
