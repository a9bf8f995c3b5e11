// gzip for answers (zlib): a dashboard's JSON of many points shrinks several times over.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nfmetrics::http {

// Bodies at most this long are sent as they are: compressing them saves nothing worth the time.
inline constexpr std::size_t kMinCompressedBytes = 1024;

// True when an Accept-Encoding value accepts gzip: a `gzip` or `x-gzip` coding whose q is not 0
// ("gzip, deflate", "br;q=1.0, gzip;q=0.8", not "gzip;q=0" nor "gzip;x=1;q=0.000"), or else, when
// neither is named, a `*` whose q is not 0 ("*" yes, "gzip;q=0, *" no). q follows RFC 9110 12.4.2;
// an entry whose q is not a qvalue is ignored.
bool AcceptsGzip(std::string_view accept_encoding);

// The gzip (RFC 1952) form of data, or nullopt if zlib fails.
std::optional<std::string> Gzip(std::string_view data);

}  // namespace nfmetrics::http
