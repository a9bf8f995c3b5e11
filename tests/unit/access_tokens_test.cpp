// The token file of `serve --auth-tokens`: what a good file gives, every kind of bad file with the
// key at fault and the reason, and the matcher (SHA-256 of the presented token against every
// digest).
#include "nfmetrics/service/access_tokens.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace nfmetrics::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPaymentsToken = "payments-secret-0123456789abcdef";
const std::string kAdminToken = "admin-secret-fedcba9876543210";

std::string GoodFile() {
  return fmt::format(R"(tokens:
  - name: payments-team            # appears in logs instead of the secret
    sha256: "{}"
    namespaces: [payments, default]
  - name: admin
    sha256: {}
    namespaces: ["*"]
)",
                     Sha256Hex(kPaymentsToken), Sha256Hex(kAdminToken));
}

AccessTokens Load(const std::string& yaml) {
  Result<AccessTokens> tokens = LoadAccessTokens(yaml, "tokens.yaml");
  EXPECT_TRUE(tokens.ok()) << tokens.error().message;
  return tokens.ok() ? std::move(tokens).value() : AccessTokens();
}

// The message for a bad file; every one names the file and starts the key path after it.
std::string ErrorOf(const std::string& yaml) {
  Result<AccessTokens> tokens = LoadAccessTokens(yaml, "tokens.yaml");
  EXPECT_FALSE(tokens.ok()) << yaml;
  if (tokens.ok()) return "";
  EXPECT_EQ(tokens.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tokens.error().param, "auth-tokens");
  EXPECT_THAT(tokens.error().message, ::testing::StartsWith("tokens.yaml: "));
  return tokens.error().message;
}

std::string OneToken(const std::string& name, const std::string& sha256,
                     const std::string& namespaces) {
  return fmt::format("tokens:\n  - name: {}\n    sha256: {}\n    namespaces: {}\n", name, sha256,
                     namespaces);
}

const std::string kDigest = Sha256Hex("some-token");

TEST(Sha256, MatchesTheKnownDigestOfABC) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// --- A good file ------------------------------------------------------------------------------

TEST(AccessTokensFile, AGoodFileGivesEachTokenItsNameAndNamespaces) {
  AccessTokens tokens = Load(GoodFile());
  EXPECT_EQ(tokens.size(), 2u);
  EXPECT_THAT(tokens.Names(), ElementsAre("payments-team", "admin"));
  const Caller* payments = tokens.Authenticate(kPaymentsToken);
  ASSERT_NE(payments, nullptr);
  EXPECT_EQ(payments->name, "payments-team");
  EXPECT_FALSE(payments->all_namespaces);
  EXPECT_TRUE(payments->MayRead("payments"));
  EXPECT_TRUE(payments->MayRead("default"));
  EXPECT_FALSE(payments->MayRead("finance"));
  EXPECT_FALSE(payments->MayRead("payment"));
}

TEST(AccessTokensFile, UpperCaseHexIsAccepted) {
  std::string upper = kDigest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  AccessTokens tokens = Load(OneToken("a", upper, "[x]"));
  EXPECT_NE(tokens.Authenticate("some-token"), nullptr);
}

// --- Bad files: each names the key and says why -----------------------------------------------

TEST(AccessTokensFile, RejectsYamlThatDoesNotParse) {
  EXPECT_THAT(ErrorOf("tokens: [\n"), HasSubstr("tokens.yaml: line "));
}

TEST(AccessTokensFile, RejectsATopLevelThatIsNotAMap) {
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("(top level): must be a map with the key tokens"));
}

TEST(AccessTokensFile, RejectsUnknownTopLevelKeys) {
  EXPECT_THAT(ErrorOf(GoodFile() + "tokenz: []\n"), HasSubstr("tokens.yaml: tokenz: unknown key"));
}

TEST(AccessTokensFile, RejectsAMissingOrEmptyTokenList) {
  EXPECT_EQ(ErrorOf("{}\n"), "tokens.yaml: tokens: missing required key");
  EXPECT_EQ(ErrorOf("tokens: a\n"), "tokens.yaml: tokens: must be a list");
  EXPECT_EQ(ErrorOf("tokens: []\n"), "tokens.yaml: tokens: must list at least one token");
}

TEST(AccessTokensFile, RejectsATokenThatIsNotAMap) {
  EXPECT_THAT(ErrorOf("tokens: [abc]\n"),
              HasSubstr("tokens[0]: must be a map with name, sha256 and namespaces"));
}

TEST(AccessTokensFile, RejectsUnknownKeysInATokenSuchAsThePlainSecret) {
  std::string message = ErrorOf(OneToken("a", kDigest, "[x]") + "    token: hunter2hunter2\n");
  EXPECT_THAT(message, HasSubstr("tokens[0].token: unknown key"));
  EXPECT_THAT(message, Not(HasSubstr("hunter2")));
}

TEST(AccessTokensFile, RejectsAMissingOrInvalidName) {
  EXPECT_EQ(ErrorOf("tokens:\n  - sha256: " + kDigest + "\n    namespaces: [x]\n"),
            "tokens.yaml: tokens[0].name: missing required key");
  EXPECT_THAT(ErrorOf(OneToken("\"payments team\"", kDigest, "[x]")),
              HasSubstr("tokens[0].name: \"payments team\" is not a valid name"));
  EXPECT_THAT(ErrorOf(OneToken("[a]", kDigest, "[x]")),
              HasSubstr("tokens[0].name: must be a string"));
}

TEST(AccessTokensFile, RejectsTwoTokensWithOneName) {
  std::string file = OneToken("team", kDigest, "[x]") +
                     "  - name: team\n    sha256: " + Sha256Hex("other") +
                     "\n    namespaces: [y]\n";
  EXPECT_EQ(ErrorOf(file),
            "tokens.yaml: tokens[1].name: \"team\" is already the name of tokens[0]");
}

TEST(AccessTokensFile, RejectsASha256ThatIsNot64HexDigitsWithoutEchoingIt) {
  EXPECT_EQ(ErrorOf("tokens:\n  - name: a\n    namespaces: [x]\n"),
            "tokens.yaml: tokens[0].sha256: missing required key");
  // The plain token pasted where its digest belongs: named by length, never printed.
  std::string message = ErrorOf(OneToken("a", "my-plain-secret", "[x]"));
  EXPECT_THAT(message, HasSubstr("tokens[0].sha256: must be 64 hex digits"));
  EXPECT_THAT(message, HasSubstr("got 15 characters"));
  EXPECT_THAT(message, Not(HasSubstr("my-plain-secret")));

  std::string not_hex = kDigest;
  not_hex[10] = 'g';
  message = ErrorOf(OneToken("a", not_hex, "[x]"));
  EXPECT_THAT(message, HasSubstr("character 10 is not a hex digit"));
  EXPECT_THAT(message, Not(HasSubstr(not_hex)));
}

TEST(AccessTokensFile, RejectsTheSameDigestTwice) {
  std::string file = OneToken("a", kDigest, "[x]") + "  - name: b\n    sha256: " + kDigest +
                     "\n    namespaces: [y]\n";
  EXPECT_THAT(ErrorOf(file), HasSubstr("tokens[1].sha256: the same digest as tokens[0]"));
}

TEST(AccessTokensFile, RejectsMissingOrEmptyNamespaces) {
  EXPECT_EQ(ErrorOf("tokens:\n  - name: a\n    sha256: " + kDigest + "\n"),
            "tokens.yaml: tokens[0].namespaces: missing required key");
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "[]")),
              HasSubstr("tokens[0].namespaces: must name at least one namespace"));
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "payments")),
              HasSubstr("tokens[0].namespaces: must be a list"));
}

TEST(AccessTokensFile, RejectsANamespaceThatIsNotAKubernetesName) {
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "[payments, Pay_ments]")),
              HasSubstr("tokens[0].namespaces[1]: invalid namespace \"Pay_ments\": must be a "
                        "DNS-1123 label"));
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "[[x]]")),
              HasSubstr("tokens[0].namespaces[0]: must be a namespace name or \"*\""));
}

TEST(AccessTokensFile, RejectsAStarBesideNamesAndANamespaceListedTwice) {
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "[payments, \"*\"]")),
              HasSubstr("tokens[0].namespaces[1]: \"*\" (every namespace) must be the only entry"));
  EXPECT_THAT(ErrorOf(OneToken("a", kDigest, "[x, y, x]")),
              HasSubstr("tokens[0].namespaces[2]: namespace \"x\" is listed twice"));
}

TEST(AccessTokensFile, AFileThatCannotBeReadSaysSo) {
  Result<AccessTokens> tokens = LoadAccessTokensFile("/nonexistent/tokens.yaml");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.error().message, "/nonexistent/tokens.yaml: cannot be read");
}

// --- The matcher ------------------------------------------------------------------------------

TEST(AccessTokens, TheRightTokenIsItsCaller) {
  AccessTokens tokens = Load(GoodFile());
  const Caller* admin = tokens.Authenticate(kAdminToken);
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->name, "admin");
  const Caller* payments = tokens.Authenticate(kPaymentsToken);
  ASSERT_NE(payments, nullptr);
  EXPECT_EQ(payments->name, "payments-team");
}

TEST(AccessTokens, AWrongTokenIsNobody) {
  AccessTokens tokens = Load(GoodFile());
  EXPECT_EQ(tokens.Authenticate("payments-secret-0123456789abcdeF"), nullptr);
  EXPECT_EQ(tokens.Authenticate(kPaymentsToken + " "), nullptr);
  EXPECT_EQ(tokens.Authenticate(""), nullptr);
  // The digest itself is not a token: what the file holds cannot be replayed.
  EXPECT_EQ(tokens.Authenticate(Sha256Hex(kPaymentsToken)), nullptr);
}

TEST(AccessTokens, StarReadsEveryNamespace) {
  AccessTokens tokens = Load(GoodFile());
  const Caller* admin = tokens.Authenticate(kAdminToken);
  ASSERT_NE(admin, nullptr);
  EXPECT_TRUE(admin->all_namespaces);
  EXPECT_TRUE(admin->MayRead("payments"));
  EXPECT_TRUE(admin->MayRead("anything-at-all"));
}

}  // namespace
}  // namespace nfmetrics::service
