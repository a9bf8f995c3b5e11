#include "http/handlers/dashboard.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "http/compression.hpp"
#include "http/dashboard_assets.hpp"
#include "nfmetrics/service/access_tokens.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

// One embedded file as it is served: its ETags and gzip form are made once per process.
struct ServedFile {
  std::string_view path;
  std::string_view content_type;
  std::string body;  // a copy, so that answers can share it without one per request
  std::optional<std::string> gzipped;  // nullopt when too small to be worth it
  std::string etag;                    // quoted; the gzip form's differs, as RFC 9110 asks
  std::string gzip_etag;
};

std::vector<ServedFile> ServeAssets() {
  std::vector<ServedFile> files;
  for (const DashboardAsset& asset : DashboardAssets()) {
    ServedFile file{
        .path = asset.path, .content_type = asset.content_type, .body = std::string(asset.body)};
    const std::string digest = service::Sha256Hex(asset.body).substr(0, 20);
    file.etag = fmt::format("\"{}\"", digest);
    file.gzip_etag = fmt::format("\"{}-gzip\"", digest);
    if (file.body.size() > kMinCompressedBytes) file.gzipped = Gzip(file.body);
    files.push_back(std::move(file));
  }
  return files;
}

const ServedFile* FindFile(std::string_view path) {
  // Built on first use: the files never change while the binary runs.
  static const std::vector<ServedFile> files = ServeAssets();
  for (const ServedFile& file : files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// If-None-Match: "*" or a list of entity tags; weak comparison (RFC 9110 13.1.2), either form.
bool Matches(std::string_view if_none_match, const ServedFile& file) {
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    std::string_view tag = Trim(if_none_match.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == file.etag || tag == file.gzip_etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

Response BaseResponse(const Request& request, beast_http::status status) {
  Response response{status, request.version()};
  response.set(beast_http::field::server, "nfmetrics");
  response.keep_alive(request.keep_alive());
  return response;
}

}  // namespace

boost::asio::awaitable<Result<Response>> DashboardHandler::Handle(const Call& call) {
  const Request& request = call.request;
  const std::string_view asset = call.path.Get("file");
  const std::string path =
      asset.empty() ? std::string("index.html") : fmt::format("assets/{}", asset);
  const ServedFile* file = FindFile(path);
  if (file == nullptr) {
    co_return Error{ErrorCode::kNotFound, fmt::format("no such file: /{}", path), ""};
  }

  const bool gzip = file->gzipped.has_value() && [&request] {
    auto accept = request.find(beast_http::field::accept_encoding);
    return accept != request.end() && AcceptsGzip(accept->value());
  }();
  auto if_none_match = request.find(beast_http::field::if_none_match);
  const bool not_modified =
      if_none_match != request.end() && Matches(if_none_match->value(), *file);

  Response response = BaseResponse(
      request, not_modified ? beast_http::status::not_modified : beast_http::status::ok);
  response.set(beast_http::field::etag, gzip ? file->gzip_etag : file->etag);
  // Revalidate every time (a 304 is cheap): a new binary's files are seen at once.
  response.set(beast_http::field::cache_control, "no-cache");
  if (file->gzipped) response.set(beast_http::field::vary, "Accept-Encoding");
  if (not_modified) co_return response;  // no body, no Content-Length (RFC 9110 15.4.5)

  response.set(beast_http::field::content_type, file->content_type);
  response.set("Content-Security-Policy", kDashboardCsp);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set(beast_http::field::x_frame_options, "DENY");
  if (gzip) response.set(beast_http::field::content_encoding, "gzip");
  const std::string& body = gzip ? *file->gzipped : file->body;
  if (request.method() == beast_http::verb::head) {
    response.content_length(body.size());  // what GET would send, without sending it
    co_return response;
  }
  response.body().Share(nullptr, body);  // static storage: nothing to keep alive
  response.prepare_payload();
  co_return response;
}

}  // namespace nfmetrics::http
