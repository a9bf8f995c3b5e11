#include "app/capacity_answer.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "app/answer_fields.hpp"

namespace nfmetrics::app {
namespace {

namespace dom = simdjson::dom;

Error Malformed(std::string_view why) { return MalformedAnswer("capacity", why); }

std::int64_t IntegerField(dom::object object, std::string_view key) {
  return static_cast<std::int64_t>(NumberField(object, key).value_or(0));
}

CapacityTrend ReadTrend(dom::object trends, std::string_view key) {
  dom::object trend;
  if (trends[key].get_object().get(trend)) return {};
  return {NumberField(trend, "slope_per_day"),
          NumberField(trend, "intercept"),
          NumberField(trend, "r2"),
          NumberField(trend, "projected"),
          NumberField(trend, "change_percent_per_week"),
          IntegerField(trend, "days_used")};
}

}  // namespace

Result<CapacityAnswer> ParseCapacityAnswer(std::string_view body) {
  dom::parser parser;
  Result<SuccessAnswer> parsed = ParseSuccess(parser, body, "capacity");
  if (!parsed.ok()) return std::move(parsed).error();
  const dom::object object = parsed->top;
  const dom::object data = parsed->data;
  CapacityAnswer answer;
  answer.object = StringField(data, "object");
  if (answer.object == "mono-vertex") {
    answer.object_name =
        fmt::format("{}/{}", StringField(data, "namespace"), StringField(data, "mvtx"));
  } else if (answer.object == "vertex") {
    answer.object_name = fmt::format("{}/{}/{}", StringField(data, "namespace"),
                                     StringField(data, "pipeline"), StringField(data, "vertex"));
  } else {
    return Malformed("no known \"object\"");
  }
  answer.quantile = NumberField(data, "quantile").value_or(0);
  answer.days_requested = IntegerField(data, "days_requested");
  answer.horizon = IntegerField(data, "horizon");
  answer.cache = StringField(data, "cache");
  dom::object range;
  if (!data["range"].get_object().get(range)) {
    answer.range_start = StringField(range, "start");
    answer.range_end = StringField(range, "end");
  }
  dom::array days;
  dom::object trend;
  dom::array deciles;
  if (data["days"].get_array().get(days) || data["trend"].get_object().get(trend) ||
      data["load_latency"].get_array().get(deciles)) {
    return Malformed("no \"days\", \"trend\" and \"load_latency\"");
  }
  for (dom::element element : days) {
    dom::object day;
    if (element.get_object().get(day)) return Malformed("a day is not an object");
    answer.days.push_back(
        {StringField(day, "date"), NumberField(day, "read_rate_mean"),
         NumberField(day, "read_rate_peak"), NumberField(day, "sink_quantile_seconds"),
         NumberField(day, "processing_quantile_seconds"), NumberField(day, "pods_max")});
  }
  answer.read_rate_peak = ReadTrend(trend, "read_rate_peak");
  answer.sink_quantile = ReadTrend(trend, "sink_quantile_seconds");
  answer.processing_quantile = ReadTrend(trend, "processing_quantile_seconds");
  for (dom::element element : deciles) {
    dom::object decile;
    if (element.get_object().get(decile)) return Malformed("a decile is not an object");
    answer.load_latency.push_back(
        {static_cast<int>(IntegerField(decile, "decile")), NumberField(decile, "read_rate"),
         NumberField(decile, "sink_quantile_seconds"), IntegerField(decile, "steps")});
  }
  answer.data_json = simdjson::minify(data);
  dom::array warnings;
  if (!object["warnings"].get_array().get(warnings)) {
    for (dom::element warning : warnings) {
      std::string_view text;
      if (!warning.get_string().get(text)) answer.warnings.emplace_back(text);
    }
  }
  return answer;
}

}  // namespace nfmetrics::app
