// libjwt (1.10, Debian 12) checks the token's signature; the rest is checked here, each rule for a
// reason docs/security.md#jwts gives: the encoding is canonical, header and payload are objects
// naming no member twice, the alg is the configured key's (libjwt takes it from the header), crit,
// typ, and, once libjwt has verified, exp/nbf, iss, aud, sub and the namespaces claim, all read
// from our own parse of the payload.
#include "nfmetrics/service/jwt.hpp"

#include <fmt/format.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
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
// character must be zero, so that each value has exactly one encoding. libjwt's decoder skips
// characters outside the alphabet and ignores those bits, so it would take many spellings of one
// RS256 signature.
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

// A short header value (alg, typ) that is safe to quote in a message.
bool IsQuotableName(std::string_view name) {
  return !name.empty() && name.size() <= 16 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '+';
  });
}

// The members of a JSON object by name, refusing a name given twice (RFC 7519 section 4: either
// reject or take the last; two parsers taking different ones is how claims get smuggled). libjwt's
// jansson silently keeps the last, and takes an array for a payload.
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

// The header's own checks: alg pinned to the configured key's, exactly ("HS256" keyed with our RSA
// key's PEM is what libjwt would compute otherwise, and it reads "hs256" as HS256 too), no crit,
// and a typ libjwt accepts.
Status CheckHeader(const dom::object& header, std::string_view algorithm) {
  std::string_view alg;
  std::optional<dom::element> alg_value = Member(header, "alg");
  if (!alg_value || alg_value->get_string().get(alg) != simdjson::SUCCESS) {
    return Malformed("its header has no alg");
  }
  if (alg != algorithm) {
    return Unauthorized(
        IsQuotableName(alg)
            ? fmt::format("the JWT's alg \"{}\" is not allowed: this server accepts only {}", alg,
                          algorithm)
            : fmt::format("the JWT's alg is not allowed: this server accepts only {}", algorithm));
  }
  // Extensions that must be understood (RFC 7515 4.1.11): we understand none, libjwt ignores them.
  if (Member(header, "crit")) {
    return Unauthorized("the JWT's header has crit extensions, which this server does not support");
  }
  // libjwt refuses a typ other than "JWT"; said here, its refusal would read as a bad signature.
  std::string_view typ;
  if (std::optional<dom::element> typ_value = Member(header, "typ");
      typ_value && typ_value->get_string().get(typ) == simdjson::SUCCESS &&
      (typ.size() != 3 || strncasecmp(typ.data(), "JWT", 3) != 0)) {
    return Unauthorized(
        IsQuotableName(typ)
            ? fmt::format("the JWT's typ \"{}\" is not supported: only \"JWT\"", typ)
            : "the JWT's typ is not supported: only \"JWT\"");
  }
  return Ok();
}

// libjwt checks the signature over the token as received, with `key` (the secret, or the PEM), by
// the header's alg, which CheckHeader has pinned to `alg`. Its object is not kept: the claims are
// read from our own parse of the payload.
Status VerifySignature(std::string_view token, jwt_alg_t alg, const std::string& key) {
  const std::string text(token);  // libjwt reads a C string
  jwt_t* decoded = nullptr;
  const int failure =
      jwt_decode(&decoded, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size()));
  const std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(decoded, &jwt_free);
  if (failure == ENOMEM) throw std::bad_alloc();
  if (failure != 0) {
    // EINVAL for both a bad signature and what jansson cannot read: without a key, libjwt only
    // reads.
    jwt_t* unverified = nullptr;
    const bool readable = jwt_decode(&unverified, text.c_str(), nullptr, 0) == 0;
    jwt_free(unverified);
    if (!readable) {
      return Malformed("libjwt cannot read it (an integer beyond 64 bits, or \\u0000 in a string)");
    }
    return Unauthorized("the JWT's signature does not verify");
  }
  // Should libjwt ever read the header's alg otherwise than CheckHeader did.
  if (jwt_get_alg(jwt.get()) != alg) {
    return Unauthorized(
        fmt::format("the JWT's alg is not allowed: this server accepts only {}", jwt_alg_str(alg)));
  }
  return Ok();
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

// A claim that is a string or an array of strings, as a list; nullopt for any other type.
std::optional<std::vector<std::string_view>> StringList(dom::element value) {
  std::string_view one;
  if (value.get_string().get(one) == simdjson::SUCCESS) return std::vector{one};
  dom::array items;
  if (value.get_array().get(items) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string_view> list;
  for (dom::element item : items) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
    list.push_back(text);
  }
  return list;
}

Status CheckAudience(const dom::object& claims, const std::string& audience) {
  const Error wrong =
      Unauthorized(fmt::format("the JWT's audience (aud) does not include \"{}\"", audience));
  std::optional<dom::element> value = Member(claims, "aud");
  if (!value) return wrong;
  std::optional<std::vector<std::string_view>> aud = StringList(*value);
  if (!aud) return Unauthorized("the JWT's aud claim must be a string or an array of strings");
  return std::find(aud->begin(), aud->end(), audience) != aud->end() ? Ok() : wrong;
}

// The caller name shown in logs, from sub: the issuer's text, so anything outside a safe set is
// percent-encoded (no quote, space or line break reaches a log line), and a sub too long is refused
// (cut to a prefix, two subjects could share a name, hence a rate-limit bucket).
Result<std::string> CallerName(const dom::object& claims) {
  // "jwt:" even without a sub: token-file names cannot hold ':', so no JWT caller shares a
  // token's name (nor its rate-limit bucket).
  std::string name = "jwt:";
  std::optional<dom::element> value = Member(claims, "sub");
  if (!value) return name;
  std::string_view sub;
  if (value->get_string().get(sub) != simdjson::SUCCESS) {
    return Unauthorized("the JWT's sub claim must be a string");
  }
  if (sub.size() > kMaxSubjectBytes) {
    return Unauthorized(
        fmt::format("the JWT's sub claim is longer than {} bytes", kMaxSubjectBytes));
  }
  for (char c : sub) {
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

// The namespaces claim: an array of namespace names, or "*" (alone, or as ["*"]) for all.
Status ReadNamespaces(const dom::object& claims, const std::string& claim, Caller& caller) {
  std::optional<dom::element> value = Member(claims, claim);
  if (!value) {
    return Unauthorized(fmt::format(
        "the JWT has no \"{}\" claim: the namespaces the caller may read, or \"*\"", claim));
  }
  std::optional<std::vector<std::string_view>> names = StringList(*value);
  if (!names || (value->is_string() && names->front() != "*")) {
    return Unauthorized(fmt::format(
        "the JWT's \"{}\" claim must be an array of namespace names, or \"*\" for all", claim));
  }
  if (names->empty()) {
    return Unauthorized(fmt::format(
        "the JWT's \"{}\" claim names no namespace: it must list at least one, or be \"*\"",
        claim));
  }
  for (std::string_view name : *names) {
    if (name == "*") {
      if (names->size() != 1) {
        return Unauthorized(
            fmt::format("the JWT's \"{}\" claim: \"*\" must be the only entry", claim));
      }
      caller.all_namespaces = true;
      return Ok();
    }
    Result<Namespace> ns = Namespace::Parse(name);
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
  jwt_alg_t alg = JWT_ALG_HS256;  // JWT_ALG_HS256 or JWT_ALG_RS256
  std::string bytes;              // what libjwt verifies with: the secret, or the public key's PEM

  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
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
  key->alg = JWT_ALG_HS256;
  key->bytes.assign(secret);
  return JwtVerifier(std::move(key), std::move(options));
}

// libjwt reads the PEM again for each token and has no way to inspect a key: it is checked here,
// once.
Result<JwtVerifier> JwtVerifier::Rs256(std::string_view pem, JwtOptions options) {
  const std::string param = "jwt-rs256-public-key";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw std::bad_alloc();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!pkey) {
    return BadRequest(param,
                      "not a PEM public key (-----BEGIN PUBLIC KEY-----, as `openssl rsa -pubout` "
                      "writes it)");
  }
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
    return BadRequest(param, "not an RSA public key: RS256 needs one");
  }
  if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
    return BadRequest(param, fmt::format("the RSA key has {} bits; RS256 needs at least {}",
                                         EVP_PKEY_get_bits(pkey.get()), kMinRsaBits));
  }
  auto key = std::make_shared<Key>();
  key->alg = JWT_ALG_RS256;
  key->bytes.assign(pem);
  return JwtVerifier(std::move(key), std::move(options));
}

std::string_view JwtVerifier::algorithm() const { return jwt_alg_str(key_->alg); }

Result<Caller> JwtVerifier::Verify(std::string_view token, TimePoint now) const {
  if (token.size() > kMaxTokenBytes) return Malformed("it is too long");
  if (!HasJwtShape(token)) {
    return Malformed("it must be three base64url parts joined by dots");
  }
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  std::optional<std::string> header_json = DecodeBase64Url(token.substr(0, first));
  std::optional<std::string> payload_json =
      DecodeBase64Url(token.substr(first + 1, second - first - 1));
  if (!header_json || !payload_json || !DecodeBase64Url(token.substr(second + 1))) {
    return Malformed("a part is not canonical unpadded base64url");
  }

  // The header first: libjwt verifies with whatever alg the header names, so ours must be pinned
  // before libjwt computes any signature.
  dom::parser parser;
  Result<dom::object> header = ParseObject(parser, *header_json, "header");
  if (!header.ok()) return std::move(header).error();
  if (Status checked = CheckHeader(*header, algorithm()); !checked.ok()) {
    return std::move(checked).error();
  }
  // The payload is parsed once, here (the header is done with: the parser is the payload's now),
  // so that its shape is checked before libjwt's jansson reads it, signed or not. Its claims are
  // read only once libjwt has verified the signature over these very bytes.
  Result<dom::object> claims = ParseObject(parser, *payload_json, "payload");
  if (!claims.ok()) return std::move(claims).error();
  if (Status verified = VerifySignature(token, key_->alg, key_->bytes); !verified.ok()) {
    return std::move(verified).error();
  }

  // Signed by our issuer: now its claims mean something.
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
  Result<std::string> name = CallerName(*claims);
  if (!name.ok()) return std::move(name).error();
  Caller caller{.name = std::move(name).value()};
  // Accepted until exp plus the leeway: a stream opened with it ends then.
  caller.expires = TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(**exp + leeway)));
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
