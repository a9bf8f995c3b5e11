// Times and durations as users write them: never crash or overflow (UBSan watches the arithmetic),
// and a duration that parses is positive or zero.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nfmetrics/service/duration.hpp"
#include "nfmetrics/service/timestamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)nfmetrics::service::ParseTimestamp(text);
  auto duration = nfmetrics::service::ParseDuration(text);
  auto seconds = nfmetrics::service::ParseDurationOrSeconds(text);
  if (duration.ok() && duration->count() < 0) __builtin_trap();
  if (duration.ok() && (!seconds.ok() || *seconds != *duration)) __builtin_trap();
  return 0;
}
