// JWT bearer tokens: what the verifier accepts (HS256 or RS256 with the configured key, within
// exp/nbf give or take the leeway, the right iss and aud, a namespaces claim) and everything it
// turns down, each with a reason that names the check and never the token.
#include "service/jwt.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "support/jwt_signer.hpp"

namespace nfmetrics::service {
namespace {

using nfmetrics::testing::Base64Url;
using nfmetrics::testing::RsaKeyPair;
using nfmetrics::testing::SignHs256;

const std::string kSecret = "0123456789abcdef0123456789abcdef-hs256-test-secret";
constexpr std::int64_t kNow = 1795467600;  // 2026-11-23T21:00:00Z
const TimePoint kNowPoint{std::chrono::seconds(kNow)};
const std::string kHs256Header = R"({"alg":"HS256","typ":"JWT"})";
const std::string kRs256Header = R"({"alg":"RS256","typ":"JWT"})";

JwtOptions Options() { return {.issuer = "https://issuer.example", .audience = "nfmetrics"}; }

// Claims that pass every check, with `extra` members appended (or replacing none: keep them new).
std::string Claims(std::string_view namespaces = R"(["payments","orders"])",
                   std::int64_t exp = kNow + 300, std::string_view extra = "") {
  return fmt::format(
      R"({{"iss":"https://issuer.example","aud":"nfmetrics","sub":"alice","exp":{},"nbf":{},)"
      R"("namespaces":{}{}}})",
      exp, kNow - 60, namespaces, extra);
}

JwtVerifier Hs256Verifier(JwtOptions options = Options()) {
  Result<JwtVerifier> verifier = JwtVerifier::Hs256(kSecret, std::move(options));
  EXPECT_TRUE(verifier.ok()) << verifier.error().message;
  return std::move(verifier).value();
}

// Generating an RSA key takes a while: one for the whole file.
const RsaKeyPair& Rsa() {
  static const RsaKeyPair key;
  return key;
}

JwtVerifier Rs256Verifier() {
  Result<JwtVerifier> verifier = JwtVerifier::Rs256(Rsa().PublicPem(), Options());
  EXPECT_TRUE(verifier.ok()) << verifier.error().message;
  return std::move(verifier).value();
}

// The reason a token is turned down ("" when it is accepted).
std::string Rejection(const JwtVerifier& verifier, const std::string& token,
                      TimePoint now = kNowPoint) {
  Result<Caller> caller = verifier.Verify(token, now);
  if (caller.ok()) return "";
  EXPECT_EQ(caller.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(caller.error().message.find(token), std::string::npos) << "the token is echoed";
  return caller.error().message;
}

TEST(JwtVerifier, AcceptsAGoodHs256TokenWithItsSubjectAndNamespaces) {
  Result<Caller> caller =
      Hs256Verifier().Verify(SignHs256(kHs256Header, Claims(), kSecret), kNowPoint);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->name, "jwt:alice");
  EXPECT_FALSE(caller->all_namespaces);
  ASSERT_EQ(caller->namespaces.size(), 2u);
  EXPECT_EQ(caller->namespaces[0].str(), "orders");  // sorted
  EXPECT_EQ(caller->namespaces[1].str(), "payments");
  EXPECT_TRUE(caller->MayRead("payments"));
  EXPECT_FALSE(caller->MayRead("finance"));
}

TEST(JwtVerifier, AcceptsAGoodRs256Token) {
  Result<Caller> caller =
      Rs256Verifier().Verify(Rsa().SignRs256(kRs256Header, Claims()), kNowPoint);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->name, "jwt:alice");
  EXPECT_TRUE(caller->MayRead("orders"));
}

TEST(JwtVerifier, RejectsAnExpiredTokenBeyondTheLeeway) {
  JwtVerifier verifier = Hs256Verifier();
  std::string token = SignHs256(kHs256Header, Claims(R"(["payments"])", kNow - 31), kSecret);
  EXPECT_EQ(Rejection(verifier, token), "the JWT has expired");
  // Within the 30 s leeway: the issuer's clock may be ahead of ours.
  std::string just = SignHs256(kHs256Header, Claims(R"(["payments"])", kNow - 29), kSecret);
  EXPECT_EQ(Rejection(verifier, just), "");
}

TEST(JwtVerifier, RejectsATokenWithoutExp) {
  std::string claims = R"({"iss":"https://issuer.example","aud":"nfmetrics","namespaces":["a"]})";
  EXPECT_EQ(Rejection(Hs256Verifier(), SignHs256(kHs256Header, claims, kSecret)),
            "the JWT has no exp claim: tokens must expire");
}

TEST(JwtVerifier, RejectsATokenNotValidYet) {
  JwtVerifier verifier = Hs256Verifier();
  std::string claims = fmt::format(
      R"({{"iss":"https://issuer.example","aud":"nfmetrics","exp":{},"nbf":{},"namespaces":["a"]}})",
      kNow + 600, kNow + 60);
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, claims, kSecret)),
            "the JWT is not valid yet (nbf is in the future)");
  // 20 s ahead is within the leeway.
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, claims, kSecret),
                      kNowPoint + std::chrono::seconds(40)),
            "");
}

TEST(JwtVerifier, RejectsAnotherIssuer) {
  std::string claims = Claims();
  claims.replace(claims.find("https://issuer.example"), 22, "https://evil.example!!");
  EXPECT_EQ(Rejection(Hs256Verifier(), SignHs256(kHs256Header, claims, kSecret)),
            "the JWT's issuer (iss) is not \"https://issuer.example\"");
}

TEST(JwtVerifier, RejectsAnotherAudience) {
  std::string claims = Claims();
  claims.replace(claims.find(R"("aud":"nfmetrics")"), 17, R"("aud":"grafana")");
  EXPECT_EQ(Rejection(Hs256Verifier(), SignHs256(kHs256Header, claims, kSecret)),
            "the JWT's audience (aud) does not include \"nfmetrics\"");
}

TEST(JwtVerifier, AcceptsAnAudienceArrayHoldingOurs) {
  JwtVerifier verifier = Hs256Verifier();
  std::string with = Claims();
  with.replace(with.find(R"("aud":"nfmetrics")"), 17, R"("aud":["grafana","nfmetrics"])");
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, with, kSecret)), "");
  std::string without = Claims();
  without.replace(without.find(R"("aud":"nfmetrics")"), 17, R"("aud":["grafana","loki"])");
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, without, kSecret)),
            "the JWT's audience (aud) does not include \"nfmetrics\"");
}

TEST(JwtVerifier, WithoutIssuerOrAudienceConfiguredThoseAreNotChecked) {
  JwtVerifier verifier = Hs256Verifier({});
  std::string claims = fmt::format(R"({{"exp":{},"namespaces":"*"}})", kNow + 60);
  Result<Caller> caller = verifier.Verify(SignHs256(kHs256Header, claims, kSecret), kNowPoint);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->name, "jwt:");  // no sub; never a token-file name (those have no ':')
}

TEST(JwtVerifier, RejectsATamperedPayload) {
  std::string token = SignHs256(kHs256Header, Claims(R"(["payments"])"), kSecret);
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  std::string forged =
      token.substr(0, first + 1) + Base64Url(Claims(R"("*")")) + token.substr(second);
  EXPECT_EQ(Rejection(Hs256Verifier(), forged), "the JWT's signature does not verify");
  // Same for RS256.
  std::string rs = Rsa().SignRs256(kRs256Header, Claims(R"(["payments"])"));
  std::string rs_forged =
      rs.substr(0, rs.find('.') + 1) + Base64Url(Claims(R"("*")")) + rs.substr(rs.rfind('.'));
  EXPECT_EQ(Rejection(Rs256Verifier(), rs_forged), "the JWT's signature does not verify");
}

TEST(JwtVerifier, RejectsATamperedSignature) {
  for (bool rsa : {false, true}) {
    std::string token =
        rsa ? Rsa().SignRs256(kRs256Header, Claims()) : SignHs256(kHs256Header, Claims(), kSecret);
    // Flip one bit of the first signature byte: 'A' (0) <-> 'B' (1) keeps the encoding canonical.
    std::size_t at = token.rfind('.') + 1;
    token[at] = token[at] == 'A' ? 'B' : 'A';
    EXPECT_EQ(Rejection(rsa ? Rs256Verifier() : Hs256Verifier(), token),
              "the JWT's signature does not verify")
        << (rsa ? "RS256" : "HS256");
  }
}

TEST(JwtVerifier, RejectsASignatureMadeWithAnotherSecret) {
  std::string token = SignHs256(kHs256Header, Claims(), kSecret + "-other");
  EXPECT_EQ(Rejection(Hs256Verifier(), token), "the JWT's signature does not verify");
}

TEST(JwtVerifier, RejectsAlgNone) {
  std::string unsigned_token =
      Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + Base64Url(Claims()) + ".";
  JwtVerifier verifier = Hs256Verifier();
  // Without a signature it does not even have a JWT's shape; with any, alg decides.
  EXPECT_NE(Rejection(verifier, unsigned_token), "");
  std::string with_signature = unsigned_token + "AAAA";
  EXPECT_EQ(Rejection(verifier, with_signature),
            "the JWT's alg \"none\" is not allowed: this server accepts only HS256");
  EXPECT_EQ(Rejection(Rs256Verifier(), with_signature),
            "the JWT's alg \"none\" is not allowed: this server accepts only RS256");
}

TEST(JwtVerifier, RejectsHs256KeyedWithTheRsaPublicKey) {
  // The alg confusion attack: the public key is public, so an HMAC keyed with its bytes is
  // something anyone can make. An RS256 verifier must not compute it.
  const std::string pem = Rsa().PublicPem();
  std::string token = SignHs256(kHs256Header, Claims(R"("*")"), pem);
  EXPECT_EQ(Rejection(Rs256Verifier(), token),
            "the JWT's alg \"HS256\" is not allowed: this server accepts only RS256");
  // And the other way round.
  EXPECT_EQ(Rejection(Hs256Verifier(), Rsa().SignRs256(kRs256Header, Claims())),
            "the JWT's alg \"RS256\" is not allowed: this server accepts only HS256");
}

TEST(JwtVerifier, RejectsMalformedBase64AndJson) {
  JwtVerifier verifier = Hs256Verifier();
  std::string good = SignHs256(kHs256Header, Claims(), kSecret);
  // '=' padding, '+' and '/' are base64, not base64url.
  for (std::string bad : {good + "=", "ab+c." + good.substr(good.find('.') + 1),
                          "a/bc." + good.substr(good.find('.') + 1)}) {
    EXPECT_NE(Rejection(verifier, bad).find("is not a valid JWT"), std::string::npos) << bad;
  }
  // A length no base64 has (4n + 1), and non-zero unused bits.
  std::string header = Base64Url(kHs256Header);
  EXPECT_NE(Rejection(verifier, header + "A" + good.substr(good.find('.'))).find("base64url"),
            std::string::npos);
  std::string two_chars = "QB." + good.substr(good.find('.') + 1);  // 'B' leaves a 1 bit unused
  EXPECT_NE(Rejection(verifier, two_chars).find("base64url"), std::string::npos);
  // Not JSON, and JSON that is not an object.
  EXPECT_EQ(Rejection(verifier, SignHs256("{alg", Claims(), kSecret)),
            "the token is not a valid JWT: its header is not JSON");
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, "[1]", kSecret)),
            "the token is not a valid JWT: its payload is not a JSON object");
  // Two dots, four parts, empty parts.
  EXPECT_NE(Rejection(verifier, good + ".x"), "");
  EXPECT_NE(Rejection(verifier, ".." + good), "");
}

TEST(JwtVerifier, RejectsAMemberNamedTwice) {
  std::string claims = Claims(R"(["payments"])", kNow + 300, R"(,"namespaces":"*")");
  EXPECT_EQ(Rejection(Hs256Verifier(), SignHs256(kHs256Header, claims, kSecret)),
            "the token is not a valid JWT: its payload names a member twice");
}

TEST(JwtVerifier, RejectsCriticalHeaderExtensions) {
  std::string header = R"({"alg":"HS256","crit":["exp"]})";
  EXPECT_NE(Rejection(Hs256Verifier(), SignHs256(header, Claims(), kSecret)).find("crit"),
            std::string::npos);
}

TEST(JwtVerifier, RejectsAMissingOrIllTypedNamespacesClaim) {
  JwtVerifier verifier = Hs256Verifier();
  std::string missing =
      fmt::format(R"({{"iss":"https://issuer.example","aud":"nfmetrics","exp":{}}})", kNow + 60);
  EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, missing, kSecret)),
            "the JWT has no \"namespaces\" claim: the namespaces the caller may read, or \"*\"");
  const std::string ill_typed =
      "the JWT's \"namespaces\" claim must be an array of namespace names, or \"*\" for all";
  for (std::string_view value : {R"("payments")", "42", R"({"a":1})", R"(["payments",7])"}) {
    EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header, Claims(value), kSecret)), ill_typed)
        << value;
  }
  EXPECT_NE(Rejection(verifier, SignHs256(kHs256Header, Claims("[]"), kSecret))
                .find("names no namespace"),
            std::string::npos);
  EXPECT_NE(Rejection(verifier, SignHs256(kHs256Header, Claims(R"(["Not_A_Label"])"), kSecret))
                .find("invalid namespace"),
            std::string::npos);
  EXPECT_NE(Rejection(verifier, SignHs256(kHs256Header, Claims(R"(["*","payments"])"), kSecret))
                .find("must be the only entry"),
            std::string::npos);
}

TEST(JwtVerifier, AStarClaimReadsEveryNamespace) {
  JwtVerifier verifier = Hs256Verifier();
  for (std::string_view star : {R"("*")", R"(["*"])"}) {
    Result<Caller> caller =
        verifier.Verify(SignHs256(kHs256Header, Claims(star), kSecret), kNowPoint);
    ASSERT_TRUE(caller.ok()) << caller.error().message;
    EXPECT_TRUE(caller->all_namespaces) << star;
    EXPECT_TRUE(caller->MayRead("anything"));
  }
}

TEST(JwtVerifier, ReadsTheConfiguredNamespacesClaim) {
  JwtOptions options = Options();
  options.namespaces_claim = "nfmetrics_namespaces";
  JwtVerifier verifier = Hs256Verifier(options);
  std::string claims =
      Claims(R"(["payments"])", kNow + 300, R"(,"nfmetrics_namespaces":["finance"])");
  Result<Caller> caller = verifier.Verify(SignHs256(kHs256Header, claims, kSecret), kNowPoint);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_TRUE(caller->MayRead("finance"));
  EXPECT_FALSE(caller->MayRead("payments"));
}

TEST(JwtVerifier, TheSubjectIsMadeSafeForLogs) {
  std::string claims = Claims(R"(["payments"])", kNow + 300);
  claims.replace(claims.find(R"("sub":"alice")"), 13, R"("sub":"a \"b\"\nc|d@e")");
  Result<Caller> caller =
      Hs256Verifier().Verify(SignHs256(kHs256Header, claims, kSecret), kNowPoint);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->name, "jwt:a%20%22b%22%0Ac|d@e");
}

TEST(JwtVerifier, RefusesASubjectLongerThan128BytesRatherThanCutIt) {
  std::string claims = Claims(R"(["payments"])", kNow + 300);
  claims.replace(claims.find(R"("sub":"alice")"), 13,
                 fmt::format(R"("sub":"{}")", std::string(129, 'a')));
  Result<Caller> caller =
      Hs256Verifier().Verify(SignHs256(kHs256Header, claims, kSecret), kNowPoint);
  ASSERT_FALSE(caller.ok());
  EXPECT_NE(caller.error().message.find("longer than 128 bytes"), std::string::npos);
}

TEST(JwtVerifier, RefusesWeakKeys) {
  Result<JwtVerifier> short_secret = JwtVerifier::Hs256("too-short", {});
  ASSERT_FALSE(short_secret.ok());
  EXPECT_NE(short_secret.error().message.find("at least 32 bytes"), std::string::npos);
  Result<JwtVerifier> small_rsa = JwtVerifier::Rs256(RsaKeyPair(1024).PublicPem(), {});
  ASSERT_FALSE(small_rsa.ok());
  EXPECT_NE(small_rsa.error().message.find("at least 2048"), std::string::npos);
  Result<JwtVerifier> not_pem = JwtVerifier::Rs256("not a key", {});
  ASSERT_FALSE(not_pem.ok());
  EXPECT_EQ(not_pem.error().param, "jwt-rs256-public-key");
}

TEST(HasJwtShape, IsThreeBase64UrlPartsJoinedByTwoDots) {
  EXPECT_TRUE(HasJwtShape("a.b.c"));
  EXPECT_TRUE(HasJwtShape("eyJ-_.eyJ.sig_-"));
  EXPECT_FALSE(HasJwtShape("abc"));
  EXPECT_FALSE(HasJwtShape("a.b"));
  EXPECT_FALSE(HasJwtShape("a.b.c.d"));
  EXPECT_FALSE(HasJwtShape("a..c"));
  EXPECT_FALSE(HasJwtShape("a.b."));
  EXPECT_FALSE(HasJwtShape("a.b.c="));
  EXPECT_FALSE(HasJwtShape("a+b.c.d"));
}

}  // namespace
}  // namespace nfmetrics::service
