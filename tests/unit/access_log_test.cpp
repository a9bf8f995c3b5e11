#include "nfmetrics/http/access_log.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

AccessRecord Record() {
  return AccessRecord{
      .time = *service::ParseTimestamp("2026-11-23T10:00:00.250Z"),
      .request_id = "abc-123",
      .method = "GET",
      .route = "metric",
      .target = "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv",
      .status = 200,
      .duration_ms = 1.23456789,
      .cache = "hit",
      .bytes_sent = 1234,
  };
}

rapidjson::Document Parse(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  EXPECT_FALSE(doc.HasParseError()) << line;
  EXPECT_TRUE(doc.IsObject()) << line;
  return doc;
}

TEST(AccessLogJson, IsOneJsonObjectWithEveryField) {
  std::string line = AccessLogJson(Record());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  rapidjson::Document doc = Parse(line);
  std::set<std::string> keys;
  for (const auto& member : doc.GetObject()) keys.emplace(member.name.GetString());
  EXPECT_EQ(keys, (std::set<std::string>{"time", "request_id", "method", "route", "target",
                                         "status", "duration_ms", "cache", "bytes_sent"}));
  EXPECT_STREQ(doc["time"].GetString(), "2026-11-23T10:00:00.250Z");
  EXPECT_STREQ(doc["request_id"].GetString(), "abc-123");
  EXPECT_STREQ(doc["method"].GetString(), "GET");
  EXPECT_STREQ(doc["route"].GetString(), "metric");
  EXPECT_STREQ(doc["target"].GetString(), "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv");
  EXPECT_EQ(doc["status"].GetUint(), 200u);
  EXPECT_DOUBLE_EQ(doc["duration_ms"].GetDouble(), 1.235);  // to the microsecond
  EXPECT_STREQ(doc["cache"].GetString(), "hit");
  EXPECT_EQ(doc["bytes_sent"].GetUint64(), 1234u);
}

TEST(AccessLogJson, NamesTheCallersTokenOnlyWhenThereIsOne) {
  EXPECT_FALSE(Parse(AccessLogJson(Record())).HasMember("token"));
  AccessRecord record = Record();
  record.token = "payments-team";
  rapidjson::Document doc = Parse(AccessLogJson(record));
  ASSERT_TRUE(doc.HasMember("token"));
  EXPECT_STREQ(doc["token"].GetString(), "payments-team");
}

TEST(AccessLogJson, LeavesCacheOutWhenTheAnswerHadNone) {
  AccessRecord record = Record();
  record.cache.reset();
  rapidjson::Document doc = Parse(AccessLogJson(record));
  EXPECT_FALSE(doc.HasMember("cache"));
  EXPECT_TRUE(doc.HasMember("bytes_sent"));
}

TEST(AccessLogJson, CutsALongTargetToTwoKibibytes) {
  std::string target = "/api/v1/metrics/x?pod=" + std::string(10000, 'p');
  AccessRecord record = Record();
  record.target = target;
  rapidjson::Document doc = Parse(AccessLogJson(record));
  EXPECT_EQ(std::string(doc["target"].GetString()), target.substr(0, kMaxLoggedTargetBytes));
}

TEST(AccessLogJson, EscapesWhatAClientSendsAndKeepsTheLineValid) {
  // Quotes, backslashes, control characters and bytes that are not UTF-8: still one valid line.
  std::string target = "/x?q=\"}{\\\n\r\t\x01\xff\xfe";
  AccessRecord record = Record();
  record.target = target;
  record.method = "BREW\"";
  std::string line = AccessLogJson(record);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  rapidjson::Document doc = Parse(line);
  EXPECT_EQ(std::string(doc["target"].GetString()),
            "/x?q=\"}{\\\n\r\t\x01\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_STREQ(doc["method"].GetString(), "BREW\"");
}

}  // namespace
}  // namespace nfmetrics::http
