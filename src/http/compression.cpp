#include "http/compression.hpp"

#include <zlib.h>

#include <cctype>

namespace nfmetrics::http {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// An RFC 9110 qvalue ("0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]): whether it is above 0, or nullopt
// when it is not a qvalue.
std::optional<bool> QValueIsNonZero(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  std::string_view fraction = q.substr(1);
  if (!fraction.empty()) {
    if (fraction[0] != '.' || fraction.size() > 4) return std::nullopt;
    fraction.remove_prefix(1);
  }
  bool nonzero_fraction = false;
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    if (c != '0') nonzero_fraction = true;
  }
  if (q[0] == '1') return nonzero_fraction ? std::nullopt : std::optional<bool>(true);
  return nonzero_fraction;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  // RFC 9110 12.5.3: an explicit gzip (or x-gzip) entry decides; `*` only speaks for codings the
  // field does not name, so "gzip;q=0, *" refuses gzip.
  std::optional<bool> explicit_gzip;
  std::optional<bool> any;
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    std::size_t semicolon = item.find(';');
    std::string_view coding = Trim(item.substr(0, semicolon));
    const bool gzip = EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip");
    if (!gzip && coding != "*") continue;
    std::optional<bool> weight = true;  // no q: 1
    std::string_view params =
        semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon + 1);
    while (!params.empty()) {
      std::size_t next = params.find(';');
      std::string_view param = params.substr(0, next);
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      std::size_t equals = param.find('=');
      if (equals == std::string_view::npos) continue;
      if (!EqualsIgnoreCase(Trim(param.substr(0, equals)), "q")) continue;
      weight = QValueIsNonZero(Trim(param.substr(equals + 1)));
      break;
    }
    if (!weight.has_value()) continue;  // a malformed q: the entry says nothing
    std::optional<bool>& slot = gzip ? explicit_gzip : any;
    slot = slot.value_or(false) || *weight;
  }
  if (explicit_gzip.has_value()) return *explicit_gzip;
  return any.value_or(false);
}

std::optional<std::string> Gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) return std::nullopt;
  out.resize(stream.total_out);
  return out;
}

}  // namespace nfmetrics::http
