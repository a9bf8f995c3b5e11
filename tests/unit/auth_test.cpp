// Bearer tokens on requests: the Authorization header as RFC 7235/6750 have it, the 401 challenge,
// and the namespace check that turns into 403.
#include "nfmetrics/http/auth.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <string>
#include <vector>

#include "support/jwt_signer.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;
using service::AccessTokens;
using service::Caller;

const std::string kToken = "payments-secret-0123456789";

AccessTokens Tokens() {
  Result<AccessTokens> tokens =
      service::LoadAccessTokens(fmt::format("tokens:\n"
                                            "  - name: payments-team\n"
                                            "    sha256: {}\n"
                                            "    namespaces: [payments]\n"
                                            "  - name: admin\n"
                                            "    sha256: {}\n"
                                            "    namespaces: ['*']\n",
                                            service::Sha256Hex(kToken), service::Sha256Hex("root")),
                                "test");
  EXPECT_TRUE(tokens.ok()) << tokens.error().message;
  return std::move(tokens).value();
}

Authentication With(const AccessTokens& tokens, std::initializer_list<std::string> values) {
  beast_http::fields headers;
  for (const std::string& value : values) headers.insert(beast_http::field::authorization, value);
  return Authenticate(tokens, headers);
}

TEST(BearerToken, ReadsTheTokenAfterTheScheme) {
  EXPECT_EQ(BearerToken("Bearer abc.DEF-_~+/123=="), "abc.DEF-_~+/123==");
  EXPECT_EQ(BearerToken("Bearer   spaced"), "spaced");
}

TEST(BearerToken, TheSchemeIsCaseInsensitive) {
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
}

TEST(BearerToken, RejectsOtherSchemesAndMalformedTokens) {
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Bearerabc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer a b"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer a=b"), std::nullopt);  // '=' only as padding at the end
  EXPECT_EQ(BearerToken("Bearer \"abc\""), std::nullopt);
  EXPECT_EQ(BearerToken("abc"), std::nullopt);
}

TEST(Authenticate, TheRightTokenIsAccepted) {
  AccessTokens tokens = Tokens();
  Authentication who = With(tokens, {"Bearer " + kToken});
  EXPECT_EQ(who.outcome, Credentials::kAccepted);
  ASSERT_NE(who.caller, nullptr);
  EXPECT_EQ(who.caller->name, "payments-team");
  EXPECT_EQ(With(tokens, {"bearer " + kToken}).outcome, Credentials::kAccepted);
}

TEST(Authenticate, AWrongTokenIsRejected) {
  AccessTokens tokens = Tokens();
  Authentication who = With(tokens, {"Bearer " + kToken + "x"});
  EXPECT_EQ(who.outcome, Credentials::kRejected);
  EXPECT_EQ(who.caller, nullptr);
}

TEST(Authenticate, NoHeaderIsMissing) {
  AccessTokens tokens = Tokens();
  EXPECT_EQ(With(tokens, {}).outcome, Credentials::kMissing);
}

TEST(Authenticate, AMalformedOrRepeatedHeaderIsMalformed) {
  AccessTokens tokens = Tokens();
  EXPECT_EQ(With(tokens, {"Basic " + kToken}).outcome, Credentials::kMalformed);
  EXPECT_EQ(With(tokens, {kToken}).outcome, Credentials::kMalformed);
  EXPECT_EQ(With(tokens, {"Bearer"}).outcome, Credentials::kMalformed);
  // Even when one of them is right: which one did a proxy on the way look at?
  Authentication twice = With(tokens, {"Bearer " + kToken, "Bearer root"});
  EXPECT_EQ(twice.outcome, Credentials::kMalformed);
  EXPECT_EQ(twice.caller, nullptr);
}

TEST(Authenticate, TheChallengeSaysInvalidTokenOnlyWhenATokenWasWrong) {
  EXPECT_EQ(BearerChallenge(Credentials::kMissing), R"(Bearer realm="nfmetrics")");
  EXPECT_EQ(BearerChallenge(Credentials::kMalformed), R"(Bearer realm="nfmetrics")");
  EXPECT_EQ(BearerChallenge(Credentials::kRejected),
            R"(Bearer realm="nfmetrics", error="invalid_token")");
  for (Credentials outcome :
       {Credentials::kMissing, Credentials::kMalformed, Credentials::kRejected}) {
    EXPECT_EQ(UnauthorizedError(outcome).code, ErrorCode::kUnauthorized);
  }
}

TEST(AuthorizeNamespace, OnlyTheCallersNamespacesPass) {
  AccessTokens tokens = Tokens();
  const Caller* payments = tokens.Authenticate(kToken);
  ASSERT_NE(payments, nullptr);
  EXPECT_TRUE(AuthorizeNamespace(payments, "payments").ok());
  Status other = AuthorizeNamespace(payments, "finance");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(other.error().message, "this token may not read namespace \"finance\"");
}

TEST(AuthorizeNamespace, AQueryConfinedToNoNamespaceNeedsStar) {
  AccessTokens tokens = Tokens();
  Status restricted = AuthorizeNamespace(tokens.Authenticate(kToken), std::nullopt);
  ASSERT_FALSE(restricted.ok());
  EXPECT_EQ(restricted.error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(AuthorizeNamespace(tokens.Authenticate("root"), std::nullopt).ok());
  EXPECT_TRUE(AuthorizeNamespace(tokens.Authenticate("root"), "finance").ok());
}

TEST(AuthorizeNamespace, NoCallerMeansAuthIsOff) {
  EXPECT_TRUE(AuthorizeNamespace(nullptr, "finance").ok());
}

TEST(ReadableNamespaces, ALimitedCallerSeesOnlyItsNamespacesInOrder) {
  AccessTokens tokens = Tokens();
  const std::vector<std::string> all = {"default", "finance", "payments"};
  EXPECT_EQ(ReadableNamespaces(tokens.Authenticate(kToken), all),
            std::vector<std::string>{"payments"});
  EXPECT_EQ(ReadableNamespaces(tokens.Authenticate(kToken), {"default"}),
            std::vector<std::string>{});
}

TEST(ReadableNamespaces, StarAndNoCallerSeeEverything) {
  AccessTokens tokens = Tokens();
  const std::vector<std::string> all = {"default", "finance", "payments"};
  EXPECT_EQ(ReadableNamespaces(tokens.Authenticate("root"), all), all);
  EXPECT_EQ(ReadableNamespaces(nullptr, all), all);
}

const std::string kJwtSecret = "auth-test-jwt-secret-0123456789abcdef0123";
const TimePoint kJwtNow{std::chrono::seconds(1795467600)};

AuthConfig WithJwt() {
  Result<service::JwtVerifier> jwt = service::JwtVerifier::Hs256(kJwtSecret, {});
  EXPECT_TRUE(jwt.ok()) << jwt.error().message;
  return AuthConfig{.tokens = Tokens(), .jwt = std::move(jwt).value()};
}

std::string Jwt(std::int64_t exp) {
  return nfmetrics::testing::SignHs256(
      R"({"alg":"HS256"})",
      fmt::format(R"({{"sub":"alice","exp":{},"namespaces":["orders"]}})", exp), kJwtSecret);
}

Authentication WithConfig(const AuthConfig& auth, const std::string& token) {
  beast_http::fields headers;
  headers.insert(beast_http::field::authorization, "Bearer " + token);
  return Authenticate(auth, headers, kJwtNow);
}

TEST(Authenticate, AJwtTheTokenFileDoesNotKnowIsVerified) {
  AuthConfig auth = WithJwt();
  Authentication who = WithConfig(auth, Jwt(1795467600 + 60));
  EXPECT_EQ(who.outcome, Credentials::kAccepted);
  ASSERT_NE(who.caller, nullptr);
  EXPECT_EQ(who.caller->name, "jwt:alice");
  EXPECT_TRUE(who.caller->MayRead("orders"));
  EXPECT_FALSE(who.caller->MayRead("payments"));
  // The token file is still asked first.
  Authentication file = WithConfig(auth, kToken);
  ASSERT_NE(file.caller, nullptr);
  EXPECT_EQ(file.caller->name, "payments-team");
}

TEST(ReadableNamespaces, AJwtCallerSeesItsClaimedNamespaces) {
  AuthConfig auth = WithJwt();
  Authentication who = WithConfig(auth, Jwt(1795467600 + 60));
  ASSERT_NE(who.caller, nullptr);
  EXPECT_EQ(ReadableNamespaces(who.caller.get(), {"default", "orders", "payments"}),
            std::vector<std::string>{"orders"});
}

TEST(Authenticate, AnInvalidJwtIsRejectedSayingWhy) {
  Authentication who = WithConfig(WithJwt(), Jwt(1795467600 - 3600));
  EXPECT_EQ(who.outcome, Credentials::kRejected);
  EXPECT_EQ(who.caller, nullptr);
  EXPECT_EQ(who.reason, "the JWT has expired");
  EXPECT_EQ(UnauthorizedError(who.outcome, who.reason).message,
            "the bearer token is not valid: the JWT has expired");
  EXPECT_EQ(BearerChallenge(who.outcome), R"(Bearer realm="nfmetrics", error="invalid_token")");
}

TEST(Authenticate, WithoutJwtsAJwtIsJustAnUnknownToken) {
  AuthConfig auth{.tokens = Tokens()};
  Authentication who = WithConfig(auth, Jwt(1795467600 + 60));
  EXPECT_EQ(who.outcome, Credentials::kRejected);
  EXPECT_EQ(who.reason, "");
  EXPECT_EQ(UnauthorizedError(who.outcome, who.reason).message, "the bearer token is not valid");
}

TEST(RequiresCaller, ProbesAreOpenAndMetricsFollowTheFlag) {
  AuthConfig auth;
  EXPECT_FALSE(RequiresCaller(auth, Endpoint::kProbe));
  EXPECT_TRUE(RequiresCaller(auth, Endpoint::kApi));
  EXPECT_TRUE(RequiresCaller(auth, Endpoint::kSelfMetrics));
  auth.self_metrics_open = true;
  EXPECT_FALSE(RequiresCaller(auth, Endpoint::kSelfMetrics));
  EXPECT_TRUE(RequiresCaller(auth, Endpoint::kApi));
}

}  // namespace
}  // namespace nfmetrics::http
