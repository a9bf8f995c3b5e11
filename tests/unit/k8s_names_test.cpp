#include "nfmetrics/service/k8s_names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nfmetrics::service {
namespace {

TEST(Namespace, AcceptsDns1123Labels) {
  for (const char* ok : {"default", "team-a", "a", "0abc", "a1-b2"})
    EXPECT_TRUE(Namespace::Parse(ok).ok()) << ok;
  EXPECT_TRUE(Namespace::Parse(std::string(63, 'a')).ok());
}

TEST(Namespace, RejectsEverythingElse) {
  for (const char* bad :
       {"", "-a", "a-", "A", "a.b", "a_b", "a b", "a\"b", "a\nb", "ns\"} or vector(1) #"}) {
    EXPECT_FALSE(Namespace::Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(Namespace::Parse(std::string(64, 'a')).ok());
}

TEST(MonoVertexName, AcceptsDns1123Subdomains) {
  for (const char* ok : {"simple-mono-vertex", "a.b", "x1.y-2.z"})
    EXPECT_TRUE(MonoVertexName::Parse(ok).ok()) << ok;
  EXPECT_TRUE(MonoVertexName::Parse(std::string(253, 'a')).ok());
}

TEST(MonoVertexName, RejectsEverythingElse) {
  for (const char* bad : {"", ".a", "a.", "a..b", "a.-b", "Upper", "a/b", "a*", "mv\"}"}) {
    EXPECT_FALSE(MonoVertexName::Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(MonoVertexName::Parse(std::string(254, 'a')).ok());
}

TEST(PodName, ErrorMessageNamesTheValueAndTheRule) {
  auto parsed = PodName::Parse("Bad_Pod");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("Bad_Pod"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("DNS-1123"), std::string::npos);
}

}  // namespace
}  // namespace nfmetrics::service
