// Serving the embedded dashboard: GET/HEAD of /, /index.html and /assets/<file>, with an ETag
// (304 on If-None-Match), a gzip form made once per file, and headers that keep the page to itself
// (Content-Security-Policy and friends). The files hold no data, so no token is asked for them.
#pragma once

#include <string_view>

#include "http/handlers/handler.hpp"

namespace nfmetrics::http {

class DashboardHandler final : public Handler {
 public:
  // The file for / and /index.html, or /assets/{file}: the file, a 304, or kNotFound for a file
  // that is not embedded. GET and HEAD only (the route table's entry).
  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;
};

// What the dashboard's page may load and run: only itself. uPlot sets element styles from script
// (CSSOM, which CSP allows) and draws on canvas, so nothing more is needed.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace nfmetrics::http
