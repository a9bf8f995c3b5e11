#include "http/request_id.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>

namespace nfmetrics::http {
namespace {

bool IsGenerated(const RequestId& id) {
  return std::regex_match(std::string(Text(id)), std::regex("[0-9a-f]{16}"));
}

TEST(IsValidRequestId, AcceptsWhatTracingSystemsSend) {
  EXPECT_TRUE(IsValidRequestId("a"));
  EXPECT_TRUE(IsValidRequestId("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(IsValidRequestId("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_TRUE(IsValidRequestId("Req_1.2-3"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'x')));
}

TEST(IsValidRequestId, RejectsAnythingThatCouldBreakAHeaderOrALogLine) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'x')));
  using namespace std::string_view_literals;
  for (std::string_view bad :
       {"a b"sv, "a\r\nX-Evil: 1"sv, "a\n"sv, "a\r"sv, "a\"b"sv, "a\\b"sv, "a/b"sv, "a:b"sv,
        "a;b"sv, "<script>"sv, "a\tb"sv, "caf\xC3\xA9"sv, "a\0b"sv}) {
    EXPECT_FALSE(IsValidRequestId(bad)) << bad;
  }
}

TEST(NewRequestId, IsSixteenHexCharactersAndDistinctEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    RequestId id = NewRequestId();
    ASSERT_TRUE(IsGenerated(id)) << Text(id);
    seen.emplace(Text(id));
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(NewRequestId, EachThreadHasItsOwnRandomlySeededSequence) {
  // A generator seeded with a constant would give every thread the same first id.
  RequestId first;
  RequestId second;
  std::thread([&] { first = NewRequestId(); }).join();
  std::thread([&] { second = NewRequestId(); }).join();
  EXPECT_TRUE(IsGenerated(first));
  EXPECT_NE(Text(first), Text(second));
}

TEST(RequestIdFor, EchoesAValidIdAndReplacesAnInvalidOne) {
  EXPECT_EQ(Text(RequestIdFor("client-id.42")), "client-id.42");
  EXPECT_EQ(Text(RequestIdFor(std::string(128, 'z'))), std::string(128, 'z'));
  EXPECT_TRUE(IsGenerated(RequestIdFor("")));
  EXPECT_TRUE(IsGenerated(RequestIdFor(std::string(129, 'z'))));
  EXPECT_TRUE(IsGenerated(RequestIdFor("a\r\nSet-Cookie: x")));
}

}  // namespace
}  // namespace nfmetrics::http
