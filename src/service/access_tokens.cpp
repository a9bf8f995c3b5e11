#include "nfmetrics/service/access_tokens.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>

#include "service/yaml_loader.hpp"

namespace nfmetrics::service {
namespace {

constexpr std::size_t kMaxNameLength = 128;

// Names appear in logs (and may become a metric label): no spaces, quotes or control characters.
bool IsCallerName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits (either case) -> the digest; the reason otherwise, without the text itself.
Result<Sha256Digest> ParseDigest(std::string_view hex) {
  constexpr std::string_view kRule =
      "must be 64 hex digits: the SHA-256 of the token, as "
      "`printf %s \"$TOKEN\" | sha256sum` prints it";
  if (hex.size() != 64) {
    return BadRequest("", fmt::format("{}; got {} characters", kRule, hex.size()));
  }
  Sha256Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    int high = HexValue(hex[2 * i]);
    int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return BadRequest("", fmt::format("{}; character {} is not a hex digit", kRule,
                                        high < 0 ? 2 * i : 2 * i + 1));
    }
    digest[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return digest;
}

// The token file's own reads on top of the shared ones.
class Loader : public YamlLoader {
 public:
  explicit Loader(std::string_view source) : YamlLoader(source, "auth-tokens") {}

  std::optional<Error> RejectUnknownKeys(const YAML::Node& node, const std::string& path,
                                         std::initializer_list<std::string_view> known,
                                         std::string_view what) const {
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return Fail(path.empty() ? key : fmt::format("{}.{}", path, key),
                    fmt::format("unknown key; {}", what));
      }
    }
    return std::nullopt;
  }

  Result<Caller> Namespaces(const YAML::Node& token, const std::string& path, Caller caller) const {
    YAML::Node list = token["namespaces"];
    std::string at = path + ".namespaces";
    if (!list || list.IsNull()) return Fail(at, "missing required key");
    if (!list.IsSequence()) return Fail(at, "must be a list of namespaces, or [\"*\"] for all");
    if (list.size() == 0) {
      return Fail(at, "must name at least one namespace, or be [\"*\"] for all");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string item_at = fmt::format("{}[{}]", at, i);
      const YAML::Node& item = list[i];
      if (!item.IsScalar()) return Fail(item_at, "must be a namespace name or \"*\"");
      const std::string& text = item.Scalar();
      if (text == "*") {
        if (list.size() != 1) {
          return Fail(item_at, "\"*\" (every namespace) must be the only entry");
        }
        caller.all_namespaces = true;
        continue;
      }
      Result<Namespace> ns = Namespace::Parse(text);
      if (!ns.ok()) return Fail(item_at, ns.error().message);
      if (std::find(caller.namespaces.begin(), caller.namespaces.end(), *ns) !=
          caller.namespaces.end()) {
        return Fail(item_at, fmt::format("namespace \"{}\" is listed twice", text));
      }
      caller.namespaces.push_back(std::move(ns).value());
    }
    std::sort(caller.namespaces.begin(), caller.namespaces.end());
    return caller;
  }
};

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256");
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  std::string hex;
  hex.reserve(64);
  for (unsigned char byte : Sha256(data)) fmt::format_to(std::back_inserter(hex), "{:02x}", byte);
  return hex;
}

bool Caller::MayRead(std::string_view ns) const {
  if (all_namespaces) return true;
  return std::any_of(namespaces.begin(), namespaces.end(),
                     [&](const Namespace& own) { return own.str() == ns; });
}

const Caller* AccessTokens::Authenticate(std::string_view token) const {
  const Sha256Digest presented = Sha256(token);
  std::size_t found = entries_.size();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    // Select without branching on the comparison, and never stop early: a match at the first
    // entry takes as long as one at the last, or none.
    const std::size_t equal = static_cast<std::size_t>(
        CRYPTO_memcmp(presented.data(), entries_[i].digest.data(), presented.size()) == 0);
    const std::size_t mask = std::size_t{0} - equal;
    found = (found & ~mask) | (i & mask);
  }
  return found < entries_.size() ? &entries_[found].caller : nullptr;
}

std::vector<std::string> AccessTokens::Names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const Entry& entry : entries_) names.push_back(entry.caller.name);
  return names;
}

Result<AccessTokens> LoadAccessTokens(std::string_view yaml_text, std::string_view source) {
  Loader loader(source);
  Result<YAML::Node> root = loader.LoadMap(yaml_text, "the key tokens");
  if (!root.ok()) return std::move(root).error();
  AccessTokens tokens;
  try {
    if (auto error = loader.RejectUnknownKeys(*root, "", {"tokens"}, "the file has only tokens")) {
      return *error;
    }
    Result<YAML::Node> tokens_list = loader.Sequence(*root, "tokens", "", /*required=*/true);
    if (!tokens_list.ok()) return std::move(tokens_list).error();
    const YAML::Node& list = *tokens_list;
    if (list.size() == 0) return loader.Fail("tokens", "must list at least one token");
    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string path = fmt::format("tokens[{}]", i);
      const YAML::Node& item = list[i];
      if (!item.IsMap()) return loader.Fail(path, "must be a map with name, sha256 and namespaces");
      if (auto error = loader.RejectUnknownKeys(
              item, path, {"name", "sha256", "namespaces"},
              "a token has name, sha256 and namespaces (the secret itself is never stored)")) {
        return *error;
      }
      Result<std::string> name = loader.String(item, "name", path, /*required=*/true);
      if (!name.ok()) return std::move(name).error();
      if (!IsCallerName(*name)) {
        return loader.Fail(path + ".name",
                           fmt::format("\"{}\" is not a valid name: 1 to {} letters, digits, '.', "
                                       "'_', '-' and '@'",
                                       *name, kMaxNameLength));
      }
      if (auto [it, added] = names.emplace(*name, i); !added) {
        return loader.Fail(path + ".name", fmt::format("\"{}\" is already the name of tokens[{}]",
                                                       *name, it->second));
      }
      Result<std::string> hex = loader.String(item, "sha256", path, /*required=*/true);
      if (!hex.ok()) return std::move(hex).error();
      Result<Sha256Digest> digest = ParseDigest(*hex);
      if (!digest.ok()) return loader.Fail(path + ".sha256", digest.error().message);
      for (std::size_t j = 0; j < tokens.entries_.size(); ++j) {
        if (tokens.entries_[j].digest == *digest) {
          return loader.Fail(path + ".sha256",
                             fmt::format("the same digest as tokens[{}]: each token must be "
                                         "different",
                                         j));
        }
      }
      Result<Caller> caller =
          loader.Namespaces(item, path, Caller{.name = std::move(name).value()});
      if (!caller.ok()) return std::move(caller).error();
      tokens.entries_.push_back({*digest, std::move(caller).value()});
    }
  } catch (const YAML::Exception& e) {
    return loader.Fail(e);
  }
  return tokens;
}

Result<AccessTokens> LoadAccessTokensFile(const std::string& path) {
  Result<std::string> text = ReadConfigFile(path, "auth-tokens");
  if (!text.ok()) return std::move(text).error();
  return LoadAccessTokens(*text, path);
}

}  // namespace nfmetrics::service
