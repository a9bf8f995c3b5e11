// The Server-Sent Events reader of `nfmetrics query --follow`: events however the connection cuts
// the bytes, line ends of every kind, comments, multi-line data and the last event id.
#include "app/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace nfmetrics::app {
namespace {

// What the contract's example stream holds (CONTRACT-16.md), with LF line ends.
constexpr std::string_view kStream =
    "event: snapshot\n"
    "id: 1795482840\n"
    "data: {\"status\":\"success\",\"data\":{\"series\":[]},\"warnings\":[]}\n"
    "\n"
    "event: points\n"
    "id: 1795482855\n"
    "data: {\"series\":[],\"range\":{\"start_unix\":1795479255,\"end_unix\":1795482855}}\n"
    "\n"
    ": keep-alive\n"
    "\n"
    "event: error\n"
    "id: 1795482855\n"
    "data: {\"status\":\"error\",\"error\":{\"code\":\"upstream_unavailable\",\"message\":\"x\"}}\n"
    "\n";

std::vector<SseEvent> FeedAll(SseParser& parser, const std::vector<std::string>& pieces) {
  std::vector<SseEvent> events;
  for (const std::string& piece : pieces) {
    for (SseEvent& event : parser.Feed(piece)) events.push_back(std::move(event));
  }
  return events;
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with(from)) {
      out += to;
      i += from.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

void ExpectTheContractsEvents(const std::vector<SseEvent>& events) {
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "snapshot");
  EXPECT_EQ(events[0].id, "1795482840");
  EXPECT_EQ(events[0].data, R"({"status":"success","data":{"series":[]},"warnings":[]})");
  EXPECT_EQ(events[1].type, "points");
  EXPECT_EQ(events[1].id, "1795482855");
  EXPECT_EQ(events[1].data.rfind(R"({"series":[],)", 0), 0u) << events[1].data;
  EXPECT_EQ(events[2].type, "error");
  EXPECT_EQ(events[2].id, "1795482855");
}

TEST(SseParser, ReadsTheContractsEventsInOnePiece) {
  SseParser parser;
  ExpectTheContractsEvents(FeedAll(parser, {std::string(kStream)}));
  EXPECT_EQ(parser.last_event_id(), "1795482855");
  EXPECT_EQ(parser.comments(), 1u);
}

TEST(SseParser, ReadsTheSameEventsWhereverTheConnectionCutsTheBytes) {
  for (const std::string_view line_end : {"\n", "\r\n", "\r"}) {
    const std::string stream = Replace(kStream, "\n", line_end);
    for (std::size_t size = 1; size <= 7; ++size) {
      SCOPED_TRACE(::testing::Message() << "pieces of " << size << " bytes, line end "
                                        << (line_end == "\n"   ? "LF"
                                            : line_end == "\r" ? "CR"
                                                               : "CRLF"));
      std::vector<std::string> pieces;
      for (std::size_t i = 0; i < stream.size(); i += size)
        pieces.push_back(stream.substr(i, size));
      SseParser parser;
      ExpectTheContractsEvents(FeedAll(parser, pieces));
    }
  }
}

TEST(SseParser, ACrlfSplitBetweenTwoPiecesEndsOneLine) {
  SseParser parser;
  // Were the LF taken for a line of its own, it would end the event before its data.
  std::vector<SseEvent> events = FeedAll(parser, {"event: points\r", "\ndata: 1\r", "\n\r", "\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "points");
  EXPECT_EQ(events[0].data, "1");
}

TEST(SseParser, JoinsDataLinesWithLineFeeds) {
  SseParser parser;
  std::vector<SseEvent> events =
      FeedAll(parser, {"data: first\ndata:second\ndata\ndata:  four\n\n"});
  ASSERT_EQ(events.size(), 1u);
  // One space after the colon is dropped, a second is kept; `data` alone is an empty line.
  EXPECT_EQ(events[0].data, "first\nsecond\n\n four");
  EXPECT_EQ(events[0].type, "message");
}

TEST(SseParser, IgnoresCommentsAndUnknownFields) {
  SseParser parser;
  std::vector<SseEvent> events =
      FeedAll(parser, {": keep-alive\n:\nretry: 1000\nfoo: bar\nevent: points\n: mid-event\n"
                       "data: x\n\n: keep-alive\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "points");
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(parser.comments(), 4u);
}

TEST(SseParser, AnEventWithoutDataIsNotDispatchedButItsIdStays) {
  SseParser parser;
  std::vector<SseEvent> events = FeedAll(parser, {"event: points\nid: 7\n\ndata: y\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "message") << "the type does not carry over to the next event";
  EXPECT_EQ(events[0].id, "7");
}

TEST(SseParser, AnEventCutOffBeforeItsBlankLineIsNeverDispatched) {
  SseParser parser;
  EXPECT_TRUE(FeedAll(parser, {"event: points\ndata: {\"series\":[]}\n"}).empty());
  EXPECT_EQ(parser.last_event_id(), "");
}

TEST(SseParser, StartsFromTheIdOfTheLastConnection) {
  SseParser parser("1795482855");
  std::vector<SseEvent> events = FeedAll(parser, {"data: a\n\nid: 1795482870\ndata: b\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "1795482855");
  EXPECT_EQ(events[1].id, "1795482870");
  EXPECT_EQ(parser.last_event_id(), "1795482870");
}

TEST(SseParser, DropsALeadingByteOrderMarkEvenWhenSplit) {
  SseParser parser;
  std::vector<SseEvent> events = FeedAll(parser, {"\xEF", "\xBB",
                                                  "\xBF"
                                                  "data: z\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "z");
  SseParser no_bom;
  events = FeedAll(no_bom, {"da", "ta: z\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "z");
}

TEST(SseParser, AnIdWithANulIsIgnored) {
  SseParser parser("5");
  std::vector<SseEvent> events = FeedAll(parser, {std::string("id: 6\0x\ndata: a\n\n", 17)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "5");
}

}  // namespace
}  // namespace nfmetrics::app
