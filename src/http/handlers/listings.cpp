#include "http/handlers/listings.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

#include "http/catalog_json.hpp"
#include "http/error_response.hpp"
#include "http/query_string.hpp"
#include "nfmetrics/http/auth.hpp"

namespace nfmetrics::http {

boost::asio::awaitable<Result<Response>> ListingHandler::Handle(const Call& call) {
  service::ListingParams params{.what = what_};
  if (Status decoded = DecodeObjectNames(
          call.path, {&params.ns, &params.mvtx, &params.pipeline, &params.vertex});
      !decoded.ok()) {
    co_return std::move(decoded).error();
  }
  Result<service::Params> query = ParseQueryString(call.query);
  if (!query.ok()) co_return std::move(query).error();
  params.params = std::move(query).value();
  Result<service::ListingRequest> listing = service::ParseListingRequest(params, call.now);
  if (!listing.ok()) co_return std::move(listing).error();
  const std::string_view key = service::ListingKey(what_);
  if (listing->ns) {
    if (Status allowed = Authorize(call.caller, listing->ns->str(), key); !allowed.ok()) {
      co_return std::move(allowed).error();
    }
  }

  Result<std::vector<std::string>> values = co_await service_.List(*listing);
  if (!values.ok()) {
    spdlog::warn("{} {}: {}", key, CodeName(values.error()), values.error().message);
    co_return std::move(values).error();
  }
  // The names the list is of, echoed; a token limited to some namespaces is not refused the list
  // of namespaces: it sees its own part of it.
  std::vector<std::pair<std::string, std::string>> echo;
  if (listing->ns) echo.emplace_back("namespace", listing->ns->str());
  if (listing->mvtx) echo.emplace_back("mvtx", listing->mvtx->str());
  if (listing->pipeline) echo.emplace_back("pipeline", listing->pipeline->str());
  if (listing->vertex) echo.emplace_back("vertex", listing->vertex->str());
  std::vector<std::string> listed = what_ == service::Listing::kNamespaces
                                        ? ReadableNamespaces(call.caller, std::move(values).value())
                                        : std::move(values).value();
  co_return JsonResponse(call.request, boost::beast::http::status::ok,
                         ObjectListJson(echo, key, listed, listing->start, listing->end));
}

}  // namespace nfmetrics::http
