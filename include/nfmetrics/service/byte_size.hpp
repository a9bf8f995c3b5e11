// Sizes as operators write them: "256MiB", "1GiB", "500MB", "1048576".
#pragma once

#include <cstddef>
#include <string_view>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::service {

// A whole number of bytes, optionally followed by B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB
// (powers of 1024). Errors: kBadRequest without a param.
Result<std::size_t> ParseByteSize(std::string_view text);

}  // namespace nfmetrics::service
