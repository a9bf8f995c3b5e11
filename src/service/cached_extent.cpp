#include "service/cached_extent.hpp"

#include <cstdint>
#include <cstring>

namespace nfmetrics::service {
namespace {

constexpr std::uint32_t kFormatVersion = 1;

void PutU64(std::string& out, std::uint64_t value) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out.append(bytes, 8);
}

void PutString(std::string& out, std::string_view text) {
  PutU64(out, text.size());
  out.append(text);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool U64(std::uint64_t& value) {
    if (bytes_.size() < 8) return false;
    std::memcpy(&value, bytes_.data(), 8);
    bytes_.remove_prefix(8);
    return true;
  }
  bool String(std::string& value) {
    std::uint64_t size = 0;
    if (!U64(size) || size > bytes_.size()) return false;
    value.assign(bytes_.substr(0, size));
    bytes_.remove_prefix(size);
    return true;
  }
  bool Double(double& value) {
    std::uint64_t raw = 0;
    if (!U64(raw)) return false;
    std::memcpy(&value, &raw, 8);
    return true;
  }
  bool done() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

}  // namespace

std::string EncodeExtent(const CachedExtent& extent) {
  std::string out;
  PutU64(out, kFormatVersion);
  PutU64(out, static_cast<std::uint64_t>(extent.start.time_since_epoch().count()));
  PutU64(out, static_cast<std::uint64_t>(extent.end.time_since_epoch().count()));
  PutU64(out, extent.series.size());
  for (const prometheus::Series& series : extent.series) {
    PutU64(out, series.labels.size());
    for (const auto& [name, value] : series.labels) {
      PutString(out, name);
      PutString(out, value);
    }
    PutU64(out, series.samples.size());
    for (const prometheus::Sample& sample : series.samples) {
      PutU64(out, static_cast<std::uint64_t>(sample.timestamp.time_since_epoch().count()));
      std::uint64_t raw = 0;
      std::memcpy(&raw, &sample.value, 8);
      PutU64(out, raw);
    }
  }
  return out;
}

std::optional<CachedExtent> DecodeExtent(std::string_view bytes) {
  Reader in(bytes);
  std::uint64_t version = 0;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t count = 0;
  if (!in.U64(version) || version != kFormatVersion || !in.U64(start) || !in.U64(end) ||
      !in.U64(count) || count > bytes.size()) {
    return std::nullopt;
  }
  CachedExtent extent{TimePoint(Duration(static_cast<std::int64_t>(start))),
                      TimePoint(Duration(static_cast<std::int64_t>(end))),
                      {}};
  extent.series.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    prometheus::Series series;
    std::uint64_t labels = 0;
    if (!in.U64(labels) || labels > bytes.size()) return std::nullopt;
    for (std::uint64_t l = 0; l < labels; ++l) {
      std::string name;
      std::string value;
      if (!in.String(name) || !in.String(value)) return std::nullopt;
      series.labels.emplace_back(std::move(name), std::move(value));
    }
    std::uint64_t samples = 0;
    if (!in.U64(samples) || samples > bytes.size()) return std::nullopt;
    series.samples.reserve(samples);
    for (std::uint64_t s = 0; s < samples; ++s) {
      std::uint64_t t = 0;
      double value = 0;
      if (!in.U64(t) || !in.Double(value)) return std::nullopt;
      series.samples.push_back({TimePoint(Duration(static_cast<std::int64_t>(t))), value});
    }
    extent.series.push_back(std::move(series));
  }
  if (!in.done() || extent.end < extent.start) return std::nullopt;
  return extent;
}

}  // namespace nfmetrics::service
