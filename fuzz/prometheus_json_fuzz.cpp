// What a backend (or something pretending to be one) answers: any bytes, any status. The parser
// must return a value or an error, never crash, and keep every sample it accepts finite in time.
#include <cstddef>
#include <cstdint>
#include <string>

#include "prometheus/response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned status = data[0] < 128 ? 200 : 400 + data[0] % 200;
  // simdjson wants padding after the text: a std::string copy gives it the usual way.
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto matrix = nfmetrics::prometheus::ParseQueryRangeResponse(body, status);
  if (matrix.ok() && status >= 300) __builtin_trap();
  (void)nfmetrics::prometheus::ParseLabelValuesResponse(body, status);
  (void)nfmetrics::prometheus::ParseStatusResponse(body, status);
  return 0;
}
