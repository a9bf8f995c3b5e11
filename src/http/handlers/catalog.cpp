#include "http/handlers/catalog.hpp"

#include "http/catalog_json.hpp"

namespace nfmetrics::http {

boost::asio::awaitable<Result<Response>> CatalogHandler::Handle(const Call& call) {
  co_return JsonResponse(call.request, boost::beast::http::status::ok, CatalogJson(catalog_));
}

}  // namespace nfmetrics::http
