// GET /api/v1/metrics: the catalog as the API serves it, one entry per friendly metric name.
#pragma once

#include <string>

#include "service/catalog.hpp"

namespace nfmetrics::http {

std::string CatalogJson(const service::Catalog& catalog);

}  // namespace nfmetrics::http
