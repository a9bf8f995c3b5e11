// JWT bearer tokens through the real server, alongside a token file: a JWT reads its claim's
// namespaces and nothing else, an expired or forged one is a 401 with the invalid_token challenge
// and a reason, a static token keeps working, JWT callers on several threads at once stay apart,
// and the access log names the caller (never the token).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/jwt.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/jwt_signer.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kMatrix = R"({"status":"success","data":{"resultType":"matrix","result":[
  {"metric":{"pod":"orders-mv-0-aaaaa"},"values":[[1795467600,"250000"],[1795467660,"260000"]]}]}})";
const std::string kSecret = "fault-test-secret-0123456789abcdef0123456789";
const std::string kStaticToken = "payments-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A JWT from the issuer nfmetrics trusts, for subject `sub` and these namespaces (JSON).
std::string Jwt(std::string_view sub, std::string_view namespaces, std::int64_t exp = Now() + 300,
                const std::string& secret = kSecret) {
  return SignHs256(kHeader,
                   fmt::format(R"({{"iss":"https://issuer.test","aud":"nfmetrics","sub":"{}",)"
                               R"("exp":{},"namespaces":{}}})",
                               sub, exp, namespaces),
                   secret);
}

http::AuthConfig Auth() {
  Result<service::AccessTokens> tokens =
      service::LoadAccessTokens(fmt::format("tokens:\n"
                                            "  - name: payments-team\n"
                                            "    sha256: \"{}\"\n"
                                            "    namespaces: [payments]\n",
                                            service::Sha256Hex(kStaticToken)),
                                "test-tokens.yaml");
  if (!tokens.ok()) throw std::runtime_error(tokens.error().message);
  Result<service::JwtVerifier> jwt = service::JwtVerifier::Hs256(
      kSecret, {.issuer = "https://issuer.test", .audience = "nfmetrics"});
  if (!jwt.ok()) throw std::runtime_error(jwt.error().message);
  return http::AuthConfig{.tokens = std::move(tokens).value(), .jwt = std::move(jwt).value()};
}

// The lines written to the "access" logger.
class CapturingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> WaitForLines(std::size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      std::lock_guard lock(mutex_);
      if (lines_.size() >= count) break;
    }
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    lines_.emplace_back(message.payload.data(), message.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;  // guarded by mutex_
};

std::string MetricTarget(std::string_view ns) {
  return fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx=orders", ns);
}

HttpResponse GetWith(unsigned short port, const std::string& target, const std::string& token) {
  return HttpRequest("127.0.0.1", port, "GET", target, "", {{"authorization", "Bearer " + token}});
}

std::string ErrorMessage(const HttpResponse& response) {
  rapidjson::Document doc;
  doc.Parse(response.body.c_str());
  if (!doc.IsObject() || !doc.HasMember("error")) return "";
  return doc["error"]["message"].GetString();
}

class JwtApi : public ::testing::Test {
 protected:
  JwtApi()
      : auth_(Auth()),
        upstream_([](const RecordedRequest& request) {
          if (request.target.find("/label/") != std::string::npos) {
            return Reply::Json(R"({"status":"success","data":["orders"]})");
          }
          return Reply::Json(kMatrix);
        }),
        api_(upstream_.base_url(), InProcessOptions{.threads = 4, .auth = &auth_}) {}

  http::AuthConfig auth_;
  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(JwtApi, AJwtReadsItsNamespacesAndIsForbiddenTheOthers) {
  const std::string token = Jwt("alice", R"(["payments"])");
  HttpResponse own = GetWith(api_.port(), MetricTarget("payments"), token);
  EXPECT_EQ(own.status, 200) << own.body;
  HttpResponse listing = GetWith(api_.port(), "/api/v1/namespaces/payments/mono-vertices", token);
  EXPECT_EQ(listing.status, 200) << listing.body;
  const std::size_t asked = upstream_.requests().size();
  HttpResponse other = GetWith(api_.port(), MetricTarget("finance"), token);
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(other.Header("www-authenticate"), "");
  EXPECT_EQ(ErrorMessage(other), "this token may not read namespace \"finance\"");
  EXPECT_EQ(upstream_.requests().size(), asked) << "a forbidden request reached the upstream";
}

TEST_F(JwtApi, AStarJwtReadsEveryNamespace) {
  HttpResponse answer = GetWith(api_.port(), MetricTarget("finance"), Jwt("root", R"("*")"));
  EXPECT_EQ(answer.status, 200) << answer.body;
}

TEST_F(JwtApi, AnExpiredJwtIs401WithInvalidTokenAndSaysWhy) {
  const std::string token = Jwt("alice", R"(["payments"])", Now() - 3600);
  HttpResponse answer = GetWith(api_.port(), MetricTarget("payments"), token);
  EXPECT_EQ(answer.status, 401) << answer.body;
  EXPECT_EQ(answer.Header("www-authenticate"),
            R"(Bearer realm="nfmetrics", error="invalid_token")");
  EXPECT_EQ(ErrorMessage(answer), "the bearer token is not valid: the JWT has expired");
  EXPECT_EQ(answer.body.find(token), std::string::npos) << "the token is echoed";
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(JwtApi, AForgedOrMisconfiguredJwtIs401) {
  struct Case {
    std::string token;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {Jwt("alice", R"(["payments"])", Now() + 300, kSecret + "-not-ours"),
       "the JWT's signature does not verify"},
      {SignHs256(R"({"alg":"HS512"})", R"({"namespaces":"*"})", kSecret),
       "the JWT's alg \"HS512\" is not allowed: this server accepts only HS256"},
      {SignHs256(kHeader,
                 fmt::format(R"({{"iss":"https://issuer.test","aud":"nfmetrics",)"
                             R"("exp":{}}})",
                             Now() + 60),
                 kSecret),
       "the JWT has no \"namespaces\" claim: the namespaces the caller may read, or \"*\""},
  };
  for (const Case& c : cases) {
    HttpResponse answer = GetWith(api_.port(), MetricTarget("payments"), c.token);
    EXPECT_EQ(answer.status, 401) << answer.body;
    EXPECT_EQ(answer.Header("www-authenticate"),
              R"(Bearer realm="nfmetrics", error="invalid_token")");
    EXPECT_EQ(ErrorMessage(answer), "the bearer token is not valid: " + c.reason);
  }
  // The NumaFlow drop-in answers in its own shape, with the same challenge.
  HttpResponse proxy = HttpRequest("127.0.0.1", api_.port(), "POST", "/api/v1/metrics-proxy", "{}",
                                   {{"authorization", "Bearer " + cases[0].token}});
  EXPECT_EQ(proxy.status, 401) << proxy.body;
  EXPECT_EQ(proxy.Header("www-authenticate"), R"(Bearer realm="nfmetrics", error="invalid_token")");
  EXPECT_NE(proxy.body.find("signature does not verify"), std::string::npos) << proxy.body;
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(JwtApi, TheTokenFileStillWorksBesideJwts) {
  HttpResponse own = GetWith(api_.port(), MetricTarget("payments"), kStaticToken);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(GetWith(api_.port(), MetricTarget("finance"), kStaticToken).status, 403);
  HttpResponse wrong = GetWith(api_.port(), MetricTarget("payments"), kStaticToken + "x");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(ErrorMessage(wrong), "the bearer token is not valid");
}

TEST_F(JwtApi, JwtCallersOnSeveralThreadsStayApart) {
  // Each thread's caller is made for its request: none may see another's namespaces.
  const std::vector<std::string> namespaces = {"team-a", "team-b", "team-c", "team-d"};
  std::vector<std::thread> threads;
  std::vector<std::string> failures(namespaces.size());
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    threads.emplace_back([&, i] {
      const std::string& own = namespaces[i];
      const std::string& next = namespaces[(i + 1) % namespaces.size()];
      const std::string token = Jwt(own, fmt::format(R"(["{}"])", own));
      for (int round = 0; round < 20; ++round) {
        int ok = GetWith(api_.port(), MetricTarget(own), token).status;
        int denied = GetWith(api_.port(), MetricTarget(next), token).status;
        if (ok != 200 || denied != 403) {
          failures[i] = fmt::format("{}: {} on its own, {} on {}", own, ok, denied, next);
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
}

TEST(JwtAccessLog, TheLineNamesTheCallerNeverTheToken) {
  spdlog::drop("access");
  auto sink = std::make_shared<CapturingSink>();
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_level(spdlog::level::info);
  spdlog::register_logger(logger);
  {
    http::AuthConfig auth = Auth();
    FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(kMatrix); });
    InProcessApi api(upstream.base_url(), InProcessOptions{.auth = &auth});
    const std::string jwt = Jwt("alice", R"(["payments"])");
    ASSERT_EQ(GetWith(api.port(), MetricTarget("payments"), jwt).status, 200);
    std::vector<std::string> lines = sink->WaitForLines(1);
    ASSERT_EQ(GetWith(api.port(), MetricTarget("finance"), kStaticToken).status, 403);
    lines = sink->WaitForLines(2);
    ASSERT_EQ(Get("127.0.0.1", api.port(), "/healthz").status, 200);
    ASSERT_EQ(GetWith(api.port(), MetricTarget("payments"), kStaticToken + "x").status, 401);
    lines = sink->WaitForLines(4);
    ASSERT_EQ(lines.size(), 4u);
    std::vector<std::string> tokens;
    for (const std::string& line : lines) {
      EXPECT_EQ(line.find(jwt), std::string::npos) << line;
      EXPECT_EQ(line.find(kStaticToken), std::string::npos) << line;
      rapidjson::Document doc;
      doc.Parse(line.c_str());
      ASSERT_FALSE(doc.HasParseError()) << line;
      tokens.push_back(doc.HasMember("token") ? doc["token"].GetString() : "(none)");
    }
    // Written in order: each answer is read before the next request is sent.
    EXPECT_EQ(tokens, (std::vector<std::string>{"jwt:alice", "payments-team", "(none)", "(none)"}));
  }
  spdlog::drop("access");
}

}  // namespace
}  // namespace nfmetrics::testing
