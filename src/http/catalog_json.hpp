// GET /api/v1/metrics (the catalog as the API serves it, one entry per friendly metric name) and
// the discovery lists of /api/v1/namespaces/....
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"

namespace nfmetrics::http {

std::string CatalogJson(const service::Catalog& catalog);

// A discovery list: {"status":"success","data":{<echo pairs>,"<key>":[values],
// "range":{"start","end"}},"warnings":[]}.
std::string ObjectListJson(const std::vector<std::pair<std::string, std::string>>& echo,
                           std::string_view key, const std::vector<std::string>& values,
                           TimePoint start, TimePoint end);

}  // namespace nfmetrics::http
