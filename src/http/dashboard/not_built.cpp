// DashboardAssets() of a binary configured with -DNFMETRICS_DASHBOARD=OFF: no bundle, only a page
// at / that says so, so that the API still works without Node.js at build time.
#include <span>
#include <string_view>

#include "http/dashboard_assets.hpp"

namespace nfmetrics::http {

std::span<const DashboardAsset> DashboardAssets() {
  static constexpr DashboardAsset kAssets[] = {
      {"index.html", "text/html; charset=utf-8",
       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<title>nfmetrics: no dashboard</title></head><body>"
       "<h1>nfmetrics</h1><p>This binary was built without its dashboard "
       "(<code>-DNFMETRICS_DASHBOARD=OFF</code>). The API is served as usual under "
       "<code>/api/v1/</code>; see docs/dashboard.md to build the dashboard in.</p>"
       "</body></html>\n"},
  };
  return kAssets;
}

}  // namespace nfmetrics::http
