// Query strings and path segments from any client: an answer or an error, never a crash, a leak
// or undefined behaviour (the sanitizers watch).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/query_string.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)nfmetrics::http::ParseQueryString(text);
  (void)nfmetrics::http::DecodePathSegment(text, "segment");
  return 0;
}
