// Serving the embedded dashboard: GET/HEAD of /, /index.html and /assets/<file>, with an ETag
// (304 on If-None-Match), a gzip form made once per file, and headers that keep the page to itself
// (Content-Security-Policy and friends). The files hold no data, so no token is asked for them.
#pragma once

#include <span>
#include <string_view>

#include "http/router.hpp"

namespace nfmetrics::http {

// True for the paths the dashboard answers, exactly as the request sent them (before a trailing
// slash or empty segments are dropped): "/", "/index.html" and "/assets/<file>" (one segment).
// Anywhere else ("//", "/index.html/", "/assets/app.js/") the page's relative URLs would resolve
// wrongly, so those take the API's routing (a 404).
bool IsDashboardPath(std::string_view raw_path);

// The answer to a dashboard request (the segments of a path IsDashboardPath accepted): the file, a
// 304, a 405 for methods other than GET and HEAD, or a 404 JSON error for a file that is not
// embedded.
Response DashboardResponse(const Request& request, std::span<const std::string_view> segments);

// What the dashboard's page may load and run: only itself. uPlot sets element styles from script
// (CSSOM, which CSP allows) and draws on canvas, so nothing more is needed.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace nfmetrics::http
