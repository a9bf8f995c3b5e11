#include "api_checks.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cmath>
#include <map>
#include <optional>

#include "nfmetrics/service/duration.hpp"
#include "world.hpp"

namespace nfmetrics::testing {

Json ParseAnswer(HttpResponse response) {
  Json json;
  json.status = response.status;
  json.body = std::move(response.body);
  json.doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.body.c_str());
  EXPECT_FALSE(json.doc.HasParseError()) << json.body.substr(0, 500);
  return json;
}

Json ApiGet(const std::string& target) { return ParseAnswer(Get("127.0.0.1", ApiPort(), target)); }

Json BackendQuery(const std::string& promql, double start, double end, double step) {
  std::string target =
      fmt::format("/api/v1/query_range?query={}&start={}&end={}&step={}",
                  boost::urls::encode(promql, boost::urls::unreserved_chars), start, end, step);
  return ParseAnswer(Get("127.0.0.1", BackendPort(), target));
}

std::string LabelsKey(const rapidjson::Value& labels) {
  std::string key;
  for (const auto& member : labels.GetObject()) {
    key += fmt::format("{}={};", member.name.GetString(), member.value.GetString());
  }
  return key;
}

void ExpectEveryQueryMatchesTheBackend(const Json& answer) {
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  const auto& data = answer.doc["data"];
  const auto& range = data["range"];
  const double start = range["start_unix"].GetDouble();
  const double end = range["end_unix"].GetDouble();
  const double step = range["step_seconds"].GetDouble();
  std::size_t compared = 0;
  for (const auto& query : data["queries"].GetArray()) {
    std::optional<double> quantile;
    if (query.HasMember("quantile")) quantile = query["quantile"].GetDouble();
    std::map<std::string, const rapidjson::Value*> api;
    for (const auto& series : data["series"].GetArray()) {
      bool same = quantile
                      ? series.HasMember("quantile") && series["quantile"].GetDouble() == *quantile
                      : !series.HasMember("quantile");
      if (same) api[LabelsKey(series["labels"])] = &series;
    }
    Json direct = BackendQuery(query["query"].GetString(), start, end, step);
    ASSERT_EQ(direct.status, 200) << direct.body.substr(0, 500);
    std::map<std::string, std::map<double, double>> backend;  // labels -> time -> finite value
    for (const auto& series : direct.doc["data"]["result"].GetArray()) {
      std::map<double, double> values;
      for (const auto& value : series["values"].GetArray()) {
        double v = std::strtod(value[1].GetString(), nullptr);
        if (std::isfinite(v)) values[value[0].GetDouble()] = v;
      }
      if (!values.empty()) backend[LabelsKey(series["metric"])] = std::move(values);
    }
    ASSERT_EQ(api.size(), backend.size()) << query["query"].GetString();
    for (const auto& [key, values] : backend) {
      ASSERT_TRUE(api.count(key)) << key;
      const auto& points = (*api[key])["points"];
      ASSERT_EQ(points.Size(),
                static_cast<rapidjson::SizeType>(std::llround((end - start) / step) + 1))
          << key;
      for (rapidjson::SizeType i = 0; i < points.Size(); ++i) {
        double t = points[i][0].GetDouble();
        EXPECT_DOUBLE_EQ(t, start + step * i) << key;
        auto want = values.find(t);
        if (want == values.end()) {
          EXPECT_TRUE(points[i][1].IsNull()) << key << " point " << i;
        } else {
          ASSERT_TRUE(points[i][1].IsNumber()) << key << " point " << i;
          EXPECT_EQ(points[i][1].GetDouble(), want->second) << key << " point " << i;
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 0u) << "no finite value compared";
}

std::int64_t WindowSeconds(const Json& answer) {
  const Result<Duration> window =
      service::ParseDuration(answer.doc["data"]["range"]["window"].GetString());
  EXPECT_TRUE(window.ok());
  return window.ok() ? std::chrono::duration_cast<std::chrono::seconds>(*window).count() : 0;
}

}  // namespace nfmetrics::testing
