// What bounds and paces the live streams (GET /api/v1/metrics/{metric}/stream): serve's
// --max-streams, --stream-queue and --stream-keepalive, and the results cache's --cache-freshness,
// which decides which steps are final.
#pragma once

#include <chrono>
#include <cstddef>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics::http {

struct StreamOptions {
  std::size_t max_streams = 10000;  // open at once; more are refused with 503 and Retry-After
  std::size_t queue_events = 32;    // a subscriber further behind than this is disconnected
  Duration keepalive = std::chrono::seconds(15);  // a comment when nothing else was sent
  Duration freshness = std::chrono::minutes(1);
  // After a step is due, how long a hub waits for the engine to have scraped its samples.
  Duration scrape_lag = std::chrono::seconds(2);
};

}  // namespace nfmetrics::http
