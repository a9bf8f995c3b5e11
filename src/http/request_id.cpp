#include "http/request_id.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace nfmetrics::http {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::mt19937_64 SeededGenerator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         std::all_of(id.begin(), id.end(), IsIdChar);
}

RequestId NewRequestId() {
  // Per thread: no lock on the request path, and std::random_device is read once per thread
  // rather than per request.
  thread_local std::mt19937_64 generator = SeededGenerator();
  std::array<char, 16> hex;
  fmt::format_to(hex.data(), FMT_COMPILE("{:016x}"), generator());
  return RequestId(hex.data(), hex.size());
}

RequestId RequestIdFor(std::string_view from_client) {
  if (IsValidRequestId(from_client)) return RequestId(from_client.data(), from_client.size());
  return NewRequestId();
}

}  // namespace nfmetrics::http
