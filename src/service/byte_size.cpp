#include "nfmetrics/service/byte_size.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace nfmetrics::service {

Result<std::size_t> ParseByteSize(std::string_view text) {
  auto invalid = [&] {
    return Error{
        ErrorCode::kBadRequest,
        fmt::format("invalid size \"{}\": expected bytes such as 268435456, 256MiB or 1GB", text),
        ""};
  };
  std::size_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return invalid();
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  static constexpr std::array<std::pair<std::string_view, std::size_t>, 8> kUnits = {{
      {"", 1},
      {"B", 1},
      {"KB", 1000},
      {"MB", 1000 * 1000},
      {"GB", 1000 * 1000 * 1000},
      {"KiB", std::size_t{1} << 10},
      {"MiB", std::size_t{1} << 20},
      {"GiB", std::size_t{1} << 30},
  }};
  for (const auto& [name, factor] : kUnits) {
    if (name != unit) continue;
    if (number > std::numeric_limits<std::size_t>::max() / factor) return invalid();
    return number * factor;
  }
  return invalid();
}

}  // namespace nfmetrics::service
