// What the integration tests share to ask the API and the backend under test, and to compare the
// two: the API's answer must be exactly the backend's own answer to the PromQL the API reports.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "support/http_client.hpp"

namespace nfmetrics::testing {

struct Json {
  int status = 0;
  rapidjson::Document doc;
  std::string body;
};

Json ParseAnswer(HttpResponse response);
Json ApiGet(const std::string& target);  // GET on the in-process API
// The backend's own answer to a range query, asked directly.
Json BackendQuery(const std::string& promql, double start, double end, double step);

// "name=value;..." for a JSON object of labels, in the object's order.
std::string LabelsKey(const rapidjson::Value& labels);

// For every query in data.queries: the backend's series with at least one finite value are
// exactly the API's series of that quantile, and every API series has one point per step from
// range.start to range.end holding the backend's value at that time, or null where the backend
// has NaN, +-Inf or no point.
void ExpectEveryQueryMatchesTheBackend(const Json& answer);

}  // namespace nfmetrics::testing
