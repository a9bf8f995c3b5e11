// ByteLru, the storage of both caches: bounded in bytes, least recently used out first.
#include "nfmetrics/core/byte_lru.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nfmetrics {
namespace {

TEST(ByteLru, KeepsValuesWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  ByteLru<std::string> lru(100);
  ASSERT_NE(lru.Put("a", "A", 40), nullptr);
  ASSERT_NE(lru.Put("b", "B", 40), nullptr);
  ASSERT_NE(lru.Find("a"), nullptr);  // a is now more recent than b
  ASSERT_NE(lru.Put("c", "C", 40), nullptr);
  EXPECT_EQ(lru.Find("b"), nullptr);
  EXPECT_EQ(*lru.Find("a"), "A");
  EXPECT_EQ(*lru.Find("c"), "C");
  EXPECT_EQ(lru.bytes(), 80u);
  EXPECT_EQ(lru.size(), 2u);
}

TEST(ByteLru, PutReplacesAndRecountsTheKeysValue) {
  ByteLru<std::string> lru(100);
  lru.Put("a", "old", 60);
  lru.Put("a", "new", 30);
  EXPECT_EQ(*lru.Find("a"), "new");
  EXPECT_EQ(lru.bytes(), 30u);
  EXPECT_EQ(lru.size(), 1u);
}

TEST(ByteLru, AValueLargerThanTheBudgetIsNotKeptAndEvictsNothing) {
  ByteLru<std::string> lru(100);
  lru.Put("a", "A", 50);
  EXPECT_EQ(lru.Put("huge", "H", 101), nullptr);
  EXPECT_EQ(lru.Find("huge"), nullptr);
  EXPECT_EQ(*lru.Find("a"), "A");
  EXPECT_EQ(lru.bytes(), 50u);
}

TEST(ByteLru, TakeRemovesAndReturnsTheValue) {
  ByteLru<std::string> lru(100);
  lru.Put("a", "A", 50);
  std::optional<std::string> taken = lru.Take("a");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(*taken, "A");
  EXPECT_EQ(lru.Find("a"), nullptr);
  EXPECT_EQ(lru.bytes(), 0u);
  EXPECT_FALSE(lru.Take("a").has_value());
}

TEST(ByteLru, AZeroBudgetKeepsNothing) {
  ByteLru<std::string> lru(0);
  EXPECT_EQ(lru.Put("a", "A", 1), nullptr);
  EXPECT_EQ(lru.size(), 0u);
}

}  // namespace
}  // namespace nfmetrics
