// The dashboard's files, embedded in the binary at build time (cmake/Dashboard.cmake bundles web/
// and cmake/EmbedFiles.cmake writes them out as bytes), so serving them reads no files.
#pragma once

#include <span>
#include <string_view>

namespace nfmetrics::http {

struct DashboardAsset {
  std::string_view path;          // relative to the site root: "index.html", "assets/app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes (binary-safe), in static storage
};

// Every embedded file, sorted by path. Built with -DNFMETRICS_DASHBOARD=OFF, only an index.html
// saying the dashboard was not built.
std::span<const DashboardAsset> DashboardAssets();

}  // namespace nfmetrics::http
