// X-Request-Id: the client's own when it is safe to echo in a header and a log line, otherwise a
// new one. Held inline: no allocation per request.
#pragma once

#include <boost/static_string/static_string.hpp>
#include <cstddef>
#include <string_view>

namespace nfmetrics::http {

inline constexpr std::size_t kMaxRequestIdLength = 128;

using RequestId = boost::static_strings::static_string<kMaxRequestIdLength>;

inline std::string_view Text(const RequestId& id) { return {id.data(), id.size()}; }

// 1 to kMaxRequestIdLength characters of [A-Za-z0-9._-]: what a tracing system sends (UUIDs, hex
// trace ids) and nothing that could break a header or a log line.
bool IsValidRequestId(std::string_view id);

// 16 lower-case hex characters (64 random bits) from this thread's generator, seeded once from
// std::random_device.
RequestId NewRequestId();

// `from_client` when it is valid, otherwise a new id.
RequestId RequestIdFor(std::string_view from_client);

}  // namespace nfmetrics::http
