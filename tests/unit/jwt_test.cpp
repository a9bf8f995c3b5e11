// JWT bearer tokens: what the verifier accepts (HS256 or RS256 with the configured key, within
// exp/nbf give or take the leeway, the right iss and aud, a namespaces claim) and everything it
// turns down, each with a reason that names the check and never the token.
#include "nfmetrics/service/jwt.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "support/jwt_signer.hpp"

namespace nfmetrics::service {
namespace {

using nfmetrics::testing::Base64Url;
using nfmetrics::testing::RsaKeyPair;
using nfmetrics::testing::SignHs256;
using nfmetrics::testing::SignHs512;

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

// libjwt verifies with whatever alg the header names (case-insensitively): each of these has a
// signature it would accept, so only the pin to the configured key's alg turns them down.
TEST(JwtVerifier, RejectsAnyAlgButTheKeysEvenWithASignatureThatHolds) {
  JwtVerifier verifier = Hs256Verifier();
  EXPECT_EQ(Rejection(verifier, SignHs512(R"({"alg":"HS512"})", Claims(), kSecret)),
            "the JWT's alg \"HS512\" is not allowed: this server accepts only HS256");
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"alg":"hs256"})", Claims(), kSecret)),
            "the JWT's alg \"hs256\" is not allowed: this server accepts only HS256");
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"alg":"ES256"})", Claims(), kSecret)),
            "the JWT's alg \"ES256\" is not allowed: this server accepts only HS256");
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"alg":"HS256 \"x\""})", Claims(), kSecret)),
            "the JWT's alg is not allowed: this server accepts only HS256");
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"alg":256})", Claims(), kSecret)),
            "the token is not a valid JWT: its header has no alg");
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"typ":"JWT"})", Claims(), kSecret)),
            "the token is not a valid JWT: its header has no alg");
}

TEST(JwtVerifier, RejectsAHeaderNamingAlgTwice) {
  // jansson keeps the last of two: RS256 to our eyes, HS256 keyed with the public PEM to libjwt's.
  const std::string pem = Rsa().PublicPem();
  for (std::string_view header :
       {R"({"alg":"RS256","alg":"HS256"})", R"({"alg":"RS256","al\u0067":"HS256"})"}) {
    EXPECT_EQ(Rejection(Rs256Verifier(), SignHs256(header, Claims(R"("*")"), pem)),
              "the token is not a valid JWT: its header names a member twice")
        << header;
  }
}

TEST(JwtVerifier, RejectsAnRs256SignatureSpelledAnyOtherWay) {
  // libjwt's base64 decoder ignores the 4 unused bits of a 256-byte signature's last character and
  // skips what is not base64: these decode to the very signature that verifies.
  const std::string token = Rsa().SignRs256(kRs256Header, Claims());
  ASSERT_EQ(Rejection(Rs256Verifier(), token), "");
  std::string stray_bit = token;
  // The last character is 'A', 'Q', 'g' or 'w' (a multiple of 16); the next one sets a free bit.
  ASSERT_NE(std::string_view("AQgw").find(stray_bit.back()), std::string_view::npos);
  stray_bit.back() = static_cast<char>(stray_bit.back() + 1);
  EXPECT_EQ(Rejection(Rs256Verifier(), stray_bit),
            "the token is not a valid JWT: a part is not canonical unpadded base64url");
  for (std::string spelling :
       {token + "==", token + "!",
        token.substr(0, token.size() - 8) + "*" + token.substr(token.size() - 8)}) {
    EXPECT_NE(Rejection(Rs256Verifier(), spelling).find("is not a valid JWT"), std::string::npos)
        << spelling.substr(spelling.size() - 4);
  }
}

TEST(JwtVerifier, RejectsAnRs256TokenSignedByAnotherKey) {
  static const RsaKeyPair other;
  EXPECT_EQ(Rejection(Rs256Verifier(), other.SignRs256(kRs256Header, Claims())),
            "the JWT's signature does not verify");
}

TEST(JwtVerifier, AcceptsTypJwtOnlyAsLibjwtDoes) {
  JwtVerifier verifier = Hs256Verifier();
  for (std::string_view header : {R"({"alg":"HS256"})", R"({"alg":"HS256","typ":"jwt"})"}) {
    EXPECT_EQ(Rejection(verifier, SignHs256(header, Claims(), kSecret)), "") << header;
  }
  // RFC 9068's access tokens: libjwt 1.10 refuses them, and we say so rather than "signature".
  EXPECT_EQ(Rejection(verifier, SignHs256(R"({"alg":"HS256","typ":"at+jwt"})", Claims(), kSecret)),
            "the JWT's typ \"at+jwt\" is not supported: only \"JWT\"");
}

TEST(JwtVerifier, ReadsFractionalNumericDatesAndRefusesOtherTypes) {
  JwtVerifier verifier = Hs256Verifier();
  auto with_dates = [](std::string_view exp, std::string_view nbf) {
    return SignHs256(kHs256Header,
                     fmt::format(R"({{"iss":"https://issuer.example","aud":"nfmetrics",)"
                                 R"("exp":{},"nbf":{},"namespaces":["a"]}})",
                                 exp, nbf),
                     kSecret);
  };
  // Expires half a second past kNow: with the leeway, valid until kNow + 30.5 s.
  const std::string half = with_dates(fmt::format("{}.5", kNow), std::to_string(kNow - 60));
  EXPECT_EQ(Rejection(verifier, half, kNowPoint + std::chrono::milliseconds(30400)), "");
  EXPECT_EQ(Rejection(verifier, half, kNowPoint + std::chrono::milliseconds(30600)),
            "the JWT has expired");
  EXPECT_EQ(Rejection(verifier, with_dates("1.7954676e9", "0")), "");  // kNow + 300 s
  EXPECT_EQ(Rejection(verifier, with_dates(R"("soon")", "0")),
            "the JWT's exp claim must be a number of seconds");
  EXPECT_EQ(Rejection(verifier, with_dates(std::to_string(kNow + 60), "true")),
            "the JWT's nbf claim must be a number of seconds");
}

TEST(JwtVerifier, RejectsIllTypedIssAudAndSub) {
  JwtVerifier verifier = Hs256Verifier();
  auto replaced = [](std::string_view member, std::string_view by) {
    std::string claims = Claims();
    const std::size_t at = claims.find(fmt::format(R"("{}":)", member));
    claims.replace(at, claims.find(',', at) - at, by);
    return SignHs256(kHs256Header, claims, kSecret);
  };
  EXPECT_EQ(Rejection(verifier, replaced("iss", R"("iss":["https://issuer.example"])")),
            "the JWT's issuer (iss) is not \"https://issuer.example\"");
  EXPECT_EQ(Rejection(verifier, replaced("iss", R"("x":1)")),
            "the JWT's issuer (iss) is not \"https://issuer.example\"");
  for (std::string_view aud : {R"("aud":7)", R"("aud":["nfmetrics",7])", R"("aud":{"a":1})"}) {
    EXPECT_EQ(Rejection(verifier, replaced("aud", aud)),
              "the JWT's aud claim must be a string or an array of strings")
        << aud;
  }
  EXPECT_EQ(Rejection(verifier, replaced("aud", R"("x":1)")),
            "the JWT's audience (aud) does not include \"nfmetrics\"");
  for (std::string_view sub : {R"("sub":42)", R"("sub":null)", R"("sub":["alice"])"}) {
    EXPECT_EQ(Rejection(verifier, replaced("sub", sub)), "the JWT's sub claim must be a string")
        << sub;
  }
}

TEST(JwtVerifier, APayloadLibjwtCannotReadIsNotCalledABadSignature) {
  // Both are valid JSON, and signed; jansson refuses them.
  JwtVerifier verifier = Hs256Verifier();
  for (std::string_view extra : {R"(,"big":18446744073709551615)", R"(,"nul":"a\u0000b")"}) {
    EXPECT_EQ(Rejection(verifier, SignHs256(kHs256Header,
                                            Claims(R"(["payments"])", kNow + 300, extra), kSecret)),
              "the token is not a valid JWT: libjwt cannot read it (an integer beyond 64 bits, or "
              "\\u0000 in a string)")
        << extra;
  }
}

TEST(JwtVerifier, RejectsATokenOver16KiB) {
  std::string claims = Claims(R"(["payments"])", kNow + 300,
                              fmt::format(R"(,"pad":"{}")", std::string(12 * 1024, 'x')));
  std::string token = SignHs256(kHs256Header, claims, kSecret);
  ASSERT_GT(token.size(), 16u * 1024);
  EXPECT_EQ(Rejection(Hs256Verifier(), token), "the token is not a valid JWT: it is too long");
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
