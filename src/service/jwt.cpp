#include "service/jwt.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace nfmetrics::service {
namespace {

namespace dom = simdjson::dom;

// Far above any real token (a few hundred bytes to a few KiB), far below what would cost anything.
constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr std::size_t kMinHs256SecretBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxSubjectBytes = 128;

Error Unauthorized(std::string message) {
  return Error{ErrorCode::kUnauthorized, std::move(message), ""};
}

Error Malformed(std::string_view what) {
  return Unauthorized(fmt::format("the token is not a valid JWT: {}", what));
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Unpadded base64url (RFC 7515 section 2), canonical only: the unused low bits of the last
// character must be zero, so that each value has exactly one encoding.
std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int pending = 0;
  for (char c : text) {
    int value = Base64UrlValue(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xff));
    }
  }
  if ((bits & ((1u << pending) - 1)) != 0) return std::nullopt;
  return out;
}

bool IsAlgorithmName(std::string_view alg) {
  return !alg.empty() && alg.size() <= 16 && std::all_of(alg.begin(), alg.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '+';
  });
}

// The caller name shown in logs: sub is the issuer's text, so anything outside a safe set is
// percent-encoded (no quote, space or line break reaches a log line) and the length is bounded.
std::string CallerName(std::optional<std::string_view> subject) {
  // "jwt:" even without a sub: token-file names cannot hold ':', so no JWT caller shares a
  // token's name (nor its rate-limit bucket).
  if (!subject || subject->empty()) return "jwt:";
  std::string name = "jwt:";
  for (char c : *subject) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-' || c == '@' || c == ':' || c == '|' ||
                      c == '+';
    if (safe) {
      name.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(name), "%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return name;
}

// The members of a JSON object by name, refusing a name given twice (RFC 7519 section 4: either
// reject or take the last; two parsers taking different ones is how claims get smuggled).
Result<dom::object> ParseObject(dom::parser& parser, const std::string& json,
                                std::string_view what) {
  dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) {
    return Malformed(fmt::format("its {} is not JSON", what));
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Malformed(fmt::format("its {} is not a JSON object", what));
  }
  std::vector<std::string_view> keys;
  for (dom::key_value_pair field : object) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return Malformed(fmt::format("its {} names a member twice", what));
  }
  return object;
}

std::optional<dom::element> Member(const dom::object& object, std::string_view key) {
  dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// A NumericDate (RFC 7519 section 2): seconds since the epoch, possibly fractional.
Result<std::optional<double>> NumericDate(const dom::object& claims, std::string_view key) {
  std::optional<dom::element> value = Member(claims, key);
  if (!value) return std::optional<double>();
  double seconds = 0;
  if (value->get_double().get(seconds) != simdjson::SUCCESS) {
    return Unauthorized(fmt::format("the JWT's {} claim must be a number of seconds", key));
  }
  return std::optional<double>(seconds);
}

Status CheckAudience(const dom::object& claims, const std::string& audience) {
  std::optional<dom::element> aud = Member(claims, "aud");
  const Error wrong =
      Unauthorized(fmt::format("the JWT's audience (aud) does not include \"{}\"", audience));
  if (!aud) return wrong;
  std::string_view one;
  if (aud->get_string().get(one) == simdjson::SUCCESS) {
    if (one == audience) return Ok();
    return wrong;
  }
  dom::array many;
  if (aud->get_array().get(many) != simdjson::SUCCESS) {
    return Unauthorized("the JWT's aud claim must be a string or an array of strings");
  }
  for (dom::element item : many) {
    if (item.get_string().get(one) != simdjson::SUCCESS) {
      return Unauthorized("the JWT's aud claim must be a string or an array of strings");
    }
    if (one == audience) return Ok();
  }
  return wrong;
}

// The namespaces claim: an array of namespace names, or "*" (alone, or as ["*"]) for all.
Status ReadNamespaces(const dom::object& claims, const std::string& claim, Caller& caller) {
  std::optional<dom::element> value = Member(claims, claim);
  if (!value) {
    return Unauthorized(fmt::format(
        "the JWT has no \"{}\" claim: the namespaces the caller may read, or \"*\"", claim));
  }
  const Error ill_typed = Unauthorized(fmt::format(
      "the JWT's \"{}\" claim must be an array of namespace names, or \"*\" for all", claim));
  std::string_view text;
  if (value->get_string().get(text) == simdjson::SUCCESS) {
    if (text != "*") return ill_typed;
    caller.all_namespaces = true;
    return Ok();
  }
  dom::array list;
  if (value->get_array().get(list) != simdjson::SUCCESS) return ill_typed;
  const std::size_t size = list.size();
  if (size == 0) {
    return Unauthorized(fmt::format(
        "the JWT's \"{}\" claim names no namespace: it must list at least one, or be \"*\"",
        claim));
  }
  for (dom::element item : list) {
    if (item.get_string().get(text) != simdjson::SUCCESS) return ill_typed;
    if (text == "*") {
      if (size != 1) {
        return Unauthorized(
            fmt::format("the JWT's \"{}\" claim: \"*\" must be the only entry", claim));
      }
      caller.all_namespaces = true;
      return Ok();
    }
    Result<Namespace> ns = Namespace::Parse(text);
    if (!ns.ok()) {
      return Unauthorized(fmt::format("the JWT's \"{}\" claim: {}", claim, ns.error().message));
    }
    caller.namespaces.push_back(std::move(ns).value());
  }
  std::sort(caller.namespaces.begin(), caller.namespaces.end());
  caller.namespaces.erase(std::unique(caller.namespaces.begin(), caller.namespaces.end()),
                          caller.namespaces.end());
  return Ok();
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

struct JwtVerifier::Key {
  enum class Type { kHs256, kRs256 };
  Type type = Type::kHs256;
  std::string secret;        // kHs256
  EVP_PKEY* pkey = nullptr;  // kRs256

  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() {
    OPENSSL_cleanse(secret.data(), secret.size());
    EVP_PKEY_free(pkey);
  }
};

bool HasJwtShape(std::string_view token) {
  std::size_t first = token.find('.');
  if (first == std::string_view::npos || first == 0) return false;
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || second == first + 1) return false;
  if (second + 1 == token.size() || token.find('.', second + 1) != std::string_view::npos) {
    return false;
  }
  return std::all_of(token.begin(), token.end(),
                     [](char c) { return c == '.' || Base64UrlValue(c) >= 0; });
}

JwtVerifier::JwtVerifier(std::shared_ptr<const Key> key, JwtOptions options)
    : key_(std::move(key)), options_(std::move(options)) {}

Result<JwtVerifier> JwtVerifier::Hs256(std::string_view secret, JwtOptions options) {
  if (secret.size() < kMinHs256SecretBytes) {
    return BadRequest("jwt-hs256-secret-file",
                      fmt::format("the HS256 secret must be at least {} bytes (RFC 7518 3.2); got "
                                  "{}",
                                  kMinHs256SecretBytes, secret.size()));
  }
  auto key = std::make_shared<Key>();
  key->type = Key::Type::kHs256;
  key->secret.assign(secret);
  return JwtVerifier(std::move(key), std::move(options));
}

Result<JwtVerifier> JwtVerifier::Rs256(std::string_view pem, JwtOptions options) {
  const std::string param = "jwt-rs256-public-key";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw std::bad_alloc();
  auto key = std::make_shared<Key>();
  key->type = Key::Type::kRs256;
  key->pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key->pkey == nullptr) {
    return BadRequest(param,
                      "not a PEM public key (-----BEGIN PUBLIC KEY-----, as `openssl rsa -pubout` "
                      "writes it)");
  }
  if (EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_RSA) {
    return BadRequest(param, "not an RSA public key: RS256 needs one");
  }
  if (EVP_PKEY_get_bits(key->pkey) < kMinRsaBits) {
    return BadRequest(param, fmt::format("the RSA key has {} bits; RS256 needs at least {}",
                                         EVP_PKEY_get_bits(key->pkey), kMinRsaBits));
  }
  return JwtVerifier(std::move(key), std::move(options));
}

std::string_view JwtVerifier::algorithm() const {
  return key_->type == Key::Type::kHs256 ? "HS256" : "RS256";
}

Result<Caller> JwtVerifier::Verify(std::string_view token, TimePoint now) const {
  if (token.size() > kMaxTokenBytes) return Malformed("it is too long");
  if (!HasJwtShape(token)) {
    return Malformed("it must be three base64url parts joined by dots");
  }
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string_view signing_input = token.substr(0, second);
  std::optional<std::string> header_json = DecodeBase64Url(token.substr(0, first));
  std::optional<std::string> payload_json =
      DecodeBase64Url(token.substr(first + 1, second - first - 1));
  std::optional<std::string> signature = DecodeBase64Url(token.substr(second + 1));
  if (!header_json || !payload_json || !signature) {
    return Malformed("a part is not canonical unpadded base64url");
  }

  // The header first: its alg must be the configured key's before any signature is computed.
  dom::parser parser;
  Result<dom::object> header = ParseObject(parser, *header_json, "header");
  if (!header.ok()) return std::move(header).error();
  std::string_view alg;
  std::optional<dom::element> alg_value = Member(*header, "alg");
  if (!alg_value || alg_value->get_string().get(alg) != simdjson::SUCCESS) {
    return Malformed("its header has no alg");
  }
  if (alg != algorithm()) {
    return Unauthorized(
        IsAlgorithmName(alg)
            ? fmt::format("the JWT's alg \"{}\" is not allowed: this server accepts only {}", alg,
                          algorithm())
            : fmt::format("the JWT's alg is not allowed: this server accepts only {}",
                          algorithm()));
  }
  // Extensions that must be understood (RFC 7515 4.1.11): we understand none.
  if (Member(*header, "crit")) {
    return Unauthorized("the JWT's header has crit extensions, which this server does not support");
  }

  bool signature_ok = false;
  if (key_->type == Key::Type::kHs256) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_size = 0;
    if (HMAC(EVP_sha256(), key_->secret.data(), static_cast<int>(key_->secret.size()),
             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
             mac.data(), &mac_size) == nullptr) {
      throw std::runtime_error("OpenSSL could not compute an HMAC-SHA256");
    }
    signature_ok = signature->size() == mac_size &&
                   CRYPTO_memcmp(mac.data(), signature->data(), mac_size) == 0;
  } else {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    if (!context) throw std::bad_alloc();
    if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1) {
      throw std::runtime_error("OpenSSL could not start an RS256 verification");
    }
    signature_ok =
        EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                         signature->size(),
                         reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size()) == 1;
  }
  if (!signature_ok) return Unauthorized("the JWT's signature does not verify");

  // Signed by our issuer: now its claims mean something.
  Result<dom::object> claims = ParseObject(parser, *payload_json, "payload");
  if (!claims.ok()) return std::move(claims).error();
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = std::chrono::duration<double>(options_.leeway).count();
  Result<std::optional<double>> exp = NumericDate(*claims, "exp");
  if (!exp.ok()) return std::move(exp).error();
  if (!*exp) return Unauthorized("the JWT has no exp claim: tokens must expire");
  if (now_seconds >= **exp + leeway) return Unauthorized("the JWT has expired");
  Result<std::optional<double>> nbf = NumericDate(*claims, "nbf");
  if (!nbf.ok()) return std::move(nbf).error();
  if (*nbf && now_seconds + leeway < **nbf) {
    return Unauthorized("the JWT is not valid yet (nbf is in the future)");
  }
  if (!options_.issuer.empty()) {
    std::optional<dom::element> iss = Member(*claims, "iss");
    std::string_view issuer;
    if (!iss || iss->get_string().get(issuer) != simdjson::SUCCESS || issuer != options_.issuer) {
      return Unauthorized(fmt::format("the JWT's issuer (iss) is not \"{}\"", options_.issuer));
    }
  }
  if (!options_.audience.empty()) {
    if (Status audience = CheckAudience(*claims, options_.audience); !audience.ok()) {
      return std::move(audience).error();
    }
  }
  std::optional<std::string_view> subject;
  if (std::optional<dom::element> sub = Member(*claims, "sub")) {
    std::string_view text;
    if (sub->get_string().get(text) != simdjson::SUCCESS) {
      return Unauthorized("the JWT's sub claim must be a string");
    }
    if (text.size() > kMaxSubjectBytes) {
      // Cut to a prefix, two subjects could share a name, hence a rate-limit bucket.
      return Unauthorized(
          fmt::format("the JWT's sub claim is longer than {} bytes", kMaxSubjectBytes));
    }
    subject = text;
  }
  Caller caller{.name = CallerName(subject)};
  if (Status read = ReadNamespaces(*claims, options_.namespaces_claim, caller); !read.ok()) {
    return std::move(read).error();
  }
  return caller;
}

Result<JwtVerifier> LoadJwtHs256SecretFile(const std::string& path, JwtOptions options) {
  std::optional<std::string> secret = ReadFile(path);
  if (!secret) return BadRequest("jwt-hs256-secret-file", fmt::format("{}: cannot be read", path));
  // `echo "$SECRET" > file` adds a line break that is not part of the secret.
  while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) {
    secret->pop_back();
  }
  Result<JwtVerifier> verifier = JwtVerifier::Hs256(*secret, std::move(options));
  OPENSSL_cleanse(secret->data(), secret->size());
  if (!verifier.ok()) {
    return BadRequest("jwt-hs256-secret-file",
                      fmt::format("{}: {}", path, verifier.error().message));
  }
  return verifier;
}

Result<JwtVerifier> LoadJwtRs256PublicKeyFile(const std::string& path, JwtOptions options) {
  std::optional<std::string> pem = ReadFile(path);
  if (!pem) return BadRequest("jwt-rs256-public-key", fmt::format("{}: cannot be read", path));
  Result<JwtVerifier> verifier = JwtVerifier::Rs256(*pem, std::move(options));
  if (!verifier.ok()) {
    return BadRequest("jwt-rs256-public-key",
                      fmt::format("{}: {}", path, verifier.error().message));
  }
  return verifier;
}

}  // namespace nfmetrics::service
