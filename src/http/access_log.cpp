#include "nfmetrics/http/access_log.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "http/json_text.hpp"

namespace nfmetrics::http {
namespace {

// stdout without a flush per line, unlike spdlog's stdout sink: a write(2) per request took a
// fifth of the requests/s of GET /healthz. stdio writes its buffer when full, every second
// (AccessLogger) and at exit.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

// RFC 3339 in UTC with milliseconds, always: "2026-11-23T10:00:00.250Z". From std::chrono's
// calendar rather than service::FormatRfc3339: that goes through an iostream (date::format), which
// costs more than all the rest of the line, and this runs once per request.
void WriteTime(JsonWriter& writer, TimePoint time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss<Duration> clock(time - day);
  std::array<char, 32> text;
  char* end =
      fmt::format_to(text.data(), FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z"),
                     static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
  writer.String(text.data(), static_cast<rapidjson::SizeType>(end - text.data()));
}

}  // namespace

std::string AccessLogJson(const AccessRecord& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("time");
  WriteTime(writer, record.time);
  writer.Key("request_id");
  WriteString(writer, record.request_id);
  writer.Key("method");
  WriteString(writer, record.method);
  writer.Key("route");
  WriteString(writer, record.route);
  writer.Key("target");
  WriteString(writer, record.target.substr(0, kMaxLoggedTargetBytes));
  writer.Key("status");
  writer.Uint(record.status);
  writer.Key("duration_ms");
  WriteDouble(writer, std::round(record.duration_ms * 1000) / 1000);  // to the microsecond
  if (record.cache) {
    writer.Key("cache");
    WriteString(writer, *record.cache);
  }
  writer.Key("bytes_sent");
  writer.Uint64(record.bytes_sent);
  if (record.token) {
    writer.Key("token");
    WriteString(writer, *record.token);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::shared_ptr<spdlog::logger> AccessLogger() {
  const std::string name(kAccessLoggerName);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<BufferedStdoutSink>());
  try {
    // Registered, at the level of spdlog::set_level, with the default pattern: replaced below.
    spdlog::initialize_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name);  // registered by another thread in between
  }
  logger->set_pattern("%v");
  // A line is on stdout within a second even when traffic is too light to fill the buffer.
  spdlog::flush_every(std::chrono::seconds(1));
  return logger;
}

}  // namespace nfmetrics::http
